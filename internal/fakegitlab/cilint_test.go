package fakegitlab

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/ciconfig"
)

const demoSHA = "3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b"

func TestCILint(t *testing.T) {
	s := demoServer(t, Options{Faults: []Fault{{Path: "/projects/403/ci/lint", Status: 403}}})
	base := "/api/v4/projects/acme%2Fplatform%2Fbilling-api/ci/lint"
	tests := []struct {
		name   string
		path   string
		status int
		valid  bool
		body   string
	}{
		{"by content_ref", base + "?content_ref=" + demoSHA, 200, true, ""},
		{"by deprecated sha", base + "?sha=" + demoSHA, 200, true, ""},
		{"short sha", base + "?content_ref=3f9c2e1", 200, true, ""},
		{"pipeline ref", base + "?content_ref=feature%2Finvoices", 200, true, ""},
		{"default branch", base, 200, true, ""},
		{"numeric id", "/api/v4/projects/4242/ci/lint?content_ref=main&dry_run=false&include_jobs=true", 200, true, ""},
		{"unknown commit", base + "?content_ref=0000000000", 404, false, `{"message":"404 Commit Not Found"}`},
		{"too short", base + "?content_ref=3f9c", 404, false, `{"message":"404 Commit Not Found"}`},
		{"both refs", base + "?sha=main&content_ref=main", 400, false, `{"error":"sha, content_ref are mutually exclusive"}`},
		{"unknown project", "/api/v4/projects/acme%2Fnope/ci/lint", 404, false, `{"message":"404 Project Not Found"}`},
		{"forbidden", "/api/v4/projects/403/ci/lint", 403, false, `{"message":"403 Forbidden"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s, tt.path)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.body != "" {
				if got := string(bytes.TrimSpace(r.body)); got != tt.body {
					t.Errorf("body %s, want %s", got, tt.body)
				}
				return
			}
			var res struct {
				Valid      *bool    `json:"valid"`
				Errors     []string `json:"errors"`
				Warnings   []string `json:"warnings"`
				MergedYAML *string  `json:"merged_yaml"`
				Includes   []any    `json:"includes"`
			}
			if err := json.Unmarshal(r.body, &res); err != nil {
				t.Fatal(err)
			}
			if res.Valid == nil || *res.Valid != tt.valid || res.Errors == nil || res.Warnings == nil || res.Includes == nil {
				t.Errorf("answer %s", r.body)
			}
			if res.MergedYAML == nil || !strings.Contains(*res.MergedYAML, "pytest:") {
				t.Errorf("merged_yaml %v", res.MergedYAML)
			}
		})
	}
	// Job tokens cannot lint.
	if r := do(t, s, "GET", base, "JOB-TOKEN", DemoJobToken, nil); r.status != 401 {
		t.Errorf("job token: %d", r.status)
	}
}

func TestCILintWithoutConfig(t *testing.T) {
	sc := NewScenario("tok")
	sc.AddProject(Project{ID: 1, PathWithNamespace: "g/p"})
	s := NewTB(t, sc, Options{})
	r := do(t, s, "GET", "/api/v4/projects/1/ci/lint", "PRIVATE-TOKEN", "tok", nil)
	want := `{"valid":false,"errors":["Please provide content of .gitlab-ci.yml"],"warnings":[],"merged_yaml":null,"includes":[]}`
	if r.status != 200 || string(bytes.TrimSpace(r.body)) != want {
		t.Errorf("%d %s", r.status, r.body)
	}
}

// TestDemoCIConfig checks that the demo's CI configuration agrees with its
// jobs: every job and bridge of the root pipeline is defined, the images
// are those the traces pull, and the pytest jobs' JUnit path is the file in
// their artifacts. It reads the configuration through client-go's lint
// support, as the tool does.
func TestDemoCIConfig(t *testing.T) {
	s := demoServer(t, Options{})
	c, err := gitlab.NewClient(DemoToken, gitlab.WithBaseURL(s.APIURL()))
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := c.Validate.ProjectLint(DemoProjectPath, &gitlab.ProjectLintOptions{ContentRef: gitlab.Ptr(demoSHA)})
	if err != nil || !res.Valid {
		t.Fatalf("lint: %v %+v", err, res)
	}
	cfg, err := ciconfig.Parse(strings.NewReader(res.MergedYaml))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) > 0 {
		t.Errorf("warnings: %q", cfg.Warnings)
	}
	sc, _ := Demo()
	imageRE := regexp.MustCompile(`Using Docker executor with image (\S+) `)
	for _, j := range sc.Jobs {
		if j.PipelineID != DemoPipelineID {
			if _, ok := cfg.Job(j.Name); ok {
				t.Errorf("child job %s found in the parent configuration", j.Name)
			}
			continue
		}
		jc, ok := cfg.Job(j.Name)
		if !ok {
			t.Errorf("job %s not in the configuration", j.Name)
			continue
		}
		if m := imageRE.FindSubmatch(sc.Traces[j.ID]); m != nil && string(m[1]) != jc.Image {
			t.Errorf("job %s: trace image %s, config image %s", j.Name, m[1], jc.Image)
		}
		for _, p := range jc.JUnit {
			if _, ok := sc.Artifacts[j.ID][p]; !ok && j.Status != "skipped" {
				t.Errorf("job %s: junit %s not in its artifacts", j.Name, p)
			}
		}
	}
	for _, b := range sc.Bridges {
		if _, ok := cfg.Job(b.Name); !ok {
			t.Errorf("bridge %s not in the configuration", b.Name)
		}
	}
	py, _ := cfg.Job("pytest 1/2")
	if strings.Join(py.JUnit, ",") != "reports/junit.xml" || !strings.Contains(strings.Join(py.Variables, ","), "DATABASE_URL") {
		t.Errorf("pytest config %+v", py)
	}
	if d, _ := cfg.Job("deploy:staging"); d == nil || strings.Join(d.Needs, ",") != "build:wheel,pytest,flake8" {
		t.Errorf("deploy:staging needs %+v", d)
	}
}
