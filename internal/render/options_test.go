package render

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// manyTests is the python report with n failing tests.
func manyTests(t *testing.T, n int) *diagnose.Report {
	r := pythonReport(t)
	base := r.Tests[0]
	r.Tests = nil
	for i := 1; i <= n; i++ {
		tc := base
		tc.Rank = i
		tc.Name = "test_case_" + strings.Repeat("x", i%3) + string(rune('a'+i%26))
		r.Tests = append(r.Tests, tc)
	}
	return r
}

func countTestRows(out string) int {
	i := strings.Index(out, "\nFailing tests\n")
	if i < 0 {
		return 0
	}
	n := 0
	for _, l := range strings.Split(out[i+len("\nFailing tests\n"):], "\n") {
		if l == "" {
			break
		}
		if strings.Count(l, "\t") == 4 {
			n++
		}
	}
	return n
}

func TestLimit(t *testing.T) {
	tests := []struct {
		name      string
		tests     int
		limit     int
		wantRows  int
		wantMore  string
		wantNoMsg bool
	}{
		{"default caps at 20", 25, 0, 20, "… 5 more failing tests", false},
		{"explicit limit", 25, 3, 3, "… 22 more failing tests", false},
		{"negative shows all", 25, -1, 25, "", true},
		{"limit above count", 4, 10, 4, "", true},
		{"one", 2, 1, 1, "… 1 more failing test ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Text(&buf, manyTests(t, tt.tests), Options{Limit: tt.limit}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if got := countTestRows(out); got != tt.wantRows {
				t.Errorf("printed %d tests, want %d", got, tt.wantRows)
			}
			if tt.wantNoMsg && strings.Contains(out, "more failing test") {
				t.Errorf("says there are more tests when there are none")
			}
			if !tt.wantNoMsg && !strings.Contains(out, tt.wantMore) {
				t.Errorf("lacks %q", tt.wantMore)
			}
		})
	}
}

func TestVerbose(t *testing.T) {
	r := pythonReport(t)
	var quiet, verbose bytes.Buffer
	if err := Text(&quiet, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Text(&verbose, r, Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	// Line 3662 opens the first cause's excerpt and is always shown; line
	// 3677, after the match, is hidden without --verbose.
	for _, c := range []struct {
		text          string
		quiet, verbos bool
	}{
		{"3662 │", true, true},
		{"3677 │", false, true},
		{"3672 │ E                   TypeError", true, true},
		{"--verbose shows all", true, false},
		{"$ pytest 'sklearn/svm/tests/test_sparse.py::test_sparse_realdata'", false, true},
	} {
		if got := strings.Contains(quiet.String(), c.text); got != c.quiet {
			t.Errorf("without --verbose, contains %q = %v, want %v", c.text, got, c.quiet)
		}
		if got := strings.Contains(verbose.String(), c.text); got != c.verbos {
			t.Errorf("with --verbose, contains %q = %v, want %v", c.text, got, c.verbos)
		}
	}
}

func TestNoColorNoEscapes(t *testing.T) {
	for name, r := range reports(t) {
		for _, o := range []Options{{}, {TTY: true, Width: 80}, {Verbose: true}} {
			var buf bytes.Buffer
			if err := Text(&buf, r, o); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsRune(buf.String(), 0x1b) {
				t.Errorf("%s %+v: escape sequence without colour or links", name, o)
			}
		}
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestErrors(t *testing.T) {
	r := pythonReport(t)
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"text nil report", func() error { return Text(&bytes.Buffer{}, nil, Options{}) }, "no report"},
		{"json nil report", func() error { return JSON(&bytes.Buffer{}, nil) }, "no report"},
		{"markdown nil report", func() error { return Markdown(&bytes.Buffer{}, nil, MarkdownOptions{}) }, "no report"},
		{"text write fails", func() error { return Text(&failingWriter{after: 3}, r, Options{}) }, "disk full"},
		{"tty table write fails", func() error { return Text(&failingWriter{after: 60}, r, Options{TTY: true}) }, "disk full"},
		{"json write fails", func() error { return JSON(&failingWriter{}, r) }, "disk full"},
		{"markdown write fails", func() error { return Markdown(&failingWriter{}, r, MarkdownOptions{}) }, "disk full"},
		{"marker closing the comment", func() error { return Markdown(&bytes.Buffer{}, r, MarkdownOptions{Marker: "x --> @all"}) }, "marker"},
		{"marker with newline", func() error { return Markdown(&bytes.Buffer{}, r, MarkdownOptions{Marker: "x\ny"}) }, "marker"},
		{"marker ending in dash", func() error { return Markdown(&bytes.Buffer{}, r, MarkdownOptions{Marker: "x-"}) }, "marker"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want one that mentions %q", err, c.want)
			}
		})
	}
}

// TestEmptyAndPartialReports: reports with parts missing never panic and
// still say something.
func TestEmptyAndPartialReports(t *testing.T) {
	reports := map[string]*diagnose.Report{
		"zero":        {},
		"no pipeline": {Project: diagnose.Project{Path: "g/p"}, Warnings: []string{"pipeline 9 not found"}},
		"dangling ids": {
			Causes: []diagnose.Cause{{ID: 1, JobIDs: []int64{99}, Excerpt: &diagnose.Excerpt{JobID: 98, StartLine: 5, Lines: []string{"x"}, Highlight: []int{1000}}}},
			Tests:  []diagnose.Test{{JobIDs: []int64{97}, Excerpt: &diagnose.Excerpt{}}},
			Jobs:   []diagnose.Job{{ID: 1, Excerpts: []diagnose.Excerpt{{}}}},
			Repro:  []diagnose.Repro{{}},
		},
		"pipeline only in list": {Pipelines: []diagnose.Pipeline{{ID: 3, Status: diagnose.StatusCanceled}}},
	}
	for name, r := range reports {
		for _, o := range []Options{{}, {TTY: true, Color: true, Hyperlinks: true, Verbose: true, Width: 1}} {
			var buf bytes.Buffer
			if err := Text(&buf, r, o); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if buf.Len() == 0 {
				t.Errorf("%s: no output", name)
			}
		}
		var buf bytes.Buffer
		if err := Markdown(&buf, r, MarkdownOptions{Changes: &Changes{}}); err != nil {
			t.Errorf("%s markdown: %v", name, err)
		}
		checkMarkdownInert(t, buf.String())
		if err := JSON(&buf, r); err != nil {
			t.Errorf("%s json: %v", name, err)
		}
	}
}
