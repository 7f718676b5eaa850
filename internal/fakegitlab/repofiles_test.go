package fakegitlab

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/ciconfig"
)

func TestRawFileRoute(t *testing.T) {
	s := demoServer(t, Options{})
	base := "/api/v4/projects/" + url.PathEscape(DemoProjectPath) + "/repository/files/"
	tests := []struct {
		name, path string
		status     int
		contains   string
	}{
		{"child config at the sha", "docs%2F.gitlab-ci.yml/raw?ref=" + demoSHA, 200, "docs:build:"},
		{"dots escaped too", "docs%2F%2Egitlab-ci%2Eyml/raw?ref=" + demoSHA[:8], 200, "docs:spelling:"},
		{"branch ref", "docs%2F.gitlab-ci.yml/raw?ref=" + url.QueryEscape(DemoBranch), 200, "sphinx-build"},
		{"default branch when no ref", ".gitlab-ci.yml/raw", 200, "trigger:docs:"},
		{"unknown file", "docs%2Fnope.yml/raw?ref=" + demoSHA, 404, "404 File Not Found"},
		{"unknown commit", "docs%2F.gitlab-ci.yml/raw?ref=0000000000", 404, "404 Commit Not Found"},
		{"parent path", "..%2Fsecret/raw?ref=" + demoSHA, 400, "file_path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s, base+tt.path)
			if r.status != tt.status || !strings.Contains(string(r.body), tt.contains) {
				t.Errorf("%d %q", r.status, r.body)
			}
			if r.status == 200 && !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
				t.Errorf("content type %q", r.header.Get("Content-Type"))
			}
		})
	}
	if r := get(t, s, "/api/v4/projects/999/repository/files/a.yml/raw"); r.status != 404 || !strings.Contains(string(r.body), "Project Not Found") {
		t.Errorf("unknown project: %d %s", r.status, r.body)
	}
}

func TestRawFileCIConfigFallback(t *testing.T) {
	sc := NewScenario("tok")
	sc.AddProject(Project{ID: 1, PathWithNamespace: "g/p", CIConfig: "a:\n  script: x\n"})
	s := NewTB(t, sc, Options{})
	r := do(t, s, "GET", "/api/v4/projects/1/repository/files/.gitlab-ci.yml/raw?ref=main", "PRIVATE-TOKEN", "tok", nil)
	if r.status != 200 || string(r.body) != "a:\n  script: x\n" {
		t.Errorf("%d %q", r.status, r.body)
	}
	r = do(t, s, "GET", "/api/v4/projects/1/repository/files/other.yml/raw?ref=main", "PRIVATE-TOKEN", "tok", nil)
	if r.status != 404 {
		t.Errorf("other file: %d %q", r.status, r.body)
	}
}

// TestDemoChildCIConfig checks that the child pipeline's configuration,
// read the way the tool reads it (the trigger:docs include, fetched with
// client-go at the pipeline's commit), defines the child pipeline's jobs
// with the images and commands their traces show.
func TestDemoChildCIConfig(t *testing.T) {
	s := demoServer(t, Options{})
	c, err := gitlab.NewClient(DemoToken, gitlab.WithBaseURL(s.APIURL()))
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := Demo()
	parent, err := ciconfig.Parse(strings.NewReader(sc.Projects[0].CIConfig))
	if err != nil {
		t.Fatal(err)
	}
	inc := parent.TriggerIncludes("trigger:docs")
	if len(inc) != 1 || inc[0] != "docs/.gitlab-ci.yml" {
		t.Fatalf("trigger:docs includes %q", inc)
	}
	raw, _, err := c.RepositoryFiles.GetRawFile(DemoProjectPath, inc[0], &gitlab.GetRawFileOptions{Ref: gitlab.Ptr(demoSHA)})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ciconfig.Parse(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) > 0 {
		t.Errorf("warnings: %q", cfg.Warnings)
	}
	imageRE := regexp.MustCompile(`Using Docker executor with image (\S+) `)
	cmdRE := regexp.MustCompile(`\$ ([^\x1b\r\n]+)`)
	children := 0
	for _, j := range sc.Jobs {
		if j.PipelineID != DemoChildID {
			continue
		}
		children++
		jc, ok := cfg.Job(j.Name)
		if !ok {
			t.Errorf("child job %s not in docs/.gitlab-ci.yml", j.Name)
			continue
		}
		tr := sc.Traces[j.ID]
		if m := imageRE.FindSubmatch(tr); m == nil || string(m[1]) != jc.Image {
			t.Errorf("job %s: trace image %q, config image %s", j.Name, m, jc.Image)
		}
		var cmds []string
		for _, m := range cmdRE.FindAllSubmatch(tr, -1) {
			cmds = append(cmds, string(m[1]))
		}
		if strings.Join(cmds, "\n") != strings.Join(jc.Script, "\n") {
			t.Errorf("job %s: trace commands %q, config script %q", j.Name, cmds, jc.Script)
		}
	}
	if children == 0 {
		t.Error("the demo has no child pipeline jobs")
	}
}
