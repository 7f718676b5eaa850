package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/glabconfig"
)

func TestNewCmdDoctor(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		want    func(*Options) bool
		wantErr string
	}{
		{name: "no argument", args: "", want: func(o *Options) bool { return o.Arg == "" && o.Limit == 20 && o.Concurrency == 16 }},
		{name: "pipeline id", args: "1234", want: func(o *Options) bool { return o.Arg == "1234" }},
		{name: "repo and branch", args: "-R g/s/p -b main", want: func(o *Options) bool { return o.Repo == "g/s/p" && o.Branch == "main" }},
		{name: "mr", args: "--mr 17 --comment", want: func(o *Options) bool { return o.MR == 17 && o.Comment }},
		{name: "jq implies json", args: "--jq .jobs", want: func(o *Options) bool { return o.Output.Format == "json" }},
		{name: "markdown", args: "-F markdown --limit 3 --verbose --job flake8 --exit-status", want: func(o *Options) bool {
			return o.Output.Format == "markdown" && o.Limit == 3 && o.Verbose && o.Job == "flake8" && o.ExitStatus
		}},
		{name: "two arguments", args: "1 2", wantErr: "accepts at most 1 arg"},
		{name: "id and --mr", args: "12 --mr 3", wantErr: "not both"},
		{name: "branch and id", args: "12 --branch main", wantErr: "cannot go with"},
		{name: "bad output", args: "-F yaml", wantErr: "invalid value for --output"},
		{name: "bad concurrency", args: "--concurrency 0", wantErr: "--concurrency"},
		{name: "negative limit", args: "--limit -1", wantErr: "--limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *Options
			cmd := NewCmdDoctor(&cmdutil.Factory{IOStreams: ios}, func(o *Options) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(ios.ErrOut)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(got) {
				t.Errorf("options = %+v", got)
			}
		})
	}
}

func TestChangesSince(t *testing.T) {
	prev := &noteState{Failing: []string{"a.test_one", "a.test_two", "job flake8"}}
	ch := changesSince(prev, []string{"a.test_two", "b.test_three"})
	if strings.Join(ch.Fixed, ",") != "a.test_one,job flake8" || strings.Join(ch.StillFailing, ",") != "a.test_two" ||
		strings.Join(ch.New, ",") != "b.test_three" {
		t.Errorf("changes = %+v", ch)
	}
	if changesSince(nil, []string{"x"}) != nil {
		t.Error("no previous note: no changes block")
	}
}

func TestNoteStateRoundTrip(t *testing.T) {
	rep := &diagnose.Report{
		Pipeline: &diagnose.Pipeline{ID: 42, Status: diagnose.StatusFailed},
		Tests: []diagnose.Test{
			{Name: "test_a", Classname: "pkg.mod", Status: diagnose.TestFailed},
			{Name: "test_flaky", Classname: "pkg.mod", Status: diagnose.TestFlaky},
		},
		Causes: []diagnose.Cause{{Kind: "job", JobNames: []string{"lint --> <b>"}}},
	}
	body, err := noteBody(rep, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body, "<!-- "+NoteMarker+" -->") {
		t.Errorf("note does not start with the marker:\n%s", body)
	}
	st := parseState(body)
	if st == nil || st.Pipeline != 42 || strings.Join(st.Failing, "|") != "job lint --> <b>|pkg.mod.test_a" {
		t.Errorf("state = %+v", st)
	}
	if strings.Count(body, "-->") != strings.Count(body, "<!--") {
		t.Errorf("a hidden comment is broken:\n%s", body)
	}
}

type fakeNotes struct {
	mrs []gitlab.MergeRequest
	err error
}

func (f *fakeNotes) MergeRequestNotes(context.Context, string, int64) ([]gitlab.Note, error) {
	return nil, f.err
}
func (f *fakeNotes) CreateNote(context.Context, string, int64, string) (*gitlab.Note, error) {
	return nil, f.err
}
func (f *fakeNotes) UpdateNote(context.Context, string, int64, int64, string) (*gitlab.Note, error) {
	return nil, f.err
}
func (f *fakeNotes) MergeRequestsForBranch(context.Context, string, string) ([]gitlab.MergeRequest, error) {
	return f.mrs, nil
}

func TestFindMR(t *testing.T) {
	c := &fakeNotes{mrs: []gitlab.MergeRequest{{IID: 3}, {IID: 9, HeadPipeline: &gitlab.Pipeline{ID: 77}}}}
	tests := []struct {
		name  string
		pipe  gitlab.Pipeline
		given int64
		want  int64
	}{
		{"given", gitlab.Pipeline{ID: 77, Ref: "feature"}, 5, 5},
		{"merge request pipeline ref", gitlab.Pipeline{ID: 1, Ref: "refs/merge-requests/12/head"}, 0, 12},
		{"branch, head pipeline matches", gitlab.Pipeline{ID: 77, Ref: "feature"}, 0, 9},
		{"branch, first open MR", gitlab.Pipeline{ID: 78, Ref: "feature"}, 0, 3},
	}
	for _, tt := range tests {
		got, err := findMR(context.Background(), c, "g/p", &tt.pipe, tt.given)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
	if _, err := findMR(context.Background(), &fakeNotes{}, "g/p", &gitlab.Pipeline{Ref: "main"}, 0); err == nil || !strings.Contains(err.Error(), "--mr") {
		t.Errorf("no MR: err = %v", err)
	}
}

func TestNoteForbidden(t *testing.T) {
	c := &fakeNotes{err: fmt.Errorf("listing notes: %w", gitlab.ErrForbidden)}
	_, err := postNote(context.Background(), c, "g/p", 7, &diagnose.Report{})
	if err == nil || !strings.Contains(err.Error(), "api scope") {
		t.Errorf("err = %v, want the api scope explained", err)
	}
}

func TestMapError(t *testing.T) {
	if got := mapError(&glabconfig.AuthError{Msg: "no token"}, "h"); cmdutil.ExitCode(got) != cmdutil.ExitAuth {
		t.Errorf("auth error → %d", cmdutil.ExitCode(got))
	}
	if got := mapError(&glabconfig.InputError{Msg: "bad -R"}, "h"); cmdutil.ExitCode(got) != cmdutil.ExitUsage {
		t.Errorf("input error → %d", cmdutil.ExitCode(got))
	}
	got := mapError(gitlab.ErrUnauthorized, "gitlab.example.com")
	if cmdutil.ExitCode(got) != cmdutil.ExitAuth || !strings.Contains(got.Error(), "glab auth login --hostname gitlab.example.com") {
		t.Errorf("401 → %v", got)
	}
	if got := mapError(errors.New("x"), ""); cmdutil.ExitCode(got) != cmdutil.ExitError {
		t.Errorf("other → %d", cmdutil.ExitCode(got))
	}
}

func TestProjectURL(t *testing.T) {
	c := &glabconfig.Credentials{WebURL: "http://127.0.0.1:3000"}
	if got := projectURL("https://gitlab.example.com/g/s/p/-/pipelines/42", c, "g/s/p"); got != "https://gitlab.example.com/g/s/p" {
		t.Errorf("from the pipeline page: %q", got)
	}
	if got := projectURL("", c, "g/s/p"); got != "http://127.0.0.1:3000/g/s/p" {
		t.Errorf("from the host: %q", got)
	}
}

func TestProgressOnlyOnTTY(t *testing.T) {
	ios, _, _, stderr := cmdutil.Test()
	p := newProgress(ios)
	p.update(gitlab.Progress{Pipelines: 1, FailedJobs: 3, TracesDone: 1, TracesTotal: 3, Bytes: 2 << 20})
	p.done()
	if stderr.Len() != 0 {
		t.Errorf("progress on a piped stderr: %q", stderr.String())
	}
	ios.SetStderrTTY(true)
	p = newProgress(ios)
	p.update(gitlab.Progress{Pipelines: 1, FailedJobs: 3, TracesDone: 1, TracesTotal: 3, Bytes: 2 << 20})
	p.done()
	if got := stderr.String(); !strings.Contains(got, "1 pipeline, 3 failed jobs, logs 1/3, 2.0 MB") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("progress = %q", got)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"50MB", 50e6, true}, {"200MiB", 200 << 20, true}, {"1GB", 1e9, true}, {"512k", 512 << 10, true},
		{"1048576", 1 << 20, true}, {"0", 0, true}, {" 2 mb ", 2e6, true},
		{"", 0, false}, {"-1MB", 0, false}, {"lots", 0, false}, {"5TB", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v", tt.in, got, err)
		}
	}
	if maxArtifact("0") != -1 || maxArtifact("50MB") != 50e6 {
		t.Error("maxArtifact: 0 must mean never download")
	}
}
