package joblog

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"
)

func TestZZRetime(t *testing.T) {
	if os.Getenv("ZZSTATS") == "" {
		t.Skip()
	}
	rs, _ := compiledRules()
	data := benchTrace(t, 1<<20)
	var c cleaner
	dur := make([]time.Duration, len(rs))
	cnt := make([]int, len(rs))
	for _, raw := range bytes.Split(data, []byte("\n")) {
		text := c.clean(raw)
		m := matcher.scan(text)
		if !m.any(&positive) {
			continue
		}
		nm := noiseMatch.scan(text)
		m.or(&nm)
		for i := range rs {
			if m.has(i) && rs[i].re != nil {
				t0 := time.Now()
				for k := 0; k < 20; k++ {
					rs[i].re.Match(text)
				}
				dur[i] += time.Since(t0) / 20
				cnt[i]++
			}
		}
	}
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return dur[idx[a]] > dur[idx[b]] })
	for _, i := range idx[:12] {
		fmt.Printf("%-28s %6d calls %8v total %6v/call\n", rs[i].Name, cnt[i], dur[i], dur[i]/time.Duration(max(cnt[i], 1)))
	}
}
