package commands

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
)

// Scenarios served by the fake GitLab for the golden reports. Each one is a
// failed pipeline whose job logs are real CI output (see testdata/README.md)
// wrapped in gitlab-runner's framing, with the test report GitLab's parser
// would return for it.

const (
	scenarioToken  = "glpat-scenario-fake-token-0000"
	scenarioWebURL = "https://gitlab.example.com"
)

// scenario is one pipeline to diagnose.
type scenario struct {
	name     string
	project  string
	pipeline int64
	build    func(tb testing.TB) *fakegitlab.Scenario
}

// pipelineURL is the web address of the scenario's pipeline, the argument
// the command is given.
func (s scenario) pipelineURL() string {
	return fmt.Sprintf("%s/%s/-/pipelines/%d", scenarioWebURL, s.project, s.pipeline)
}

func goldenScenarios() []scenario {
	return []scenario{
		{name: "multijob", project: fakegitlab.DemoProjectPath, pipeline: fakegitlab.DemoPipelineID, build: demoScenario},
		{name: "parallel", project: "acme/shop/storefront", pipeline: 61001, build: parallelScenario},
		{name: "cascade", project: "acme/platform/ledger", pipeline: 62001, build: cascadeScenario},
		{name: "flaky", project: "acme/chain/node", pipeline: 63001, build: flakyScenario},
		{name: "infra", project: "acme/web/portal", pipeline: 64001, build: infraScenario},
	}
}

// demoScenario is the embedded demo (multi-job, child pipeline, a cause
// shared by two parallel jobs), with the scenario token added.
func demoScenario(tb testing.TB) *fakegitlab.Scenario {
	sc, err := fakegitlab.Demo()
	if err != nil {
		tb.Fatal(err)
	}
	sc.Tokens = append(sc.Tokens, fakegitlab.Token{Value: scenarioToken, Kind: fakegitlab.TokenPersonal})
	return sc
}

func readLog(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "logs", name))
	if err != nil {
		tb.Fatalf("reading log fixture: %v", err)
	}
	return string(b)
}

// newScenario starts a scenario with one project and its failed pipeline.
func newScenario(projectID int64, path string, p fakegitlab.Pipeline) *fakegitlab.Scenario {
	sc := fakegitlab.NewScenario(scenarioToken)
	sc.WebBaseURL = scenarioWebURL
	sc.AddProject(fakegitlab.Project{ID: projectID, PathWithNamespace: path})
	p.ProjectID = projectID
	if p.IID == 0 {
		p.IID = p.ID % 1000
	}
	if p.Status == "" {
		p.Status = "failed"
	}
	if p.CreatedAt == "" {
		p.CreatedAt = "2026-03-02T10:00:00.000Z"
	}
	sc.AddPipeline(p)
	return sc
}

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

// runnerLog writes a job log the way gitlab-runner (docker executor, plain
// format) frames it: collapsible sections whose markers end in \r\e[0K, the
// runner's colour wrapping, the bold green echo of every script command
// (lines of script starting with "$ "), and the terminal line on the line of
// the last section_end.
type runnerLog struct {
	image   string
	project string // full path, for /builds/<path>
	ref     string
	sha     string
	start   int64 // unix time of the first section
	script  string
	final   string // "ERROR: Job failed: exit code 1", or "" for success
	// prepare replaces the script: lines printed while preparing the
	// executor, after which the job fails with final.
	prepare []string
}

func (r runnerLog) bytes() []byte {
	var b bytes.Buffer
	t := r.start
	digest := "sha256:7c1b3e5d9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e"
	section := func(name, title string) {
		fmt.Fprintf(&b, "section_start:%d:%s\r\x1b[0K\x1b[0K\x1b[36;1m%s\x1b[0;m\x1b[0;m\n", t, name, title)
	}
	end := func(name string, d int64) {
		t += d
		fmt.Fprintf(&b, "section_end:%d:%s\r\x1b[0K", t, name)
	}
	b.WriteString("\x1b[0KRunning with gitlab-runner 18.5.0 (bda84871)\x1b[0;m\n")
	b.WriteString("\x1b[0K  on acme-docker-autoscaler-2 t2_Vq8KpR, system ID: s_5b0e3f9a1c7d\x1b[0;m\n")
	section("prepare_executor", `Preparing the "docker" executor`)
	fmt.Fprintf(&b, "\x1b[0KUsing Docker executor with image %s ...\x1b[0;m\n", r.image)
	if r.prepare != nil {
		for _, l := range r.prepare {
			b.WriteString(l + "\n")
		}
		end("prepare_executor", 9)
		fmt.Fprintf(&b, "\x1b[31;1m%s\x1b[0;m\n", r.final)
		return b.Bytes()
	}
	fmt.Fprintf(&b, "\x1b[0KPulling docker image %s ...\x1b[0;m\n", r.image)
	base := r.image
	if i := strings.IndexByte(base, ':'); i > 0 {
		base = base[:i]
	}
	using := fmt.Sprintf("\x1b[0KUsing docker image %s for %s with digest %s@%s ...\x1b[0;m\n", digest, r.image, base, digest)
	b.WriteString(using)
	end("prepare_executor", 4)
	section("prepare_script", "Preparing environment")
	b.WriteString("Running on runner-t2vq8kpr-project-5100-concurrent-0 via acme-docker-autoscaler-2...\n")
	end("prepare_script", 1)
	section("get_sources", "Getting source from Git repository")
	b.WriteString("\x1b[32;1mFetching changes with git depth set to 20...\x1b[0;m\n")
	fmt.Fprintf(&b, "Initialized empty Git repository in /builds/%s/.git/\n", r.project)
	b.WriteString("\x1b[32;1mCreated fresh repository.\x1b[0;m\n")
	fmt.Fprintf(&b, "\x1b[32;1mChecking out %s as detached HEAD (ref is %s)...\x1b[0;m\n\n", r.sha[:8], r.ref)
	b.WriteString("\x1b[32;1mSkipping Git submodules setup\x1b[0;m\n")
	end("get_sources", 2)
	section("step_script", `Executing "step_script" stage of the job script`)
	b.WriteString(using)
	for _, l := range strings.Split(strings.TrimSuffix(r.script, "\n"), "\n") {
		if strings.HasPrefix(l, "$ ") {
			fmt.Fprintf(&b, "\x1b[32;1m%s\x1b[0;m\n", l)
			continue
		}
		b.WriteString(l + "\n")
	}
	end("step_script", 30)
	section("cleanup_file_variables", "Cleaning up project directory and file based variables")
	end("cleanup_file_variables", 1)
	if r.final == "" {
		b.WriteString("\x1b[32;1mJob succeeded\x1b[0;m\n")
	} else {
		fmt.Fprintf(&b, "\x1b[31;1m%s\x1b[0;m\n", r.final)
	}
	return b.Bytes()
}

// reportCase is one test case of GitLab's pipeline test report.
type reportCase struct {
	Status    string  `json:"status"`
	Name      string  `json:"name"`
	Classname string  `json:"classname"`
	File      *string `json:"file"`
	Time      float64 `json:"execution_time"`
	Output    *string `json:"system_output"`
	Stack     *string `json:"stack_trace"`
	Recent    *string `json:"recent_failures"`
}

// reportSuite is one suite (a job group) with the jobs that ran it.
type reportSuite struct {
	name   string
	builds []int64
	cases  []reportCase
}

func strp(s string) *string { return &s }

// testReport renders GitLab's test_report and test_report_summary answers:
// cases ordered error, failed, success, skipped, then by time descending;
// counts per suite and in total; build_ids only in the summary.
func testReport(tb testing.TB, suites ...reportSuite) (json.RawMessage, json.RawMessage) {
	tb.Helper()
	type counts struct {
		Time    float64 `json:"total_time"`
		Count   int     `json:"total_count"`
		Success int     `json:"success_count"`
		Failed  int     `json:"failed_count"`
		Skipped int     `json:"skipped_count"`
		Error   int     `json:"error_count"`
	}
	type suiteJSON struct {
		Name string `json:"name"`
		counts
		SuiteError *string      `json:"suite_error"`
		TestCases  []reportCase `json:"test_cases"`
	}
	type summarySuite struct {
		Name string `json:"name"`
		counts
		BuildIDs   []int64 `json:"build_ids"`
		SuiteError *string `json:"suite_error"`
	}
	order := map[string]int{"error": 0, "failed": 1, "success": 2, "skipped": 3}
	var rep struct {
		counts
		TestSuites []suiteJSON `json:"test_suites"`
	}
	var sum struct {
		Total struct {
			Time       float64 `json:"time"`
			Count      int     `json:"count"`
			Success    int     `json:"success"`
			Failed     int     `json:"failed"`
			Skipped    int     `json:"skipped"`
			Error      int     `json:"error"`
			SuiteError *string `json:"suite_error"`
		} `json:"total"`
		TestSuites []summarySuite `json:"test_suites"`
	}
	for _, s := range suites {
		cs := append([]reportCase(nil), s.cases...)
		sort.SliceStable(cs, func(i, j int) bool {
			if order[cs[i].Status] != order[cs[j].Status] {
				return order[cs[i].Status] < order[cs[j].Status]
			}
			return cs[i].Time > cs[j].Time
		})
		var c counts
		for _, tc := range cs {
			c.Count++
			c.Time += tc.Time
			switch tc.Status {
			case "success":
				c.Success++
			case "failed":
				c.Failed++
			case "skipped":
				c.Skipped++
			case "error":
				c.Error++
			}
		}
		c.Time = float64(int64(c.Time*1000+0.5)) / 1000
		rep.TestSuites = append(rep.TestSuites, suiteJSON{Name: s.name, counts: c, TestCases: cs})
		sum.TestSuites = append(sum.TestSuites, summarySuite{Name: s.name, counts: c, BuildIDs: s.builds})
		rep.Time += c.Time
		rep.Count += c.Count
		rep.Success += c.Success
		rep.Failed += c.Failed
		rep.Skipped += c.Skipped
		rep.Error += c.Error
	}
	sum.Total.Time, sum.Total.Count, sum.Total.Success = rep.Time, rep.Count, rep.Success
	sum.Total.Failed, sum.Total.Skipped, sum.Total.Error = rep.Failed, rep.Skipped, rep.Error
	r, err := json.Marshal(rep)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := json.Marshal(sum)
	if err != nil {
		tb.Fatal(err)
	}
	return r, s
}

// parallelScenario: rspec split over three jobs of one suite. rspec 1/3
// and 2/3 fail, each with specs that only its own log shows; rspec 3/3
// passed. GitLab's report names the suite "rspec" and links it to all three
// jobs only through the summary's build_ids.
func parallelScenario(tb testing.TB) *fakegitlab.Scenario {
	const (
		sha = "8d4f2a6c1e3b5d7f9a0c2e4b6d8f1a3c5e7b9d0f"
		ref = "feature/checkout"
	)
	sc := newScenario(5101, "acme/shop/storefront", fakegitlab.Pipeline{ID: 61001, SHA: sha, Ref: ref, Duration: i64(901)})
	log := func(start int64, script, final string) []byte {
		return runnerLog{image: "ruby:3.3", project: "acme/shop/storefront", ref: ref, sha: sha, start: start,
			script: script, final: final}.bytes()
	}
	rspec := "$ bundle exec rspec --tag ~slow $(bin/split-specs $CI_NODE_INDEX $CI_NODE_TOTAL)\n"
	sc.AddJob(fakegitlab.Job{ID: 7100101, PipelineID: 61001, Name: "rspec 1/3", Stage: "test", Status: "failed",
		Duration: f64(812.4)}, log(1772445600, rspec+readLog(tb, "rspec-discourse-mutex.log"), "ERROR: Job failed: exit code 1"))
	sc.AddJob(fakegitlab.Job{ID: 7100102, PipelineID: 61001, Name: "rspec 2/3", Stage: "test", Status: "failed",
		Duration: f64(95.1)}, log(1772445601, rspec+readLog(tb, "rspec-gitlab-test-sum.log"), "ERROR: Job failed: exit code 1"))
	sc.AddJob(fakegitlab.Job{ID: 7100103, PipelineID: 61001, Name: "rspec 3/3", Stage: "test", Status: "success",
		Duration: f64(640.0)}, log(1772445602, rspec+"Randomized with seed 5120\n....\n\nFinished in 10 minutes 38 seconds (files took 11.9 seconds to load)\n4211 examples, 0 failures\n", ""))

	mutexOut := "Failure/Error: expect(x).to eq(10)\n\n  expected: 10\n       got: 7\n\n  (compared using ==)\n" +
		"./spec/components/distributed_mutex_spec.rb:29:in `block (2 levels) in <main>'"
	sum1 := "Failure/Error: is_expected.to eq(3)\n\n  expected: 3\n       got: -1\n\n  (compared using ==)\n" +
		"./spec/test_spec.rb:12:in `block (4 levels) in <top (required)>'"
	sum2 := "Failure/Error: is_expected.to eq(300)\n\n  expected: 300\n       got: -100\n\n  (compared using ==)\n" +
		"./spec/test_spec.rb:21:in `block (4 levels) in <top (required)>'"
	rep, summary := testReport(tb, reportSuite{name: "rspec", builds: []int64{7100101, 7100102, 7100103}, cases: []reportCase{
		{Status: "failed", Classname: "spec.components.distributed_mutex_spec", Name: "DistributedMutex allows only one mutex object to have the lock at a time",
			File: strp("./spec/components/distributed_mutex_spec.rb"), Time: 2.311, Output: strp(mutexOut)},
		{Status: "failed", Classname: "spec.test_spec", Name: "Test#sum when a is 1 and b is 2 returns summary",
			File: strp("./spec/test_spec.rb"), Time: 0.009292, Output: strp(sum1)},
		{Status: "failed", Classname: "spec.test_spec", Name: "Test#sum when a is 100 and b is 200 returns summary",
			File: strp("./spec/test_spec.rb"), Time: 0.00018, Output: strp(sum2)},
		{Status: "success", Classname: "spec.test_spec", Name: "Test#subtract when a is 1 and b is 2 raises an error",
			File: strp("./spec/test_spec.rb"), Time: 0.000748},
		{Status: "success", Classname: "spec.test_spec", Name: "Test#subtract when a is 2 and b is 1 returns correct result",
			File: strp("./spec/test_spec.rb"), Time: 0.000064},
		{Status: "success", Classname: "spec.models.theme_spec", Name: "Theme #transform_ids works with numbers",
			File: strp("./spec/models/theme_spec.rb"), Time: 0.041},
		{Status: "skipped", Classname: "spec.models.theme_spec", Name: "Theme #transform_ids works with nil values",
			File: strp("./spec/models/theme_spec.rb"), Output: strp("Temporarily skipped with xit")},
	}})
	sc.TestReports[61001] = rep
	sc.TestReportSummaries[61001] = summary
	return sc
}

// cascadeTests names the tests that all fail on one refused database
// connection, spread over two parallel pytest jobs.
func cascadeTests() [2][]string {
	resources := []string{"invoices", "payments", "ledger", "refunds", "accounts"}
	actions := []string{"create_persists", "list_paginates", "update_is_audited", "delete_is_soft"}
	var out [2][]string
	n := 0
	for _, r := range resources {
		for _, a := range actions {
			for _, suffix := range []string{"", "_as_admin"} {
				name := fmt.Sprintf("tests/integration/test_%s.py::test_%s_%s%s", r, strings.TrimSuffix(r, "s"), a, suffix)
				out[n%2] = append(out[n%2], name)
				n++
			}
		}
	}
	return out
}

// cascadeScenario: one refused database connection behind 40 failing tests
// in two jobs, next to one unrelated assertion failure.
func cascadeScenario(tb testing.TB) *fakegitlab.Scenario {
	const (
		sha = "4e6a8c0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c"
		ref = "main"
	)
	sc := newScenario(5102, "acme/platform/ledger", fakegitlab.Pipeline{ID: 62001, SHA: sha, Ref: ref, Duration: i64(233)})
	header := readLog(tb, "pytest-session-header.log")
	block := readLog(tb, "pytest-connrefused-block.log")
	const (
		demoName = "test_create_invoice_persists"
		demoLoc  = "tests/integration/test_invoices.py:21"
		errLine  = "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5432)"
	)
	var cases []reportCase
	groups := cascadeTests()
	for g, names := range groups {
		var s strings.Builder
		s.WriteString(header)
		fmt.Fprintf(&s, "\x1b[1mcollecting ... \x1b[0m\x1b[1mcollected 128 items / 64 deselected / 64 selected\x1b[0m\n")
		fmt.Fprintf(&s, "[pytest-split] Running group %d/2 (estimated duration: 4.10s)\n\n", g+1)
		fmt.Fprintf(&s, "tests/integration/ %s\x1b[31m [100%%]\x1b[0m\n\n", strings.Repeat("\x1b[31mF\x1b[0m", len(names)))
		s.WriteString("=================================== FAILURES ===================================\n")
		var summary strings.Builder
		for i, nodeid := range names {
			file, fn, _ := strings.Cut(nodeid, "::")
			loc := fmt.Sprintf("%s:%d", file, 20+i)
			b := strings.ReplaceAll(block, demoLoc, loc)
			b = strings.ReplaceAll(b, demoName, fn)
			s.WriteString(b)
			fmt.Fprintf(&summary, "\x1b[31mFAILED\x1b[0m %s::\x1b[1m%s\x1b[0m - %s\n", file, fn, errLine)
			out := strings.TrimSuffix(strings.ReplaceAll(strings.ReplaceAll(stripSGR(b), demoLoc, loc), demoName, fn), "\n")
			out = out[strings.IndexByte(out, '\n')+1:] // GitLab keeps the longrepr, not the heading
			classname := strings.ReplaceAll(strings.TrimSuffix(file, ".py"), "/", ".")
			cases = append(cases, reportCase{Status: "failed", Classname: classname, Name: fn,
				Time: 0.4 + float64(i%7)/100, Output: strp(out)})
		}
		if g == 0 {
			s.WriteString("\x1b[31m\x1b[1m__________________________ test_balance_never_negative __________________________\x1b[0m\n")
			s.WriteString("tests/unit/test_balance.py:14: in test_balance_never_negative\n    assert account.balance >= 0\n")
			s.WriteString("\x1b[1m\x1b[31mE   assert Decimal('-0.01') >= 0\x1b[0m\n")
			s.WriteString("\x1b[1m\x1b[31mE    +  where Decimal('-0.01') = Account(id=7).balance\x1b[0m\n")
			fmt.Fprintf(&summary, "\x1b[31mFAILED\x1b[0m tests/unit/test_balance.py::\x1b[1mtest_balance_never_negative\x1b[0m - assert Decimal('-0.01') >= 0\n")
			cases = append(cases, reportCase{Status: "failed", Classname: "tests.unit.test_balance", Name: "test_balance_never_negative", Time: 0.003,
				Output: strp("tests/unit/test_balance.py:14: in test_balance_never_negative\n    assert account.balance >= 0\nE   assert Decimal('-0.01') >= 0\nE    +  where Decimal('-0.01') = Account(id=7).balance")})
		}
		s.WriteString("- generated xml file: /builds/acme/platform/ledger/reports/junit.xml -\n")
		s.WriteString("\x1b[36m\x1b[1m=========================== short test summary info ============================\x1b[0m\n")
		s.WriteString(summary.String())
		failed := len(names)
		if g == 0 {
			failed++
		}
		fmt.Fprintf(&s, "\x1b[31m================ \x1b[31m\x1b[1m%d failed, %d passed, 64 deselected in 4.31s\x1b[0m\x1b[31m =================\x1b[0m\n", failed, 64-failed)
		tr := runnerLog{image: "python:3.12-slim", project: "acme/platform/ledger", ref: ref, sha: sha, start: 1772445700 + int64(g),
			script: s.String(), final: "ERROR: Job failed: exit code 1"}.bytes()
		sc.AddJob(fakegitlab.Job{ID: 7200101 + int64(g), PipelineID: 62001, Name: fmt.Sprintf("pytest %d/2", g+1), Stage: "test",
			Status: "failed", Duration: f64(61.3 + float64(g))}, tr)
		for i := 0; i < 64-failed; i++ {
			cases = append(cases, reportCase{Status: "success", Classname: "tests.unit.test_money", Name: fmt.Sprintf("test_rounding[%d-%d]", g, i), Time: 0.001})
		}
	}
	sc.AddJob(fakegitlab.Job{ID: 7200100, PipelineID: 62001, Name: "lint", Stage: "lint", Status: "success", Duration: f64(12)}, nil)
	rep, summary := testReport(tb, reportSuite{name: "pytest", builds: []int64{7200101, 7200102}, cases: cases})
	sc.TestReports[62001] = rep
	sc.TestReportSummaries[62001] = summary
	return sc
}

// stripSGR removes colour escapes, as GitLab's JUnit text has none.
func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// flakyScenario: a Go job with one real failure and one test that failed
// and passed when rerun (the rerun appears in the report as a second case
// of the same name, as gotestsum --rerun-fails writes it). The flaky test
// must rank last and be marked.
func flakyScenario(tb testing.TB) *fakegitlab.Scenario {
	const (
		sha = "2f7b275583d8bd68d02f2198410ba9377d726c24"
		ref = "master"
	)
	sc := newScenario(5103, "acme/chain/node", fakegitlab.Pipeline{ID: 63001, SHA: sha, Ref: ref, Duration: i64(402)})
	script := "$ gotestsum --rerun-fails=1 --packages ./... --junitfile report.xml -- -p 1 -timeout 5m -cover\n" +
		readLog(tb, "go-ethereum-downloader.log") + readLog(tb, "go-ethereum-rpc.log") +
		"\nDONE 1432 tests, 2 failures in 386.112s\n\n" +
		"=== RUN   TestClientNotificationStorm\n--- PASS: TestClientNotificationStorm (2.41s)\nPASS\n" +
		"ok  \tgithub.com/ethereum/go-ethereum/rpc\t2.702s\n\n" +
		"=== RUN   TestBoundedForkedSync64Fast\n--- FAIL: TestBoundedForkedSync64Fast (0.21s)\n" +
		"    downloader_test.go:679: failed to synchronise blocks: retrieved hash chain is invalid\nFAIL\n" +
		"FAIL\tgithub.com/ethereum/go-ethereum/eth/downloader\t0.388s\n\n" +
		"DONE 2 runs, 1434 tests, 3 failures in 391.840s\n"
	sc.AddJob(fakegitlab.Job{ID: 7300101, PipelineID: 63001, Name: "test:go", Stage: "test", Status: "failed", Duration: f64(398.2)},
		runnerLog{image: "golang:1.12", project: "acme/chain/node", ref: ref, sha: sha, start: 1772445800,
			script: script, final: "ERROR: Job failed: exit code 1"}.bytes())
	sc.AddJob(fakegitlab.Job{ID: 7300100, PipelineID: 63001, Name: "build", Stage: "build", Status: "success", Duration: f64(81)}, nil)
	storm := "=== RUN   TestClientNotificationStorm\n--- FAIL: TestClientNotificationStorm (2.63s)\n\tclient_test.go:378: didn't get expected error\n"
	bounded := "=== RUN   TestBoundedForkedSync64Fast\n--- FAIL: TestBoundedForkedSync64Fast (0.18s)\n" +
		"    downloader_test.go:679: failed to synchronise blocks: retrieved hash chain is invalid\n"
	bounded2 := strings.Replace(bounded, "0.18s", "0.21s", 1)
	rep, summary := testReport(tb, reportSuite{name: "test:go", builds: []int64{7300101}, cases: []reportCase{
		{Status: "failed", Classname: "github.com/ethereum/go-ethereum/rpc", Name: "TestClientNotificationStorm", Time: 2.63, Output: strp(storm)},
		{Status: "success", Classname: "github.com/ethereum/go-ethereum/rpc", Name: "TestClientNotificationStorm", Time: 2.41},
		// The rerun of the still failing test replaces the first run (same
		// key, same status): GitLab keeps the last duplicate.
		{Status: "failed", Classname: "github.com/ethereum/go-ethereum/eth/downloader", Name: "TestBoundedForkedSync64Fast", Time: 0.21, Output: strp(bounded2)},
		{Status: "success", Classname: "github.com/ethereum/go-ethereum/rpc", Name: "TestClientReconnect", Time: 1.2},
		{Status: "success", Classname: "github.com/ethereum/go-ethereum/eth/downloader", Name: "TestCanonicalSynchronisation64Fast", Time: 0.9},
		{Status: "skipped", Classname: "github.com/ethereum/go-ethereum/eth/downloader", Name: "TestDeliveryTimeout", Output: strp("skipped on CI")},
	}})
	sc.TestReports[63001] = rep
	sc.TestReportSummaries[63001] = summary
	return sc
}

// infraScenario: only infrastructure failures. A build killed by the
// kernel's OOM killer (exit 137), a service image that cannot be pulled,
// and a runner whose Docker daemon is down. No test results.
func infraScenario(tb testing.TB) *fakegitlab.Scenario {
	const (
		sha = "a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a6c8"
		ref = "release/2.4"
	)
	sc := newScenario(5104, "acme/web/portal", fakegitlab.Pipeline{ID: 64001, SHA: sha, Ref: ref, Duration: i64(377)})
	oom := "$ pip install -e . --no-build-isolation\n" + readLog(tb, "sklearn-cythonize.log") +
		"/usr/bin/bash: line 152:   812 Killed                  pip install -e . --no-build-isolation\n"
	sc.AddJob(fakegitlab.Job{ID: 7400101, PipelineID: 64001, Name: "build:ext", Stage: "build", Status: "failed",
		FailureReason: "script_failure", Duration: f64(311.7)},
		runnerLog{image: "python:3.12", project: "acme/web/portal", ref: ref, sha: sha, start: 1772445900,
			script: oom, final: "ERROR: Job failed: exit code 137"}.bytes())
	pull := `failed to pull image "registry.example.com/acme/ci/postgres:16-postgis" with specified policies [always]: ` +
		`Error response from daemon: manifest for registry.example.com/acme/ci/postgres:16-postgis not found: manifest unknown: manifest unknown (manager.go:250:0s)`
	sc.AddJob(fakegitlab.Job{ID: 7400102, PipelineID: 64001, Name: "test:integration", Stage: "test", Status: "failed",
		FailureReason: "runner_system_failure", Duration: f64(14.2)},
		runnerLog{image: "python:3.12", start: 1772445910,
			prepare: []string{
				"\x1b[0KStarting service registry.example.com/acme/ci/postgres:16-postgis ...\x1b[0;m",
				"\x1b[0KPulling docker image registry.example.com/acme/ci/postgres:16-postgis ...\x1b[0;m",
				"\x1b[0;33mWARNING: Failed to pull image with policy \"always\": Error response from daemon: manifest for registry.example.com/acme/ci/postgres:16-postgis not found: manifest unknown: manifest unknown (manager.go:250:0s)\x1b[0;m",
			},
			final: "ERROR: Job failed (system failure): " + pull}.bytes())
	daemon := "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running? (docker.go:958:0s)"
	sc.AddJob(fakegitlab.Job{ID: 7400103, PipelineID: 64001, Name: "deploy:review", Stage: "deploy", Status: "failed",
		FailureReason: "runner_system_failure", Duration: f64(6.4)},
		runnerLog{image: "alpine:3.20", start: 1772445920,
			prepare: []string{
				"\x1b[31;1mERROR: Preparation failed: " + daemon + "\x1b[0;m",
				"\x1b[32;1mWill be retried in 3s ...\x1b[0;m",
				"\x1b[31;1mERROR: Preparation failed: " + daemon + "\x1b[0;m",
				"\x1b[32;1mWill be retried in 3s ...\x1b[0;m",
			},
			final: "ERROR: Job failed (system failure): " + daemon}.bytes())
	return sc
}

// scenarioClock is the fixed clock of every golden run.
var scenarioClock = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
