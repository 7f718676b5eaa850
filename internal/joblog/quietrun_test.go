package joblog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// isLocation against a byte-at-a-time reading of its definition: the first
// space or ':' decides, and a ':' must follow a byte and come before a digit.
func TestIsLocation(t *testing.T) {
	ref := func(s string) bool {
		i := strings.IndexAny(s, " :")
		return i > 0 && s[i] == ':' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9'
	}
	for _, s := range []string{
		"", ":", ":1", "a:1", "a:", "a:x", "src/main.go:12:3: undefined", "src/main.go:x", "a b:1",
		"averyveryverylongpathname/withoutspaces.c:10", "averyveryverylongpathname/withoutspaces.c 10:1",
		"12345678:9", "1234567:8", "12345678 :9", "\t:1", "héllo.py:3", strings.Repeat("x", 40) + ":0",
	} {
		if got := isLocation([]byte(s)); got != ref(s) {
			t.Errorf("isLocation(%q) = %v", s, got)
		}
	}
	// A space or a colon at every offset of the 8-byte words, among bytes
	// one bit away from them.
	for i := range 26 {
		for _, c := range []byte{' ', ':'} {
			for _, fill := range []byte{'a', 0xa0, 0xba, '!', 0x3b, 0x1a} {
				b := bytes.Repeat([]byte{fill}, 30)
				b[i] = c
				b[i+1] = '7'
				if got := isLocation(b); got != ref(string(b)) {
					t.Errorf("isLocation(%q) = %v", b, got)
				}
			}
		}
	}
}

// Lines that carry on the message above them, and lines that do not.
func TestIsContinuation(t *testing.T) {
	for _, s := range []string{
		"  at Foo.bar (x.js:1:2)", "\tat java.lang.Thread.run", "| 12 | x", "^~~~", "+ added", "- removed", "> quoted",
		"=== RUN", "# comment", "* item", "[1/2]", "(details)", "@@ -1 +1 @@", "at Object.<anonymous>",
		`File "x.py", line 3`, "Caused by: java.io.IOException", "... 3 more", "note: see", "help: try", "E   assert",
		"Error: boom", "Expected: 1", "Actual: 2", "Received: 3", "stack trace:", "Stack trace:",
		"Traceback (most recent call last):", "goroutine 1 [running]:", "In file included from x.h", "From x.c:1",
	} {
		if !isContinuation([]byte(s)) {
			t.Errorf("isContinuation(%q) = false", s)
		}
	}
	for _, s := range []string{"", "   ", "attach", "Filed", "Inside", "Fromage", "plain text", "E", "ok"} {
		if isContinuation([]byte(s)) {
			t.Errorf("isContinuation(%q) = true", s)
		}
	}
}

func TestIsBlank(t *testing.T) {
	for _, s := range []string{"", " ", "\t \r\n\v\f", "x", "  x", "x  ", "a\t", " \x7f", "\x01 ", "~", " \u00a0", " \u00a0x", "\u2003", "\u2003 y", "\xff", " é "} {
		if got, want := isBlank([]byte(s)), len(strings.TrimSpace(s)) == 0; got != want {
			t.Errorf("isBlank(%q) = %v, want %v", s, got, want)
		}
	}
}

// Cleaning a line of a chunk, the chunk's next lines after it in memory,
// gives what the byte-at-a-time reference gives on the line alone,
// markers included.
func TestCleanChunkLine(t *testing.T) {
	checked := eachChunkLine(t, func(d []byte, masks []blockMask, off, n int) int {
		line := d[off : off+n]
		if !chunkCovers(masks, off, n) || isPlain(line) || n > 0 && line[n-1] == '\r' {
			return 0
		}
		var a, b cleaner
		want := string(a.refClean(slices.Clip(line)))
		if got := string(b.cleanOther(line)); got != want || !equalMarkers(a.markers, b.markers) {
			t.Fatalf("cleanOther(%q) = %q %v, want %q %v", line, got, b.markers, want, a.markers)
		}
		return 1
	})
	if checked < 500 {
		t.Errorf("only %d lines checked", checked)
	}
}

func TestIsCaretLine(t *testing.T) {
	for s, want := range map[string]bool{
		"      ^^^^^^^^": true, "^": true, "\t ~~~^~~~": true, "  ^ ": true,
		"": false, "   ": false, "  ~~~": false, "  ^ here": false, "a^": false, "^^^ x": false,
	} {
		if got := isCaretLine([]byte(s)); got != want {
			t.Errorf("isCaretLine(%q) = %v, want %v", s, got, want)
		}
	}
}

// A located warning amid quiet lines stops their run: "warning" is the
// keyword of warningWord. The tool that then says that warnings are errors
// makes it the cause.
func TestQuietRunStopsAtLocatedWarning(t *testing.T) {
	gramRules(t)
	const warning = "lib/Util.pm:40: Warning: variable x is never used"
	m := matcher.scan([]byte(warning))
	var only ruleMask
	only.set(warningWord)
	if m != only {
		t.Fatalf("%q holds keywords %v, want only warningWord's", warning, m)
	}
	var b bytes.Buffer
	b.WriteString("$ make\n")
	for i := range 300 {
		fmt.Fprintf(&b, "  compiling module %d of the project\n", i)
	}
	b.WriteString(warning + "\n")
	for i := range 300 {
		fmt.Fprintf(&b, "  linking module %d of the project\n", i)
	}
	b.WriteString("cc1: all warnings being treated as errors\n")
	data := b.Bytes()
	checkWithoutBlocks(t, data)
	res, err := Analyze(bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Excerpts) == 0 || res.Excerpts[0].StartLine != 302 || res.Excerpts[0].Lines[0] != warning {
		t.Errorf("excerpts %+v, want the first at line 302, the warning", res.Excerpts)
	}
}

// A line that starts with a quietLead byte is quiet as the long test
// judges it, whatever follows.
func TestQuietLead(t *testing.T) {
	if _, err := compiledRules(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for c := range 256 {
		if !quietLead[c] {
			continue
		}
		n++
		for _, rest := range []string{"", "x", ": c: ", "rror foo", "ailed x", "ok ", "1) x", " ", "ection_start:1:x", "sing docker image x", "ending:", "ailures:", "inished in 3 seconds"} {
			if line := append([]byte{byte(c)}, rest...); !quietStartLong(line, false) {
				t.Errorf("%q starts with a quietLead byte, and is not quiet", line)
			}
		}
	}
	for _, c := range []byte{' ', '\t', '1', '$', 'E', 'U', 's', 'P', 'F'} {
		if quietLead[c] {
			t.Errorf("%q is a quietLead byte", c)
		}
	}
	if n < 100 {
		t.Errorf("%d quietLead bytes", n)
	}
}

// quietIndented, the fast path of quietStart for indented lines, holds
// only where quietStartLong does, and for the common indented line.
func TestQuietIndented(t *testing.T) {
	if _, err := compiledRules(); err != nil {
		t.Fatal(err)
	}
	hits := 0
	for _, indent := range []string{"", " ", "  ", "   \t", " \t ", "      ", "       ", "        ", "          ", "         \t", "               ", "                "} {
		for c := range 256 {
			for _, rest := range []string{"", "x", "rror: x", "ailed to x", ") x", "0) x", ": c: ", "ection_start:1:x", "$ make", "ending:", "inished in 3 seconds"} {
				for _, end := range []string{"", "\r"} {
					line := []byte(indent + string(rune(0)) + rest + end)
					line[len(indent)] = byte(c)
					if !quietIndented(line) {
						continue
					}
					hits++
					if !quietStartLong(trimCR(line), false) {
						t.Errorf("quietIndented(%q) holds, quietStartLong does not", line)
					}
				}
			}
		}
	}
	for _, l := range []string{"    - item", "  * bullet", "       (seven spaces)\r"} {
		if !quietIndented([]byte(l)) {
			t.Errorf("quietIndented(%q) does not hold", l)
		}
	}
	if hits < 1000 {
		t.Errorf("quietIndented holds for %d lines", hits)
	}
}

// RSpec's list of pending examples, from "Pending:" to "Finished in", takes
// away the match of its numbered entries (rspecPending): runs of quiet
// lines go on through them, and the numbered failure after the list keeps
// its match.
func TestQuietRunRSpecPending(t *testing.T) {
	if !haveGramMasks {
		t.Skip("the AVX2 prefilter does not run here")
	}
	for _, line := range []string{"  1) Foo does a thing", "12) Bar#baz is skipped"} {
		if quietStart([]byte(line), false) || !quietStart([]byte(line), true) {
			t.Errorf("%q: quiet %v outside the pending list, %v inside, want false, true", line, quietStart([]byte(line), false), quietStart([]byte(line), true))
		}
	}
	var b bytes.Buffer
	filler := func() {
		for i := range 300 {
			fmt.Fprintf(&b, "  compiling module %d of the project\n", i)
		}
	}
	filler()
	b.WriteString("Pending:\n")
	for i := range 40 {
		fmt.Fprintf(&b, "  %d) Foo does thing %d\n     # Not yet implemented\n     # ./spec/foo_spec.rb:%d\n\n", i+1, i, 3*i)
	}
	filler()
	b.WriteString("Finished in 3.2 seconds (files took 1.1 seconds to load)\n")
	filler()
	b.WriteString("  1) Foo fails with an error\n     Failure/Error: expect(x).to eq(1)\n")
	filler()
	checkWithoutBlocks(t, b.Bytes())
}

// nextLineEnd, from any offset, finds each newline of the masks in order,
// then the masks' end; lineEnd the first of them, or -1.
func TestNextLineEnd(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 9))
	for range 2000 {
		masks := make([]blockMask, 1+r.IntN(9))
		for i := range masks {
			masks[i].newlines = r.Uint32() & r.Uint32() & r.Uint32()
			if r.IntN(3) == 0 {
				masks[i].newlines = 0
			}
		}
		s := r.IntN(32 * len(masks))
		var want []int
		for o := s; o < 32*len(masks); o++ {
			if masks[o>>5].newlines&(1<<(o&31)) != 0 {
				want = append(want, o)
			}
		}
		want = append(want, 32*len(masks))
		if e := lineEnd(masks, s); e != want[0] && !(e == -1 && want[0] == 32*len(masks)) {
			t.Fatalf("from %d in %d blocks %x: lineEnd %d, want %d", s, len(masks), masks, e, want[0])
		}
		var got []int
		b := s >> 5
		nl := newlineWord(masks, b) &^ (1<<(s&31) - 1)
		for {
			var e int
			e, b, nl = nextLineEnd(masks, b, nl)
			got = append(got, e)
			if e >= 32*len(masks) || len(got) > len(want) {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("from %d in %d blocks %x: line ends %v, want %v", s, len(masks), masks, got, want)
		}
	}
}

// A line that starts, after its indentation, with a line-start keyword or
// a numbered item is not quiet, whatever the case of its first letter.
func TestQuietStartStopsAtLineStarts(t *testing.T) {
	if _, err := compiledRules(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, k := range matcher.kws {
		if k.lineStart {
			lines = append(lines, k.text+"x y", strings.ToUpper(k.text)+"x y")
		}
	}
	if len(lines) < 10 {
		t.Fatalf("%d line-start keywords", len(lines))
	}
	lines = append(lines, "1) TestParse", "12) x")
	for _, l := range lines {
		for _, indent := range []string{"", "  ", "\t    ", "       ", "   \t ", "            "} {
			if line := indent + l; quietStart([]byte(line), false) {
				var m ruleMask
				if matcher.scanLineStart([]byte(line), &m); m.isZero() && !isNumberedItem([]byte(line)) {
					continue // the keyword asks for a boundary the line lacks
				}
				t.Errorf("%q is quiet", line)
			}
		}
	}
}
