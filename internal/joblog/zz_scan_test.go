package joblog

import (
	"bytes"
	"sort"
	"testing"
)

func BenchmarkZZScan(b *testing.B) {
	compiledRules()
	data := benchTrace(b, 1<<20)
	var c cleaner
	var lines [][]byte
	total := 0
	for _, raw := range bytes.Split(data, []byte("\n")) {
		l := append([]byte(nil), c.clean(raw)...)
		lines = append(lines, l)
		total += len(l) + 1
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			matcher.scan(l)
		}
	}
}

func BenchmarkZZClean(b *testing.B) {
	data := benchTrace(b, 1<<20)
	raws := bytes.Split(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var c cleaner
	for i := 0; i < b.N; i++ {
		for _, l := range raws {
			c.clean(l)
		}
	}
}

func TestZZFires(t *testing.T) {
	compiledRules()
	data := benchTrace(t, 1<<20)
	var c cleaner
	fires, checks, total, lines := 0, 0, 0, 0
	for _, raw := range bytes.Split(data, []byte("\n")) {
		l := c.clean(raw)
		total += len(l)
		lines++
		for i := 0; i+2 < len(l); i += 2 {
			h := tripleHash(tripleAt(string(l[i:])))
			if matcher.bits[h>>6]&(1<<(h&63)) != 0 {
				fires++
				checks++
			}
		}
	}
	t.Logf("bytes %d lines %d fires %d (1/%d bytes) checks %d", total, lines, fires, total/max(fires, 1), checks)
}

func BenchmarkZZScanEmpty(b *testing.B) {
	km := newKeywordMatcher(nil, 4)
	data := benchTrace(b, 1<<20)
	var c cleaner
	var lines [][]byte
	total := 0
	for _, raw := range bytes.Split(data, []byte("\n")) {
		l := append([]byte(nil), c.clean(raw)...)
		lines = append(lines, l)
		total += len(l) + 1
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			km.scan(l)
		}
	}
}

func BenchmarkZZCalib(b *testing.B) {
	data := benchTrace(b, 1<<20)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	var s uint64
	for i := 0; i < b.N; i++ {
		for _, c := range data {
			s += uint64(c)
		}
	}
	_ = s
}

func TestZZTop(t *testing.T) {
	compiledRules()
	data := benchTrace(t, 1<<20)
	var c cleaner
	cnt := map[string]int{}
	hit := map[string]int{}
	for _, raw := range bytes.Split(data, []byte("\n")) {
		l := c.clean(raw)
		for i := 0; i+2 < len(l); i += 2 {
			h := tripleHash(tripleAt(string(l[i:])))
			if matcher.bits[h>>6]&(1<<(h&63)) != 0 {
				b := bucketOf(h)
				for _, e := range matcher.entries[matcher.first[b]:matcher.first[b+1]] {
					if e.hash == h {
						k := matcher.kws[e.kw]
						cnt[k.text]++
						var m ruleMask
						matcher.check(l, i-int(e.off), &k, &m)
						if !m.isZero() {
							hit[k.text]++
						}
					}
				}
			}
		}
	}
	type kv struct {
		k string
		n int
	}
	var s []kv
	for k, n := range cnt {
		s = append(s, kv{k, n})
	}
	sort.Slice(s, func(a, b int) bool { return s[a].n > s[b].n })
	for _, x := range s[:30] {
		t.Logf("%-30q %5d hits %5d", x.k, x.n, hit[x.k])
	}
}
