package junit

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	gojunit "github.com/joshdk/go-junit"
)

// Limits applied when the matching Options field is zero.
const (
	// DefaultMaxFileBytes is GitLab's limit for one JUnit file
	// (Gitlab::MAX_XML_SIZE, 30 MiB), applied to each file or gzip member
	// after decompression.
	DefaultMaxFileBytes = 30 << 20
	// DefaultMaxBodyBytes caps each kept text (failure body, system-out,
	// ...). Longer texts keep their first and last halves.
	DefaultMaxBodyBytes = 64 << 10
	// maxProperties caps the <property> entries kept per suite or test.
	maxProperties = 512
)

// Keys in gojunit.Test.Properties and gojunit.Suite.Properties that this
// package adds. Attributes of <testcase> and <testsuite> keep their own
// names, as in go-junit ("file", "line", "timestamp", ...); an attribute
// with a namespace prefix is stored as "prefix:local". A key that starts
// with '@' cannot be an XML attribute name, so the derived keys below never
// collide with the document's own attributes.
const (
	// KeyAttempts is how many runs of the test were seen (reruns, flaky
	// runs and folded duplicates included), in decimal. Absent means 1.
	KeyAttempts = "@attempts"
	// KeyFlaky is "true" on a test that failed and then passed.
	KeyFlaky = "@flaky"
	// KeyLine is the 1-based line of the test in KeyFile's file, when the
	// report gives one (pytest's 0-based "line" is shifted).
	KeyLine = "@line"
	// KeyRerunSystemOut and KeyRerunSystemErr hold the output of the first
	// rerun (<flakyFailure>, <rerunFailure>, ...), which go-junit drops.
	KeyRerunSystemOut = "@rerun-system-out"
	KeyRerunSystemErr = "@rerun-system-err"
	// KeyTruncated lists, comma-separated, the texts of a test or suite that
	// were cut to Options.MaxBodyBytes: "body", "system-out", "system-err".
	KeyTruncated = "@truncated"
	// KeySource on a top-level suite is the name of the file or gzip member
	// it came from.
	KeySource = "@source"
	// KeyOrphans is "true" on a suite made up to hold <testcase> elements
	// that sat directly under <testsuites>; its Name is that of the
	// <testsuites> element.
	KeyOrphans = "@orphans"
	// PropertyPrefix prefixes the name of each <property> child of
	// <properties>, for suites and tests alike. A property can then never
	// hide an attribute of the same name.
	PropertyPrefix = "property:"
)

// Outcome is the outcome of one test. The values are those of
// diagnose.TestStatus.
type Outcome string

// Outcomes, with GitLab's precedence: failed > error > skipped > success;
// flaky is a test that failed and then passed.
const (
	OutcomeFailed  Outcome = "failed"
	OutcomeError   Outcome = "error"
	OutcomeFlaky   Outcome = "flaky"
	OutcomeSkipped Outcome = "skipped"
	OutcomeSuccess Outcome = "success"
)

// Errors that Parse wraps; test them with errors.Is.
var (
	// ErrNotJUnit: the input is not a JUnit report (empty, not XML, or no
	// <testsuite>/<testsuites> element).
	ErrNotJUnit = errors.New("not a junit report")
	// ErrTooLarge: a file is larger than Options.MaxFileBytes.
	ErrTooLarge = errors.New("file too large")
)

// Options tune Parse. The zero value is ready to use.
type Options struct {
	// MaxFileBytes is the largest file (or gzip member, decompressed) that
	// is read. Reading stops there with an error wrapping ErrTooLarge.
	// 0 means DefaultMaxFileBytes; negative means no limit.
	MaxFileBytes int64
	// MaxBodyBytes caps every kept text. 0 means DefaultMaxBodyBytes;
	// negative means no cap.
	MaxBodyBytes int
	// KeepPassing keeps passing tests in Suite.Tests. Without it only
	// failing, erroring and flaky tests are kept (and skipped ones with
	// KeepSkipped); the rest are only counted, which keeps memory flat.
	KeepPassing bool
	// KeepSkipped keeps skipped tests in Suite.Tests.
	KeepSkipped bool
	// Name names the input in errors and in File.Name (IngestFile sets it
	// to the path). Gzip members use the name in their own header.
	Name string

	// stdDecoder reads tokens with encoding/xml instead of the scanner.
	stdDecoder bool
}

func (o Options) withDefaults() Options {
	if o.MaxFileBytes == 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return o
}

// Report is what Parse read from one input.
//
// Suites is the tree of <testsuite> elements, as go-junit builds it. Each
// Suite.Totals counts every test case of the suite and its children,
// including those not kept in Tests; do not call Suite.Aggregate, which
// would recount from the kept tests only.
type Report struct {
	Suites []gojunit.Suite
	// Totals counts every test case read. A flaky test counts as passed.
	// Duplicates folded into an earlier failing test count once.
	Totals gojunit.Totals
	// Flaky is how many of Totals.Passed are flaky.
	Flaky int
	// Dialect is the tool that wrote the report (see the Dialect
	// constants), "mixed" when files disagree, or "" when unknown.
	Dialect string
	// Files describes each file read: one, or one per gzip member.
	Files []File
	// Warnings are notes about the input that did not stop parsing.
	Warnings []string
}

// File describes one XML document read.
type File struct {
	Name    string
	Dialect string
	Bytes   int64 // bytes of XML read
	Tests   int   // <testcase> elements read
	Suites  int   // <testsuite> elements read
	Err     error // why reading stopped early, if it did
}

// Parse reads one JUnit report: plain XML, or gzip with one member per file
// as in GitLab's junit.xml.gz artifact. On a corrupt, truncated or
// oversized input it returns what was read so far together with the error;
// the Report is never nil.
func Parse(r io.Reader, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	b := newBuilder(opts)
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		b.parseGzip(br)
	} else {
		b.parseFile(br, displayName(opts.Name, ""))
	}
	rep := b.finish()
	var errs []error
	for _, f := range rep.Files {
		if f.Err != nil {
			errs = append(errs, f.Err)
		}
	}
	return rep, errors.Join(errs...)
}

// IngestFile parses the file at path with Parse.
func IngestFile(path string, opts Options) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return &Report{}, fmt.Errorf("opening junit report: %w", err)
	}
	defer f.Close()
	if opts.Name == "" {
		opts.Name = path
	}
	return Parse(f, opts)
}

func displayName(name, member string) string {
	switch {
	case member != "":
		return member
	case name != "":
		return name
	}
	return "junit report"
}

func (b *builder) parseGzip(br *bufio.Reader) {
	zr, err := gzip.NewReader(br)
	if err != nil {
		b.files = append(b.files, File{Name: displayName(b.opts.Name, ""), Err: fmt.Errorf("reading gzip %s: %w", displayName(b.opts.Name, ""), err)})
		return
	}
	for i := 1; ; i++ {
		zr.Multistream(false)
		name := zr.Header.Name
		if name == "" {
			name = displayName(b.opts.Name, "") + "#" + strconv.Itoa(i)
		}
		b.parseFile(zr, name)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			f := &b.files[len(b.files)-1]
			if f.Err == nil {
				f.Err = fmt.Errorf("reading gzip member %s: %w", name, err)
			}
			return
		}
		if err := zr.Reset(br); err != nil {
			if !errors.Is(err, io.EOF) {
				b.files = append(b.files, File{Name: displayName(b.opts.Name, "") + "#" + strconv.Itoa(i+1),
					Err: fmt.Errorf("reading gzip member %d of %s: %w", i+1, displayName(b.opts.Name, ""), err)})
			}
			return
		}
	}
}

// TestInfo gathers what go-junit's Test has no field for.
type TestInfo struct {
	Outcome  Outcome
	File     string // "file" attribute
	Line     int    // 1-based; 0 when unknown
	Type     string // failure or error type (exception class)
	Attempts int    // runs seen, at least 1
	Flaky    bool
}

// Info reads the extras of a test parsed by Parse.
func Info(t gojunit.Test) TestInfo {
	in := TestInfo{File: t.Properties["file"], Attempts: 1}
	if v, ok := t.Properties[KeyLine]; ok {
		in.Line, _ = strconv.Atoi(v)
	} else if v, ok := t.Properties["line"]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
			in.Line = n
		}
	}
	if n, err := strconv.Atoi(t.Properties[KeyAttempts]); err == nil && n > 1 {
		in.Attempts = n
	}
	if e, ok := t.Error.(gojunit.Error); ok {
		in.Type = e.Type
	}
	in.Flaky = t.Properties[KeyFlaky] == "true"
	switch {
	case t.Status == gojunit.StatusFailed:
		in.Outcome = OutcomeFailed
	case t.Status == gojunit.StatusError:
		in.Outcome = OutcomeError
	case in.Flaky:
		in.Outcome = OutcomeFlaky
	case t.Status == gojunit.StatusSkipped:
		in.Outcome = OutcomeSkipped
	default:
		in.Outcome = OutcomeSuccess
	}
	return in
}

// Headline is the one line that best says why a test did not pass: the
// result's message, unless it is empty or a constant such as "Failed"
// (go-junit-report, gotestsum), else the first non-blank line of the body.
func Headline(t gojunit.Test) string {
	var msg, body string
	if e, ok := t.Error.(gojunit.Error); ok {
		msg, body = e.Message, e.Body
	} else {
		msg = t.Message
	}
	if m := firstLine(msg); m != "" && m != "Failed" && m != "Skipped" {
		return m
	}
	if l := firstLine(body); l != "" {
		return l
	}
	return firstLine(msg)
}

func firstLine(s string) string {
	for line := range strings.Lines(s) {
		if l := strings.TrimSpace(line); l != "" {
			return l
		}
	}
	return ""
}

// Case is one kept test with where it sits.
type Case struct {
	Test   *gojunit.Test
	Suite  string   // name of the nearest enclosing suite
	Path   []string // suite names from the top-level suite down
	Source string   // file or gzip member (the top-level suite's KeySource)
}

// Cases lists the kept tests in document order.
func (r *Report) Cases() []Case {
	var out []Case
	var walk func(s *gojunit.Suite, path []string, source string)
	walk = func(s *gojunit.Suite, path []string, source string) {
		path = append(path[:len(path):len(path)], s.Name)
		for i := range s.Tests {
			out = append(out, Case{Test: &s.Tests[i], Suite: s.Name, Path: path, Source: source})
		}
		for i := range s.Suites {
			walk(&s.Suites[i], path, source)
		}
	}
	for i := range r.Suites {
		walk(&r.Suites[i], nil, r.Suites[i].Properties[KeySource])
	}
	return out
}
