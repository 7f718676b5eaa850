package render

import (
	"bytes"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// shownLines renders one excerpt as the first cause of a report and returns
// the lines of its block: the gutter lines and the notes.
func shownLines(t *testing.T, ex *diagnose.Excerpt, verbose bool) []string {
	t.Helper()
	r := &diagnose.Report{
		Jobs:   []diagnose.Job{{ID: ex.JobID, Name: "pytest 1/2", WebURL: jobURL("7001")}},
		Causes: []diagnose.Cause{{ID: 1, Rank: 1, Kind: "tests", Title: "boom", JobIDs: []int64{ex.JobID}, Excerpt: ex}},
	}
	var buf bytes.Buffer
	if err := Text(&buf, r, Options{Verbose: verbose}); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, " │ ") || strings.Contains(l, " ┆ ") {
			out = append(out, l)
		}
	}
	return out
}

// indexOf is the index of the first line containing s, or -1.
func indexOf(lines []string, s string) int {
	for i, l := range lines {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}

// TestExcerptWindow: a shortened excerpt keeps the head of the block and
// every matched line, and says where lines are hidden.
func TestExcerptWindow(t *testing.T) {
	tests := []struct {
		name      string
		from, to  int
		highlight []int
		// in order: text that must appear, one line after the other
		want []string
		// text that must not appear
		hidden []string
	}{
		{
			name: "pytest block keeps its heading, trims the middle",
			from: 3680, to: 3697, highlight: []int{3688, 3690},
			want: []string{
				"3680 │ _________________________ test_show_versions_with_blas",
				"3681 │",
				"┆ … 2 lines …",
				"3684 │",
				">3688 │",
				">3690 │ E           TypeError",
				"┆ … 4 lines … (--verbose shows all)",
			},
			hidden: []string{"3682 │", "3694 │", "more lines"},
		},
		{
			name: "error at the end: the trace before it, the head above",
			from: 3662, to: 3673, highlight: []int{3672},
			want:   []string{"3662 │", "3672 │ E", "3673 │"},
			hidden: []string{"┆"},
		},
		{
			name: "matched lines far apart are all shown",
			from: 3590, to: 3697, highlight: []int{3600, 3650, 3672, 3690},
			want: []string{
				"3590 │", "3591 │", "┆ … ", ">3600 │", "┆ … ", ">3650 │", "┆ … ", ">3672 │", "┆ … ", ">3690 │",
				"(--verbose shows all)",
			},
		},
		{
			name: "no matched line: the first lines",
			from: 3662, to: 3697,
			want:   []string{"3662 │", "3673 │", "┆ … 24 lines … (--verbose shows all)"},
			hidden: []string{"3674 │"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := logExcerpt(t, "sklearn-562431016-L3589.log", 3589, tt.from, tt.to, 7001, jobURL("7001"), tt.highlight...)
			lines := shownLines(t, ex, false)
			at := -1
			for _, w := range tt.want {
				i := indexOf(lines[at+1:], w)
				if i < 0 {
					t.Fatalf("no %q after line %d:\n%s", w, at, strings.Join(lines, "\n"))
				}
				at += 1 + i
			}
			for _, h := range tt.hidden {
				if indexOf(lines, h) >= 0 {
					t.Errorf("shows %q:\n%s", h, strings.Join(lines, "\n"))
				}
			}
			if content := len(lines) - strings.Count(strings.Join(lines, "\n"), "┆"); len(tt.highlight) <= 2 && content > excerptWindow+1 {
				t.Errorf("%d lines shown, window is %d", content, excerptWindow)
			}
			// --verbose shows every line, without notes.
			all := shownLines(t, ex, true)
			if len(all) != tt.to-tt.from+1 || indexOf(all, "┆") >= 0 {
				t.Errorf("verbose shows %d lines, want %d without notes", len(all), tt.to-tt.from+1)
			}
		})
	}
}

// TestWindowLinesKeepsMatches checks windowLines directly on edge cases.
func TestWindowLinesKeepsMatches(t *testing.T) {
	mk := func(n, start int, hl ...int) *diagnose.Excerpt {
		ex := &diagnose.Excerpt{StartLine: start, EndLine: start + n - 1, Highlight: hl}
		for i := 0; i < n; i++ {
			ex.Lines = append(ex.Lines, "x")
		}
		return ex
	}
	tests := []struct {
		name   string
		ex     *diagnose.Excerpt
		window int
		want   string // '#' shown, '.' hidden
	}{
		{"short", mk(5, 10, 12), 12, "#####"},
		{"head, gap, trace before the error", mk(14, 33, 46), 12, "##..##########"},
		{"one hidden line is shown", mk(13, 1, 13), 12, "#############"},
		{"matches beyond the window", mk(20, 1, 5, 10, 15, 20), 4, "##..#....#....#....#"},
		{"highlight outside the block ignored", mk(14, 33, 99), 12, "############.."},
		{"failure text (no line numbers)", mk(14, 0, 3), 12, "############.."},
		{"empty", mk(0, 1), 12, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for _, k := range windowLines(tt.ex, tt.window) {
				if k {
					b.WriteByte('#')
				} else {
					b.WriteByte('.')
				}
			}
			if b.String() != tt.want {
				t.Errorf("got %s, want %s", b.String(), tt.want)
			}
		})
	}
}

// TestMarkdownExcerptWindow: the note's excerpt is cut in the middle like
// the terminal's, never at a matched line.
func TestMarkdownExcerptWindow(t *testing.T) {
	ex := logExcerpt(t, "sklearn-562431016-L3589.log", 3589, 3590, 3697, 7001, jobURL("7001"), 3690)
	r := &diagnose.Report{
		Jobs:   []diagnose.Job{{ID: 7001, Name: "pytest 1/2", WebURL: jobURL("7001")}},
		Causes: []diagnose.Cause{{ID: 1, Rank: 1, Kind: "tests", Title: "boom", JobIDs: []int64{7001}, Excerpt: ex}},
	}
	var buf bytes.Buffer
	if err := Markdown(&buf, r, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, w := range []string{" 3590 │", ">3690 │ E", "┆ … "} {
		if !strings.Contains(md, w) {
			t.Errorf("note lacks %q:\n%s", w, md)
		}
	}
	if strings.Contains(md, " 3592 │") {
		t.Errorf("the note is not shortened:\n%s", md)
	}
}

// TestFailureTextExcerpt: a test whose log lines were not found has its
// failure text from the test report as excerpt (no line numbers). It is
// labelled as such, without a line range, line numbers or a #L link.
func TestFailureTextExcerpt(t *testing.T) {
	ex := &diagnose.Excerpt{JobID: 7001, Rule: "test-report", Lines: []string{
		"tests/test_render.py:9: in test_render",
		"    assert render(page) == expected",
		"E   AssertionError: boom",
	}}
	r := &diagnose.Report{
		Jobs:   []diagnose.Job{{ID: 7001, Name: "pytest 1/2", WebURL: jobURL("7001")}},
		Causes: []diagnose.Cause{{ID: 1, Rank: 1, Kind: "tests", Title: "boom", JobIDs: []int64{7001}, Excerpt: ex}},
	}
	render := map[string]func() (string, error){
		"text": func() (string, error) {
			var b bytes.Buffer
			err := Text(&b, r, Options{})
			return b.String(), err
		},
		"terminal": func() (string, error) {
			var b bytes.Buffer
			err := Text(&b, r, Options{TTY: true, Hyperlinks: true, Width: 100})
			return b.String(), err
		},
		"markdown": func() (string, error) {
			var b bytes.Buffer
			err := Markdown(&b, r, MarkdownOptions{})
			return b.String(), err
		},
	}
	tests := []struct {
		format string
		want   []string
	}{
		{"text", []string{"pytest 1/2 · failure text from the test report\n", "   │ tests/test_render.py:9: in test_render\n"}},
		{"terminal", []string{"pytest 1/2 · failure text from the test report\n"}},
		{"markdown", []string{"<summary>Failure text from the test report, <code>pytest 1/2</code></summary>", "  │ E   AssertionError: boom\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out, err := render[tt.format]()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			for _, bad := range []string{"lines 0", "line 0", "#L0", " 0 │", " 2 │", "- log:"} {
				if strings.Contains(out, bad) {
					t.Errorf("shows %q:\n%s", bad, out)
				}
			}
		})
	}
}

// TestVerboseSkipsCoveredJobExcerpts: with --verbose, a job excerpt whose
// lines a cause already showed is not printed again.
func TestVerboseSkipsCoveredJobExcerpts(t *testing.T) {
	cause := logExcerpt(t, "sklearn-562431016-L3589.log", 3589, 3662, 3697, 7001, jobURL("7001"), 3672)
	inside := logExcerpt(t, "sklearn-562431016-L3589.log", 3589, 3670, 3680, 7001, jobURL("7001"), 3672)
	outside := logExcerpt(t, "sklearn-562431016-L3589.log", 3589, 3600, 3610, 7001, jobURL("7001"), 3605)
	r := &diagnose.Report{
		Jobs:   []diagnose.Job{{ID: 7001, Name: "pytest 1/2", WebURL: jobURL("7001"), Excerpts: []diagnose.Excerpt{*inside, *outside}}},
		Causes: []diagnose.Cause{{ID: 1, Rank: 1, Kind: "tests", Title: "boom", JobIDs: []int64{7001}, Excerpt: cause}},
	}
	var buf bytes.Buffer
	if err := Text(&buf, r, Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, "3672 │"); n != 1 {
		t.Errorf("line 3672 printed %d times:\n%s", n, out)
	}
	if !strings.Contains(out, "3605 │") {
		t.Errorf("the other job excerpt is missing:\n%s", out)
	}
}
