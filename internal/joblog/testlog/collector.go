package testlog

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/internal/ascii"
)

// mode is a stretch of log in which numbered entries ("  1) …") name
// failing tests of one framework.
type mode int

const (
	modeNone mode = iota
	modeRSpec
	modePHPUnit
	modeMocha
	modeCargo
	modeSurefireList
)

// goRingSize is how many recent lines are kept, once Go's verbose output
// ("=== RUN") is seen, so that a "--- FAIL" block can start at its test's
// "=== RUN" line.
const goRingSize = 64

// Collector finds failing-test blocks in a log fed to it line by line. It
// implements joblog.ChunkSink: the recent lines it keeps for Go's verbose
// output are borrowed from the log reader's chunk, and copied only when it
// asks (OwnLines). The zero value is ready to use with DefaultLimits; a
// Collector is not safe for concurrent use.
type Collector struct {
	Limits Limits

	lim     Limits
	started bool
	blocks  []Block
	dropped int
	cur     *openBlock
	mode    mode
	last    int // last line number seen

	prevEqSep bool // previous line was a run of '=' (unittest separator)
	mochaNext int  // least number of the next entry of Mocha's failure list

	goVerbose bool
	ring      [goRingSize]ringLine
	ringNext  int
}

type ringLine struct {
	n    int
	text []byte
	// buf is the line's buffer: text is buf, or bytes of the log
	// reader's chunk when borrowed is set.
	buf      []byte
	borrowed bool
}

// openBlock is the block being read.
type openBlock struct {
	b       Block
	head    []string
	tail    []string // ring of the last lines once head is full
	tailPos int
	total   int // lines appended
	pending int // blank lines not yet appended
	lastN   int // line number of the last appended line

	indent   int  // Go: indentation of the "--- FAIL" line
	header   int  // Go: line number of the "--- FAIL" line
	panic    bool // Go: a panic follows the header
	frames   bool // Surefire: stack frames seen
	dotnetEM bool // .NET: the previous line was "Error Message:"

	// Mocha prints a failure's title path one title a line, each deeper
	// than the one before, the last ending with ':'. While title is set,
	// a line indented at least titleMin adds to the name.
	title      bool
	titleMin   int
	titleColon bool   // the last title line ended with ':'
	titleText  string // the title lines joined, Mocha's final ':' kept
}

// NewCollector returns a Collector with the given limits (zero fields take
// DefaultLimits).
func NewCollector(l Limits) *Collector { return &Collector{Limits: l} }

// Line consumes one cleaned log line; n is its 1-based raw line number.
func (c *Collector) Line(n int, text []byte) {
	c.LineInChunk(n, text)
	if c.goVerbose { // the ring of recent lines took text: a copy now
		c.ring[(c.ringNext+goRingSize-1)%goRingSize].own()
	}
}

// OwnLines copies the texts the ring of recent lines borrows.
func (c *Collector) OwnLines() {
	for i := range c.ring {
		c.ring[i].own()
	}
}

// own makes the line's text a copy in its own buffer, if it was borrowed.
func (r *ringLine) own() {
	if r.borrowed {
		r.buf = append(r.buf[:0], r.text...)
		r.text, r.borrowed = r.buf, false
	}
}

// LineInChunk is Line for a text that stays valid until the next call of
// OwnLines: the ring of recent lines borrows it.
func (c *Collector) LineInChunk(n int, text []byte) {
	if !c.started {
		c.lim = c.Limits.withDefaults()
		c.started = true
	}
	if c.cur != nil && n > c.cur.lastN+c.cur.pending+1 {
		// Lines the log reader did not pass on count as blank; a long gap
		// ends the block.
		gap := n - (c.cur.lastN + c.cur.pending + 1)
		if gap > c.lim.MaxLines {
			c.close()
		} else {
			c.cur.pending += gap
		}
	}
	c.last = n
	c.line(n, text)
	if c.goVerbose {
		r := &c.ring[c.ringNext]
		r.n, r.text, r.borrowed = n, text, true
		if c.ringNext++; c.ringNext == goRingSize {
			c.ringNext = 0
		}
	}
	c.prevEqSep = len(text) >= 20 && text[0] == '=' && isRun(text, '=')
}

// Blocks ends any open block and returns the blocks found so far, in log
// order.
func (c *Collector) Blocks() []Block {
	c.close()
	return c.blocks
}

// Dropped is the number of blocks left out because of Limits.MaxBlocks.
func (c *Collector) Dropped() int { return c.dropped }

func (c *Collector) line(n int, text []byte) {
	ws := ascii.Blanks(text)
	trimmed := text[ws:]
	if gateLines && c.cur == nil && c.mode == modeNone && !mayOpen(text, trimmed, ws == 0) {
		return // most lines of a log
	}
	indent := indentWidth(text[:ws])

	if c.modeHeader(text, trimmed) {
		return
	}
	if c.start(n, text, trimmed, indent) {
		return
	}
	if c.cur == nil {
		return
	}
	if c.continues(text, trimmed, indent) {
		if c.cur.title {
			c.mochaTitle(c.cur, trimmed, indent)
		}
		c.appendLine(n, text, trimmed)
		return
	}
	c.close()
}

// gateLines turns on mayOpen; tests turn it off to check that it changes
// nothing.
var gateLines = true

// openLead classes the first bytes (after the indentation) of a line that
// modeHeader or start may act on (outside a list and a block): leadAny
// whatever follows them, for digits (Mocha's "N failing"), white space and
// non-ASCII bytes ("●", "✕", "✖", and the Unicode spaces TrimSpace removes
// before "[ERROR] Failures:"); leadPrefix when one of openPrefixes, held by
// their first byte, may follow. See mayOpen.
var openLead = func() (t [256]leadClass) {
	for c := '1'; c <= '9'; c++ {
		t[c] = leadAny
	}
	for c := 0; c <= ' '; c++ {
		t[c] = leadAny
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = leadAny
	}
	for c, ps := range openPrefixes {
		if len(ps) > 0 && t[c] == leadNone {
			t[c] = leadPrefix
		}
	}
	return t
}()

// openPairs holds the first two bytes of openPrefixes, a bit for each
// pair: most lines whose first byte starts one of them are told apart by
// their second.
var openPairs = func() (t [256][4]uint64) {
	for _, ps := range openPrefixes {
		for _, p := range ps {
			t[p.s[0]][p.s[1]>>6] |= 1 << (p.s[1] & 63)
		}
	}
	return t
}()

// leadClass is what a line's first byte tells mayOpen.
type leadClass uint8

const (
	leadNone   leadClass = iota // no line that starts so opens anything
	leadAny                     // any line that starts so may
	leadPrefix                  // one that starts with one of openPrefixes may
)

var openPrefixes = func() (t [256][]openPrefix) {
	for _, p := range []string{
		"--- FAIL: ", "---- ", "--- STDOUT:", "--- STDERR:", // Go, Cargo, nextest
		"=== RUN ", "___", // Go verbose, pytest
		"[xUnit.net ", "[ERROR]", // .NET, Surefire
		"ERROR", "FAIL", "Failed", "Failures:", "failures:", // unittest, pytest, .NET, RSpec, Cargo
		"SIGSEGV [", "SIGABRT [", "TIMEOUT [", "TRY 2 FAIL [", "LEAK-FAIL [", // nextest
		"There w", "Tests in error:", "rspec ", // PHPUnit, Surefire, RSpec
	} {
		op := openPrefix{s: p}
		for i := 0; i < len(p) && i < 8; i++ {
			op.word |= uint64(p[i]) << (8 * i)
			op.mask |= 0xff << (8 * i)
		}
		t[p[0]] = append(t[p[0]], op)
	}
	return t
}()

// openPrefix is a start of openPrefixes, with its first 8 bytes (or all
// of them, and a mask of those) as a little-endian word: most lines are
// compared with it in one load.
type openPrefix struct {
	word, mask uint64
	s          string
}

// hasOpenPrefix reports whether trimmed (not empty) starts with one of
// openPrefixes.
func hasOpenPrefix(trimmed []byte) bool {
	if len(trimmed) < 2 || openPairs[trimmed[0]][trimmed[1]>>6]>>(trimmed[1]&63)&1 == 0 {
		return false // every prefix has two bytes or more
	}
	ps := openPrefixes[trimmed[0]]
	if len(trimmed) < 8 {
		for _, p := range ps {
			if len(trimmed) >= len(p.s) && string(trimmed[:len(p.s)]) == p.s {
				return true
			}
		}
		return false
	}
	x := binary.LittleEndian.Uint64(trimmed)
	for _, p := range ps {
		if x&p.mask == p.word && (len(p.s) <= 8 || len(trimmed) >= len(p.s) && string(trimmed[8:len(p.s)]) == p.s[8:]) {
			return true
		}
	}
	return false
}

// mayOpen reports whether modeHeader or start may act on a line while no
// list is read and no block is open, from its ends (text, trimmed of its
// indentation; atStart when it has none). It says false for most lines,
// which then need no other test. Each test of modeHeader and start (with
// modeNone) needs one of: a first byte of leadAny; a start in
// openPrefixes; a last '!' (Surefire's "<<< FAILURE!"); at the line's
// start, a last 'D' (Gradle's " FAILED") or a first word with ".py::"
// (pytest -v). A test added there must be added here.
func mayOpen(text, trimmed []byte, atStart bool) bool {
	if len(trimmed) == 0 {
		return false
	}
	switch openLead[trimmed[0]] {
	case leadAny:
		return true
	case leadPrefix:
		if hasOpenPrefix(trimmed) {
			return true
		}
	}
	switch last := trimmed[len(trimmed)-1]; {
	case last == '!':
		return true
	case !atStart:
		return false
	case last == 'D':
		return true
	}
	_, ok := pytestVerbose(text)
	return ok
}

// modeHeader recognises lines that open or close a numbered list of
// failures. They end any open block.
func (c *Collector) modeHeader(text, trimmed []byte) bool {
	var m mode
	switch {
	case string(text) == "Failures:":
		m = modeRSpec
	case string(text) == "failures:":
		m = modeCargo
	case len(text) > 0 && text[0] == 'T' && bytes.HasPrefix(text, []byte("There w")) && isPHPUnitHeader(text):
		m = modePHPUnit
	case len(trimmed) > 0 && trimmed[0] >= '1' && trimmed[0] <= '9' && bytes.HasSuffix(trimmed, []byte(" failing")) && isDigits(trimmed[:bytes.IndexByte(trimmed, ' ')]):
		m = modeMocha
	case len(text) > 0 && (text[0] == 'F' && bytes.HasPrefix(text, []byte("Failed tests:")) || text[0] == 'T' && bytes.HasPrefix(text, []byte("Tests in error:"))) ||
		mayBeSurefireHeader(trimmed) && isSurefireHeader(bytes.TrimSpace(text)):
		c.close()
		c.mode = modeSurefireList
		// "Failed tests:   nullErrorThrows(retrofit2.ResponseTest): (..)"
		if i := bytes.IndexByte(text, ':'); i >= 0 {
			if rest := bytes.TrimSpace(text[i+1:]); len(rest) > 0 {
				c.surefireEntry(c.last, text, rest)
			}
		}
		return true
	default:
		return false
	}
	c.close()
	c.mode = m
	c.mochaNext = 1
	return true
}

// mayBeSurefireHeader tells from the first byte after the spaces and tabs
// (trimmed) whether the line may be "[ERROR] Failures:" or "[ERROR]
// Errors:" once trimmed of any white space.
func mayBeSurefireHeader(trimmed []byte) bool {
	return len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] <= ' ' || trimmed[0] >= utf8.RuneSelf)
}

func isSurefireHeader(ts []byte) bool {
	return string(ts) == "[ERROR] Failures:" || string(ts) == "[ERROR] Errors:"
}

func isPHPUnitHeader(text []byte) bool {
	s := string(text)
	if !strings.HasPrefix(s, "There was 1 ") && !strings.HasPrefix(s, "There were ") {
		return false
	}
	return strings.HasSuffix(s, " failure:") || strings.HasSuffix(s, " failures:") ||
		strings.HasSuffix(s, " error:") || strings.HasSuffix(s, " errors:")
}

// start recognises the first line of a block, or a one-line mention of a
// failing test. It closes the open block when it does.
func (c *Collector) start(n int, text, trimmed []byte, indent int) bool {
	if len(trimmed) == 0 {
		if c.mode == modeSurefireList {
			c.mode = modeNone
		}
		return false
	}
	switch c.mode {
	case modeRSpec:
		if name, ok := numbered(trimmed); ok && indent > 0 {
			c.open(n, text, RSpec, name, "")
			return true
		}
		if bytes.HasPrefix(text, []byte("Finished in ")) || bytes.HasPrefix(text, []byte("Failed examples:")) {
			c.close()
			c.mode = modeNone
		}
	case modePHPUnit:
		if name, ok := numbered(trimmed); ok && indent == 0 && strings.Contains(name, "::") {
			c.open(n, text, PHPUnit, phpunitName(name), "")
			return true
		}
		if bytes.HasPrefix(text, []byte("FAILURES!")) || bytes.HasPrefix(text, []byte("ERRORS!")) {
			c.close()
			c.mode = modeNone
		}
	case modeMocha:
		if name, ok := numbered(trimmed); ok && indent > 0 {
			num := entryNumber(trimmed)
			if num < c.mochaNext {
				// Numbered from 1 again: another run's spec reporter
				// listing its tests as they fail, not the failure list.
				c.close()
				c.mode = modeNone
				return false
			}
			c.mochaNext = num + 1
			c.open(n, text, Mocha, mochaName(name), "")
			if o := c.cur; o != nil {
				o.title, o.titleMin, o.titleText = true, indent+5, name
				o.titleColon = strings.HasSuffix(name, ":")
			}
			return true
		}
	case modeCargo:
		if bytes.HasPrefix(text, []byte("test result:")) {
			c.close()
			c.mode = modeNone
		}
	case modeSurefireList:
		if indent > 0 || bytes.HasPrefix(text, []byte("[ERROR]   ")) {
			c.surefireEntry(n, text, bytes.TrimSpace(bytes.TrimPrefix(text, []byte("[ERROR]"))))
			return true
		}
		c.mode = modeNone
	}

	first := trimmed[0]
	switch {
	case first == '-' && bytes.HasPrefix(trimmed, []byte("--- FAIL: ")):
		name := firstField(trimmed[len("--- FAIL: "):])
		if name != "" {
			c.openGo(n, text, name, indent)
			return true
		}
	case first == '=' && bytes.HasPrefix(text, []byte("=== RUN ")):
		c.goVerbose = true
	case first == '_' && indent == 0 && len(text) > 8 && bytes.HasPrefix(text, []byte("___")) && bytes.HasSuffix(text, []byte("___")):
		title := strings.TrimSpace(strings.Trim(string(text), "_"))
		if title != "" {
			for _, p := range []string{"ERROR at setup of ", "ERROR at teardown of ", "ERROR collecting "} {
				title = strings.TrimPrefix(title, p)
			}
			c.open(n, text, Pytest, title, "")
			return true
		}
	case (first == 'F' || first == 'E') && indent == 0:
		if c.prevEqSep && (bytes.HasPrefix(text, []byte("FAIL: ")) || bytes.HasPrefix(text, []byte("ERROR: "))) {
			c.open(n, text, Unittest, unittestName(text), "")
			return true
		}
		if bytes.HasPrefix(text, []byte("FAILED ")) || bytes.HasPrefix(text, []byte("ERROR ")) {
			id := firstField(text[bytes.IndexByte(text, ' ')+1:])
			if strings.Contains(id, "::") {
				c.oneLine(n, text, Pytest, pytestTitle(id), id)
				return true
			}
		}
	case first == 0xe2: // "●", "✕", "✖"
		if bytes.HasPrefix(trimmed, []byte("● ")) {
			name := strings.TrimSpace(string(trimmed[len("● "):]))
			if name != "" && name != "Console" && !strings.HasPrefix(name, "Console ") {
				c.open(n, text, Jest, name, "")
				return true
			}
		}
		if bytes.HasPrefix(trimmed, []byte("✕ ")) || bytes.HasPrefix(trimmed, []byte("✖ ")) {
			name := stripDuration(strings.TrimSpace(string(trimmed[len("✕ "):])))
			if name != "" {
				c.oneLine(n, text, Jest, name, "")
				return true
			}
		}
	case first == 'r' && bytes.HasPrefix(text, []byte("rspec ")):
		if i := bytes.Index(text, []byte(" # ")); i > len("rspec ") {
			loc := string(bytes.TrimSpace(text[len("rspec "):i]))
			c.oneLine(n, text, RSpec, strings.TrimSpace(string(text[i+3:])), loc)
			return true
		}
	case first == '-' && len(text) > len("---- stdout ----") && bytes.HasPrefix(text, []byte("---- ")) && bytes.HasSuffix(text, []byte(" stdout ----")):
		name := strings.TrimSpace(string(text[len("---- ") : len(text)-len(" stdout ----")]))
		if name != "" {
			c.open(n, text, Cargo, name, "")
			return true
		}
	case first == '-' && (bytes.HasPrefix(trimmed, []byte("--- STDOUT:")) || bytes.HasPrefix(trimmed, []byte("--- STDERR:"))):
		f := strings.Fields(strings.TrimSuffix(string(trimmed[len("--- STDOUT:"):]), "---"))
		if len(f) >= 2 {
			c.open(n, text, Nextest, f[0]+" "+f[1], "")
			return true
		}
	case first == '[' && bytes.HasPrefix(trimmed, []byte("[xUnit.net ")) && bytes.HasSuffix(trimmed, []byte(" [FAIL]")):
		// The timestamp's ']' comes before the suffix ("[xUnit.net [FAIL]"
		// has none).
		if i := bytes.IndexByte(trimmed, ']'); i > 0 && i < len(trimmed)-len(" [FAIL]") {
			name := strings.TrimSpace(string(trimmed[i+1 : len(trimmed)-len(" [FAIL]")]))
			if name != "" {
				c.oneLine(n, text, Dotnet, name, "")
				return true
			}
		}
	}

	if trimmed[len(trimmed)-1] == '!' && (bytes.HasSuffix(trimmed, []byte("<<< FAILURE!")) || bytes.HasSuffix(trimmed, []byte("<<< ERROR!"))) {
		s := strings.TrimPrefix(string(trimmed), "[ERROR] ")
		if i := strings.Index(s, "Time elapsed"); i > 0 && !strings.HasPrefix(s, "Tests run:") {
			c.open(n, text, Maven, strings.TrimSpace(s[:i]), "")
			return true
		}
	}
	if indent == 0 && text[len(text)-1] == 'D' && bytes.HasSuffix(text, []byte(" FAILED")) && bytes.Contains(text, []byte(" > ")) {
		c.open(n, text, Gradle, strings.TrimSpace(string(text[:len(text)-len(" FAILED")])), "")
		return true
	}
	if first == 'F' || first == 'S' || first == 'T' || first == 'L' {
		if name, ok := nextestStatus(trimmed); ok {
			c.oneLine(n, text, Nextest, name, "")
			return true
		}
	}
	if first == 'F' && bytes.HasPrefix(trimmed, []byte("Failed ")) {
		if name, ok := dotnetFailed(trimmed); ok {
			c.open(n, text, Dotnet, name, "")
			return true
		}
	}
	if first != 'F' && first != 'E' && indent == 0 {
		// pytest -v: "tests/test_x.py::test_a FAILED  [ 50%]"
		if id, ok := pytestVerbose(text); ok {
			c.oneLine(n, text, Pytest, pytestTitle(id), id)
			return true
		}
	}
	return false
}

// pytestVerbose reads a failure of pytest -v: the node id (the first word,
// holding ".py::"), then FAILED or ERROR as the next word. The next word is
// looked at first: most lines fail there.
func pytestVerbose(text []byte) (string, bool) {
	sp := bytes.IndexByte(text, ' ')
	if sp < 0 {
		return "", false
	}
	i := sp
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	if i == len(text) || text[i] != 'F' && text[i] != 'E' {
		return "", false
	}
	rest := text[i:]
	for _, w := range [2]string{"FAILED", "ERROR"} {
		if bytes.HasPrefix(rest, []byte(w)) && (len(rest) == len(w) || rest[len(w)] == ' ' || rest[len(w)] == '\t') {
			if id := text[:sp]; bytes.Contains(id, []byte(".py::")) {
				return string(id), true
			}
			return "", false
		}
	}
	return "", false
}

// continues tells whether a line belongs to the open block.
func (c *Collector) continues(text, trimmed []byte, indent int) bool {
	o := c.cur
	blank := len(trimmed) == 0
	switch o.b.Framework {
	case Pytest:
		if indent == 0 && (bytes.HasPrefix(text, []byte("===")) || bytes.HasPrefix(text, []byte("___")) ||
			(bytes.HasPrefix(text, []byte("-----")) && bytes.Contains(text, []byte(" coverage")))) {
			return false
		}
		return true
	case Unittest:
		if indent == 0 && (len(text) >= 20 && isRun(text, '=') || bytes.HasPrefix(text, []byte("Ran ")) && bytes.Contains(text, []byte(" test"))) {
			return false
		}
		return true
	case Go:
		if blank {
			return true
		}
		if o.panic {
			return !(indent == 0 && (bytes.HasPrefix(text, []byte("FAIL")) || bytes.HasPrefix(text, []byte("ok ")) || bytes.HasPrefix(text, []byte("exit status "))))
		}
		if indent == 0 && o.lastN == o.header && (bytes.HasPrefix(text, []byte("panic: ")) || bytes.HasPrefix(text, []byte("fatal error: "))) {
			o.panic = true
			return true
		}
		return indent > o.indent && !bytes.HasPrefix(trimmed, []byte("=== "))
	case Jest:
		if blank {
			return true
		}
		if indent <= 1 && (bytes.HasPrefix(trimmed, []byte("PASS ")) || bytes.HasPrefix(trimmed, []byte("FAIL "))) {
			return false
		}
		for _, p := range []string{"Test Suites:", "Tests:", "Snapshots:", "Time:", "Ran all test suites", "Summary of all failing tests", "✓ ", "✕ ", "√ "} {
			if bytes.HasPrefix(trimmed, []byte(p)) {
				return false
			}
		}
		return !(bytes.HasPrefix(trimmed, []byte("---")) && bytes.Contains(trimmed, []byte("|")))
	case Maven:
		frame := bytes.HasPrefix(trimmed, []byte("at ")) && indent > 0 || bytes.HasPrefix(trimmed, []byte("... ")) && bytes.HasSuffix(trimmed, []byte(" more"))
		cause := bytes.HasPrefix(trimmed, []byte("Caused by:")) || bytes.HasPrefix(trimmed, []byte("Suppressed:"))
		switch {
		case frame:
			o.frames = true
			return true
		case cause:
			o.frames = false
			return true
		case o.frames:
			return false
		case blank:
			return true
		}
		for _, p := range []string{"Running ", "Tests run:", "[INFO]", "[ERROR] Tests run:", "[WARNING]", "Results"} {
			if bytes.HasPrefix(text, []byte(p)) {
				return false
			}
		}
		return o.total < 40
	case Gradle, Mocha:
		return blank || indent > 0
	case RSpec:
		return !(indent == 0 && !blank && (bytes.HasPrefix(text, []byte("Finished in ")) || bytes.HasPrefix(text, []byte("Failed examples:"))))
	case PHPUnit:
		for _, p := range []string{"FAILURES!", "ERRORS!", "WARNINGS!", "OK (", "OK, but", "Tests: ", "There w", "Time: "} {
			if bytes.HasPrefix(text, []byte(p)) {
				return false
			}
		}
		return true
	case Cargo:
		return !(indent == 0 && (bytes.HasPrefix(text, []byte("test result:")) || bytes.HasPrefix(text, []byte("failures:"))))
	case Nextest:
		if _, ok := nextestStatus(trimmed); ok {
			return false
		}
		for _, p := range []string{"--- STD", "Summary [", "Cancelling", "Starting ", "PASS [", "START "} {
			if bytes.HasPrefix(trimmed, []byte(p)) {
				return false
			}
		}
		return true
	case Dotnet:
		for _, p := range []string{"Passed ", "Skipped ", "Failed!", "Passed!", "Total tests", "Test Run ", "Results File:", "Failed   "} {
			if bytes.HasPrefix(trimmed, []byte(p)) {
				return false
			}
		}
		return true
	}
	return false
}

// mochaTitle reads a line of a Mocha failure's title path:
//
//	1 failing
//
//	1) Array
//	     #indexOf()
//	       should return -1 when the value is not present:
//	   AssertionError: expected 0 to equal -1
//
// The first line after the "N) " line is indented 5 more, each further one
// more than the one before. The title ends at a blank line, at a line
// indented less (the error message, indented 3 more than "N)") or at an
// error name after the line with Mocha's final ':'. The block is named by
// the title lines joined with spaces, as mocha-junit-reporter names the
// test ("Array #indexOf() should return -1 when the value is not
// present"); older Mocha prints that name on the "N) " line.
func (c *Collector) mochaTitle(o *openBlock, trimmed []byte, indent int) {
	if len(trimmed) == 0 || o.pending > 0 || indent < o.titleMin || o.titleColon && isExceptionLine(trimmed) ||
		len(o.titleText) > c.lim.MaxLineBytes {
		o.title = false
		return
	}
	line := string(bytes.TrimRight(trimmed, " \t"))
	o.titleMin = indent + 1
	o.titleText += " " + line
	o.titleColon = strings.HasSuffix(line, ":")
	o.b.Test = c.clip(mochaName(o.titleText))
}

// mochaName drops the ':' Mocha prints after a failure's title.
func mochaName(title string) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(title), ":"))
}

func (c *Collector) highlight(o *openBlock, text, trimmed []byte) bool {
	if o.title {
		return false // a Mocha title line
	}
	switch o.b.Framework {
	case Pytest:
		return len(text) > 1 && text[0] == 'E' && (text[1] == ' ' || text[1] == '\t') || isLocationLine(text)
	case Unittest, Mocha:
		return isExceptionLine(trimmed) && (o.b.Framework == Mocha || len(text) == len(trimmed))
	case Go:
		return isGoFileLine(trimmed) || bytes.HasPrefix(trimmed, []byte("panic: ")) || bytes.HasPrefix(trimmed, []byte("Error:"))
	case Jest:
		return bytes.HasPrefix(trimmed, []byte("expect(")) || bytes.HasPrefix(trimmed, []byte("Expected")) ||
			bytes.HasPrefix(trimmed, []byte("Received")) || isExceptionLine(trimmed) ||
			bytes.HasPrefix(trimmed, []byte(">")) && bytes.Contains(trimmed, []byte(" | "))
	case Maven, Gradle:
		if bytes.HasPrefix(trimmed, []byte("Caused by:")) {
			return true
		}
		return o.total == 2 && len(trimmed) > 0
	case RSpec:
		return bytes.HasPrefix(trimmed, []byte("Failure/Error:")) || bytes.HasPrefix(trimmed, []byte("expected")) ||
			bytes.HasPrefix(trimmed, []byte("got:")) || isExceptionLine(trimmed)
	case PHPUnit:
		return bytes.HasPrefix(trimmed, []byte("Failed asserting")) || isExceptionLine(trimmed)
	case Cargo, Nextest:
		return bytes.Contains(trimmed, []byte("panicked at")) || bytes.HasPrefix(trimmed, []byte("left:")) ||
			bytes.HasPrefix(trimmed, []byte("right:")) || bytes.HasPrefix(trimmed, []byte("assertion"))
	case Dotnet:
		h := o.dotnetEM && len(trimmed) > 0
		o.dotnetEM = bytes.HasPrefix(trimmed, []byte("Error Message:"))
		return h
	}
	return false
}

func (c *Collector) open(n int, text []byte, fw, name, loc string) {
	c.close()
	if len(c.blocks) >= c.lim.MaxBlocks {
		c.dropped++
		return
	}
	c.cur = &openBlock{b: Block{Framework: fw, Test: c.clip(name), Location: c.clip(loc), StartLine: n}}
	c.appendLine(n, text, bytes.TrimLeft(text, " \t"))
}

func (c *Collector) oneLine(n int, text []byte, fw, name, loc string) {
	c.open(n, text, fw, name, loc)
	if c.cur != nil && len(c.cur.b.Highlight) == 0 {
		c.cur.b.Highlight = append(c.cur.b.Highlight, n)
	}
	c.close()
}

// openGo opens a "--- FAIL" block; in verbose output it starts at the
// test's "=== RUN" line when that is among the recent lines.
func (c *Collector) openGo(n int, text []byte, name string, indent int) {
	c.close()
	if len(c.blocks) >= c.lim.MaxBlocks {
		c.dropped++
		return
	}
	o := &openBlock{b: Block{Framework: Go, Test: c.clip(name)}, indent: indent}
	c.cur = o
	if c.goVerbose {
		if from := c.ringFind(n, name); from >= 0 {
			o.b.StartLine = c.ring[from].n
			for i := from; ; i = (i + 1) % goRingSize {
				r := c.ring[i]
				if r.n >= n || r.n == 0 {
					break
				}
				c.appendLine(r.n, r.text, bytes.TrimLeft(r.text, " \t"))
				if (i+1)%goRingSize == c.ringNext {
					break
				}
			}
		}
	}
	if o.b.StartLine == 0 {
		o.b.StartLine = n
	}
	o.header = n
	c.appendLine(n, text, bytes.TrimLeft(text, " \t"))
}

// ringFind returns the ring index of the latest "=== RUN   name" line
// before line n, or -1.
func (c *Collector) ringFind(n int, name string) int {
	for k := 1; k <= goRingSize; k++ {
		i := (c.ringNext - k + goRingSize) % goRingSize
		r := c.ring[i]
		if r.n == 0 || r.n >= n {
			continue
		}
		if last := c.lastBlockEnd(); last > 0 && r.n <= last {
			return -1
		}
		t := r.text
		if bytes.HasPrefix(t, []byte("=== RUN ")) || bytes.HasPrefix(t, []byte("=== CONT ")) {
			if firstField(t[bytes.IndexByte(t[4:], ' ')+5:]) == name {
				if bytes.HasPrefix(t, []byte("=== RUN ")) {
					return i
				}
			}
		}
	}
	return -1
}

func (c *Collector) lastBlockEnd() int {
	if len(c.blocks) == 0 {
		return 0
	}
	return c.blocks[len(c.blocks)-1].EndLine
}

func (c *Collector) surefireEntry(n int, text, entry []byte) {
	s := strings.TrimSpace(string(entry))
	if s == "" {
		return
	}
	// "nullErrorThrows(retrofit2.ResponseTest): (..)", "FooTest.testBar:42 expected…",
	// "Run 1: …" (a rerun line, not a test).
	if strings.HasPrefix(s, "Run ") {
		return
	}
	name := s
	if i := strings.IndexAny(name, " \t"); i > 0 {
		name = name[:i]
	}
	loc := ""
	if strings.HasSuffix(name, ":") {
		name = strings.TrimSuffix(name, ":")
	} else if i := strings.LastIndexByte(name, ':'); i > 0 && isDigits([]byte(name[i+1:])) {
		loc = name
		name = name[:i]
	}
	c.oneLine(n, text, Maven, name, loc)
}

func (c *Collector) appendLine(n int, text, trimmed []byte) {
	o := c.cur
	if len(trimmed) == 0 || o.b.Framework == Unittest && o.total > 1 && len(text) >= 20 && isRun(text, '-') {
		if o.total > 0 {
			o.pending++
			return
		}
	}
	for ; o.pending > 0; o.pending-- {
		c.store(o, "")
	}
	c.store(o, c.clip(string(text)))
	o.lastN = n
	if c.highlight(o, text, trimmed) && len(o.b.Highlight) < c.lim.MaxHighlights {
		o.b.Highlight = append(o.b.Highlight, n)
	}
}

func (c *Collector) store(o *openBlock, s string) {
	o.total++
	headCap := c.lim.MaxLines / 3
	if len(o.head) < headCap {
		o.head = append(o.head, s)
		return
	}
	tailCap := c.lim.MaxLines - headCap
	if len(o.tail) < tailCap {
		o.tail = append(o.tail, s)
		return
	}
	o.tail[o.tailPos] = s
	o.tailPos = (o.tailPos + 1) % tailCap
}

func (c *Collector) close() {
	o := c.cur
	if o == nil {
		return
	}
	c.cur = nil
	b := o.b
	b.EndLine = b.StartLine + o.total - 1
	lines := make([]string, 0, len(o.head)+len(o.tail))
	lines = append(lines, o.head...)
	lines = append(lines, o.tail[o.tailPos:]...)
	lines = append(lines, o.tail[:o.tailPos]...)
	b.Lines = lines
	if o.total > len(lines) {
		b.Omitted = o.total - len(lines)
		b.OmittedAt = len(o.head)
	}
	if len(b.Highlight) == 0 {
		b.Highlight = []int{b.StartLine}
	}
	c.blocks = append(c.blocks, b)
}

func (c *Collector) clip(s string) string {
	if len(s) <= c.lim.MaxLineBytes {
		return s
	}
	cut := c.lim.MaxLineBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func indentWidth(ws []byte) int {
	w := 0
	for _, b := range ws {
		if b == '\t' {
			w += 4
		} else {
			w++
		}
	}
	return w
}

func isRun(text []byte, ch byte) bool {
	for _, b := range bytes.TrimRight(text, " ") {
		if b != ch {
			return false
		}
	}
	return true
}

func isDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func firstField(b []byte) string {
	f := bytes.Fields(b)
	if len(f) == 0 {
		return ""
	}
	return string(f[0])
}

// numbered splits "12) some name" into "some name".
func numbered(trimmed []byte) (string, bool) {
	i := bytes.IndexByte(trimmed, ')')
	if i <= 0 || i+1 >= len(trimmed) || trimmed[i+1] != ' ' || !isDigits(trimmed[:i]) {
		return "", false
	}
	name := strings.TrimSpace(string(trimmed[i+2:]))
	return name, name != ""
}

// entryNumber is the number of a "12) name" entry, or -1.
func entryNumber(trimmed []byte) int {
	i := bytes.IndexByte(trimmed, ')')
	if i <= 0 || i > 9 || !isDigits(trimmed[:i]) {
		return -1
	}
	n := 0
	for _, d := range trimmed[:i] {
		n = n*10 + int(d-'0')
	}
	return n
}

// phpunitName keeps "Class::method" and a data set name, dropping the
// data set's dumped arguments.
func phpunitName(s string) string {
	if i := strings.Index(s, " with data set "); i > 0 {
		rest := s[i+len(" with data set "):]
		if j := strings.Index(rest, " ("); j > 0 {
			rest = rest[:j]
		}
		return s[:i] + " with data set " + rest
	}
	return s
}

// unittestName turns "FAIL: test_x (pkg.mod.Class)" into
// "pkg.mod.Class.test_x"; nose's "FAIL: pkg.mod.test_x" stays as it is.
func unittestName(text []byte) string {
	s := string(text[bytes.IndexByte(text, ':')+1:])
	s = strings.TrimSpace(s)
	name, rest, ok := strings.Cut(s, " (")
	if !ok {
		return s
	}
	cls := strings.TrimSuffix(rest, ")")
	if i := strings.Index(cls, ")"); i >= 0 {
		cls = cls[:i]
	}
	if cls == "" || strings.HasSuffix(cls, "."+name) {
		return cls
	}
	return cls + "." + name
}

// pytestTitle turns a node id into the title pytest prints in its section
// headers: "tests/test_x.py::TestA::test_b[1]" → "TestA.test_b[1]".
func pytestTitle(id string) string {
	parts := strings.Split(id, "::")
	if len(parts) < 2 {
		return id
	}
	return strings.Join(parts[1:], ".")
}

func stripDuration(s string) string {
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, " ("); i > 0 {
			d := s[i+2 : len(s)-1]
			if d != "" && d[0] >= '0' && d[0] <= '9' && (strings.HasSuffix(d, "ms") || strings.HasSuffix(d, "s")) {
				return s[:i]
			}
		}
	}
	return s
}

// nextestStatus reads "FAIL [   0.004s] fixture-project::basic test_x".
func nextestStatus(trimmed []byte) (string, bool) {
	for _, p := range []string{"FAIL [", "SIGSEGV [", "SIGABRT [", "TIMEOUT [", "LEAK-FAIL [", "TRY 2 FAIL ["} {
		if bytes.HasPrefix(trimmed, []byte(p)) {
			i := bytes.IndexByte(trimmed, ']')
			if i < 0 {
				return "", false
			}
			f := strings.Fields(string(trimmed[i+1:]))
			if len(f) >= 2 {
				return f[0] + " " + f[1], true
			}
			if len(f) == 1 {
				return f[0], true
			}
		}
	}
	return "", false
}

// dotnetFailed reads "Failed Ns.Class.Method [12 ms]" and the older
// "Failed   Ns.Class.Method".
func dotnetFailed(trimmed []byte) (string, bool) {
	s := string(trimmed[len("Failed "):])
	if strings.HasPrefix(s, "  ") {
		name := strings.TrimSpace(s)
		return name, name != "" && !strings.ContainsAny(name, " ")
	}
	if !strings.HasSuffix(s, "]") {
		return "", false
	}
	i := strings.LastIndex(s, " [")
	if i <= 0 {
		return "", false
	}
	d := s[i+2 : len(s)-1]
	if !strings.HasSuffix(d, "ms") && !strings.HasSuffix(d, " s") && !strings.HasSuffix(d, "m") {
		return "", false
	}
	return strings.TrimSpace(s[:i]), true
}

// isLocationLine matches pytest's "path/to/file.py:101: TypeError".
func isLocationLine(text []byte) bool {
	i := bytes.Index(text, []byte(": "))
	if i <= 0 || bytes.IndexByte(text, ' ') < i {
		return false
	}
	j := bytes.LastIndexByte(text[:i], ':')
	if j <= 0 || !isDigits(text[j+1:i]) || !bytes.Contains(text[:j], []byte(".py")) {
		return false
	}
	word := bytes.TrimSpace(text[i+2:])
	return len(word) > 0 && bytes.IndexByte(word, ' ') < 0
}

// isGoFileLine matches "x_test.go:12: message".
func isGoFileLine(trimmed []byte) bool {
	i := bytes.Index(trimmed, []byte(".go:"))
	if i <= 0 || bytes.IndexByte(trimmed[:i], ' ') >= 0 {
		return false
	}
	rest := trimmed[i+4:]
	j := bytes.IndexByte(rest, ':')
	return j > 0 && isDigits(rest[:j])
}

// isExceptionLine matches "ValueError: …", "java.lang.IllegalStateException",
// "NoMethodError:" and the like at the start of a line.
func isExceptionLine(trimmed []byte) bool {
	end := bytes.IndexAny(trimmed, ": ")
	if end < 0 {
		end = len(trimmed)
	}
	word := trimmed[:end]
	if len(word) < 5 {
		return false
	}
	for _, b := range word {
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '.' || b == '$' || b == '\\') {
			if b != ':' {
				return false
			}
		}
	}
	for _, s := range []string{"Error", "Exception", "Failure", "Failed"} {
		if bytes.HasSuffix(word, []byte(s)) {
			return true
		}
	}
	return false
}
