package joblog

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// refBlockMasks is what textMasks and blockMasks compute for km, one offset
// at a time: the offsets 2k test their gram in the entry of the key that
// ends it, the offsets 2k+1 in that of the key that starts it.
func refBlockMasks(km *keywordMatcher, p []byte, blocks int) []blockMask {
	out := make([]blockMask, blocks)
	for b := range blocks {
		for o := range 32 {
			i := 32*b + o
			g := (uint32(p[i]) | uint32(p[i+1])<<8 | uint32(p[i+2])<<16 | uint32(p[i+3])<<24) | 0x20202020
			bit := km.pairHigh(g & km.keep)
			if i%2 == 0 {
				bit = km.pairLow(g & km.keep)
			}
			if bit != 0 {
				out[b].grams |= 1 << o
			}
			if c := p[i]; (c < 0x20 || c >= 0x7f) && c != '\t' && c != '\n' && (c != '\r' || p[i+1] != '\n') {
				out[b].special |= 1 << o
			}
			if p[i] == '\n' {
				out[b].newlines |= 1 << o
			}
		}
	}
	return out
}

// blockTestData returns the test logs and traces, and random bytes biased
// towards the bytes the masks care about.
func blockTestData(tb testing.TB) [][]byte {
	tb.Helper()
	var data [][]byte
	for _, dir := range []string{"logs", "traces"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			data = append(data, b)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "\x00\t\n\r\x1b\x1f \x7e\x7f\x80\xc3\xffERROR error fail: .go:"
	for range 20 {
		b := make([]byte, 1+r.IntN(4000))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		data = append(data, b)
	}
	return data
}

// allMasks returns the masks of the whole blocks of d, grams included.
func allMasks(d []byte) []blockMask {
	if len(d) < 35 {
		return nil
	}
	masks := make([]blockMask, (len(d)-3)/32)
	textMasks(&d[0], len(masks), &masks[0])
	matcher.blockMasks(d, len(masks), masks)
	return masks
}

// prepare tests the grams of a chunk of plain text as it is, and those of
// a chunk coloured throughout in its cleaned text, where a keyword that a
// colour cut in two is whole again.
func TestPrepareTestsGrams(t *testing.T) {
	rs := gramRules(t)
	plain := bytes.Repeat([]byte("ok 12 - resolves the path of the config file\n"), 100)
	coloured := bytes.Repeat([]byte("\x1b[32mok\x1b[0m 12 - resolves the path\n"), 100)
	coloured = append(coloured, "\x1b[31mFA\x1b[0mILED tests/test_x.py::test_y\n"...)
	for _, tc := range []struct {
		chunk   []byte
		cleaned bool
	}{{plain, false}, {coloured, true}} {
		a := &analyzer{rs: rs, res: &Result{}, stopFrom: -1, n: 1}
		out, _, _, _ := a.prepare(tc.chunk, nil, false)
		if !a.grams || a.cleaned != tc.cleaned || len(a.masks) != (len(out)-3)/32 {
			t.Fatalf("prepare(%.40q…): grams %v, cleaned %v, %d masks; want true, %v, %d", tc.chunk, a.grams, a.cleaned, len(a.masks), tc.cleaned, (len(out)-3)/32)
		}
		if want := refBlockMasks(matcher, out, len(a.masks)); !slices.EqualFunc(a.masks, want, func(x, y blockMask) bool { return x.grams == y.grams }) {
			t.Errorf("prepare(%.40q…): the grams differ from the reference", tc.chunk)
		}
	}
	// The failure's keyword, whole in the cleaned text, stops the stop
	// search there.
	a := &analyzer{rs: rs, res: &Result{}, stopFrom: -1, n: 1}
	out, _, _, _ := a.prepare(coloured, nil, false)
	if at := bytes.Index(out, []byte("FAILED tests")); a.findStop(out, 0) != at {
		t.Errorf("the stop search stops at %d, want %d (the keyword FAILED)", a.findStop(out, 0), at)
	}
}

// findStop returns, from any offset p, the first stop at or after p: a
// keyword's anchor, a byte that is not plain text, or the end of the
// masks.
func TestFindStop(t *testing.T) {
	rs := gramRules(t)
	var b bytes.Buffer
	for i := range 12 {
		fmt.Fprintf(&b, "  build step %d of the job\n", i)
	}
	b.WriteString("FAILED tests/test_x.py::test_y\n  more output\n  \x1b[31mred\x1b[0m text\n")
	for i := range 12 {
		fmt.Fprintf(&b, "  tail %d\n", i)
	}
	b.WriteString("error: the build broke\n")
	for range 6 {
		b.WriteString("  the end of the log\n")
	}
	chunk := b.Bytes()
	a := &analyzer{rs: rs, res: &Result{}, stopFrom: -1, n: 1}
	out, _, _, _ := a.prepare(chunk, nil, false)
	if a.cleaned || !a.grams {
		t.Fatalf("prepare cleaned %v, grams %v; want false, true", a.cleaned, a.grams)
	}
	end := 32 * len(a.masks)
	// The lines that hold stops: each holds one or more, the others none.
	want := []struct{ lo, hi int }{}
	for _, s := range []string{"FAILED tests", "  \x1b[31mred", "error: the"} {
		at := bytes.Index(out, []byte(s))
		want = append(want, struct{ lo, hi int }{at, at + bytes.IndexByte(out[at:], '\n')})
	}
	var stops []int
	for p := 0; p <= end; {
		stop := a.findStop(out, p)
		if stop < p || stop > end {
			t.Fatalf("findStop(%d) = %d, out of %d..%d", p, stop, p, end)
		}
		// Every offset up to the stop finds the same stop.
		for q := p + 1; q <= stop; q++ {
			if got := a.findStop(out, q); got != stop {
				t.Fatalf("findStop(%d) = %d, findStop(%d) = %d", p, stop, q, got)
			}
		}
		if stop == end {
			break
		}
		stops = append(stops, stop)
		p = stop + 1
	}
	held := make([]int, len(want))
	for _, stop := range stops {
		i := slices.IndexFunc(want, func(w struct{ lo, hi int }) bool { return w.lo <= stop && stop < w.hi })
		if i < 0 {
			t.Errorf("a stop at %d, in none of the lines %v", stop, want)
			continue
		}
		held[i]++
	}
	if slices.Contains(held, 0) {
		t.Errorf("stops at %v: %v of them in the lines %v", stops, held, want)
	}
}

func TestGramMasksAgree(t *testing.T) {
	gramRules(t)
	// The 4-byte grams of the rules' keywords and the 3-byte grams of the
	// noise keywords.
	for _, km := range []*keywordMatcher{matcher, noiseMatch} {
		for _, d := range blockTestData(t) {
			if len(d) < 35 {
				continue
			}
			blocks := (len(d) - 3) / 32
			got := make([]blockMask, blocks)
			special := textMasks(&d[0], blocks, &got[0])
			km.blockMasks(d, blocks, got)
			want := refBlockMasks(km, d, blocks)
			if n := len(slices.DeleteFunc(slices.Clone(want), func(m blockMask) bool { return m.special == 0 })); special != n {
				t.Fatalf("textMasks counts %d blocks with bytes that are not plain, want %d", special, n)
			}
			if !reflect.DeepEqual(got, want) {
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("width %d, block %d of %q: masks %+v, want %+v", km.width, i, d[32*i:32*i+35], got[i], want[i])
					}
				}
			}
		}
	}
}

// The masks of a whole chunk give each line the rules and the plainness
// that scanning the line alone gives, at every offset of a line in the
// chunk.
func TestChunkScanAgrees(t *testing.T) {
	checked := eachChunkLine(t, func(d []byte, masks []blockMask, off, n int) int {
		checked := 0
		// The line, and the line's tails and heads, which start and end
		// at other offsets within their blocks.
		for _, c := range [][2]int{{off, n}, {off + n/3, n - n/3}, {off, n / 2}} {
			if !chunkCovers(masks, c[0], c[1]) {
				continue
			}
			line := d[c[0] : c[0]+c[1]]
			// A '\r' that ends a CRLF line does not count.
			plainLine := line
			if end := c[0] + c[1]; c[1] > 0 && line[c[1]-1] == '\r' && end < len(d) && d[end] == '\n' {
				plainLine = line[:c[1]-1]
			}
			if got, want := chunkPlain(masks, c[0], c[1]), isPlain(plainLine); got != want {
				t.Fatalf("chunkPlain(%q) = %v, isPlain %v", line, got, want)
			}
			var want ruleMask
			matcher.scanLineStart(line, &want)
			matcher.scan4Scalar(line, &want)
			if got := matcher.scanChunk(line, masks, c[0], c[0]); got != want {
				t.Fatalf("scanChunk(%q) = %x, scan %x", line, got, want)
			}
			if got := matcher.scan(line); got != want {
				t.Fatalf("scan(%q) with blocks = %x, without %x", line, got, want)
			}
			checked++
		}
		return checked
	})
	if checked < 1000 {
		t.Errorf("only %d lines checked", checked)
	}
}

// eachChunkLine calls check on every line of blockTestData, each data a
// chunk with its masks (grams included): the line is d[off:off+n], without
// its '\n'. It returns the sum of what check returns. It skips t where
// the masks cannot be computed.
func eachChunkLine(t *testing.T, check func(d []byte, masks []blockMask, off, n int) int) int {
	t.Helper()
	gramRules(t)
	sum := 0
	for _, d := range blockTestData(t) {
		masks := allMasks(d)
		for off := 0; off < len(d); {
			n := bytes.IndexByte(d[off:], '\n')
			if n < 0 {
				n = len(d) - off
			}
			sum += check(d, masks, off, n)
			off += n + 1
		}
	}
	return sum
}

// Analyze returns the same result with and without the block prefilter.
func TestAnalyzeWithoutBlocks(t *testing.T) {
	if !haveGramMasks {
		t.Skip("the AVX2 prefilter does not run here")
	}
	for _, d := range blockTestData(t) {
		checkWithoutBlocks(t, d)
	}
}

// checkWithoutBlocks fails t when Analyze on data differs with and without
// the block prefilter, in its result or in the lines it hands a sink.
func checkWithoutBlocks(t *testing.T, data []byte) {
	t.Helper()
	var withLines, withoutLines lineRecorder
	with, err := Analyze(bytes.NewReader(data), Options{Sinks: []LineSink{&withLines}})
	if err != nil {
		t.Fatal(err)
	}
	haveGramMasks = false
	without, err := Analyze(bytes.NewReader(data), Options{Sinks: []LineSink{&withoutLines}})
	haveGramMasks = true
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(with, without) {
		t.Fatalf("Analyze differs with the block prefilter on %.80q…:\n%+v\n%+v", data, with, without)
	}
	if !slices.Equal(withLines, withoutLines) {
		for i := range min(len(withLines), len(withoutLines)) {
			if withLines[i] != withoutLines[i] {
				t.Fatalf("a sink gets other lines with the block prefilter on %.80q…: %q, not %q", data, withLines[i], withoutLines[i])
			}
		}
		t.Fatalf("a sink gets %d lines with the block prefilter on %.80q…, not %d", len(withLines), data, len(withoutLines))
	}
}

// lineRecorder is a LineSink that keeps each line with its number.
type lineRecorder []string

func (r *lineRecorder) Line(n int, text []byte) { *r = append(*r, fmt.Sprintf("%d %s", n, text)) }

// BenchmarkGramMasks measures the block prefilter alone on the benchmark
// trace.
func BenchmarkGramMasks(b *testing.B) {
	gramRules(b)
	data := benchTrace(b, 1<<20)
	masks := make([]blockMask, (len(data)-3)/32)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		textMasks(&data[0], len(masks), &masks[0])
		matcher.blockMasks(data, len(masks), masks)
	}
}

// pieceReader returns its data in pieces of varying sizes, so that lines
// straddle reads and the lines the rings keep outlive the chunk they were
// read in.
type pieceReader struct {
	data []byte
	r    *rand.Rand
}

func (p *pieceReader) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(b), len(p.data), 1+p.r.IntN(300))
	copy(b, p.data[:n])
	p.data = p.data[n:]
	return n, nil
}

// Analyze returns the same result whatever the size of the reads.
func TestAnalyzeReadSizes(t *testing.T) {
	for i, d := range blockTestData(t) {
		whole, err := Analyze(bytes.NewReader(d), Options{})
		if err != nil {
			t.Fatal(err)
		}
		pieces, err := Analyze(&pieceReader{data: d, r: rand.New(rand.NewPCG(uint64(i), 7))}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(whole, pieces) {
			t.Fatalf("Analyze differs when read in pieces on %.80q…:\n%+v\n%+v", d, whole, pieces)
		}
	}
}

// The lines a candidate block borrows from the chunk read last are its own
// before the next read, and when the block is kept: read in pieces, the
// real traces of the benchmark trace, repeated, give more candidate blocks
// than are kept, later ones taking the place of weaker ones, and the same
// result as read at once.
func TestBlocksOutliveReads(t *testing.T) {
	d := benchTrace(t, 1<<20)
	whole, err := Analyze(bytes.NewReader(d), Options{})
	if err != nil {
		t.Fatal(err)
	}
	pieces, err := Analyze(&pieceReader{data: d, r: rand.New(rand.NewPCG(3, 7))}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(whole, pieces) {
		t.Fatalf("the excerpts differ when the trace is read in pieces:\n%+v\n%+v", whole.Excerpts, pieces.Excerpts)
	}
}

// FuzzAnalyzeBlocks checks that Analyze returns the same result with and
// without the block prefilter, on plain text with keywords and line breaks
// in it (the prefilter's grams are only tested over mostly plain chunks).
func FuzzAnalyzeBlocks(f *testing.F) {
	if !haveGramMasks {
		f.Skip("the AVX2 prefilter does not run here")
	}
	for _, s := range []string{
		"$ make\nsrc/x.c:1:1: error: boom\nERROR: Job failed: exit code 2\n",
		"    at Object.<anonymous> (test.js:1:1)\nFAIL test.js\n  ● suite › case\n",
		"2025-05-14T11:19:27.100851Z 00O $ go test ./...\n2025-05-14T11:19:27.100851Z 01E --- FAIL: TestX (0.00s)\n",
		"Traceback (most recent call last):\n  File \"x.py\", line 1\nModuleNotFoundError: No module named 'y'\n",
		"$ npm test\r\n\x1b[0K\r\n  3 passing (12ms)\r\n  1 failing\r\r\n  1) suite\r\n       fails:\r\n     Error: boom\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Add(colouredLog(false))
	f.Add(colouredLog(true))
	f.Fuzz(checkWithoutBlocks)
}

// quietRunLog returns a plain log where each kind of line that a run of
// quiet lines must stop at follows a long run of them: a command, runner
// facts, a section marker without its escape, a numbered failure, a located
// warning that a later line turns into an error, a line-start keyword, and
// a failing line whose block then closes, so that quiet lines follow again.
// With timestamped set, every line carries the runner's timestamp header;
// with crlf set, every line ends with "\r\n", as a terminal writes it.
func quietRunLog(tb testing.TB, timestamped, crlf bool) []byte {
	tb.Helper()
	if _, err := compiledRules(); err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	add := func(s string) {
		if timestamped {
			b.WriteString("2025-05-14T11:19:27.100851Z 00O ")
		}
		b.WriteString(s)
		if crlf {
			b.WriteByte('\r')
		}
		b.WriteByte('\n')
	}
	filler := func(k int) {
		for i := range k {
			l := fmt.Sprintf("  compiling module %d of the project, step %d", i, i%7)
			if m := matcher.scan([]byte(l)); !m.isZero() {
				tb.Fatalf("filler line %q holds a keyword", l)
			}
			add(l)
		}
	}
	add("Running with gitlab-runner 17.0.0")
	for _, l := range []string{
		"Using docker image sha256:0123 for golang:1.26 with digest golang@sha256:4567 ...",
		"$ go build ./...",
		"section_start:1700000000:build_step",
		"lib/util.c:40: warning: unused variable 'x'\n    int x = 1;\n        ^",
		"warnings being treated as errors",
		"1) TestParse fails on empty input",
		"--- FAIL: TestParse (0.00s)",
		"Job's log exceeded limit of 4194304 bytes.",
		"$ make check",
		"ERROR: Job failed: exit code 2",
		"The command \"make test\" exited with 2.",
		// Lines that start as facts do, and are none.
		"Using cache dir /builds/.cache\nTesting module 12\nEach step is done\nJust a line\nsummary of the step\n$dollar sign",
		"ERROR: Preparation failed: adding cache volume: exit code 1",
		// Lines that hold a rule's keyword and match no rule.
		"    register_test.go:318: PASS:\tRegisterRunner(string)\nmake[1]: Leaving directory '/builds/group/project'",
		// A line whose only keyword is bound to the line's start.
		"e: src/Main.kt (3, 5) type mismatch",
	} {
		filler(300)
		for _, l := range strings.Split(l, "\n") {
			add(l)
		}
	}
	filler(40)
	return b.Bytes()
}

// A keyword of a rule whose expression is anchored at the line's start
// does not stop a run of quiet lines when the rule cannot match the line:
// go.build-error's ".go:" in an indented "x_test.go:12: PASS:" line (its
// first byte rules the rule out), c.make's "make[" in "make[1]: Leaving
// directory" (its expression does not match). A line the rule matches
// stops the search, "$" matching before a CRLF line's '\r' as it does in
// the line's text, and in a timestamped log, after each line's header.
func TestStopSearchPassesRulesTheLineCannotMatch(t *testing.T) {
	rs := gramRules(t)
	const (
		quiet   = "    register_test.go:318: PASS:\tRegisterRunner(string)"
		leaving = "make[1]: Leaving directory '/builds/group/project'"
	)
	for _, c := range []struct {
		hit, eol string
	}{{"main.go:3:2: undefined: x", "\n"}, {"---- tests::parse stdout ----", "\r\n"}} {
		for _, l := range []string{quiet, leaving, c.hit} {
			m := matcher.scan([]byte(l))
			if m.isZero() || (classify(rs, []byte(l)).rule != nil) != (l == c.hit) {
				t.Fatalf("%q: want keywords, and a match only on the hit", l)
			}
			if m[0]&^startBound[0]|m[1]&^startBound[1] != 0 && (l != c.hit || c.eol == "\r\n") {
				t.Fatalf("%q: want only keywords of rules anchored at the start", l)
			}
		}
		var b bytes.Buffer
		for range 20 {
			b.WriteString(quiet + c.eol + leaving + c.eol)
		}
		b.WriteString(c.hit + c.eol + strings.Repeat("  the log goes on"+c.eol, 4))
		// In a timestamped log, the rules are tried on each line's text
		// after its header.
		for _, data := range [][]byte{b.Bytes(), withTimestamps(b.Bytes())} {
			timestamped := hasTimestampHeader(data)
			at := bytes.Index(data, []byte(c.hit))
			a := &analyzer{rs: rs, res: &Result{}, stopFrom: -1, n: 1, timestamped: timestamped}
			out, _, _, _ := a.prepare(data, nil, false)
			if stop := a.findStop(out, 0); stop < at || stop >= at+len(c.hit) {
				t.Errorf("%q, timestamped %v: the stop search stops at %d; the line at %d holds the first keyword that must stop it", c.hit, timestamped, stop, at)
			}
			checkWithoutBlocks(t, data)
		}
	}
}

// Runs of quiet lines stop at every line that line handles otherwise.
func TestQuietRunStops(t *testing.T) {
	if !haveGramMasks {
		t.Skip("the AVX2 prefilter does not run here")
	}
	for _, c := range []struct{ ts, crlf bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		d := quietRunLog(t, c.ts, c.crlf)
		checkWithoutBlocks(t, d)
		res, err := Analyze(bytes.NewReader(d), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.FailingCommand != "make check" || res.ExitCode != 2 || !res.Truncated || res.Image != "golang:1.26" {
			t.Errorf("%+v: facts %q, exit %d, truncated %v, image %q", c, res.FailingCommand, res.ExitCode, res.Truncated, res.Image)
		}
	}
}

// excerptText checks that log analyses as line by line handling does
// (checkWithoutBlocks), and returns the lines of its excerpts of the rule
// named, or of all of them.
func excerptText(t *testing.T, log []byte, rule string) string {
	t.Helper()
	checkWithoutBlocks(t, log)
	res, err := Analyze(bytes.NewReader(log), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, e := range res.Excerpts {
		if rule == "" || e.Rule == rule {
			text += strings.Join(e.Lines, "\n") + "\n"
		}
	}
	return text
}

// A short after_script leaves script lines in the ring of recent lines;
// the blank lines that follow it (a run of quiet lines) take their places
// there, and the lead-up still shows the script's last words.
func TestQuietRunAfterShortAfterScript(t *testing.T) {
	if !haveGramMasks {
		t.Skip("the AVX2 prefilter does not run here")
	}
	var b bytes.Buffer
	for i := range 40 {
		fmt.Fprintf(&b, "  build line %d of the step\n", i)
	}
	b.WriteString("$ ./scripts/check.sh\n  checking the last words\n")
	b.WriteString("section_start:1700000100:after_script\n  cleaning up\nsection_end:1700000200:after_script\n")
	b.WriteString(strings.Repeat("\n", ringSize-4))
	b.WriteString("ERROR: Job failed: exit code 3\n")
	if leadUp := excerptText(t, b.Bytes(), "lead-up"); !strings.Contains(leadUp, "checking the last words") || strings.Contains(leadUp, "cleaning") {
		t.Errorf("the lead-up does not end with the script's last lines:\n%s", leadUp)
	}
}

// A long run of quiet lines in after_script, between the script's failure
// and the runner's "Job failed": the lead-up still shows the script's last
// lines, as line by line handling does.
func TestQuietRunAfterScript(t *testing.T) {
	if !haveGramMasks {
		t.Skip("the AVX2 prefilter does not run here")
	}
	var b bytes.Buffer
	filler := func(what string, k int) {
		for i := range k {
			fmt.Fprintf(&b, "  %s line %d of the step, part %d\n", what, i, i%7)
		}
	}
	filler("build", 100)
	b.WriteString("$ ./scripts/check.sh\n")
	filler("checking", 5)
	b.WriteString("section_start:1700000100:after_script\n")
	filler("cleaning", 300)
	b.WriteString("section_end:1700000200:after_script\n")
	b.WriteString("ERROR: Job failed: exit code 3\n")
	if leadUp := excerptText(t, b.Bytes(), ""); !strings.Contains(leadUp, "checking line 4 of the step") || strings.Contains(leadUp, "cleaning line") {
		t.Errorf("excerpts do not show the script's last lines:\n%s", leadUp)
	}
}

// colouredLog returns a log coloured enough for prepare to clean its
// chunks first, with the lines that cleaning first must treat with care: a
// section marker, a marker in the form whose '\r' was stored as '\n', a
// line whose text only reads as a marker or a timestamp header once its
// colours are gone, '\r' redraws, "\r\n" line ends, invalid UTF-8, a long
// coloured line, and a failure.
func colouredLog(timestamped bool) []byte {
	var b bytes.Buffer
	add := func(s string) {
		if timestamped {
			b.WriteString("2025-05-14T11:19:27.100851Z 00O ")
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	add("\x1b[0KRunning with gitlab-runner 17.0.0")
	add("\x1b[0Ksection_start:1700000000:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage\x1b[0;m")
	add("\x1b[32;1m$ make test\x1b[0;m")
	for i := range 40 {
		add(fmt.Sprintf("\x1b[32m✓\x1b[0m \x1b[90mresolves path %d\x1b[0m", i))
		if i%9 == 0 {
			add("plain output line without colour")
			add("plain output line ending as a terminal ends it\r")
			add("\x1b[33mcoloured line ending as a terminal ends it\x1b[0m\r")
			add("section_start:1700000001:inner")
			add("sec\x1b[0mtion_end:1700000002:inner")
			add("Downloading 10%\rDownloading 50%\r\x1b[32mDownloading 100%\x1b[0m")
			add("bad bytes \xff\xfe here \x1b[1mok\x1b[0m")
			// A runner's header only once its colour is gone: line
			// reads no header in it.
			b.WriteString("2025-05-14T11:19:27.100851Z 0\x1b[0m0O header cut by a colour\n")
		}
	}
	add("\x1b[31m" + strings.Repeat("long coloured output ", 400) + "\x1b[0m")
	add("\x1b[31;1mFAIL\x1b[0m src/app.test.js")
	add("  \x1b[1m● suite › case\x1b[0m")
	add("    Error: \x1b[31mexpected 1 to equal 2\x1b[0m")
	add("\x1b[0Ksection_end:1700000010:step_script\r\x1b[0K")
	add("\x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m")
	return b.Bytes()
}

// Cleaning a coloured chunk first changes nothing in what Analyze finds or
// hands a sink, whatever the size of the reads.
func TestPrecleanAgrees(t *testing.T) {
	if !haveGramMasks {
		t.Skip("the AVX2 prefilter does not run here")
	}
	for _, ts := range []bool{false, true} {
		d := colouredLog(ts)
		checkWithoutBlocks(t, d)
		whole, err := Analyze(bytes.NewReader(d), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for seed := range uint64(4) {
			pieces, err := Analyze(&pieceReader{data: d, r: rand.New(rand.NewPCG(seed, 9))}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(whole, pieces) {
				t.Fatalf("Analyze differs when read in pieces (timestamps %v):\n%+v\n%+v", ts, whole, pieces)
			}
		}
		// Five "inner" sections open, and none ends: the end marker is
		// not one, its colour cuts it.
		if len(whole.Sections) != 6 || whole.Sections[1].Name != "inner" || whole.Sections[1].EndLine != 0 || whole.FailingCommand != "make test" {
			t.Errorf("timestamps %v: sections %+v, failing command %q", ts, whole.Sections, whole.FailingCommand)
		}
	}
}

// prepare turns a coloured chunk into its lines' text, keeps the lines
// with markers (or that read as one once cleaned) as they are, and leaves
// the incomplete last line to the next read.
func TestPrepareCleansColouredChunk(t *testing.T) {
	rs := gramRules(t)
	lines := []string{
		"\x1b[32m✓\x1b[0m \x1b[90mresolves the path\x1b[0m",
		"plain line\r",
		"\x1b[0Ksection_start:1700000000:build\r\x1b[0Kbuilding",
		"sec\x1b[0mtion_start:1:x",
		"50%\r\x1b[1m100%\x1b[0m",
		"\x1b[31merror:\x1b[0m boom",
	}
	chunk := []byte(strings.Join(lines, "\n") + "\n\x1b[33mincompl")
	a := &analyzer{rs: rs, res: &Result{}, stopFrom: -1}
	out, tail, carry, _ := a.prepare(chunk, nil, false)
	if !a.cleaned || string(tail) != "\x1b[33mincompl" || len(carry) != 0 {
		t.Fatalf("prepare: cleaned %v, tail %q, carry %q", a.cleaned, tail, carry)
	}
	want := "✓ resolves the path\nplain line\r\n" + lines[2] + "\n" + lines[3] + "\n100%\nerror: boom\n"
	if string(out) != want {
		t.Errorf("prepare wrote\n%q, want\n%q", out, want)
	}
	raw := strings.Index(want, lines[2])
	if !slices.Equal(a.rawAt, []int{raw, raw + len(lines[2]) + 1}) {
		t.Errorf("raw lines at %v, want %d and the next", a.rawAt, raw)
	}
}

// lineBlockMasks finds the newlines textBlockMasks finds, and no special
// byte.
func TestLineBlockMasks(t *testing.T) {
	if !haveGramMasks {
		t.Skip("the AVX2 prefilter does not run here")
	}
	for _, d := range blockTestData(t) {
		text, _ := textBlockMasks(d, nil)
		lines := lineBlockMasks(d, []blockMask{{special: 1}})
		if len(lines) != len(text) {
			t.Fatalf("%d masks, want %d", len(lines), len(text))
		}
		for i := range lines {
			if lines[i].newlines != text[i].newlines || lines[i].special != 0 {
				t.Fatalf("block %d of %q: %+v, want the newlines %032b", i, d[32*i:32*i+32], lines[i], text[i].newlines)
			}
		}
	}
}

// lineStart and lineEnd find, from the newline masks, the line start
// LastIndexByte finds and the line end IndexByte finds.
func TestLineStart(t *testing.T) {
	if !haveGramMasks {
		t.Skip("the AVX2 prefilter does not run here")
	}
	for _, d := range blockTestData(t) {
		if len(d) < 35 {
			continue
		}
		masks, _ := textBlockMasks(d, nil)
		covered := 32 * len(masks)
		for _, p := range []int{0, 1, 31, 32, 33, 100, covered / 2} {
			for s := p; s < covered && s < p+300; s++ {
				if got, want := lineStart(masks, p, s), bytes.LastIndexByte(d[p:s], '\n')+p+1; got != want {
					t.Fatalf("lineStart(%d, %d) = %d, want %d", p, s, got, want)
				}
				want := bytes.IndexByte(d[s:covered], '\n')
				if want >= 0 {
					want += s
				}
				if got := lineEnd(masks, s); got != want {
					t.Fatalf("lineEnd(%d) = %d, want %d", s, got, want)
				}
			}
		}
	}
}

// gramRules skips tb where the AVX2 prefilter does not run, and returns
// the compiled rules, whose keyword matchers the prefilter tests use.
func gramRules(tb testing.TB) []Rule {
	tb.Helper()
	if !haveGramMasks {
		tb.Skip("the AVX2 prefilter does not run here")
	}
	rs, err := compiledRules()
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}
