package repro

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/glabconfig"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/golden"
)

func assertGolden(t *testing.T, got []byte, name string) {
	t.Helper()
	golden.Assert(t, got, name)
}

func TestNewCmdRepro(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantErr  bool
		wantArg  string
		wantRepo string
		wantBr   string
		wantMR   int64
		wantJob  string
	}{
		{name: "no argument"},
		{name: "pipeline id", args: []string{"98765"}, wantArg: "98765"},
		{name: "url", args: []string{"https://gitlab.example.com/g/p/-/pipelines/1"}, wantArg: "https://gitlab.example.com/g/p/-/pipelines/1"},
		{name: "repo and job", args: []string{"98765", "-R", "acme/platform/billing-api", "--job", "pytest 1/2"},
			wantArg: "98765", wantRepo: "acme/platform/billing-api", wantJob: "pytest 1/2"},
		{name: "branch", args: []string{"--branch", "feature/x"}, wantBr: "feature/x"},
		{name: "merge request", args: []string{"--mr", "17"}, wantMR: 17},
		{name: "argument and --mr", args: []string{"1", "--mr", "17"}, wantErr: true},
		{name: "argument and --branch", args: []string{"1", "--branch", "x"}, wantErr: true},
		{name: "negative --mr", args: []string{"--mr", "-3"}, wantErr: true},
		{name: "two arguments", args: []string{"1", "2"}, wantErr: true},
		{name: "no concurrency", args: []string{"--concurrency", "0"}, wantErr: true},
		{name: "report flags are not repro's", args: []string{"--output", "json"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *Options
			cmd := NewCmdRepro(&cmdutil.Factory{IOStreams: ios}, func(o *Options) error { got = o; return nil })
			cmd.SetArgs(append([]string{}, tt.args...))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Arg != tt.wantArg || got.Repo != tt.wantRepo || got.Branch != tt.wantBr || got.MR != tt.wantMR || got.Job != tt.wantJob {
				t.Errorf("options = arg %q repo %q branch %q mr %d job %q", got.Arg, got.Repo, got.Branch, got.MR, got.Job)
			}
		})
	}
}

func TestPrint(t *testing.T) {
	sha := "3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b"
	checkout := diagnose.CheckoutCommand(sha)
	tests := []struct {
		name       string
		rep        *diagnose.Report
		job        string
		wantOut    string
		wantErrOut string
		wantErr    error
	}{
		{
			name: "checkout once while it does not change",
			rep: &diagnose.Report{Repro: []diagnose.Repro{
				{JobID: 1, JobName: "a", SHA: sha, Checkout: checkout, Commands: []string{"make a"}},
				{JobID: 2, JobName: "b", SHA: sha, Checkout: checkout, Commands: []string{"make b"}},
				{JobID: 3, JobName: "c", SHA: "abcdef12", Checkout: diagnose.CheckoutCommand("abcdef12"), Commands: []string{"make c"}},
			}},
			wantOut: "# a (job 1)\n" + checkout + "\nmake a\n# b (job 2)\nmake b\n# c (job 3)\n" +
				"git fetch origin abcdef12 && git switch --detach abcdef12\nmake c\n",
		},
		{
			name: "warnings to stderr only",
			rep: &diagnose.Report{Warnings: []string{"trace of job 7 could not be read:\n403"},
				Repro: []diagnose.Repro{{JobID: 1, JobName: "a", Commands: []string{"make"}}}},
			wantOut:    "# a (job 1)\nmake\n",
			wantErrOut: "warning: trace of job 7 could not be read: 403\n",
		},
		{
			name:       "nothing to reproduce",
			rep:        &diagnose.Report{},
			wantErrOut: "nothing to reproduce: no failed job has a command to rerun\n",
		},
		{
			name: "only the job asked for",
			rep: &diagnose.Report{Repro: []diagnose.Repro{
				{JobID: 1, JobName: "pytest 1/2", Commands: []string{"pytest a.py::t"}},
				{JobID: 2, JobName: "pytest 2/2", Commands: []string{"pytest b.py::t"}},
				{JobID: 3, JobName: "pytest 1/2", Commands: []string{"pytest c.py::t"}}, // same name in a child pipeline
			}},
			job:     "pytest 1/2",
			wantOut: "# pytest 1/2 (job 1)\npytest a.py::t\n# pytest 1/2 (job 3)\npytest c.py::t\n",
		},
		{
			name:       "no failed job of that name",
			rep:        &diagnose.Report{Repro: []diagnose.Repro{{JobID: 1, JobName: "a", Commands: []string{"make"}}}},
			job:        "x\x1b[2J",
			wantErrOut: "no failed job named \"x\\x1b[2J\" in this pipeline\n",
			wantErr:    cmdutil.ErrSilent,
		},
		{
			name:       "a failed job with nothing to rerun",
			rep:        &diagnose.Report{Jobs: []diagnose.Job{{ID: 4, Name: "x"}}},
			job:        "x",
			wantErrOut: "nothing to reproduce for job x: its log shows no failing command or test\n",
			wantErr:    cmdutil.ErrSilent,
		},
		{
			name: "escape sequences from a log are shown, not sent",
			rep: &diagnose.Report{Repro: []diagnose.Repro{{JobID: 1, JobName: "a\x1b]0;title\x07",
				Commands: []string{"echo \x1b[2Jcleared\tand tab"}}}},
			wantOut: "# a ]0;title  (job 1)\necho ^[[2Jcleared\tand tab\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := Print(&out, &errOut, tt.rep, tt.job)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if out.String() != tt.wantOut {
				t.Errorf("stdout\n%q\nwant\n%q", out.String(), tt.wantOut)
			}
			if errOut.String() != tt.wantErrOut {
				t.Errorf("stderr\n%q\nwant\n%q", errOut.String(), tt.wantErrOut)
			}
		})
	}
}

// runRepro runs the command against the fake GitLab serving the demo
// scenario, with glab's config in a temporary GLAB_CONFIG_DIR.
func runRepro(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	sc, err := fakegitlab.Demo()
	if err != nil {
		t.Fatal(err)
	}
	srv := fakegitlab.NewTB(t, sc, fakegitlab.Options{})
	h := glabconfig.TestHost{Name: srv.Host(), Token: fakegitlab.DemoToken, APIProtocol: "http"}
	tc, err := glabconfig.WriteTestConfig(t.TempDir(), h.Name, h)
	if err != nil {
		t.Fatal(err)
	}
	env := tc.Env(t.TempDir(), t.TempDir(), nil)
	ios, _, out, errOut := cmdutil.Test()
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    env.Getenv,
		Now:       func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
		WorkDir:   env.WorkDir,
		GlabEnv:   func() glabconfig.Env { return env },
	}
	cmd := NewCmdRepro(f, nil)
	cmd.SetArgs(append([]string{}, args...))
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err = cmd.ExecuteContext(context.Background())
	if strings.Contains(out.String()+errOut.String(), fakegitlab.DemoToken) {
		t.Error("the token was printed")
	}
	return cmdutil.ExitCode(err), out.String(), errOut.String()
}

func TestReproDemo(t *testing.T) {
	repo := fakegitlab.DemoProjectPath
	pytest1 := "pytest tests/integration/test_invoices.py::test_create_invoice_persists tests/integration/test_invoices.py::test_list_invoices_paginates tests/unit/test_tax.py::test_vat_rounding_half_even"
	pytest2 := "pytest tests/integration/test_payments.py::test_capture_payment tests/integration/test_payments.py::test_refund_creates_credit_note"
	tests := []struct {
		name    string
		args    []string
		golden  string
		want    []string
		notWant []string
	}{
		{
			name:   "whole pipeline",
			args:   []string{"98765", "-R", repo},
			golden: "demo",
			want: []string{
				"sh -c 'pip install -r requirements/dev.txt --quiet && " + pytest1 + "'",
				"sh -c 'pip install -r requirements/dev.txt --quiet && " + pytest2 + "'",
				"# pytest 1/2 (job 5550103)",
				"# docs:build (job 5550110)", // job of the child pipeline, defined in docs/.gitlab-ci.yml
				`-e CI=true -e PIP_INDEX_URL python:3.12-slim sh -c 'pip install -r docs/requirements.txt --quiet && sphinx-build -W --keep-going -b html docs public'`,
			},
		},
		{
			name:    "one job",
			args:    []string{"98765", "-R", repo, "--job", "pytest 2/2"},
			golden:  "demo-job",
			want:    []string{"sh -c 'pip install -r requirements/dev.txt --quiet && " + pytest2 + "'", "# pytest 2/2 (job 5550104)"},
			notWant: []string{pytest1, "flake8", "docs:build"},
		},
		{
			name:   "merge request",
			args:   []string{"--mr", "17", "-R", repo, "--job", "pytest 1/2"},
			golden: "demo-mr",
			want:   []string{"sh -c 'pip install -r requirements/dev.txt --quiet && " + pytest1 + "'"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runRepro(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d\nstderr: %s", code, errOut)
			}
			assertGolden(t, []byte(out), tt.golden)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("stdout holds %q\n%s", w, out)
				}
			}
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if !strings.HasPrefix(l, "# ") && !strings.HasPrefix(l, "git fetch origin ") && !strings.HasPrefix(l, "docker run ") {
					t.Errorf("unexpected line %q", l)
				}
			}
			if strings.Contains(out, "\x1b") {
				t.Error("colour on stdout")
			}
			assertShellSyntax(t, out)
		})
	}
}

func TestReproDemoUnknownJob(t *testing.T) {
	code, out, errOut := runRepro(t, "98765", "-R", fakegitlab.DemoProjectPath, "--job", "nope")
	if code != cmdutil.ExitError || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if errOut != "no failed job named \"nope\" in this pipeline\n" {
		t.Errorf("stderr = %q", errOut)
	}
}

// assertShellSyntax parses the output with sh -n: it must be a valid
// shell script.
func assertShellSyntax(t *testing.T, script string) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		return
	}
	cmd := exec.Command(sh, "-n")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sh -n: %v\n%s", err, out)
	}
}

func TestForPipeDropsTTYFlags(t *testing.T) {
	rep := &diagnose.Report{Repro: []diagnose.Repro{{Docker: `docker run --rm -it -v "$PWD":/builds/g/p -w /builds/g/p img sh -c 'x -it y'`}}}
	got := forPipe(rep).Repro[0].Docker
	if got != `docker run --rm -v "$PWD":/builds/g/p -w /builds/g/p img sh -c 'x -it y'` {
		t.Errorf("piped docker line = %s", got)
	}
	if !strings.Contains(rep.Repro[0].Docker, "-it") {
		t.Error("the report itself was changed")
	}
}
