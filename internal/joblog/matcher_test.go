package joblog

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// naiveScan is the keyword semantics spelled out: every keyword looked for
// at every offset of the line lower-cased in ASCII.
func naiveScan(kws []keyword, line []byte) ruleMask {
	var m ruleMask
	low := make([]byte, 0, len(line))
	for _, c := range line {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low = append(low, c)
	}
	for _, k := range kws {
		for off := 0; ; {
			i := bytes.Index(low[off:], []byte(k.text))
			if i < 0 {
				break
			}
			s, e := off+i, off+i+len(k.text)
			off = s + 1
			if k.wordStart && s > 0 && isWordByte(line[s-1]) || k.wordEnd && e < len(line) && isWordByte(line[e]) {
				continue
			}
			if k.notAfterHyphen && s > 0 && line[s-1] == '-' {
				continue
			}
			if k.notBeforeExt && e+1 < len(line) && line[e] == '.' && isLetter(line[e+1]) {
				continue
			}
			if k.lineStart && len(bytes.TrimLeft(line[:s], " \t")) > 0 {
				continue
			}
			m.set(k.rule)
			break
		}
	}
	return m
}

// testLines returns the cleaned lines of every log in testdata.
func testLines(tb testing.TB) [][]byte {
	tb.Helper()
	var lines [][]byte
	for _, dir := range []string{"logs", "traces"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			for _, l := range bytes.Split(data, []byte("\n")) {
				lines = append(lines, []byte(CleanLine(l)))
			}
		}
	}
	return lines
}

// The prefilter finds exactly what comparing every keyword at every offset
// finds, on every line of the test logs and on the rules' examples.
func TestScanAgreesWithNaive(t *testing.T) {
	rs, err := compiledRules()
	if err != nil {
		t.Fatal(err)
	}
	lines := testLines(t)
	for _, r := range rs {
		lines = append(lines, []byte(r.Example), []byte(strings.ToUpper(r.Example)))
		for _, k := range r.Keywords {
			k = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(k, "^"), `\b`), `\b`)
			lines = append(lines, []byte(k), []byte("x"+k), []byte(" "+strings.ToUpper(k)+"_"), []byte(k[:len(k)-1]))
		}
	}
	// Keywords ending lines of every length around the 32-byte blocks
	// pairMasks reads, the batches of blocks scanBlocks hands it (256
	// bytes), and the last gram of the line, read alone.
	var lengths []int
	for _, r := range [][2]int{{30, 100}, {250, 300}, {505, 530}} {
		for n := r[0]; n <= r[1]; n++ {
			lengths = append(lengths, n)
		}
	}
	for _, k := range []string{" ok", "✓", " passed", "warn ", "exception: ", "--- fail"} {
		for _, n := range lengths {
			if n > len(k) {
				lines = append(lines, []byte(strings.Repeat("x", n-len(k))+k))
			}
		}
	}
	// Each line is scanned alone and with keywords after it in memory,
	// which whole blocks read past the line's end must not find.
	const after = " error: failed exception: warn passed ok ✓ --- fail " + "                                "
	found := 0
	for _, km := range []*keywordMatcher{matcher, noiseMatch} {
		for _, l := range lines {
			got, want := km.scan(l), naiveScan(km.kws, l)
			if got != want {
				t.Errorf("scan(%q) = %x, want %x", l, got, want)
			}
			if got := km.scan(append(slices.Clip(l), after...)[:len(l)]); got != want {
				t.Errorf("scan(%q), with %q after it, = %x, want %x", l, after, got, want)
			}
			if !want.isZero() {
				found++
			}
		}
	}
	if found < 1000 {
		t.Errorf("only %d lines hold a keyword: the test data is too thin", found)
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{"", "error", "Traceback (most recent call last):", "  ok 1", "ERROR: Job failed", "x.go:12:3: undefined", "●  FAIL"} {
		f.Add([]byte(s))
	}
	if _, err := compiledRules(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, km := range []*keywordMatcher{matcher, noiseMatch} {
			if got, want := km.scan(line), naiveScan(km.kws, line); got != want {
				t.Errorf("scan(%q) = %x, want %x", line, got, want)
			}
		}
	})
}

// lower8 lower-cases ASCII letters and nothing else, in every byte lane.
func TestLower8(t *testing.T) {
	for c := 0; c < 256; c++ {
		for lane := 0; lane < 8; lane++ {
			var b [8]byte
			for i := range b {
				b[i] = byte(c + 37*i)
			}
			b[lane] = byte(c)
			got := lower8(binary.LittleEndian.Uint64(b[:]))
			for i, x := range b {
				want := x
				if 'A' <= x && x <= 'Z' {
					want += 'a' - 'A'
				}
				if g := byte(got >> (8 * i)); g != want {
					t.Fatalf("lower8 lane %d of %q = %q, want %q", i, b, g, want)
				}
			}
		}
	}
}
