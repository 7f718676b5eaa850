package diagnose

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
)

// rawLines reads a testdata log slice as lines, line ends dropped.
func rawLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		out = append(out, string(cleanLine(l)))
	}
	return out
}

// lineOf is the 1-based number of the first line that starts with prefix
// at or after line from.
func lineOf(t *testing.T, lines []string, from int, prefix string) int {
	t.Helper()
	for i := from - 1; i < len(lines); i++ {
		if i >= 0 && strings.HasPrefix(lines[i], prefix) {
			return i + 1
		}
	}
	t.Fatalf("no line %q after %d", prefix, from)
	return 0
}

// goRerunLog is a gotestsum --rerun-fails log made of two real go test
// runs (go-ethereum's downloader, then rpc package), and gotestsum's rerun
// in which TestClientNotificationStorm passes and
// TestBoundedForkedSync64Fast fails again.
func goRerunLog(t *testing.T) []string {
	lines := append(rawLines(t, "go-ethereum-downloader.log"), rawLines(t, "go-ethereum-rpc.log")...)
	return append(lines,
		"",
		"DONE 1432 tests, 2 failures in 386.112s",
		"=== RUN   TestClientNotificationStorm",
		"--- PASS: TestClientNotificationStorm (2.41s)",
		"PASS",
		"=== RUN   TestBoundedForkedSync64Fast",
		"--- FAIL: TestBoundedForkedSync64Fast (0.21s)",
		"    downloader_test.go:679: failed to synchronise blocks: retrieved hash chain is invalid",
		"FAIL",
		"DONE 2 runs, 1434 tests, 3 failures in 391.840s",
	)
}

// TestBuildRerunLinksFirstFailure: a test that failed twice in one job is
// linked to its first failing block, and "first failure in log" is
// computed from first occurrences.
func TestBuildRerunLinksFirstFailure(t *testing.T) {
	lines := goRerunLog(t)
	first := lineOf(t, lines, 1, "--- FAIL: TestBoundedForkedSync64Fast")
	storm := lineOf(t, lines, 1, "--- FAIL: TestClientNotificationStorm")
	rerun := lineOf(t, lines, first+1, "--- FAIL: TestBoundedForkedSync64Fast")
	if !(first < storm && storm < rerun) {
		t.Fatalf("log order: first %d, storm %d, rerun %d", first, storm, rerun)
	}
	bounded := "--- FAIL: TestBoundedForkedSync64Fast (0.21s)\n    downloader_test.go:679: failed to synchronise blocks: retrieved hash chain is invalid\n"
	ev := Evidence{
		Jobs: []JobEvidence{{Job: failedJob(61, "test:go", CategoryTest), Blocks: linesBlocks(lines...)}},
		Tests: []TestCase{
			{JobIDs: []int64{61}, Classname: "github.com/ethereum/go-ethereum/rpc", Name: "TestClientNotificationStorm", Status: TestFailed, Body: "client_test.go:378: didn't get expected error"},
			{JobIDs: []int64{61}, Classname: "github.com/ethereum/go-ethereum/rpc", Name: "TestClientNotificationStorm", Status: TestSuccess},
			{JobIDs: []int64{61}, Classname: "github.com/ethereum/go-ethereum/eth/downloader", Name: "TestBoundedForkedSync64Fast", Status: TestFailed, Body: bounded},
		},
	}
	r := Build(ev)
	b := testNamed(r, "TestBoundedForkedSync64Fast")
	if b.Excerpt == nil || b.Excerpt.StartLine != first {
		t.Fatalf("TestBoundedForkedSync64Fast excerpt = %+v, want the block at line %d", b.Excerpt, first)
	}
	reasonsHave(t, b.Name, b.Reasons, "first failure in log")
	s := testNamed(r, "TestClientNotificationStorm")
	for _, reason := range s.Reasons {
		if reason == "first failure in log" {
			t.Errorf("the flaky test (line %d) is called the first failure; the other failed at %d", storm, first)
		}
	}
	var firstCause *Cause
	for i := range r.Causes {
		for _, reason := range r.Causes[i].Reasons {
			if strings.HasPrefix(reason, "first failure in log") {
				if firstCause != nil {
					t.Errorf("two causes are the first failure")
				}
				firstCause = &r.Causes[i]
			}
		}
	}
	if firstCause == nil || firstCause.ID != b.CauseID {
		t.Errorf("first failure in log goes to %+v, want cause %d", firstCause, b.CauseID)
	}
	if ex := firstCause.Excerpt; ex == nil || ex.StartLine != first {
		t.Errorf("cause excerpt = %+v, want line %d", ex, first)
	}
}

// TestBlockLinkPrefersFirst checks the choice among blocks of one job.
func TestBlockLinkPrefersFirst(t *testing.T) {
	tests := []struct {
		name   string
		blocks []testlog.Block
		want   int // StartLine of the linked block
		first  int
	}{
		{"rerun: the first failure, though shorter",
			[]testlog.Block{{Framework: "go", Test: "TestX", StartLine: 10, EndLine: 11}, {Framework: "go", Test: "TestX", StartLine: 50, EndLine: 53}}, 10, 10},
		{"a section over an earlier one-line mention",
			[]testlog.Block{{Framework: "go", Test: "TestX", StartLine: 5, EndLine: 5}, {Framework: "go", Test: "TestX", StartLine: 50, EndLine: 53}}, 50, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := newBlockIndex([]JobEvidence{{Blocks: tt.blocks}})
			got := ix.find(&TestCase{Classname: "pkg", Name: "TestX"})
			l, ok := got[0]
			if !ok {
				t.Fatal("no link")
			}
			if s := tt.blocks[l.block].StartLine; s != tt.want || l.first != tt.first {
				t.Errorf("linked block at %d (first %d), want %d (first %d)", s, l.first, tt.want, tt.first)
			}
		})
	}
}

// TestCanonNameIgnoresControlSequences: a name compares the same with and
// without the terminal sequences the log engine strips from log lines.
func TestCanonNameIgnoresControlSequences(t *testing.T) {
	tests := []struct{ report, log string }{
		{"test_render[\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 </details> @all]", "test_render[click </details> @all]"},
		{"\x1b[31m\x1b[1mtest_colour\x1b[0m", "test_colour"},
		{"test_osc52[\x1b]52;c;ZWNobyBwd25lZA==\x07x]", "test_osc52[x]"},
		{"test_bell\x07", "test_bell"},
		{"test_c1_csi[\u009b2Jx]", "test_c1_csi[x]"},
	}
	for _, tt := range tests {
		if a, b := canonName(tt.report), canonName(tt.log); a != b || a == "" {
			t.Errorf("canonName(%q) = %q, canonName(%q) = %q", tt.report, a, tt.log, b)
		}
	}
}

// TestBuildLinksNameWithEscapes: the test report keeps the escape
// sequences of a test's name; the log engine stripped them from the log
// line. The test is still linked to its log block.
func TestBuildLinksNameWithEscapes(t *testing.T) {
	osc8 := "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07"
	name := "test_render[" + osc8 + " </details> @all ``` #1 !2]"
	raw := []string{
		"=================================== FAILURES ===================================",
		"_____________________ " + name + " _____________________",
		"tests/test_render.py:9: in test_render",
		"    assert render(page) == expected",
		"E   AssertionError: " + osc8,
		"=========================== short test summary info ============================",
		"1 failed in 0.12s",
	}
	var lines []string
	for _, l := range raw {
		lines = append(lines, joblog.CleanLine([]byte(l))) // what the log engine hands on
	}
	ev := Evidence{
		Jobs: []JobEvidence{{Job: failedJob(71, "lint", CategoryTest), Blocks: linesBlocks(lines...)}},
		Tests: []TestCase{{JobIDs: []int64{71}, Classname: "tests.test_render", Name: name, Status: TestFailed,
			Body: "tests/test_render.py:9: in test_render\n    assert render(page) == expected\nE   AssertionError: " + osc8}},
	}
	r := Build(ev)
	tc := testNamed(r, name)
	if tc.Excerpt == nil || tc.Excerpt.StartLine != 2 {
		t.Fatalf("excerpt = %+v, want the log block at line 2", tc.Excerpt)
	}
	for _, reason := range tc.Reasons {
		if strings.HasPrefix(reason, "no log lines found") {
			t.Errorf("reasons %q: the test is not linked", tc.Reasons)
		}
	}
	if len(r.Warnings) != 0 {
		t.Errorf("warnings %q", r.Warnings)
	}
}

// TestUnlinkedWarningAgrees: the warning about tests without log lines
// agrees in number.
func TestUnlinkedWarningAgrees(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{1, "1 failing test was not found in any job log; its excerpt is the failure text from the test report"},
		{2, "2 failing tests were not found in any job log; their excerpts are the failure text from the test report"},
	}
	for _, tt := range tests {
		ev := Evidence{Jobs: []JobEvidence{{Job: failedJob(81, "unit", CategoryTest)}}}
		for i := 0; i < tt.n; i++ {
			ev.Tests = append(ev.Tests, TestCase{JobIDs: []int64{81}, Classname: "pkg", Name: "TestMissing" + string(rune('A'+i)), Status: TestFailed, Body: "x_test.go:1: boom"})
		}
		r := Build(ev)
		if len(r.Warnings) != 1 || r.Warnings[0] != tt.want {
			t.Errorf("%d unlinked: warnings %q, want %q", tt.n, r.Warnings, tt.want)
		}
	}
}

// TestMergeExcerpts: no two excerpts of a job show the same line.
func TestMergeExcerpts(t *testing.T) {
	ex := func(start, end int, hl ...int) Excerpt {
		e := Excerpt{JobID: 7, StartLine: start, EndLine: end, Highlight: hl, Rule: "r" + strconv.Itoa(start), URL: "https://gitlab.example.com/g/p/-/jobs/7#L" + strconv.Itoa(start)}
		for n := start; n <= end; n++ {
			e.Lines = append(e.Lines, "line "+strconv.Itoa(n))
		}
		return e
	}
	type span struct{ start, end int }
	tests := []struct {
		name string
		in   []Excerpt
		want []span
	}{
		{"inside another", []Excerpt{ex(75, 80, 76), ex(100, 122, 101), ex(114, 120, 115)}, []span{{75, 80}, {100, 122}}},
		{"the better ranked keeps its place", []Excerpt{ex(114, 120, 115), ex(75, 80), ex(100, 122)}, []span{{100, 122}, {75, 80}}},
		{"overlapping joined", []Excerpt{ex(10, 20, 12), ex(18, 30, 25)}, []span{{10, 30}}},
		{"chain", []Excerpt{ex(10, 20), ex(40, 50), ex(19, 41)}, []span{{10, 50}}},
		{"adjacent kept apart", []Excerpt{ex(10, 20), ex(21, 30)}, []span{{10, 20}, {21, 30}}},
		{"other job kept", []Excerpt{ex(10, 20), {JobID: 8, StartLine: 15, EndLine: 15, Lines: []string{"x"}}}, []span{{10, 20}, {15, 15}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := fmt.Sprint(tt.in)
			got := mergeExcerpts(tt.in)
			if fmt.Sprint(tt.in) != before {
				t.Error("the input was modified")
			}
			var spans []span
			for _, e := range got {
				spans = append(spans, span{e.StartLine, e.EndLine})
				if e.JobID == 7 {
					if len(e.Lines) != e.EndLine-e.StartLine+1 || e.Lines[0] != "line "+strconv.Itoa(e.StartLine) || e.Lines[len(e.Lines)-1] != "line "+strconv.Itoa(e.EndLine) {
						t.Errorf("%d–%d holds %q", e.StartLine, e.EndLine, e.Lines)
					}
					if !strings.HasSuffix(e.URL, "#L"+strconv.Itoa(e.StartLine)) {
						t.Errorf("%d–%d links %s", e.StartLine, e.EndLine, e.URL)
					}
				}
			}
			if !reflect.DeepEqual(spans, tt.want) {
				t.Errorf("got %v, want %v", spans, tt.want)
			}
		})
	}
	// Matched lines of a dropped excerpt stay matched.
	got := mergeExcerpts([]Excerpt{ex(10, 20, 12), ex(18, 30, 25)})
	if !reflect.DeepEqual(got[0].Highlight, []int{12, 25}) {
		t.Errorf("highlight = %v", got[0].Highlight)
	}
}

// TestBuildJobExcerptsDoNotOverlap: the report's job excerpts show no line
// twice.
func TestBuildJobExcerptsDoNotOverlap(t *testing.T) {
	job := failedJob(91, "test:go", CategoryTest)
	lines := goRerunLog(t)
	for _, r := range [][2]int{{75, 80}, {100, 122}, {114, 120}} {
		e := Excerpt{StartLine: r[0], EndLine: r[1], Lines: lines[r[0]-1 : r[1]], Highlight: []int{r[0] + 1}}
		job.Excerpts = append(job.Excerpts, e)
	}
	r := Build(Evidence{Jobs: []JobEvidence{{Job: job}}})
	seen := map[int]bool{}
	for _, e := range r.Jobs[0].Excerpts {
		for n := e.StartLine; n <= e.EndLine; n++ {
			if seen[n] {
				t.Errorf("line %d shown twice: %+v", n, r.Jobs[0].Excerpts)
			}
			seen[n] = true
		}
	}
	if len(r.Jobs[0].Excerpts) != 2 {
		t.Errorf("%d excerpts, want 2", len(r.Jobs[0].Excerpts))
	}
}
