package glabconfig

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		arg     string
		want    Target
		wantErr bool
	}{
		{"", Target{Kind: TargetBranch}, false},
		{"287", Target{Kind: TargetPipeline, PipelineID: 287}, false},
		{" 287 ", Target{Kind: TargetPipeline, PipelineID: 287}, false},
		{"#287", Target{Kind: TargetPipeline, PipelineID: 287}, false},
		{"!12", Target{Kind: TargetMR, MRIID: 12}, false},
		{"https://gitlab.example.com/acme/widgets/-/pipelines/287",
			Target{Kind: TargetPipeline, Host: "gitlab.example.com", Project: "acme/widgets", Scheme: "https", PipelineID: 287}, false},
		{"https://gitlab.example.com/acme/widgets/-/pipelines/287/failures?x=1#frag",
			Target{Kind: TargetPipeline, Host: "gitlab.example.com", Project: "acme/widgets", Scheme: "https", PipelineID: 287}, false},
		{"https://h:8443/group/sub/proj/-/merge_requests/7/diffs#note_1",
			Target{Kind: TargetMR, Host: "h:8443", Project: "group/sub/proj", Scheme: "https", MRIID: 7}, false},
		{"http://127.0.0.1:8929/g/p/-/jobs/8",
			Target{Kind: TargetJob, Host: "127.0.0.1:8929", Project: "g/p", Scheme: "http", JobID: 8}, false},
		{"https://example.com/foo/bar/pipelines/47",
			Target{Kind: TargetPipeline, Host: "example.com", Project: "foo/bar", Scheme: "https", PipelineID: 47}, false},
		{"https://example.com/foo/bar/builds/9",
			Target{Kind: TargetJob, Host: "example.com", Project: "foo/bar", Scheme: "https", JobID: 9}, false},
		// A project called "pipelines" in a group called "jobs".
		{"https://h/jobs/pipelines/-/pipelines/5",
			Target{Kind: TargetPipeline, Host: "h", Project: "jobs/pipelines", Scheme: "https", PipelineID: 5}, false},
		{"0", Target{}, true},
		{"-3", Target{}, true},
		{"99999999999999999999", Target{}, true},
		{"abc", Target{}, true},
		{"https://h/acme/widgets", Target{}, true},
		{"https://h/acme/widgets/-/pipelines/", Target{}, true},
		{"https://h/acme/widgets/-/pipelines/new", Target{}, true},
		{"https://h/widgets/-/pipelines/5", Target{}, true},
		{"https://h/-/pipelines/5", Target{}, true},
		{"ftp://h/a/b/-/pipelines/5", Target{}, true},
		{"https:///a/b/-/pipelines/5", Target{}, true},
		{"https://h/a/b/-/issues/5", Target{}, true},
		{"http://[::1/a", Target{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := ParseTarget(tt.arg)
			if tt.wantErr {
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("got %+v, %v; want *InputError", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestParseTargetRealURLs reads the web URLs of a real merge request
// response (client-go's test data; see testdata/README.md).
func TestParseTargetRealURLs(t *testing.T) {
	data, err := os.ReadFile("testdata/get_merge_request.json")
	if err != nil {
		t.Fatal(err)
	}
	var mr struct {
		IID          int64  `json:"iid"`
		WebURL       string `json:"web_url"`
		HeadPipeline struct {
			ID     int64  `json:"id"`
			WebURL string `json:"web_url"`
		} `json:"head_pipeline"`
	}
	if err := json.Unmarshal(data, &mr); err != nil {
		t.Fatal(err)
	}
	got, err := ParseTarget(mr.WebURL)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != TargetMR || got.MRIID != mr.IID || got.Host != "gitlab.com" || got.Project != "gitlab-org/gitlab-ee" {
		t.Errorf("MR URL %s → %+v", mr.WebURL, got)
	}
	got, err = ParseTarget(mr.HeadPipeline.WebURL)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != TargetPipeline || got.PipelineID != mr.HeadPipeline.ID || got.Project != "gitlab-org/gitlab-ee" {
		t.Errorf("pipeline URL %s → %+v", mr.HeadPipeline.WebURL, got)
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"", "1", "https://h/a/b/-/pipelines/1", "https://h/a/b/merge_requests/2", "!3", "http://[::1]:80/a/b/-/jobs/4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTarget(s)
		if err != nil {
			return
		}
		switch got.Kind {
		case TargetPipeline:
			if got.PipelineID <= 0 {
				t.Errorf("%q: pipeline id %d", s, got.PipelineID)
			}
		case TargetMR:
			if got.MRIID <= 0 {
				t.Errorf("%q: MR iid %d", s, got.MRIID)
			}
		case TargetJob:
			if got.JobID <= 0 {
				t.Errorf("%q: job id %d", s, got.JobID)
			}
		case TargetBranch:
		default:
			t.Errorf("%q: kind %q", s, got.Kind)
		}
		if got.Host != "" && !strings.Contains(got.Project, "/") {
			t.Errorf("%q: project %q has no namespace", s, got.Project)
		}
	})
}

func TestRepoForTarget(t *testing.T) {
	const body = "hosts:\n    127.0.0.1:\n        api_host: 127.0.0.1:8929\n        token: t\n    sub.example:8443:\n        subfolder: gitlab\n        token: t\n"
	env, _ := rawEnv(t, writeConfig(t, body), nil)
	cfg := mustLoad(t, env)
	tests := []struct {
		url  string
		want Repo
	}{
		{"http://127.0.0.1:8929/g/p/-/pipelines/1", Repo{Host: "127.0.0.1", FullPath: "g/p"}},
		{"https://sub.example:8443/gitlab/g/p/-/pipelines/1", Repo{Host: "sub.example:8443", FullPath: "g/p"}},
		{"https://gitlab.com/gitlab/p/-/pipelines/1", Repo{Host: "gitlab.com", FullPath: "gitlab/p"}},
		{"https://unknown.example:444/g/p/-/jobs/1", Repo{Host: "unknown.example:444", FullPath: "g/p"}},
	}
	for _, tt := range tests {
		tg, err := ParseTarget(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := cfg.RepoForTarget(tg)
		if !ok || got != tt.want {
			t.Errorf("RepoForTarget(%s) = %+v, %v; want %+v", tt.url, got, ok, tt.want)
		}
	}
	if _, ok := cfg.RepoForTarget(Target{Kind: TargetPipeline, PipelineID: 1}); ok {
		t.Error("an id names no project")
	}
}

func TestCurrentBranch(t *testing.T) {
	repoDir := gitRepo(t, nil, nil)
	env := Env{Getenv: MapEnv(nil), WorkDir: repoDir}
	got, err := CurrentBranch(env)
	if err != nil || got != "feature/x" {
		t.Fatalf("CurrentBranch = %q, %v", got, err)
	}
	// Detach HEAD on a commit.
	for _, args := range [][]string{
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "c"},
		{"checkout", "-q", "--detach"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repoDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	_, err = CurrentBranch(env)
	var ie *InputError
	if !errors.As(err, &ie) || !errors.Is(err, ErrNotOnAnyBranch) || !strings.Contains(err.Error(), "--branch") {
		t.Errorf("detached: err = %v", err)
	}
	_, err = CurrentBranch(Env{Getenv: MapEnv(nil), WorkDir: t.TempDir()})
	var re *RepoError
	if !errors.As(err, &re) {
		t.Errorf("outside a checkout: err = %v", err)
	}
}

func TestSelect(t *testing.T) {
	repoDir := gitRepo(t, [][2]string{{"origin", "git@gitlab.example.com:acme/widgets.git"}}, nil)
	const body = "hosts:\n    gitlab.example.com:\n        token: t\n"
	tests := []struct {
		name    string
		opts    SelectOptions
		noRepo  bool
		want    Selection
		wantErr string
	}{
		{name: "nothing: current branch of the checkout",
			want: Selection{Repo: Repo{Host: "gitlab.example.com", FullPath: "acme/widgets", Remote: "origin"},
				Target: Target{Kind: TargetBranch, Branch: "feature/x"}}},
		{name: "--branch",
			opts: SelectOptions{Branch: "main"},
			want: Selection{Repo: Repo{Host: "gitlab.example.com", FullPath: "acme/widgets", Remote: "origin"},
				Target: Target{Kind: TargetBranch, Branch: "main"}}},
		{name: "pipeline id",
			opts: SelectOptions{Arg: "42"},
			want: Selection{Repo: Repo{Host: "gitlab.example.com", FullPath: "acme/widgets", Remote: "origin"},
				Target: Target{Kind: TargetPipeline, PipelineID: 42}}},
		{name: "--mr",
			opts: SelectOptions{MRIID: 7, Repo: "acme/other"},
			want: Selection{Repo: Repo{Host: "gitlab.example.com", FullPath: "acme/other"},
				Target: Target{Kind: TargetMR, MRIID: 7}}},
		{name: "URL outside a checkout", noRepo: true,
			opts: SelectOptions{Arg: "https://gitlab.example.com/acme/widgets/-/pipelines/9"},
			want: Selection{Repo: Repo{Host: "gitlab.example.com", FullPath: "acme/widgets"},
				Target: Target{Kind: TargetPipeline, Host: "gitlab.example.com", Project: "acme/widgets", Scheme: "https", PipelineID: 9}}},
		{name: "URL agreeing with -R",
			opts: SelectOptions{Arg: "https://gitlab.example.com/acme/widgets/-/merge_requests/3", Repo: "gitlab.example.com/acme/widgets"},
			want: Selection{Repo: Repo{Host: "gitlab.example.com", FullPath: "acme/widgets"},
				Target: Target{Kind: TargetMR, Host: "gitlab.example.com", Project: "acme/widgets", Scheme: "https", MRIID: 3}}},
		{name: "URL disagreeing with -R",
			opts:    SelectOptions{Arg: "https://gitlab.example.com/acme/widgets/-/pipelines/9", Repo: "acme/gadgets"},
			wantErr: "the URL names gitlab.example.com/acme/widgets but -R names gitlab.example.com/acme/gadgets"},
		{name: "id and --mr", opts: SelectOptions{Arg: "1", MRIID: 2}, wantErr: "either a pipeline argument or --mr"},
		{name: "id and --branch", opts: SelectOptions{Arg: "1", Branch: "b"}, wantErr: "either a pipeline argument or --branch"},
		{name: "--mr and --branch", opts: SelectOptions{MRIID: 2, Branch: "b"}, wantErr: "either --mr or --branch"},
		{name: "negative --mr", opts: SelectOptions{MRIID: -2}, wantErr: "--mr takes"},
		{name: "bad argument", opts: SelectOptions{Arg: "nope"}, wantErr: `cannot read "nope"`},
		{name: "no checkout, no branch", noRepo: true, opts: SelectOptions{Repo: "acme/widgets"},
			wantErr: "not in a git checkout; give a pipeline id or URL, --mr or --branch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := rawEnv(t, writeConfig(t, body), nil)
			if !tt.noRepo {
				env.WorkDir = repoDir
			}
			got, err := Select(env, mustLoad(t, env), tt.opts)
			if tt.wantErr != "" {
				var ie *InputError
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want *InputError with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}
