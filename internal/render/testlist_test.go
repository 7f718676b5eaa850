package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// causeReport is a report whose causes have the given numbers of failing
// tests, ranked in that order, as the diagnosis lists them: by cause.
func causeReport(sizes ...int) *diagnose.Report {
	r := &diagnose.Report{}
	for c, n := range sizes {
		id := c + 1
		r.Causes = append(r.Causes, diagnose.Cause{ID: id, Rank: id, Kind: "tests", Title: fmt.Sprintf("error %d", id), Tests: n})
		for k := 0; k < n; k++ {
			r.Tests = append(r.Tests, diagnose.Test{
				Rank: len(r.Tests) + 1, Name: fmt.Sprintf("test_c%d_%02d", id, k), Classname: "tests.test_x",
				Status: diagnose.TestFailed, CauseID: id, Message: fmt.Sprintf("error %d", id),
			})
		}
	}
	return r
}

// TestTestsGroupedByCause: a cause with many tests does not push the tests
// of another cause out of the list.
func TestTestsGroupedByCause(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		limit int
		rows  map[int]int // cause id → rows shown
		notes []string
	}{
		{"default limit, one big cause", []int{40, 1}, 0, map[int]int{1: 19, 2: 1},
			[]string{"… and 21 more with the same error (cause 1)", "… 21 more failing tests (--limit N shows more)"}},
		{"limit 5", []int{40, 1}, 5, map[int]int{1: 4, 2: 1}, []string{"… and 36 more with the same error (cause 1)"}},
		{"limit below the causes", []int{40, 1}, 1, map[int]int{1: 1, 2: 0}, []string{"… and 39 more with the same error (cause 1)", "… 40 more failing tests (--limit N shows more)"}},
		{"fair share", []int{10, 10, 2}, 12, map[int]int{1: 5, 2: 5, 3: 2}, []string{"… and 5 more with the same error (cause 1)", "… and 5 more with the same error (cause 2)"}},
		{"rows left over go first", []int{10, 10, 1}, 12, map[int]int{1: 6, 2: 5, 3: 1}, []string{"… and 4 more with the same error (cause 1)"}},
		{"all", []int{40, 1}, -1, map[int]int{1: 40, 2: 1}, nil},
		{"fits", []int{3, 2}, 0, map[int]int{1: 3, 2: 2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := causeReport(tt.sizes...)
			var buf bytes.Buffer
			if err := Text(&buf, r, Options{Limit: tt.limit}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			got := map[int]int{}
			for c := range tt.sizes {
				got[c+1] = strings.Count(out, fmt.Sprintf("\ttests.test_x.test_c%d_", c+1))
			}
			for c, want := range tt.rows {
				if got[c] != want {
					t.Errorf("cause %d: %d rows, want %d\n%s", c, got[c], want, out)
				}
			}
			for _, n := range tt.notes {
				if !strings.Contains(out, n+"\n") {
					t.Errorf("lacks %q\n%s", n, out)
				}
			}
			if tt.notes == nil && strings.Contains(out, "more") {
				t.Errorf("says tests are left out\n%s", out)
			}
		})
	}
}

// TestTestsGroupedOrder: rows keep their ranks, each cause's note follows
// its rows, on a terminal too.
func TestTestsGroupedOrder(t *testing.T) {
	r := causeReport(40, 1)
	for _, o := range []Options{{Limit: 5}, {Limit: 5, TTY: true, Width: 100}} {
		var buf bytes.Buffer
		if err := Text(&buf, r, o); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		a := strings.Index(out, "test_c1_03")
		b := strings.Index(out, "… and 36 more with the same error (cause 1)")
		if a < 0 || b < a || !strings.Contains(out[b:], "test_c2_00") {
			t.Errorf("TTY %v: rows and note out of order:\n%s", o.TTY, out)
		}
		if !strings.Contains(out, "41\tfailed\ttests.test_x.test_c2_00") && !strings.Contains(out, "41 ✗ tests.test_x.test_c2_00") {
			t.Errorf("TTY %v: the second cause's test lost its rank 41:\n%s", o.TTY, out)
		}
	}
}

// TestMarkdownTestsGroupedByCause: the note lists every cause's tests and
// numbers them by rank.
func TestMarkdownTestsGroupedByCause(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, causeReport(40, 1), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, w := range []string{
		"19. `tests.test_x.test_c1_18`",
		"\n\n… and 21 more with the same error \\(cause 1\\)\n\n41. `tests.test_x.test_c2_00`",
		"\n\n… and 21 more failing tests.\n",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("lacks %q:\n%s", w, md)
		}
	}
	if strings.Contains(md, "test_c1_19`") {
		t.Errorf("lists more than 20 tests:\n%s", md)
	}
}
