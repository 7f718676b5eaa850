package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/glabconfig"
)

// The end-to-end tests run the real root command against the fake GitLab
// serving the demo scenario (or a generated one), with glab's config written
// in its exact format into a temporary GLAB_CONFIG_DIR.

type cliResult struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env glabconfig.Env, args ...string) cliResult {
	t.Helper()
	ios, _, stdout, stderr := cmdutil.Test()
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    env.Getenv,
		Now:       func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
		WorkDir:   env.WorkDir,
		GlabEnv:   func() glabconfig.Env { return env },
	}
	code := run(context.Background(), f, args)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func demoServer(t *testing.T, opts fakegitlab.Options) *fakegitlab.Server {
	t.Helper()
	sc, err := fakegitlab.Demo()
	if err != nil {
		t.Fatal(err)
	}
	return fakegitlab.NewTB(t, sc, opts)
}

// glabEnv writes a glab config for the server's host with the given login
// and returns the environment the command sees.
func glabEnv(t *testing.T, h glabconfig.TestHost, vars map[string]string) (glabconfig.Env, *glabconfig.TestConfig) {
	t.Helper()
	dir := t.TempDir()
	tc, err := glabconfig.WriteTestConfig(dir, h.Name, h)
	if err != nil {
		t.Fatal(err)
	}
	return tc.Env(t.TempDir(), t.TempDir(), vars), tc
}

func authKinds(srv *fakegitlab.Server) map[fakegitlab.AuthKind]int {
	m := map[fakegitlab.AuthKind]int{}
	for _, r := range srv.Requests() {
		m[r.Auth]++
	}
	return m
}

var demoRepo = fakegitlab.DemoProjectPath

func TestEndToEndLogins(t *testing.T) {
	tests := []struct {
		name     string
		host     func(srv *fakegitlab.Server) glabconfig.TestHost
		args     func(srv *fakegitlab.Server) []string
		wantAuth fakegitlab.AuthKind
	}{
		{
			name: "personal token, host key with port",
			host: func(srv *fakegitlab.Server) glabconfig.TestHost {
				return glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}
			},
			args:     func(srv *fakegitlab.Server) []string { return []string{"98765", "-R", demoRepo} },
			wantAuth: fakegitlab.AuthPrivateToken,
		},
		{
			name: "oauth token not expired",
			host: func(srv *fakegitlab.Server) glabconfig.TestHost {
				return glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http",
					OAuth: true, OAuthExpiry: time.Now().Add(time.Hour)}
			},
			args:     func(srv *fakegitlab.Server) []string { return []string{"98765", "-R", demoRepo} },
			wantAuth: fakegitlab.AuthBearer,
		},
		{
			name: "token in the keyring only",
			host: func(srv *fakegitlab.Server) glabconfig.TestHost {
				return glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http", Keyring: true}
			},
			args:     func(srv *fakegitlab.Server) []string { return []string{"98765", "-R", demoRepo} },
			wantAuth: fakegitlab.AuthPrivateToken,
		},
		{
			name: "api_host with port behind a port-less host key, pipeline URL argument",
			host: func(srv *fakegitlab.Server) glabconfig.TestHost {
				return glabconfig.TestHost{Name: "gitlab.example.com", Token: fakegitlab.DemoToken, APIProtocol: "http", APIHost: srv.Host()}
			},
			args: func(srv *fakegitlab.Server) []string {
				return []string{"https://gitlab.example.com/" + demoRepo + "/-/pipelines/98765"}
			},
			wantAuth: fakegitlab.AuthPrivateToken,
		},
		{
			name: "merge request URL: its head pipeline",
			host: func(srv *fakegitlab.Server) glabconfig.TestHost {
				return glabconfig.TestHost{Name: "gitlab.example.com", Token: fakegitlab.DemoToken, APIProtocol: "http", APIHost: srv.Host()}
			},
			args: func(srv *fakegitlab.Server) []string {
				return []string{"https://gitlab.example.com/" + demoRepo + "/-/merge_requests/17"}
			},
			wantAuth: fakegitlab.AuthPrivateToken,
		},
		{
			name: "--mr with -R on a subgroup project",
			host: func(srv *fakegitlab.Server) glabconfig.TestHost {
				return glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}
			},
			args:     func(srv *fakegitlab.Server) []string { return []string{"--mr", "17", "-R", demoRepo} },
			wantAuth: fakegitlab.AuthPrivateToken,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := demoServer(t, fakegitlab.Options{})
			env, _ := glabEnv(t, tt.host(srv), nil)
			res := runCLI(t, env, tt.args(srv)...)
			if res.code != 0 {
				t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
			}
			for _, want := range []string{
				"pipeline #98765 on feature/invoices",
				"ConnectionRefusedError",
				"deps:resolve",
				"flake8",
				"docs:build", // failed job of the child pipeline
				"https://gitlab.example.com/acme/platform/billing-api/-/jobs/5550105#L",
			} {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("stdout lacks %q", want)
				}
			}
			if strings.Contains(res.stdout+res.stderr, fakegitlab.DemoToken) {
				t.Error("the token was printed")
			}
			kinds := authKinds(srv)
			if kinds[tt.wantAuth] == 0 || len(kinds) != 1 {
				t.Errorf("auth kinds used = %v, want only %v", kinds, tt.wantAuth)
			}
		})
	}
}

func TestEndToEndJSON(t *testing.T) {
	srv := demoServer(t, fakegitlab.Options{})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}, nil)
	res := runCLI(t, env, "98765", "-R", demoRepo, "--output", "json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var rep struct {
		SchemaVersion int `json:"schema_version"`
		Pipelines     []struct {
			ID   int64
			Kind string
		}
		Jobs []struct {
			Name         string
			AllowFailure bool `json:"allow_failure"`
			Excerpts     []struct {
				StartLine int    `json:"start_line"`
				EndLine   int    `json:"end_line"`
				URL       string `json:"url"`
			}
		}
		Tests []struct{ Name string } `json:"failing_tests"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, res.stdout)
	}
	if rep.SchemaVersion != 1 {
		t.Errorf("schema_version = %d", rep.SchemaVersion)
	}
	kinds := map[string]bool{}
	for _, p := range rep.Pipelines {
		kinds[p.Kind] = true
	}
	if !kinds["root"] || !kinds["child"] {
		t.Errorf("pipelines = %+v, want the root and its child", rep.Pipelines)
	}
	names := map[string]bool{}
	allowed := 0
	for _, j := range rep.Jobs {
		names[j.Name] = true
		if j.AllowFailure {
			allowed++
		}
		for _, e := range j.Excerpts {
			if e.StartLine < 1 || e.EndLine < e.StartLine || !strings.HasSuffix(e.URL, fmt.Sprintf("#L%d", e.StartLine)) {
				t.Errorf("job %s: bad excerpt %+v", j.Name, e)
			}
		}
	}
	// build:wheel failed once and then passed on a retry: not a failure.
	if names["build:wheel"] {
		t.Error("a retried job that passed is reported as failed")
	}
	for _, n := range []string{"flake8", "pytest 1/2", "pytest 2/2", "deps:resolve", "docs:build", "linkcheck"} {
		if !names[n] {
			t.Errorf("job %s missing from %v", n, names)
		}
	}
	if allowed != 1 {
		t.Errorf("allowed failures = %d, want 1 (linkcheck)", allowed)
	}
	if len(rep.Tests) != 5 {
		t.Errorf("failing tests = %d, want 5", len(rep.Tests))
	}

	res = runCLI(t, env, "98765", "-R", demoRepo, "--jq", ".jobs[].name")
	if res.code != 0 || !strings.Contains(res.stdout, "deps:resolve\n") {
		t.Errorf("--jq: exit %d stdout %q stderr %q", res.code, res.stdout, res.stderr)
	}
}

func TestEndToEndErrors(t *testing.T) {
	tests := []struct {
		name       string
		opts       fakegitlab.Options
		host       func(srv *fakegitlab.Server) glabconfig.TestHost
		args       []string
		wantCode   int
		wantStderr string
	}{
		{
			name:       "401 from the server",
			opts:       fakegitlab.Options{Unauthorized: true},
			args:       []string{"98765"},
			wantCode:   cmdutil.ExitAuth,
			wantStderr: "glab auth login --hostname",
		},
		{
			name:       "unknown pipeline",
			args:       []string{"424242"},
			wantCode:   cmdutil.ExitError,
			wantStderr: "424242",
		},
		{
			name: "no token for the host",
			host: func(srv *fakegitlab.Server) glabconfig.TestHost {
				return glabconfig.TestHost{Name: srv.Host(), APIProtocol: "http"}
			},
			args:       []string{"98765"},
			wantCode:   cmdutil.ExitAuth,
			wantStderr: "glab auth login",
		},
		{
			name: "expired oauth token and no glab on PATH",
			host: func(srv *fakegitlab.Server) glabconfig.TestHost {
				return glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http",
					OAuth: true, OAuthExpiry: time.Now().Add(-time.Hour)}
			},
			args:       []string{"98765"},
			wantCode:   cmdutil.ExitAuth,
			wantStderr: "glab auth",
		},
		{
			name:       "bad flag combination",
			args:       []string{"98765", "--mr", "3"},
			wantCode:   cmdutil.ExitUsage,
			wantStderr: "not both",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := demoServer(t, tt.opts)
			h := glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}
			if tt.host != nil {
				h = tt.host(srv)
			}
			env, _ := glabEnv(t, h, nil)
			res := runCLI(t, env, append(tt.args, "-R", demoRepo)...)
			if res.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstderr: %s", res.code, tt.wantCode, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.wantStderr) {
				t.Errorf("stderr %q lacks %q", res.stderr, tt.wantStderr)
			}
			if n := strings.Count(strings.TrimSpace(res.stderr), "\n"); n > 1 {
				t.Errorf("error should be one or two lines, got:\n%s", res.stderr)
			}
			if strings.Contains(res.stdout+res.stderr, fakegitlab.DemoToken) {
				t.Error("the token was printed")
			}
		})
	}
}

func TestEndToEndRateLimitAndServerErrors(t *testing.T) {
	srv := demoServer(t, fakegitlab.Options{Faults: []fakegitlab.Fault{
		fakegitlab.RateLimited("/projects/*/pipelines/98765/jobs", 1, 1),
		fakegitlab.ServerError("/projects/*/jobs/5550105/trace", 2),
	}})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}, nil)
	res := runCLI(t, env, "98765", "-R", demoRepo)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "these package versions have conflicting dependencies") {
		t.Error("the retried trace was not analysed")
	}
	var got429, got500 bool
	for _, r := range srv.Requests() {
		got429 = got429 || r.Status == 429
		got500 = got500 || r.Status == 500
	}
	if !got429 || !got500 {
		t.Errorf("faults not exercised: 429 %v, 500 %v", got429, got500)
	}
}

// TestEndToEndRedirectCarriesNoToken sends traces through a redirect to a
// second host (object storage): the logs are still read, and no credential
// reaches that host.
func TestEndToEndRedirectCarriesNoToken(t *testing.T) {
	store := fakegitlab.NewObjectStoreTB(t)
	srv := demoServer(t, fakegitlab.Options{Redirect: store})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}, nil)
	res := runCLI(t, env, "98765", "-R", demoRepo)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "these package versions have conflicting dependencies") {
		t.Error("redirected traces were not read")
	}
	reqs := store.Requests()
	if len(reqs) == 0 {
		t.Fatal("nothing was redirected")
	}
	for _, r := range reqs {
		for name, vals := range r.Header {
			for _, v := range vals {
				if strings.Contains(v, fakegitlab.DemoToken) {
					t.Errorf("object store got the token in %s", name)
				}
			}
		}
		for _, h := range []string{"Private-Token", "Authorization", "Job-Token"} {
			if r.Header.Get(h) != "" {
				t.Errorf("object store got header %s", h)
			}
		}
	}
}

func TestEndToEndJobTokenReportsWhatItCan(t *testing.T) {
	srv := demoServer(t, fakegitlab.Options{})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), JobToken: fakegitlab.DemoJobToken, APIProtocol: "http"}, nil)
	res := runCLI(t, env, "98765", "-R", demoRepo)
	kinds := authKinds(srv)
	if kinds[fakegitlab.AuthJobToken] == 0 || len(kinds) != 1 {
		t.Errorf("auth kinds = %v, want JOB-TOKEN only", kinds)
	}
	// A job token cannot read traces or test reports: the failed jobs are
	// still listed, and the missing logs are explained.
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "deps:resolve") {
		t.Errorf("failed jobs missing:\n%s", res.stdout)
	}
	if !strings.Contains(strings.ToLower(res.stdout+res.stderr), "job token") &&
		!strings.Contains(res.stdout+res.stderr, "401") {
		t.Errorf("no explanation of the unreadable logs:\n%s\n%s", res.stdout, res.stderr)
	}
}

func TestEndToEndExitStatus(t *testing.T) {
	srv := demoServer(t, fakegitlab.Options{})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}, nil)
	res := runCLI(t, env, "98765", "-R", demoRepo, "--exit-status", "--output", "json")
	if res.code != cmdutil.ExitFailed {
		t.Errorf("exit %d, want %d", res.code, cmdutil.ExitFailed)
	}
	if !json.Valid([]byte(res.stdout)) {
		t.Error("the report must still print")
	}
}

// TestEndToEndCommentCreateThenUpdate posts the report on the pipeline's
// merge request, then updates that same note on the next run and says what
// changed since.
func TestEndToEndCommentCreateThenUpdate(t *testing.T) {
	srv := demoServer(t, fakegitlab.Options{})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}, nil)

	// First run: only one job, so the second run has new failures.
	res := runCLI(t, env, "98765", "-R", demoRepo, "--comment", "--job", "flake8")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "Posted the report as a note on merge request !17") {
		t.Errorf("stderr = %q", res.stderr)
	}
	notes := srv.Notes(fakegitlab.DemoProjectID, fakegitlab.DemoMergeRequest)
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "flake8") {
		t.Fatalf("notes after the first run = %+v", notes)
	}

	res = runCLI(t, env, "98765", "-R", demoRepo, "--comment")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "Updated the report's note on merge request !17") {
		t.Errorf("stderr = %q", res.stderr)
	}
	notes = srv.Notes(fakegitlab.DemoProjectID, fakegitlab.DemoMergeRequest)
	if len(notes) != 1 {
		t.Fatalf("want the note updated in place, got %d notes", len(notes))
	}
	body := notes[0].Body
	for _, want := range []string{"<!-- glab-pipeline-doctor:report -->", "ConnectionRefusedError", "deps:resolve"} {
		if !strings.Contains(body, want) {
			t.Errorf("updated note lacks %q", want)
		}
	}
	if !strings.Contains(strings.ToLower(body), "since the last run") {
		t.Errorf("updated note does not say what changed:\n%s", body)
	}
	var posts, puts int
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/notes") && r.Method == "POST" {
			posts++
		}
		if strings.Contains(r.Path, "/notes/") && r.Method == "PUT" {
			puts++
		}
	}
	if posts != 1 || puts != 1 {
		t.Errorf("POST %d PUT %d, want 1 and 1", posts, puts)
	}
}

func TestEndToEndCommentNeedsAPIScope(t *testing.T) {
	srv := demoServer(t, fakegitlab.Options{Faults: []fakegitlab.Fault{{Method: "POST", Path: "/projects/*/merge_requests/17/notes", Status: 403,
		Body: `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}`}}})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}, nil)
	res := runCLI(t, env, "98765", "-R", demoRepo, "--comment")
	if res.code != cmdutil.ExitError {
		t.Errorf("exit %d, want 1", res.code)
	}
	if !strings.Contains(res.stderr, "api") || strings.Count(strings.TrimSpace(res.stderr), "\n") > 0 {
		t.Errorf("want one line naming the api scope, got %q", res.stderr)
	}
	if !strings.Contains(res.stdout, "deps:resolve") {
		t.Error("the report must still print")
	}
}

// TestEndToEndCurrentBranch runs without arguments in a checkout: the
// project comes from the git remote, the pipeline is the latest of the
// checked-out branch.
func TestEndToEndCurrentBranch(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	srv := demoServer(t, fakegitlab.Options{})
	dir, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}, nil)
	repo := t.TempDir()
	for _, args := range [][]string{
		{"init", "-q", "-b", fakegitlab.DemoBranch},
		{"remote", "add", "origin", "http://" + srv.Host() + "/" + demoRepo + ".git"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	env := dir
	env.WorkDir = repo
	res := runCLI(t, env)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "pipeline #98765 on feature/invoices") {
		t.Errorf("stdout:\n%s", res.stdout)
	}
}

// TestEndToEndInterruptedStillReports cancels the run (as Ctrl-C does)
// while logs are being fetched: what was learned still prints, with a
// warning that the report is incomplete, and the exit code is 1.
func TestEndToEndInterruptedStillReports(t *testing.T) {
	srv := demoServer(t, fakegitlab.Options{Latency: 30 * time.Millisecond})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			for _, r := range srv.Requests() {
				if strings.HasSuffix(r.Path, "/trace") {
					cancel()
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
	}()
	ios, _, stdout, stderr := cmdutil.Test()
	f := &cmdutil.Factory{IOStreams: ios, Getenv: env.Getenv, Now: time.Now, WorkDir: env.WorkDir,
		GlabEnv: func() glabconfig.Env { return env }}
	code := run(ctx, f, []string{"98765", "-R", demoRepo})
	if code != cmdutil.ExitError {
		t.Errorf("exit %d, want 1; stderr %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr = %q", stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "pipeline #98765") || !strings.Contains(out, "incomplete") {
		t.Errorf("want the partial report with a warning, got:\n%s", out)
	}
}

// TestEndToEndJobOfParallelSuite narrows to one job of a parallel suite:
// its tests are the ones its own log shows, not every test of the suite.
func TestEndToEndJobOfParallelSuite(t *testing.T) {
	srv := demoServer(t, fakegitlab.Options{})
	env, _ := glabEnv(t, glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}, nil)
	res := runCLI(t, env, "98765", "-R", demoRepo, "--job", "pytest 2/2", "--jq", "[.failing_tests[].name] | sort | join(\",\")")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if got := strings.TrimSpace(res.stdout); got != "test_capture_payment,test_refund_creates_credit_note" {
		t.Errorf("tests of pytest 2/2 = %s", got)
	}
}
