package diagnose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
)

// cleanLine is a small stand-in for the log engine's cleaning: trailing
// '\r' dropped, redraws resolved, ANSI escapes removed.
func cleanLine(raw []byte) []byte {
	raw = bytes.TrimSuffix(raw, []byte("\r"))
	if i := bytes.LastIndexByte(raw, '\r'); i >= 0 {
		raw = raw[i+1:]
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		switch b := raw[i]; {
		case b == 0x1b && i+1 < len(raw) && raw[i+1] == '[':
			j := i + 2
			for j < len(raw) && (raw[j] < 0x40 || raw[j] > 0x7e) {
				j++
			}
			i = j
		case b == 0x1b:
			i++
		case b < 0x20 && b != '\t':
		default:
			out = append(out, b)
		}
	}
	return out
}

// logBlocks runs a log file of testdata through testlog's collector.
func logBlocks(t testing.TB, name string) []testlog.Block {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	c := &testlog.Collector{}
	for i, l := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		c.Line(i+1, cleanLine(l))
	}
	return c.Blocks()
}

// linesBlocks runs literal lines through the collector.
func linesBlocks(lines ...string) []testlog.Block {
	c := &testlog.Collector{}
	for i, l := range lines {
		c.Line(i+1, []byte(l))
	}
	return c.Blocks()
}

func failedJob(id int64, name string, cat Category) Job {
	return Job{ID: id, Name: name, Status: StatusFailed, Category: cat, PipelineID: 100, LogLines: 50, WebURL: fmt.Sprintf("https://gitlab.example.com/g/p/-/jobs/%d", id)}
}

func reasonsHave(t *testing.T, what string, reasons []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(reasons, w) {
			t.Errorf("%s: reasons %q lack %q", what, reasons, w)
		}
	}
}

// refusedBody is a pytest failure text for a test whose database is not
// reachable; the test file differs from test to test, the innermost frame
// does not.
func refusedBody(file string, port int) string {
	return fmt.Sprintf("    def test_query(db):\n>       conn = connect(port=%d)\n\n%s:12: \n"+
		"_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _\n\n    def create_connection(address):\n>       sock.connect(sa)\n"+
		"E       ConnectionRefusedError: [Errno 111] Connection refused\n\n/usr/lib/python3.12/socket.py:852: ConnectionRefusedError", port, file)
}

// TestBuildCascade: one ConnectionRefusedError behind 40 tests in two jobs
// is one cause, and it ranks first.
func TestBuildCascade(t *testing.T) {
	ev := Evidence{Pipelines: []Pipeline{{ID: 100, SHA: "9f2c1e7a", Status: StatusFailed, Kind: "root"}}}
	jobs := []Job{failedJob(11, "pytest-db", CategoryTest), failedJob(12, "pytest-api", CategoryTest), failedJob(13, "lint", CategoryLint)}
	jobs[2].Excerpts = []Excerpt{{StartLine: 40, EndLine: 41, Lines: []string{"$ ruff check .", "app/x.py:3:1: F401 `os` imported but unused"}, Highlight: []int{41}}}
	jobs[2].FailingCommand = "ruff check ."
	var logs [2][]string
	for i := 0; i < 40; i++ {
		j := i % 2
		file := fmt.Sprintf("tests/test_mod%02d.py", i)
		name := fmt.Sprintf("test_query_%02d", i)
		ev.Tests = append(ev.Tests, TestCase{JobIDs: []int64{jobs[j].ID}, Classname: strings.TrimSuffix(strings.ReplaceAll(file, "/", "."), ".py"), Name: name,
			Status: TestFailed, Message: "ConnectionRefusedError: [Errno 111] Connection refused", Body: refusedBody(file, 5432+i), Dialect: "pytest"})
		logs[j] = append(logs[j], "________ "+name+" ________", "", strings.ReplaceAll(refusedBody(file, 5432+i), "\n", "\n"))
	}
	// Two assertion failures in the first job, logged before the errors.
	for i, msg := range []string{"assert 3 == 4", "assert 'a' == 'b'"} {
		name := fmt.Sprintf("test_math_%d", i)
		ev.Tests = append(ev.Tests, TestCase{JobIDs: []int64{11}, Classname: "tests.test_math", Name: name, Status: TestFailed,
			Message: "AssertionError: " + msg, Body: ">       " + msg + "\nE       AssertionError: " + msg + "\n\ntests/test_math.py:" + fmt.Sprint(5+i) + ": AssertionError", Dialect: "pytest"})
		logs[0] = append([]string{"________ " + name + " ________", "E       AssertionError: " + msg, "tests/test_math.py:5: AssertionError"}, logs[0]...)
	}
	for j := range logs {
		var lines []string
		for _, l := range logs[j] {
			lines = append(lines, strings.Split(l, "\n")...)
		}
		ev.Jobs = append(ev.Jobs, JobEvidence{Job: jobs[j], Blocks: linesBlocks(append(lines, "===== 22 failed in 3.1s =====")...)})
	}
	ev.Jobs = append(ev.Jobs, JobEvidence{Job: jobs[2]})

	r := Build(ev)
	if len(r.Causes) != 4 {
		t.Fatalf("got %d causes, want 4: %+v", len(r.Causes), r.Causes)
	}
	c := r.Causes[0]
	if c.Kind != "tests" || c.Tests != 40 || !reflect.DeepEqual(c.JobIDs, []int64{11, 12}) {
		t.Fatalf("first cause = %+v, want the 40 ConnectionRefusedError tests in jobs 11 and 12", c)
	}
	if !strings.HasPrefix(c.Title, "ConnectionRefusedError") || c.Signature != "ConnectionRefusedError: [Errno N] Connection refused @ socket.py" {
		t.Errorf("title %q, signature %q", c.Title, c.Signature)
	}
	reasonsHave(t, "cause", c.Reasons, "2 jobs", "40 tests", "error, ranked before assertion failures")
	if c.Excerpt == nil || c.Excerpt.URL != "https://gitlab.example.com/g/p/-/jobs/11#L"+fmt.Sprint(c.Excerpt.StartLine) || len(c.Excerpt.Highlight) == 0 {
		t.Errorf("cause excerpt = %+v", c.Excerpt)
	}
	// The assertion that comes first in the log ranks next, with that reason.
	if r.Causes[1].Title != "AssertionError: assert 'a' == 'b'" {
		t.Errorf("second cause = %+v", r.Causes[1])
	}
	reasonsHave(t, "assertion cause", r.Causes[1].Reasons, "first failure in log of pytest-db")
	// The lint job is an assertion-like failure without tests: after the error.
	lint := r.Causes[3]
	if lint.Kind != "job" || lint.Category != CategoryLint || lint.Title != "app/x.py:3:1: F401 `os` imported but unused" {
		t.Errorf("last cause = %+v", lint)
	}
	if lint.Excerpt == nil || lint.Excerpt.URL != "https://gitlab.example.com/g/p/-/jobs/13#L40" {
		t.Errorf("lint excerpt = %+v", lint.Excerpt)
	}
	reasonsHave(t, "lint cause", lint.Reasons, "lint failure, no test results", "first failure in log of lint")
	tst := r.Tests[0]
	if tst.CauseID != c.ID || tst.Rank != 1 || tst.Framework != testlog.Pytest {
		t.Errorf("first test = %+v", tst)
	}
	reasonsHave(t, "test", tst.Reasons, "same error as 39 other tests")
	if tst.Repro != "pytest tests/test_mod00.py::test_query_00" {
		t.Errorf("repro = %q", tst.Repro)
	}
	if r.Summary.FailingTests != 42 || r.Summary.Causes != 4 || r.Summary.FailedJobs != 3 {
		t.Errorf("summary = %+v", r.Summary)
	}
	// One command per job reruns all its failing tests.
	if len(r.Repro) != 3 || !strings.HasPrefix(r.Repro[0].Commands[0], "pytest \\\n  tests/test_math.py::test_math_0 \\\n  tests/test_math.py::test_math_1 \\\n  tests/test_mod00.py::test_query_00 \\\n") || r.Repro[0].SHA != "9f2c1e7a" {
		t.Errorf("repro = %+v", r.Repro)
	}
	if r.Repro[2].Commands[0] != "ruff check ." {
		t.Errorf("lint repro = %+v", r.Repro[2])
	}
}

// TestBuildParallelSuite: GitLab's test report names the suite "rspec",
// whose three parallel jobs may each have run the test; the job whose log
// reports it is picked.
func TestBuildParallelSuite(t *testing.T) {
	var ev Evidence
	for i, id := range []int64{21, 22, 23} {
		j := JobEvidence{Job: failedJob(id, fmt.Sprintf("rspec %d/3", i+1), CategoryTest)}
		if id == 22 {
			j.Blocks = logBlocks(t, "rspec-discourse.log")
		} else {
			j.Blocks = linesBlocks("Failures:", "", "  1) Other spec fails", "     Failure/Error: expect(1).to eq(2)", "Finished in 1 second")
		}
		ev.Jobs = append(ev.Jobs, j)
	}
	ev.Tests = []TestCase{
		{JobIDs: []int64{21, 22, 23}, Suite: "rspec", Classname: "spec.components.distributed_mutex_spec", Name: "DistributedMutex allows only one mutex object to have the lock at a time",
			Status: TestFailed, Source: "test_report", Body: "Failure/Error: expect(x).to eq(10)\n\n  expected: 10\n       got: 7\n\n  (compared using ==)\n./spec/components/distributed_mutex_spec.rb:29:in `block (2 levels) in <main>'"},
	}
	r := Build(ev)
	if len(r.Tests) != 1 {
		t.Fatalf("got %d tests", len(r.Tests))
	}
	tst := r.Tests[0]
	if !reflect.DeepEqual(tst.JobIDs, []int64{22}) || !reflect.DeepEqual(tst.JobNames, []string{"rspec 2/3"}) {
		t.Errorf("jobs = %v %v, want rspec 2/3 only", tst.JobIDs, tst.JobNames)
	}
	if tst.Excerpt == nil || tst.Excerpt.StartLine != 19 || tst.Excerpt.EndLine != 26 || tst.Excerpt.URL != "https://gitlab.example.com/g/p/-/jobs/22#L19" {
		t.Errorf("excerpt = %+v", tst.Excerpt)
	}
	if tst.Framework != testlog.RSpec || tst.Repro != "bundle exec rspec ./spec/components/distributed_mutex_spec.rb:13" {
		t.Errorf("framework %q, repro %q", tst.Framework, tst.Repro)
	}
	reasonsHave(t, "test", tst.Reasons, "found in the log of rspec 2/3, of 3 parallel jobs")
	// The other two jobs failed on something no test report explains.
	if r.Summary.Causes != 3 || r.Causes[0].Tests != 1 {
		t.Errorf("causes = %+v", r.Causes)
	}
}

// TestBuildNeeds: a build job that fails explains the failures of the jobs
// that need it.
func TestBuildNeeds(t *testing.T) {
	build := failedJob(31, "build", CategoryBuild)
	build.Excerpts = []Excerpt{{StartLine: 120, EndLine: 122, Lines: []string{"$ go build ./...", "./main.go:5:2: undefined: foo", "exit status 1"}, Highlight: []int{121}}}
	build.Hint = "the code does not compile"
	tests := failedJob(32, "unit-tests", CategoryTest)
	tests.Needs = []string{"build"}
	deploy := failedJob(33, "deploy", CategoryScript)
	deploy.Needs = []string{"unit-tests", "not-a-failed-job"}
	deploy.FailureReason = "missing_dependency_failure"
	ev := Evidence{
		// Given in an order unlike the ranking.
		Jobs: []JobEvidence{{Job: deploy}, {Job: tests, Blocks: logBlocks(t, "failed_job_plain.log")}, {Job: build}},
		Tests: []TestCase{
			{JobIDs: []int64{32}, Classname: "github.com/acme/widgets/parser", Name: "TestParseHeader", Status: TestFailed, Message: "Failed", Body: "=== RUN   TestParseHeader\n    parser_test.go:41: ParseHeader(\"a: b\") = \"a\", want \"b\"\n--- FAIL: TestParseHeader (0.00s)\n"},
		},
	}
	r := Build(ev)
	var order []string
	for _, c := range r.Causes {
		order = append(order, strings.Join(c.JobNames, ","))
	}
	if want := []string{"build", "unit-tests", "deploy"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("cause order = %v, want %v", order, want)
	}
	reasonsHave(t, "build", r.Causes[0].Reasons, "build failure, no test results", "1 job (unit-tests) that needs it failed after it")
	reasonsHave(t, "unit-tests", r.Causes[1].Reasons, "explained by build failing first (needs:)")
	reasonsHave(t, "deploy", r.Causes[2].Reasons, "explained by unit-tests failing first (needs:)")
	if r.Causes[0].Title != "./main.go:5:2: undefined: foo" || r.Causes[0].Hint != "the code does not compile" {
		t.Errorf("build cause = %+v", r.Causes[0])
	}
	if r.Causes[2].Title != "missing dependency failure" {
		t.Errorf("deploy title = %q", r.Causes[2].Title)
	}
	reasonsHave(t, "test", r.Tests[0].Reasons, "explained by build failing first (needs:)")
}

// TestBuildFlaky: flaky tests rank last and say so.
func TestBuildFlaky(t *testing.T) {
	ev := Evidence{
		Jobs: []JobEvidence{{Job: failedJob(41, "test", CategoryTest)}},
		Tests: []TestCase{
			// Surefire/nextest: the report marks it flaky.
			{JobIDs: []int64{41}, Classname: "org.acme.FlakyTest", Name: "testFlakyFailure", Status: TestFlaky, Attempts: 2, Type: "java.lang.AssertionError", Message: "boom", Dialect: "surefire"},
			// gotestsum --rerun-fails: failed, then passed in the same job.
			{JobIDs: []int64{41}, Classname: "pkg/a", Name: "TestRetry", Status: TestFailed, Message: "Failed", Body: "    a_test.go:9: timeout"},
			{JobIDs: []int64{41}, Classname: "pkg/a", Name: "TestRetry", Status: TestSuccess},
			// A real failure.
			{JobIDs: []int64{41}, Classname: "pkg/a", Name: "TestBroken", Status: TestFailed, Message: "Failed", Body: "    a_test.go:20: got 1, want 2"},
			{JobIDs: []int64{41}, Classname: "pkg/a", Name: "TestOK", Status: TestSuccess},
		},
	}
	r := Build(ev)
	if r.Summary.FlakyTests != 2 || r.Summary.FailingTests != 1 || r.Summary.TotalTests != 4 {
		t.Errorf("summary = %+v", r.Summary)
	}
	if r.Tests[0].Name != "TestBroken" || r.Tests[0].Status != TestFailed {
		t.Errorf("first test = %+v", r.Tests[0])
	}
	for _, tst := range r.Tests[1:] {
		if tst.Status != TestFlaky {
			t.Errorf("%s: status %s, want flaky", tst.Name, tst.Status)
		}
	}
	for _, c := range r.Causes[1:] {
		reasonsHave(t, c.Title, c.Reasons, "flaky: passed on rerun")
	}
	reasonsHave(t, "surefire flaky test", testNamed(r, "testFlakyFailure").Reasons, "flaky: passed on rerun (2 attempts)")
	if got := testNamed(r, "TestRetry").Attempts; got != 2 {
		t.Errorf("TestRetry attempts = %d, want 2", got)
	}
	// Reruns: only the real failure.
	if len(r.Repro) != 1 || r.Repro[0].Commands[0] != "go test pkg/a -run '^TestBroken$'" {
		t.Errorf("repro = %+v", r.Repro)
	}
}

func testNamed(r *Report, name string) Test {
	for _, t := range r.Tests {
		if t.Name == name {
			return t
		}
	}
	return Test{}
}

// TestBuildNoLogMatch: a test the log does not mention keeps its failure
// text as excerpt.
func TestBuildNoLogMatch(t *testing.T) {
	ev := Evidence{
		Jobs:  []JobEvidence{{Job: failedJob(51, "phpunit", CategoryTest), Blocks: linesBlocks("There was 1 failure:", "", "1) Other\\Test::testOther", "Failed asserting that false is true.", "FAILURES!")}},
		Tests: []TestCase{{JobIDs: []int64{51}, Classname: "PHPUnit.Event.CollectingDispatcherTest", Name: "testCollectsEventsUntilFlush", Type: "PHPUnit\\Framework\\ExpectationFailedException", Body: "PHPUnit\\Event\\CollectingDispatcherTest::testCollectsEventsUntilFlush\nFailed asserting that 0 is identical to 1.\n\n/src/tests/unit/Event/Dispatcher/CollectingDispatcherTest.php:30", Status: TestFailed}},
	}
	r := Build(ev)
	tst := r.Tests[0]
	if tst.Excerpt == nil || tst.Excerpt.StartLine != 0 || tst.Excerpt.URL != "" || tst.Excerpt.Rule != "test-report" || tst.Excerpt.Lines[1] != "Failed asserting that 0 is identical to 1." {
		t.Errorf("excerpt = %+v", tst.Excerpt)
	}
	reasonsHave(t, "test", tst.Reasons, "no log lines found: the excerpt is the test's failure text")
	if len(r.Warnings) != 1 {
		t.Errorf("warnings = %q", r.Warnings)
	}
}

// TestBuildGitLabSynthetic builds the report of the project's synthetic
// GitLab job: its real-format log and GitLab's test_report for it.
func TestBuildGitLabSynthetic(t *testing.T) {
	ev := syntheticEvidence(t)
	r := Build(ev)
	got, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, append(got, '\n'), "synthetic-report.json")
	if len(r.Tests) != 2 {
		t.Fatalf("got %d tests, want TestParseHeader and TestParseBody/empty (the parent folds into its subtest)", len(r.Tests))
	}
	for _, tst := range r.Tests {
		if tst.Excerpt == nil || tst.Excerpt.URL == "" || !strings.Contains(strings.Join(tst.Excerpt.Lines, "\n"), "parser_test.go") {
			t.Errorf("%s: excerpt %+v", tst.Name, tst.Excerpt)
		}
	}
	if r.Repro[0].Commands[0] != "go test github.com/acme/widgets/parser -run '^(TestParseBody|TestParseHeader)$/^empty$'" {
		t.Errorf("repro = %q", r.Repro[0].Commands)
	}
}

func syntheticEvidence(t *testing.T) Evidence {
	data, err := os.ReadFile(filepath.Join("testdata", "test_report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		TestSuites []struct {
			Name      string `json:"name"`
			TestCases []struct {
				Status       string          `json:"status"`
				Name         string          `json:"name"`
				Classname    string          `json:"classname"`
				File         *string         `json:"file"`
				SystemOutput json.RawMessage `json:"system_output"`
			} `json:"test_cases"`
		} `json:"test_suites"`
	}
	if err := json.Unmarshal(data, &tr); err != nil {
		t.Fatal(err)
	}
	job := Job{ID: 8812345, Name: "unit-tests", Stage: "test", PipelineID: 42, Status: StatusFailed, FailureReason: "script_failure",
		WebURL: "https://gitlab.example.com/acme/widgets/-/jobs/8812345", Image: "golang:1.23", Category: CategoryTest,
		FailingCommand: "go test ./... 2>&1 | tee test.log", LogLines: 33, LogBytes: 2484}
	ev := Evidence{
		Project:   Project{Path: "acme/widgets", Host: "gitlab.example.com"},
		Pipelines: []Pipeline{{ID: 42, SHA: "9f2c1e7a", Ref: "feature/parser", Status: StatusFailed, Kind: "root"}},
		Jobs:      []JobEvidence{{Job: job, Blocks: logBlocks(t, "failed_job_plain.log")}},
	}
	for _, s := range tr.TestSuites {
		for _, c := range s.TestCases {
			var out string
			_ = json.Unmarshal(c.SystemOutput, &out)
			tc := TestCase{JobIDs: []int64{job.ID}, Suite: s.Name, Classname: c.Classname, Name: c.Name, Status: TestStatus(c.Status), Body: out, Source: "test_report"}
			if c.File != nil {
				tc.File = *c.File
			}
			ev.Tests = append(ev.Tests, tc)
		}
	}
	return ev
}

// TestBuildDeterministic: the order of the evidence does not change the
// report.
func TestBuildDeterministic(t *testing.T) {
	ev := syntheticEvidence(t)
	ev.Jobs = append(ev.Jobs, JobEvidence{Job: failedJob(7, "lint", CategoryLint)}, JobEvidence{Job: failedJob(8, "docs", CategoryScript)})
	want, _ := json.Marshal(Build(ev))
	for i := 0; i < 5; i++ {
		shuffled := ev
		shuffled.Jobs = slices.Clone(ev.Jobs)
		shuffled.Tests = slices.Clone(ev.Tests)
		slices.Reverse(shuffled.Jobs)
		if i%2 == 0 {
			slices.Reverse(shuffled.Tests)
		}
		shuffled.Jobs[0], shuffled.Jobs[len(shuffled.Jobs)-1] = shuffled.Jobs[len(shuffled.Jobs)-1], shuffled.Jobs[0]
		got, _ := json.Marshal(Build(shuffled))
		if !bytes.Equal(got, want) {
			t.Fatalf("report depends on input order:\n%s\n%s", got, want)
		}
	}
}

func TestBuildEmptyAndBadInput(t *testing.T) {
	r := Build(Evidence{})
	if r.SchemaVersion != SchemaVersion || r.Causes == nil || r.Tests == nil || r.Jobs == nil || r.Repro == nil || r.Warnings == nil || r.Pipeline != nil {
		t.Errorf("empty report = %+v", r)
	}
	// Tests pointing at unknown jobs, empty names, duplicate jobs, jobs
	// that did not fail: no panic, and the failure still ranks.
	r = Build(Evidence{
		Jobs:  []JobEvidence{{Job: Job{ID: 1, Name: "a", Status: StatusSuccess}}, {Job: Job{ID: 2, Status: StatusFailed}}, {Job: Job{ID: 2, Name: "b", Status: StatusFailed, Needs: []string{"b", "a"}}}},
		Tests: []TestCase{{JobIDs: []int64{99}, Status: TestFailed}, {Status: TestError, Name: "x", Message: "\x00\xff"}, {Status: "weird"}},
	})
	if len(r.Jobs) != 1 || r.Jobs[0].Name != "b" || len(r.Tests) != 2 {
		t.Errorf("jobs = %+v, tests = %+v", r.Jobs, r.Tests)
	}
}

func BenchmarkBuild(b *testing.B) {
	var ev Evidence
	for j := 0; j < 20; j++ {
		job := failedJob(int64(j+1), fmt.Sprintf("test %d/20", j+1), CategoryTest)
		var lines []string
		for i := 0; i < 100; i++ {
			name := fmt.Sprintf("test_%d_%d", j, i)
			lines = append(lines, "____ "+name+" ____", "E   ConnectionRefusedError: [Errno 111] Connection refused", "x.py:1: ConnectionRefusedError")
			ev.Tests = append(ev.Tests, TestCase{JobIDs: []int64{job.ID}, Classname: "tests.test_x", Name: name, Status: TestFailed,
				Message: fmt.Sprintf("AssertionError: assert %d == %d", i, i+1), Body: refusedBody("tests/test_x.py", i)})
		}
		ev.Jobs = append(ev.Jobs, JobEvidence{Job: job, Blocks: linesBlocks(lines...)})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Build(ev)
	}
}
