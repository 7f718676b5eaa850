package joblog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TestLogChunksScore measures the excerpts against the hand-labelled failure
// chunks of the LogChunks data set, as the bench script does, in-process.
// It runs only when JOBLOG_LOGCHUNKS names the labels.jsonl file, e.g.
//
//	JOBLOG_LOGCHUNKS=/work/shared/fixtures/logchunks/labels.jsonl go test ./internal/joblog -run LogChunks -v
//
// JOBLOG_LOGCHUNKS_VERBOSE=1 also lists the logs whose chunk is not fully
// covered.
func TestLogChunksScore(t *testing.T) {
	labels := os.Getenv("JOBLOG_LOGCHUNKS")
	if labels == "" {
		t.Skip("JOBLOG_LOGCHUNKS is not set")
	}
	f, err := os.Open(labels)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type row struct {
		Log   string `json:"log"`
		Start int    `json:"chunk_start_line"`
		End   int    `json:"chunk_end_line"`
	}
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("reading labels: %v", err)
		}
		if r.Start > 0 {
			rows = append(rows, r)
		}
	}
	verbose := os.Getenv("JOBLOG_LOGCHUNKS_VERBOSE") != ""
	var h1, h3, f3 int
	var budgets []int
	for _, r := range rows {
		data, err := os.ReadFile(filepath.Join(filepath.Dir(labels), r.Log))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Analyze(bytes.NewReader(data), Options{})
		if err != nil {
			t.Fatalf("%s: %v", r.Log, err)
		}
		ex := res.Excerpts
		if len(ex) > 3 {
			ex = ex[:3]
		}
		hit1 := len(ex) > 0 && ex[0].StartLine <= r.End && ex[0].EndLine >= r.Start
		hit3, budget := false, 0
		need := map[int]bool{}
		for l := r.Start; l <= r.End; l++ {
			need[l] = true
		}
		var desc string
		for _, e := range ex {
			if e.StartLine <= r.End && e.EndLine >= r.Start {
				hit3 = true
			}
			budget += e.EndLine - e.StartLine + 1
			for l := e.StartLine; l <= e.EndLine; l++ {
				delete(need, l)
			}
			desc += fmt.Sprintf(" %d-%d:%s", e.StartLine, e.EndLine, e.Rule)
		}
		if hit1 {
			h1++
		}
		if hit3 {
			h3++
		}
		if len(need) == 0 {
			f3++
		}
		budgets = append(budgets, budget)
		if os.Getenv("JOBLOG_LOGCHUNKS_ALL") != "" {
			t.Logf("ALL %s chunk=%d-%d missing=%d budget=%d blocks=%s", r.Log, r.Start, r.End, len(need), budget, desc)
		}
		if verbose && len(need) > 0 {
			state := "PART"
			if !hit3 {
				state = "MISS"
			}
			t.Logf("%s %s chunk=%d-%d missing=%d blocks=%s", state, r.Log, r.Start, r.End, len(need), desc)
		}
	}
	sort.Ints(budgets)
	n := len(rows)
	sum := 0
	for _, b := range budgets {
		sum += b
	}
	med := float64(budgets[n/2])
	if n%2 == 0 {
		med = float64(budgets[n/2-1]+budgets[n/2]) / 2
	}
	pct := func(k int) float64 { return 100 * float64(k) / float64(n) }
	t.Logf("logs %d: hit@1 %.1f%% hit@3 %.1f%% full@3 %.1f%% lines median %.0f mean %d",
		n, pct(h1), pct(h3), pct(f3), med, sum/n)
}
