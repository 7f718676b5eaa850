package shared

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
)

const (
	incToken   = "glpat-include-test"
	incProject = "acme/app"
	incSHA     = "5d41402abc4b2a76b9719d911017c592ae8d1f3e"
	rawRoute   = "projects/:id/repository/files/:file_path/raw"
)

// incParent is the root configuration: one bridge per way a child
// pipeline's files include others.
const incParent = `build:
  script: make
jobs-in-include:
  trigger:
    include: ci/child.yml
extends-template:
  trigger:
    include: [{local: ci/lint.yml}]
nested:
  trigger:
    include: /ci/nested/top.yml
cycle:
  trigger:
    include: ci/cycle-a.yml
missing:
  trigger:
    include: ci/partial.yml
kinds:
  trigger:
    include: ci/kinds.yml
chain:
  trigger:
    include: ci/chain/0.yml
`

// incFiles are the repository's files at incSHA.
func incFiles() map[string]string {
	files := map[string]string{
		"ci/child.yml":          "include: ci/jobs/test.yml\nstages: [test]\n",
		"ci/jobs/test.yml":      "unit:\n  image: golang:1.24\n  script: go test ./...\n",
		"ci/lint.yml":           "include:\n  - local: /ci/templates/node.yml\nlint:\n  extends: .node\n  script: npm run lint\n",
		"ci/templates/node.yml": ".node:\n  image: node:22\n  before_script: [npm ci]\n",
		"ci/nested/top.yml":     "include: ci/nested/mid.yml\n",
		"ci/nested/mid.yml":     "include: ci/nested/leaf.yml\ndefault:\n  image: alpine:3.20\n",
		"ci/nested/leaf.yml":    "deep:\n  script: ./deep.sh\n",
		"ci/cycle-a.yml":        "include: ci/cycle-b.yml\njob-a:\n  script: a\n",
		"ci/cycle-b.yml":        "include: ci/cycle-a.yml\njob-b:\n  script: b\n",
		"ci/partial.yml":        "include: [ci/gone.yml, ci/jobs/test.yml]\n",
		"ci/kinds.yml": "include:\n  - template: Jobs/SAST.gitlab-ci.yml\n  - project: acme/templates\n    file: go.yml\n" +
			"  - local: ci/jobs/test.yml\n",
	}
	for i := 0; i <= 160; i++ {
		files[fmt.Sprintf("ci/chain/%d.yml", i)] = fmt.Sprintf("include: ci/chain/%d.yml\nlink-%d:\n  script: echo %d\n", i+1, i, i)
	}
	return files
}

// incServer serves incProject with incParent and incFiles.
func incServer(t *testing.T) (*gitlab.Client, *fakegitlab.Server) {
	t.Helper()
	sc := fakegitlab.NewScenario(incToken)
	sc.AddProject(fakegitlab.Project{ID: 7, PathWithNamespace: incProject, CIConfig: incParent, Files: incFiles()})
	sc.AddPipeline(fakegitlab.Pipeline{ID: 100, IID: 1, ProjectID: 7, SHA: incSHA, Ref: "main", Status: "failed"})
	srv := fakegitlab.NewTB(t, sc, fakegitlab.Options{})
	c, err := gitlab.New(gitlab.Config{BaseURL: srv.APIURL(), Token: incToken, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// fileRequests returns the paths of the repository files requested, in
// order.
func fileRequests(t *testing.T, srv *fakegitlab.Server) []string {
	t.Helper()
	var out []string
	for _, r := range srv.Requests() {
		if r.Route != rawRoute {
			continue
		}
		i := strings.Index(r.Path, "/repository/files/")
		p, err := url.PathUnescape(strings.TrimSuffix(r.Path[i+len("/repository/files/"):], "/raw"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestFetchGraphConfigsChildIncludes reads child pipelines whose files
// include other files from the fake GitLab: the jobs' definitions, the
// warnings, and exactly the repository files needed, each once.
func TestFetchGraphConfigsChildIncludes(t *testing.T) {
	type def struct{ image, before, script string }
	var chainReads []string
	for i := range 150 {
		chainReads = append(chainReads, fmt.Sprintf("ci/chain/%d.yml", i))
	}
	tests := []struct {
		name     string
		bridges  []string       // one child pipeline for each
		jobs     []string       // failed in every child pipeline
		want     map[string]def // job → definition; jobs left out get none
		reads    []string
		warnings []string // substrings, in order
	}{
		{name: "jobs in an included file",
			bridges: []string{"jobs-in-include"}, jobs: []string{"unit"},
			want:  map[string]def{"unit": {"golang:1.24", "", "go test ./..."}},
			reads: []string{"ci/child.yml", "ci/jobs/test.yml"}},
		{name: "extends a template from an included file",
			bridges: []string{"extends-template"}, jobs: []string{"lint"},
			want:  map[string]def{"lint": {"node:22", "npm ci", "npm run lint"}},
			reads: []string{"ci/lint.yml", "ci/templates/node.yml"}},
		{name: "nested includes, default: from the middle file",
			bridges: []string{"nested"}, jobs: []string{"deep"},
			want:  map[string]def{"deep": {"alpine:3.20", "", "./deep.sh"}},
			reads: []string{"ci/nested/top.yml", "ci/nested/mid.yml", "ci/nested/leaf.yml"}},
		{name: "a cycle",
			bridges: []string{"cycle"}, jobs: []string{"job-a", "job-b"},
			want:     map[string]def{"job-a": {"", "", "a"}, "job-b": {"", "", "b"}},
			reads:    []string{"ci/cycle-a.yml", "ci/cycle-b.yml"},
			warnings: []string{"ci configuration ci/cycle-a.yml of acme/app at 5d41402abc4b: ci/cycle-b.yml includes ci/cycle-a.yml, which includes ci/cycle-b.yml back"}},
		{name: "the file cap",
			bridges: []string{"chain"}, jobs: []string{"link-0", "link-149", "link-150"},
			want:     map[string]def{"link-0": {"", "", "echo 0"}, "link-149": {"", "", "echo 149"}},
			reads:    chainReads,
			warnings: []string{"more than 150 includes (GitLab's default limit); the rest, from ci/chain/149.yml on, are not read", `defines no job named "link-150"`}},
		{name: "a missing file",
			bridges: []string{"missing"}, jobs: []string{"unit"},
			want:  map[string]def{"unit": {"golang:1.24", "", "go test ./..."}},
			reads: []string{"ci/partial.yml", "ci/gone.yml", "ci/jobs/test.yml"},
			warnings: []string{"ci configuration ci/partial.yml of acme/app at 5d41402abc4b: ci/partial.yml includes ci/gone.yml, which could not be read " +
				"(file ci/gone.yml at 5d41402abc4b not found in acme/app (or not visible with this token)); the jobs and templates it defines are left out"}},
		{name: "unsupported include kinds",
			bridges: []string{"kinds"}, jobs: []string{"unit"},
			want:  map[string]def{"unit": {"golang:1.24", "", "go test ./..."}},
			reads: []string{"ci/kinds.yml", "ci/jobs/test.yml"},
			warnings: []string{
				"ci/kinds.yml includes GitLab's template Jobs/SAST.gitlab-ci.yml, which is not read (GitLab's templates are not read)",
				"ci/kinds.yml includes go.yml of the project acme/templates, which is not read (files of other projects are not read)",
			}},
		{name: "a file several children include is read once",
			bridges: []string{"jobs-in-include", "missing", "kinds", "jobs-in-include"},
			jobs:    []string{"unit"},
			want:    map[string]def{"unit": {"golang:1.24", "", "go test ./..."}},
			reads:   []string{"ci/child.yml", "ci/jobs/test.yml", "ci/partial.yml", "ci/gone.yml", "ci/kinds.yml"},
			warnings: []string{"ci/partial.yml includes ci/gone.yml, which could not be read",
				"ci/kinds.yml includes GitLab's template", "ci/kinds.yml includes go.yml of the project acme/templates"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := incServer(t)
			g := &gitlab.Graph{Pipelines: []gitlab.Pipeline{{ID: 100, ProjectPath: incProject, SHA: incSHA, Kind: gitlab.KindRoot}}}
			for i, b := range tt.bridges {
				g.Pipelines = append(g.Pipelines, gitlab.Pipeline{ID: int64(101 + i), ProjectPath: incProject, SHA: incSHA,
					Kind: gitlab.KindChild, ParentID: 100, BridgeName: b})
			}
			for _, p := range g.Pipelines[1:] {
				for _, name := range tt.jobs {
					id := int64(1000 + len(g.FailedJobs))
					g.FailedJobs = append(g.FailedJobs, gitlab.Job{ID: id, PipelineID: p.ID, Name: name, ProjectPath: incProject, SHA: incSHA})
				}
			}
			cfgs, warnings := FetchGraphConfigs(context.Background(), c, g)
			for _, j := range g.FailedJobs {
				name, id := j.Name, j.ID
				w, ok := tt.want[name]
				jc := cfgs[id]
				switch {
				case !ok && jc != nil:
					t.Errorf("%s: defined as %+v, want no definition", name, jc)
				case ok && jc == nil:
					t.Errorf("%s: no definition", name)
				case ok:
					got := def{jc.Image, strings.Join(jc.BeforeScript, ";"), strings.Join(jc.Script, ";")}
					if got != w {
						t.Errorf("%s: %+v, want %+v", name, got, w)
					}
				}
			}
			if got := fileRequests(t, srv); !reflect.DeepEqual(got, tt.reads) {
				t.Errorf("file requests %q, want %q", got, tt.reads)
			}
			if n := countRequests(srv, "projects/:id/ci/lint"); n != 1 {
				t.Errorf("%d lint calls, want 1", n)
			}
			if n := len(srv.Requests()); n != len(tt.reads)+1 {
				t.Errorf("%d requests, want %d: %v", n, len(tt.reads)+1, srv.Requests())
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d", warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %q, want it to contain %q", warnings[i], w)
				}
			}
		})
	}
}
