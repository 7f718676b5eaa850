package gitlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// graphScenario is a root pipeline with a child and a multi-project
// downstream pipeline:
//
//	287 acme/widgets (root)
//	├─ jobs (3 pages): 101 rspec 1/3, 102 rspec 2/3 (older attempt), 110 rspec 2/3,
//	│                  103 lint (allow_failure), 104 build
//	├─ bridge 201 trigger-child ──► 300 acme/widgets (child)
//	│                               ├─ job 301 child-test (no log: trace 404)
//	│                               ├─ bridge 204 back-to-root ──► 287 (a cycle)
//	│                               └─ test_report 404
//	├─ bridge 202 deploy ─────────► 400 ops/deployer (multi-project, project 77)
//	│                               ├─ GET pipeline 403
//	│                               └─ job 401 deploy (trace 403)
//	└─ bridge 203 trigger-broken (failed, no downstream pipeline)
type graphScenario struct {
	api   *fakeAPI
	trace []byte
}

func newGraphScenario(t *testing.T) *graphScenario {
	t.Helper()
	api := newFakeAPI(t)
	s := &graphScenario{api: api, trace: readTestdata(t, "failed_job_plain.log")}
	const root = "projects/acme%2Fwidgets/pipelines/287"
	rootJob := func(id int64, name string, allow bool) map[string]any {
		return testJob{id: id, name: name, allowFailure: allow, pipelineID: 287, projectID: 21, projectPath: "acme/widgets"}.object(t)
	}
	jobs := list(rootJob(110, "rspec 2/3", false), rootJob(104, "build", false), rootJob(103, "lint", true),
		rootJob(102, "rspec 2/3", false), rootJob(101, "rspec 1/3", false))
	api.handle("GET", root, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, testPipeline(t, 287, 21, "acme/widgets", "failed"))
	})
	failedOnly(t, api, root+"/jobs", paged(jobs, 2, false))
	api.handle("GET", root+"/bridges", paged(list(
		testBridge(t, 201, "trigger-child", 287, 21, "acme/widgets", downstream(300, 21, "acme/widgets", "failed", "parent_pipeline")),
		testBridge(t, 202, "deploy", 287, 21, "acme/widgets", downstream(400, 77, "ops/deployer", "failed", "pipeline")),
		testBridge(t, 203, "trigger-broken", 287, 21, "acme/widgets", nil),
	), 100, true))
	api.handle("GET", root+"/test_report", serveFile(t, "test_report.json"))
	api.handle("GET", root+"/test_report_summary", serveFile(t, "test_report_summary.json"))

	const child = "projects/acme%2Fwidgets/pipelines/300"
	api.handle("GET", child, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, testPipeline(t, 300, 21, "acme/widgets", "failed"))
	})
	failedOnly(t, api, child+"/jobs", paged(list(
		testJob{id: 301, name: "child-test", pipelineID: 300, projectID: 21, projectPath: "acme/widgets"}.object(t)), 100, true))
	api.handle("GET", child+"/bridges", paged(list(
		testBridge(t, 204, "back-to-root", 300, 21, "acme/widgets", downstream(287, 21, "acme/widgets", "failed", "parent_pipeline")),
	), 100, true))
	api.handle("GET", child+"/test_report", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]string{"message": "404 Not found"})
	})
	api.handle("GET", child+"/test_report_summary", serveFile(t, "get_pipeline_testreport_summary.json"))

	const multi = "projects/ops%2Fdeployer/pipelines/400"
	api.handle("GET", multi, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, map[string]string{"message": "403 Forbidden"})
	})
	failedOnly(t, api, multi+"/jobs", paged(list(
		testJob{id: 401, name: "deploy", pipelineID: 400, projectID: 77, projectPath: "ops/deployer"}.object(t)), 100, true))
	api.handle("GET", multi+"/bridges", paged(nil, 100, true))
	api.handle("GET", multi+"/test_report", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"total_time": 0, "total_count": 0, "success_count": 0, "failed_count": 0,
			"skipped_count": 0, "error_count": 0, "test_suites": []any{}})
	})
	api.handle("GET", multi+"/test_report_summary", serveFile(t, "test_report_summary.json"))

	for _, id := range []int{101, 104, 110} {
		api.handle("GET", fmt.Sprintf("projects/acme%%2Fwidgets/jobs/%d/trace", id), s.serveTrace)
	}
	api.handle("GET", "projects/acme%2Fwidgets/jobs/301/trace", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]string{"message": "404 Not Found"})
	})
	api.handle("GET", "projects/ops%2Fdeployer/jobs/401/trace", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, map[string]string{"message": "403 Forbidden"})
	})
	return s
}

func (s *graphScenario) serveTrace(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Disposition", `infile; filename="job.log"`)
	_, _ = w.Write(s.trace)
}

// failedOnly checks that a job listing asks for failed jobs only and hides
// retried attempts.
func failedOnly(t *testing.T, api *fakeAPI, path string, h http.HandlerFunc) {
	api.handle("GET", path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("per_page") == "1" { // the "has any job" probe
			h(w, r)
			return
		}
		if got := q["scope[]"]; !slices.Equal(got, []string{"failed"}) {
			t.Errorf("%s: scope[] = %q, want [failed]", path, got)
		}
		if q.Get("include_retried") == "true" {
			t.Errorf("%s asks for retried jobs", path)
		}
		h(w, r)
	})
}

type traceLog struct {
	mu     sync.Mutex
	bodies map[int64][]byte
	jobs   map[int64]Job
}

func (l *traceLog) onTrace(ctx context.Context, j Job, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bodies == nil {
		l.bodies, l.jobs = map[int64][]byte{}, map[int64]Job{}
	}
	l.bodies[j.ID] = b
	l.jobs[j.ID] = j
	return nil
}

func jobIDs(jobs []Job) []int64 {
	out := make([]int64, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

func TestFetchGraph(t *testing.T) {
	s := newGraphScenario(t)
	c := s.api.client(t)
	var traces traceLog
	var progress []Progress
	g, err := c.FetchGraph(context.Background(), "acme/widgets", 287, FetchOptions{
		OnTrace:  traces.onTrace,
		Progress: func(p Progress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatalf("FetchGraph: %v", err)
	}

	t.Run("pipelines", func(t *testing.T) {
		type pl struct {
			ID, Parent, ProjectID int64
			Kind, Bridge, Path    string
			Detailed              bool
		}
		var got []pl
		for _, p := range g.Pipelines {
			got = append(got, pl{p.ID, p.ParentID, p.ProjectID, p.Kind, p.BridgeName, p.ProjectPath, p.Detailed})
		}
		want := []pl{
			{287, 0, 21, KindRoot, "", "acme/widgets", true},
			{300, 287, 21, KindChild, "trigger-child", "acme/widgets", true},
			{400, 287, 77, KindMultiProject, "deploy", "ops/deployer", false},
		}
		if !slices.Equal(got, want) {
			t.Errorf("pipelines:\n got %+v\nwant %+v", got, want)
		}
		if r := g.Root(); r == nil || r.ID != 287 || r.Duration != 34*time.Second || r.StatusGroup != "failed" {
			t.Errorf("root = %+v", r)
		}
		if n := s.api.hitCount("GET", "projects/acme%2Fwidgets/pipelines/287"); n != 1 {
			t.Errorf("root pipeline read %d times; the cycle was followed", n)
		}
	})

	t.Run("failed jobs", func(t *testing.T) {
		if got, want := jobIDs(g.FailedJobs), []int64{101, 104, 110, 203, 301, 401}; !slices.Equal(got, want) {
			t.Errorf("failed jobs = %v, want %v", got, want)
		}
		if got, want := jobIDs(g.AllowedFailures), []int64{103}; !slices.Equal(got, want) {
			t.Errorf("allowed failures = %v, want %v", got, want)
		}
		j := g.FailedJobs[0]
		if j.Name != "rspec 1/3" || j.Stage != "test" || j.FailureReason != "script_failure" || j.PipelineID != 287 ||
			j.ProjectPath != "acme/widgets" || j.WebURL != "https://gitlab.example.com/acme/widgets/-/jobs/101" ||
			j.Duration != 465*time.Millisecond || len(j.Artifacts) != 4 || j.Artifacts[3].FileType != "junit" {
			t.Errorf("job 101 = %+v", j)
		}
		br := g.FailedJobs[3]
		if !br.Bridge || br.Name != "trigger-broken" || br.FailureReason != "downstream_pipeline_creation_failed" {
			t.Errorf("failed bridge = %+v", br)
		}
		last := g.FailedJobs[5]
		if last.PipelineID != 400 || last.ProjectPath != "ops/deployer" || last.ProjectID != 77 {
			t.Errorf("multi-project job = %+v", last)
		}
	})

	t.Run("traces", func(t *testing.T) {
		var ids []int64
		for id := range traces.bodies {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if want := []int64{101, 104, 110, 301}; !slices.Equal(ids, want) {
			t.Errorf("traces read for %v, want %v", ids, want)
		}
		if !bytes.Equal(traces.bodies[110], s.trace) {
			t.Errorf("trace 110 differs from the served bytes (%d vs %d bytes)", len(traces.bodies[110]), len(s.trace))
		}
		if len(traces.bodies[301]) != 0 {
			t.Errorf("trace of a job without log = %q", traces.bodies[301])
		}
	})

	t.Run("test reports", func(t *testing.T) {
		r := g.TestReports[287]
		if r == nil || r.FailedCount != 3 || len(r.TestSuites) != 1 || r.TestSuites[0].Name != "unit-tests" {
			t.Fatalf("report 287 = %+v", r)
		}
		tc := r.TestSuites[0].TestCases[0]
		if tc.Status != "failed" || tc.Name != "TestParseBody/empty" || tc.SystemOutput == "" || tc.RecentFailures != nil {
			t.Errorf("first case = %+v", tc)
		}
		if _, ok := g.TestReports[300]; ok {
			t.Error("report for pipeline 300 despite its 404")
		}
		if r := g.TestReports[400]; r == nil || r.TotalCount != 0 {
			t.Errorf("report 400 = %+v", r)
		}
		if s := g.TestSummaries[287]; s == nil || len(s.TestSuites) != 1 || !slices.Equal(s.TestSuites[0].BuildIDs, []int64{8812345}) {
			t.Errorf("summary 287 = %+v", s)
		}
		if s := g.TestSummaries[300]; s == nil || s.Total.SuiteError == "" || s.TestSuites[0].SuiteError == "" {
			t.Errorf("summary 300 = %+v", s)
		}
	})

	t.Run("problems", func(t *testing.T) {
		var forbidden, notFound int
		for _, p := range g.Problems {
			switch {
			case errors.Is(p, ErrForbidden):
				forbidden++
			case errors.Is(p, ErrNotFound):
				notFound++
			default:
				t.Errorf("unexpected problem: %v", p)
			}
		}
		if forbidden != 2 || notFound != 1 || len(g.Problems) != 3 {
			t.Errorf("problems = %q", g.Problems)
		}
	})

	t.Run("progress", func(t *testing.T) {
		if len(progress) == 0 {
			t.Fatal("no progress")
		}
		last := progress[len(progress)-1]
		want := Progress{Pipelines: 3, FailedJobs: 7, TracesTotal: 5, TracesDone: 5, Bytes: 3 * int64(len(s.trace))}
		if last != want {
			t.Errorf("last progress = %+v, want %+v", last, want)
		}
	})
}

func TestFetchGraphAllowedFailureTraces(t *testing.T) {
	s := newGraphScenario(t)
	s.api.handle("GET", "projects/acme%2Fwidgets/jobs/103/trace", s.serveTrace)
	var traces traceLog
	g, err := s.api.client(t).FetchGraph(context.Background(), "acme/widgets", 287, FetchOptions{
		OnTrace:                traces.onTrace,
		IncludeAllowedFailures: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if j, ok := traces.jobs[103]; !ok || !j.AllowFailure {
		t.Errorf("allowed failure trace not read: %+v", traces.jobs)
	}
	if slices.Contains(jobIDs(g.FailedJobs), 103) {
		t.Error("allowed failure listed among blocking failures")
	}
}

func TestFetchGraphWithoutTraces(t *testing.T) {
	s := newGraphScenario(t)
	for _, p := range []string{"acme%2Fwidgets/jobs/101", "acme%2Fwidgets/jobs/104", "acme%2Fwidgets/jobs/110",
		"acme%2Fwidgets/jobs/301", "ops%2Fdeployer/jobs/401"} {
		s.api.maybe("GET", "projects/"+p+"/trace", func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("trace requested without OnTrace: %s", r.URL.Path)
		})
	}
	g, err := s.api.client(t).FetchGraph(context.Background(), "acme/widgets", 287, FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.FailedJobs) != 6 {
		t.Errorf("failed jobs = %v", jobIDs(g.FailedJobs))
	}
}

func TestFetchGraphYAMLErrorsAndNoJobs(t *testing.T) {
	api := newFakeAPI(t)
	const root = "projects/acme%2Fwidgets/pipelines/500"
	api.handle("GET", root, func(w http.ResponseWriter, r *http.Request) {
		p := testPipeline(t, 500, 21, "acme/widgets", "failed")
		p["yaml_errors"] = "jobs config should contain at least one visible job"
		writeJSON(w, 200, p)
	})
	var probes int
	var mu sync.Mutex
	api.handle("GET", root+"/jobs", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("per_page") == "1" {
			mu.Lock()
			probes++
			mu.Unlock()
		}
		paged(nil, 100, true)(w, r)
	})
	api.handle("GET", root+"/bridges", paged(nil, 100, true))
	empty := map[string]any{"total_time": 0, "total_count": 0, "success_count": 0, "failed_count": 0,
		"skipped_count": 0, "error_count": 0, "test_suites": []any{}}
	api.handle("GET", root+"/test_report", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, empty) })
	api.handle("GET", root+"/test_report_summary", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"total": map[string]any{"time": 0, "count": 0}, "test_suites": []any{}})
	})
	g, err := api.client(t).FetchGraph(context.Background(), "acme/widgets", 500, FetchOptions{OnTrace: (&traceLog{}).onTrace})
	if err != nil {
		t.Fatal(err)
	}
	r := g.Root()
	if r == nil || !r.NoJobs || r.YAMLErrors != "jobs config should contain at least one visible job" {
		t.Errorf("root = %+v", r)
	}
	if probes != 1 || len(g.FailedJobs) != 0 || len(g.Problems) != 0 {
		t.Errorf("probes = %d, failed = %v, problems = %v", probes, g.FailedJobs, g.Problems)
	}
}

func TestFetchGraphRootErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		want   error
		msg    string
	}{
		{"not found", 404, ErrNotFound, "pipeline 42 not found in acme/widgets"},
		{"unauthorized", 401, ErrUnauthorized, "pipeline 42 in acme/widgets: 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			const root = "projects/acme%2Fwidgets/pipelines/42"
			api.handle("GET", root, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tt.status, map[string]string{"message": fmt.Sprint(tt.status)})
			})
			for _, p := range []string{"/jobs", "/bridges", "/test_report", "/test_report_summary"} {
				api.maybe("GET", root+p, func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, tt.status, map[string]string{"message": fmt.Sprint(tt.status)})
				})
			}
			g, err := api.client(t).FetchGraph(context.Background(), "acme/widgets", 42, FetchOptions{})
			if !errors.Is(err, tt.want) || !bytes.Contains([]byte(err.Error()), []byte(tt.msg)) {
				t.Errorf("err = %v, want %v containing %q", err, tt.want, tt.msg)
			}
			if g == nil {
				t.Fatal("nil graph")
			}
		})
	}
}

// TestFetchGraphConcurrencyBound counts the requests the server has in
// flight. Trace handlers hold their request until as many traces are in
// flight as the bound allows (or every trace has been requested), so the
// bound is reached and, if it did not hold, exceeded.
func TestFetchGraphConcurrencyBound(t *testing.T) {
	const (
		limit  = 3
		nTrace = 10
	)
	api := newFakeAPI(t)
	var (
		mu           sync.Mutex
		cond         = sync.NewCond(&mu)
		inflight     int
		maxInflight  int
		traceFlight  int
		tracesAsked  int
		traceBody    = readTestdata(t, "failed_job_plain.log")
		wrapInflight = func(h http.HandlerFunc) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				inflight++
				maxInflight = max(maxInflight, inflight)
				mu.Unlock()
				defer func() {
					mu.Lock()
					inflight--
					mu.Unlock()
				}()
				h(w, r)
			}
		}
	)
	const root = "projects/acme%2Fwidgets/pipelines/287"
	var jobs []any
	for i := range nTrace {
		id := int64(1000 + i)
		jobs = append(jobs, testJob{id: id, name: fmt.Sprint("job ", i), pipelineID: 287, projectID: 21, projectPath: "acme/widgets"}.object(t))
		api.handle("GET", fmt.Sprintf("projects/acme%%2Fwidgets/jobs/%d/trace", id), wrapInflight(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			traceFlight++
			tracesAsked++
			cond.Broadcast()
			for traceFlight < limit && tracesAsked < nTrace && r.Context().Err() == nil {
				cond.Wait()
			}
			mu.Unlock()
			_, _ = w.Write(traceBody)
			mu.Lock()
			traceFlight--
			mu.Unlock()
		}))
	}
	api.handle("GET", root, wrapInflight(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, testPipeline(t, 287, 21, "acme/widgets", "failed"))
	}))
	api.handle("GET", root+"/jobs", wrapInflight(paged(jobs, 4, false)))
	api.handle("GET", root+"/bridges", wrapInflight(paged(nil, 100, true)))
	api.handle("GET", root+"/test_report", wrapInflight(serveFile(t, "test_report.json")))
	api.handle("GET", root+"/test_report_summary", wrapInflight(serveFile(t, "test_report_summary.json")))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var traces traceLog
	g, err := api.client(t, func(c *Config) { c.Concurrency = limit }).FetchGraph(ctx, "acme/widgets", 287, FetchOptions{OnTrace: traces.onTrace})
	if err != nil {
		t.Fatal(err)
	}
	if len(traces.bodies) != nTrace || len(g.FailedJobs) != nTrace {
		t.Errorf("traces = %d, failed jobs = %d, want %d", len(traces.bodies), len(g.FailedJobs), nTrace)
	}
	if maxInflight > limit {
		t.Errorf("max in flight = %d, over the bound %d", maxInflight, limit)
	}
	if maxInflight < limit {
		t.Errorf("max in flight = %d, the bound %d was never reached", maxInflight, limit)
	}
}

// TestTraceIsStreamed makes the server send the first half of a trace and
// wait until OnTrace has read it before sending the rest: a client that
// buffered the whole body would never call OnTrace.
func TestTraceIsStreamed(t *testing.T) {
	api := newFakeAPI(t)
	const root = "projects/acme%2Fwidgets/pipelines/287"
	api.handle("GET", root, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, testPipeline(t, 287, 21, "acme/widgets", "failed"))
	})
	api.handle("GET", root+"/jobs", paged(list(testJob{id: 8, name: "unit", pipelineID: 287, projectID: 21, projectPath: "acme/widgets"}.object(t)), 100, true))
	api.handle("GET", root+"/bridges", paged(nil, 100, true))
	api.handle("GET", root+"/test_report", serveFile(t, "test_report.json"))
	api.handle("GET", root+"/test_report_summary", serveFile(t, "test_report_summary.json"))
	trace := readTestdata(t, "failed_job_plain.log")
	half := len(trace) / 2
	firstRead := make(chan struct{})
	api.handle("GET", "projects/acme%2Fwidgets/jobs/8/trace", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(trace[:half])
		w.(http.Flusher).Flush()
		select {
		case <-firstRead:
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write(trace[half:])
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []byte
	_, err := api.client(t).FetchGraph(ctx, "acme/widgets", 287, FetchOptions{
		OnTrace: func(ctx context.Context, j Job, r io.Reader) error {
			first := make([]byte, half)
			if _, err := io.ReadFull(r, first); err != nil {
				return err
			}
			close(firstRead)
			rest, err := io.ReadAll(r)
			got = append(first, rest...)
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, trace) {
		t.Errorf("trace = %d bytes, want %d", len(got), len(trace))
	}
}

// TestFetchGraphCancel cancels the context while traces are streaming: the
// call returns a context error with what it had learned.
func TestFetchGraphCancel(t *testing.T) {
	api := newFakeAPI(t)
	const root = "projects/acme%2Fwidgets/pipelines/287"
	api.handle("GET", root, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, testPipeline(t, 287, 21, "acme/widgets", "failed"))
	})
	var jobs []any
	for i := range 6 {
		id := int64(2000 + i)
		jobs = append(jobs, testJob{id: id, name: fmt.Sprint("job ", i), pipelineID: 287, projectID: 21, projectPath: "acme/widgets"}.object(t))
		api.maybe("GET", fmt.Sprintf("projects/acme%%2Fwidgets/jobs/%d/trace", id), func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "section_start:1747221567:step_script\r\x1b[0Kstarting\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done() // never finishes on its own
		})
	}
	api.handle("GET", root+"/jobs", paged(jobs, 100, true))
	api.maybe("GET", root+"/bridges", paged(nil, 100, true))
	api.maybe("GET", root+"/test_report", serveFile(t, "test_report.json"))
	api.maybe("GET", root+"/test_report_summary", serveFile(t, "test_report_summary.json"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g, err := api.client(t, func(c *Config) { c.Concurrency = 2 }).FetchGraph(ctx, "acme/widgets", 287, FetchOptions{
		OnTrace: func(tctx context.Context, j Job, r io.Reader) error {
			buf := make([]byte, 8)
			if _, err := io.ReadFull(r, buf); err != nil {
				return err
			}
			cancel() // Ctrl-C while the trace is still streaming
			_, err := io.ReadAll(r)
			return err
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if g == nil || g.Root() == nil || len(g.FailedJobs) != 6 {
		t.Fatalf("graph after cancel = %+v", g)
	}
	for _, p := range g.Problems {
		if errors.Is(p, context.Canceled) {
			t.Errorf("cancellation reported as a problem: %v", p)
		}
	}
}

// TestFetchGraphNumericProject addresses the root by project id: the jobs
// still get the project path, learned from the pipeline's web URL.
func TestFetchGraphNumericProject(t *testing.T) {
	api := newFakeAPI(t)
	const root = "projects/21/pipelines/287"
	api.handle("GET", root, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, testPipeline(t, 287, 21, "acme/widgets", "failed"))
	})
	api.handle("GET", root+"/jobs", paged(list(testJob{id: 8, name: "unit", pipelineID: 287, projectID: 21, projectPath: "acme/widgets"}.object(t)), 100, true))
	api.handle("GET", root+"/bridges", paged(nil, 100, true))
	api.handle("GET", root+"/test_report", serveFile(t, "test_report.json"))
	api.handle("GET", root+"/test_report_summary", serveFile(t, "test_report_summary.json"))
	g, err := api.client(t).FetchGraph(context.Background(), "21", 287, FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := g.Root(); r == nil || r.ProjectPath != "acme/widgets" || r.ProjectID != 21 {
		t.Errorf("root = %+v", g.Root())
	}
	if len(g.FailedJobs) != 1 || g.FailedJobs[0].ProjectPath != "acme/widgets" || g.FailedJobs[0].ProjectID != 21 {
		t.Errorf("jobs = %+v", g.FailedJobs)
	}
}
