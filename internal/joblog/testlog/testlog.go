// Package testlog finds the blocks of a job log that report failing tests:
// pytest's "____ test ____" sections, Go's "--- FAIL: TestX" output, Jest's
// "●" blocks, Surefire's "<<< FAILURE!" traces, RSpec's "Failures:" list and
// the like. It reads the log one line at a time, as a joblog.LineSink, and
// keeps a bounded amount of text.
package testlog

// Framework names, as set in Block.Framework. They are also the names the
// diagnose package uses to pick a repro command.
const (
	Pytest   = "pytest"
	Unittest = "unittest"
	Go       = "go"
	Jest     = "jest"
	Mocha    = "mocha"
	Maven    = "maven"
	Gradle   = "gradle"
	RSpec    = "rspec"
	PHPUnit  = "phpunit"
	Cargo    = "cargo"
	Nextest  = "nextest"
	Dotnet   = "dotnet"
)

// Block is the part of a log that reports one failing test.
type Block struct {
	Framework string `json:"framework"`
	// Test is the test's name as the log prints it: "test_x",
	// "TestX/sub", "Suite › name", "raw(retrofit2.KotlinSuspendRawTest)".
	Test string `json:"test"`
	// Location is the place printed next to the name, when there is one:
	// a pytest node id, "./spec/x_spec.rb:13", "FooTest.testBar:42".
	Location string `json:"location,omitempty"`
	// StartLine and EndLine are 1-based inclusive raw log line numbers.
	StartLine int `json:"start_line"`
	EndLine   int `json:"end_line"`
	// Lines holds the block's text, one entry per line. A block longer
	// than the collector's line cap keeps its first and last lines; Omitted
	// lines were left out before index OmittedAt.
	Lines     []string `json:"lines"`
	Omitted   int      `json:"omitted,omitempty"`
	OmittedAt int      `json:"omitted_at,omitempty"`
	// Highlight holds the raw line numbers of the lines that carry the
	// error (pytest "E " lines, Go "x_test.go:12:" lines, the exception).
	Highlight []int `json:"highlight,omitempty"`
}

// LineAt returns the text of raw line n if the block kept it.
func (b *Block) LineAt(n int) (string, bool) {
	if n < b.StartLine || n > b.EndLine {
		return "", false
	}
	i := n - b.StartLine
	if b.Omitted > 0 && i >= b.OmittedAt {
		if i < b.OmittedAt+b.Omitted {
			return "", false
		}
		i -= b.Omitted
	}
	if i < 0 || i >= len(b.Lines) {
		return "", false
	}
	return b.Lines[i], true
}

// Limits bound what a Collector keeps.
type Limits struct {
	MaxBlocks     int // blocks kept; later ones are counted in Dropped
	MaxLines      int // lines kept per block (first third and last two thirds)
	MaxLineBytes  int // bytes kept per line
	MaxHighlights int // highlighted lines per block
}

// DefaultLimits are used for every zero field of a Collector's Limits.
var DefaultLimits = Limits{MaxBlocks: 500, MaxLines: 90, MaxLineBytes: 1024, MaxHighlights: 16}

func (l Limits) withDefaults() Limits {
	if l.MaxBlocks <= 0 {
		l.MaxBlocks = DefaultLimits.MaxBlocks
	}
	if l.MaxLines <= 0 {
		l.MaxLines = DefaultLimits.MaxLines
	}
	if l.MaxLines < 3 {
		l.MaxLines = 3
	}
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = DefaultLimits.MaxLineBytes
	}
	if l.MaxHighlights <= 0 {
		l.MaxHighlights = DefaultLimits.MaxHighlights
	}
	return l
}
