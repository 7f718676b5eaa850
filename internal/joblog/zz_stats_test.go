package joblog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func TestZZStats(t *testing.T) {
	if os.Getenv("ZZSTATS") == "" {
		t.Skip()
	}
	rs, _ := compiledRules()
	var files []string
	if d := os.Getenv("ZZDIR"); d != "" {
		files, _ = filepath.Glob(d)
	}
	data := benchTrace(t, 1<<20)
	var all [][]byte
	all = append(all, data)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all = append(all, b)
	}
	kw := make([]int, len(rs))
	re := make([]int, len(rs))
	lines, cand := 0, 0
	for _, d := range all {
		var c cleaner
		for _, raw := range bytes.Split(d, []byte("\n")) {
			text := c.clean(raw)
			lines++
			m := matcher.scan(text)
			if m.any(&positive) {
				cand++
				nm := noiseMatch.scan(text)
				m.or(&nm)
			}
			for i := range rs {
				if m.has(i) {
					kw[i]++
					if rs[i].re != nil {
						re[i]++
					}
				}
			}
		}
	}
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return re[idx[a]] > re[idx[b]] })
	fmt.Printf("lines %d candidates %d (%.1f%%)\n", lines, cand, 100*float64(cand)/float64(lines))
	for _, i := range idx[:25] {
		fmt.Printf("%-28s kw %6d re %6d\n", rs[i].Name, kw[i], re[i])
	}
}
