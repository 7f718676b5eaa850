package joblog

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// refClean is the byte-at-a-time cleaning that clean must agree with.
func (c *cleaner) refClean(raw []byte) []byte {
	c.markers = c.markers[:0]
	if n := len(raw); n > 0 && raw[n-1] == '\r' {
		raw = raw[:n-1]
	}
	if isPlain(raw) {
		if len(raw) >= 8 && raw[0] == 's' && bytes.HasPrefix(raw, sectionPrefix) {
			// The form with '\r' stored as '\n': the marker ends the line.
			if end, ok := c.parseMarker(raw, 0); ok && end == len(raw) {
				return raw[:0]
			}
		}
		return raw
	}
	out := c.out[:0]
	segStart := 0              // start in out of the current '\r' segment
	keepStart, keepEnd := 0, 0 // the last segment with visible text
	for i := 0; i < len(raw); {
		b := raw[i]
		switch {
		case b == 's' || b == 't':
			if end, ok := c.parseMarker(raw, i); ok {
				i = end
				continue
			}
			out = append(out, b)
			i++
		case b == '\r':
			if len(out) > segStart {
				keepStart, keepEnd = segStart, len(out)
			}
			segStart = len(out)
			i++
		case b == 0x1b:
			i = skipEscape(raw, i)
		case b == '\t':
			out = append(out, b)
			i++
		case b < 0x20 || b == 0x7f:
			i++ // other C0 controls and DEL
		case b < utf8.RuneSelf:
			out = append(out, b)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			switch {
			case r == utf8.RuneError && size <= 1:
				out = append(out, "\uFFFD"...)
			case r == 0x9b: // C1 CSI: skip its parameters like ESC [
				i = skipCSI(raw, i+size)
				continue
			case r >= 0x80 && r < 0xa0:
				// C1 controls: dropped
			case isBidiControl(r):
				// bidirectional overrides could disguise the text: dropped
			default:
				out = append(out, raw[i:i+size]...)
			}
			i += size
		}
	}
	c.out = out
	if len(out) > segStart {
		return out[segStart:]
	}
	return out[keepStart:keepEnd]
}

// clean copies runs of plain bytes at once; it must give what the byte at a
// time definition gives, markers included, on every line of the test logs
// and on lines that put markers, escapes and '\r' next to plain runs.
func TestCleanAgreesWithReference(t *testing.T) {
	lines := [][]byte{
		[]byte("ab\x1bcsection_start:1:x\r\x1b[0Kz"),
		[]byte("\x1b[0Ktravis_fold:start:x\r\x1b[0Ks_section_end:2:x[collapsed=true]\rtail"),
		[]byte("\tsection_section_start:12:a\r\x1b[0Kb\x1b[m"),
		[]byte("\x1b[31mtravis_time:end:0:start=1,finish=2\r\x1b[0Kdone"),
		[]byte("x\x1bsection_start:1:n[\xff]\r"),
		[]byte("\x1bssssttttt__________section_"),
		[]byte("\x1bsection_end:1:x"),
		[]byte("caf\xc3\xa9 travis_fold:end:x"),
		// The shortest markers, between escapes.
		[]byte("\x1btravis_time:\r\x1b[0Kx"),
		[]byte("\x1b[0Ksection_end:\x1b[0Ky"),
		[]byte("\x1b[0Ktravis_time:x\x1b[0Ky"),
		[]byte("\x1b[0Ktravis_time:x\r\x1b[0Ky"),
		[]byte("abc\x1b[0Ktravis_time:x"),
	}
	for _, dir := range []string{"logs", "traces", "fuzz/FuzzCleanLine", "fuzz/FuzzAnalyze"} {
		lines = append(lines, fileLines(t, dir)...)
	}
	var c, r cleaner
	for _, l := range lines {
		got := string(c.clean(l))
		want := string(r.refClean(l))
		if got != want || !equalMarkers(c.markers, r.markers) {
			t.Errorf("clean(%q) = %q %v, want %q %v", l, got, c.markers, want, r.markers)
		}
	}
}

func FuzzCleanAgrees(f *testing.F) {
	f.Add([]byte("\x1b[0Ksection_start:1:x\r\x1b[0Kab\rcd"))
	f.Add([]byte("\x1btravis_fold:start:x\r\x1b[0K"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		// The whole input, then its first two thirds with the rest after
		// them: bytes the cleaning may read but must not take.
		for _, n := range []int{len(raw), len(raw) * 2 / 3} {
			var c, r cleaner
			line := raw[:n]
			got, want := string(c.clean(line)), string(r.refClean(slices.Clip(line)))
			if got != want || !equalMarkers(c.markers, r.markers) {
				t.Errorf("clean(%q) = %q %v, want %q %v", line, got, c.markers, want, r.markers)
			}
		}
	})
}

// TestCleanFastAgrees checks the cleaning that stripColours does many bytes
// at a time against the reference, on lines made of pieces that put colour
// sequences, '\r', '_', markers and other escapes on either side of its
// 32-byte blocks and at the line's end, each line followed in memory by
// bytes that would go on a sequence or a marker: they may be read, not
// taken.
func TestCleanFastAgrees(t *testing.T) {
	if !haveGramMasks {
		t.Skip("stripColours does not run here")
	}
	pieces := []string{"ab", "plain text, ", "\x1b[0m", "\x1b[33;1m", "\x1b[K", "\x1b[0K", "\r", "_", "s",
		"section_start:12:build_x\r\x1b[0K", "travis_fold:end:y\r", "travis_time:start:1", "section", "travis", "\x1b[1",
		"\x1b(B", "\x1b[1;2", "\x1b[2 q", "\x1b]0;t_x\a", "\t", "\x1b", "\x1b[", "\x1b[12", "\x7f", "\x01",
		// Runes shown as they are, dropped (C1 and bidirectional
		// controls), and invalid or cut UTF-8.
		"é", "€", "—", "✓", "😀", "\u00a0", "\ufffd", "\u061c", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
		"\u2010", "\u202f", "\u2065", "\u206a", "\u0080", "\u009f", "\xc2\x9b1m", "\xc2", "\xc3", "\xe2\x80", "\xf0\x9f\x98",
		"\xff", "\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf0\x80\x80\x80"}
	after := []string{"", "m", "1m", "x_y", "\x1b[0m", "section_end:1:z\r", "_start:1:x\r", "\x80\x80\x80", "\x98\x80", "\xa9"}
	rng := rand.New(rand.NewPCG(3, 7))
	var c, r cleaner
	for range 50000 {
		var line []byte
		for want := rng.IntN(140); len(line) < want; {
			line = append(line, pieces[rng.IntN(len(pieces))]...)
		}
		buf := append(slices.Clip(line), after[rng.IntN(len(after))]...)
		got := string(c.clean(buf[:len(line)]))
		if want := string(r.refClean(line)); got != want || !equalMarkers(c.markers, r.markers) {
			t.Fatalf("clean(%q) = %q %v, want %q %v", line, got, c.markers, want, r.markers)
		}
	}
}

// TestCleanFastColourBlocks compares stripColours with the reference
// cleaner on lines of plain text and colour sequences only, most of whose
// blocks of 32 bytes stripColours drops the sequences of at once: sequences
// at every offset, across the end of a block, cut off, with a final '_' or
// an intermediate byte, and a section marker or a '_' after them.
func TestCleanFastColourBlocks(t *testing.T) {
	if !haveGramMasks {
		t.Skip("stripColours does not run here")
	}
	pieces := []string{"a", "bc", "def", "plain words ", "0123456789", "\x1b[0m", "\x1b[33;1m", "\x1b[K", "\x1b[0K",
		"\x1b[38;5;214m", "\x1b[48;2;10;20;30m", "\x1b[m", "\x1b[38;2;100;200;255;48;2;1;2;3;1;4m", "\x1b[12_", "\x1b[2 q", "\x1b[1;2", "\x1b[", "\x1b"}
	ends := []string{"", "section_start:12:build_x\r\x1b[0K", "\x1b[0Ksection_end:3:y\r\x1b[0K", "travis_fold:end:z\r", "a_b", "é"}
	var c, r cleaner
	check := func(line []byte) {
		t.Helper()
		buf := append(slices.Clip(line), "m\x1b[0m"...)
		got := string(c.clean(buf[:len(line)]))
		if want := string(r.refClean(line)); got != want || !equalMarkers(c.markers, r.markers) {
			t.Fatalf("clean(%q) = %q %v, want %q %v", line, got, c.markers, want, r.markers)
		}
	}
	// Each sequence at each offset of a block, then a marker: one that
	// ends past the block, one longer than a block, one with an
	// intermediate byte, which the reference leaves to Go.
	long := "\x1b[38;5;1;38;5;2;38;5;3;38;5;4;38;5;5m"
	for _, seq := range []string{"\x1b[33;1m", "\x1b[2 q", long, long + "\x1b[0m", "\x1b[0m" + long} {
		for k := range 70 {
			check([]byte(strings.Repeat("\x1b[1m", k%3) + strings.Repeat("x", k) + seq + "section_start:1:n\r\x1b[0K" + "_t"))
		}
	}
	rng := rand.New(rand.NewPCG(5, 11))
	for range 50000 {
		var line []byte
		for want := rng.IntN(120); len(line) < want; {
			p := pieces[rng.IntN(len(pieces))]
			if rng.IntN(4) > 0 && strings.HasPrefix(p, "\x1b") && len(p) < 4 {
				continue // sequences cut off mostly end a line
			}
			line = append(line, p...)
		}
		check(append(line, ends[rng.IntN(len(ends))]...))
	}
}

func equalMarkers(a, b []marker) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].kind != b[i].kind || a[i].ts != b[i].ts || !bytes.Equal(a[i].name, b[i].name) {
			return false
		}
	}
	return true
}

// fileLines returns the raw lines of the files under testdata/dir; fuzz
// corpus files hold their input as a Go literal, taken as it is.
func fileLines(tb testing.TB, dir string) [][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil {
		tb.Fatal(err)
	}
	var lines [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, bytes.Split(data, []byte("\n"))...)
	}
	return lines
}
