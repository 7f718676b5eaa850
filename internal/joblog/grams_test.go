package joblog

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"flag"
	"os"
	"slices"
	"testing"
)

var updateGrams = flag.Bool("update-grams", false, "rebuild common_grams.bin from the logs under JOBLOG_LOGCHUNKS_DIR")

// TestCommonGrams checks the table of common grams, and rebuilds it with
// -update-grams.
func TestCommonGrams(t *testing.T) {
	if *updateGrams {
		dir := os.Getenv("JOBLOG_LOGCHUNKS_DIR")
		if dir == "" {
			t.Fatal("-update-grams needs JOBLOG_LOGCHUNKS_DIR")
		}
		data, err := countCommonGrams(dir, commonGramCount)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("common_grams.bin", data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("common_grams.bin rebuilt: run the tests again")
	}
	distinct := map[uint32]bool{}
	for i := 0; i+4 <= len(commonGramsData); i += 4 {
		g := gramOf(commonGramsData[i:], 4)
		distinct[g] = true
		// Each gram is found at its rank.
		if r, ok := commonGramRank(g); !ok || r != i/4 {
			t.Fatalf("gram %d, %q: rank %d (in the table: %v)", i/4, commonGramsData[i:i+4], r, ok)
		}
	}
	if len(commonGramsData) != 4*commonGramCount || len(distinct) != commonGramCount {
		t.Fatalf("%d bytes, %d distinct grams: want %d grams", len(commonGramsData), len(distinct), commonGramCount)
	}
	// Grams outside it are not found.
	for _, g := range []string{"qqqq", "zx;|", "jqxz"} {
		if r, ok := commonGramRank(gramOf(g, 4)); ok {
			t.Errorf("%q: rank %d, but it is not in the table", g, r)
		}
	}
	for i := 0; i < len(commonGramsData); i++ {
		if commonGramsData[i]&0x20 == 0 {
			t.Fatalf("gram %d, %q, is not folded", i/4, commonGramsData[i&^3:i&^3+4])
		}
	}
	// The most frequent grams of any CI log are among the first.
	for _, g := range []string{"ing ", "tion", " the", "rror"} {
		if r, ok := commonGramRank(gramOf(g, 4)); !ok || r > 1000 {
			t.Errorf("%q ranks %d (in the table: %v)", g, r, ok)
		}
	}
}

// countCommonGrams returns the n most frequent grams of the cleaned lines
// of the logs under dir, folded, most frequent first (ties in byte order),
// four bytes each.
func countCommonGrams(dir string, n int) ([]byte, error) {
	logs, err := readLogDir(dir)
	if err != nil {
		return nil, err
	}
	counts := map[uint32]int{}
	for _, data := range logs {
		for _, raw := range bytes.Split(data, []byte("\n")) {
			text := CleanLine(raw)
			for i := 0; i+4 <= len(text); i++ {
				counts[gramOf(text[i:], 4)]++
			}
		}
	}
	grams := make([]uint32, 0, len(counts))
	for g := range counts {
		grams = append(grams, g)
	}
	slices.SortFunc(grams, func(a, b uint32) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return cmp.Compare(bits32(a), bits32(b))
	})
	out := make([]byte, 0, 4*n)
	for _, g := range grams[:min(n, len(grams))] {
		out = binary.LittleEndian.AppendUint32(out, g)
	}
	return out, nil
}

// bits32 orders grams by their bytes.
func bits32(g uint32) uint32 {
	return g<<24 | g<<8&0xff0000 | g>>8&0xff00 | g>>24
}

// No keyword is anchored on a common gram when it has a gram outside the
// table, and among common grams on the least frequent.
func TestAnchorsAvoidCommonGrams(t *testing.T) {
	if _, err := compiledRules(); err != nil {
		t.Fatal(err)
	}
	rank := func(s string) int {
		if r, ok := commonGramRank(gramOf(s, 4)); ok {
			return r
		}
		return commonGramCount
	}
	for _, k := range matcher.kws {
		if k.lineStart {
			continue
		}
		got := rank(k.text[k.anchor:])
		for i := 0; i+4 <= len(k.text); i++ {
			if r := rank(k.text[i:]); r > got {
				t.Errorf("keyword %q is anchored on %q (rank %d), %q ranks %d", k.text, k.text[k.anchor:k.anchor+4], got, k.text[i:i+4], r)
			}
		}
	}
	for _, c := range []struct{ keyword, anchor string }{
		{"could not", "coul"},
		{"broken", "brok"},
	} {
		k, err := parseKeyword(c.keyword, 0, 4)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.text[k.anchor : k.anchor+4]; got != c.anchor {
			t.Errorf("%q is anchored on %q, want %q", c.keyword, got, c.anchor)
		}
	}
}
