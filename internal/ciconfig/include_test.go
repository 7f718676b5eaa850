package ciconfig

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// repo is a repository for Child: files by path, and the reads made.
type repo struct {
	files map[string]string
	reads []string
}

func (r *repo) read(p string) (io.ReadCloser, error) {
	r.reads = append(r.reads, p)
	s, ok := r.files[p]
	if !ok {
		return nil, fmt.Errorf("file %s: %w", p, errors.New("not found"))
	}
	return io.NopCloser(strings.NewReader(s)), nil
}

// childOf parses parent and returns the child configuration of bridge.
func childOf(t *testing.T, parent, bridge string, r *repo) *Config {
	t.Helper()
	c, err := Parse(strings.NewReader(parent))
	if err != nil {
		t.Fatal(err)
	}
	return c.Child(bridge, r.read)
}

func TestChild(t *testing.T) {
	type want struct {
		job, image, script string // script: the lines joined with ";"
	}
	tests := []struct {
		name     string
		include  string // the value of trigger:include
		files    map[string]string
		jobs     []want
		order    []string // Jobs(), when set
		reads    []string
		warnings []string // substrings, in order
	}{
		{
			name:    "jobs in an included file",
			include: "ci/child.yml",
			files: map[string]string{
				"ci/child.yml": "include: ci/jobs.yml\nstages: [test]\n",
				"ci/jobs.yml":  "unit:\n  image: golang:1.24\n  script: go test ./...\n",
			},
			jobs:  []want{{"unit", "golang:1.24", "go test ./..."}},
			reads: []string{"ci/child.yml", "ci/jobs.yml"},
		},
		{
			name:    "extends, default and !reference across files",
			include: "[child.yml]",
			files: map[string]string{
				"child.yml": "include:\n  - local: /templates/base.yml\n  - defaults.yml\n" +
					"lint:\n  extends: .base\n  script:\n    - !reference [.setup, script]\n    - make lint\n",
				"templates/base.yml": ".base:\n  image: node:22\n  variables: {CI: 'true'}\n.setup:\n  script: npm ci\n",
				"defaults.yml":       "default:\n  before_script: [echo hi]\n",
			},
			jobs:  []want{{"lint", "node:22", "npm ci;make lint"}},
			reads: []string{"child.yml", "templates/base.yml", "defaults.yml"},
		},
		{
			name:    "nested includes merge in order, the including file on top",
			include: "{local: a.yml}",
			files: map[string]string{
				"a.yml": "include: [b.yml, c.yml]\njob:\n  script: from-a\n",
				"b.yml": "include: {local: d.yml}\njob:\n  image: from-b\n  script: from-b\nonly-b:\n  script: b\n",
				"c.yml": "job:\n  image: from-c\n",
				"d.yml": "deep:\n  image: from-d\n  script: d\n",
			},
			jobs:  []want{{"job", "from-c", "from-a"}, {"deep", "from-d", "d"}, {"only-b", "", "b"}},
			order: []string{"deep", "job", "only-b"},
			reads: []string{"a.yml", "b.yml", "d.yml", "c.yml"},
		},
		{
			name:    "several trigger files make one configuration",
			include: "[{local: a.yml}, {local: b.yml}]",
			files: map[string]string{
				"a.yml": ".t:\n  image: alpine:3\n",
				"b.yml": "job:\n  extends: .t\n  script: ls\n",
			},
			jobs:  []want{{"job", "alpine:3", "ls"}},
			reads: []string{"a.yml", "b.yml"},
		},
		{
			name:    "a cycle is cut and each file read once",
			include: "a.yml",
			files: map[string]string{
				"a.yml": "include: b.yml\njob-a:\n  script: a\n",
				"b.yml": "include: /a.yml\njob-b:\n  script: b\n",
			},
			jobs:     []want{{"job-a", "", "a"}, {"job-b", "", "b"}},
			reads:    []string{"a.yml", "b.yml"},
			warnings: []string{"b.yml includes a.yml, which includes b.yml back; GitLab refuses such a cycle"},
		},
		{
			name:    "a file included twice is read once and merged at each place",
			include: "[b.yml, c.yml]",
			files: map[string]string{
				"b.yml":    "include: base.yml\n.t:\n  image: from-b\n",
				"c.yml":    "include: base.yml\njob:\n  extends: .t\n  script: c\n",
				"base.yml": ".t:\n  image: from-base\n",
			},
			// GitLab merges base.yml again where c.yml includes it, over
			// what b.yml set.
			jobs:  []want{{"job", "from-base", "c"}},
			reads: []string{"b.yml", "base.yml", "c.yml"},
		},
		{
			name:    "a missing file is left out, the rest defined",
			include: "child.yml",
			files: map[string]string{
				"child.yml": "include: [gone.yml, jobs.yml]\n",
				"jobs.yml":  "job:\n  script: ok\n",
			},
			jobs:     []want{{"job", "", "ok"}},
			reads:    []string{"child.yml", "gone.yml", "jobs.yml"},
			warnings: []string{"child.yml includes gone.yml, which could not be read (file gone.yml: not found); the jobs and templates it defines are left out"},
		},
		{
			name:    "an invalid file is left out",
			include: "[bad.yml, ok.yml]",
			files: map[string]string{
				"bad.yml": "job: [unclosed\n",
				"ok.yml":  "job:\n  script: ok\n",
			},
			jobs:     []want{{"job", "", "ok"}},
			reads:    []string{"bad.yml", "ok.yml"},
			warnings: []string{`trigger job "b" includes bad.yml: parsing ci configuration`},
		},
		{
			name:    "other kinds warn once each, by name",
			include: "child.yml",
			files: map[string]string{
				"child.yml": `include:
  - project: group/shared
    ref: v1
    file: [a.yml, b.yml]
  - remote: https://example.com/r.yml
  - https://example.com/s.yml
  - template: Jobs/SAST.gitlab-ci.yml
  - component: $CI_SERVER_FQDN/group/comp/lint@1.0
  - artifact: generated.yml
    job: generate
  - local: ci/*.yml
  - $EXTRA_FILE
  - {unknown: x}
  - [nested]
  - local: jobs.yml
job:
  extends: .from-shared
  script: run
`,
				"jobs.yml": "other:\n  script: ok\n",
			},
			jobs:  []want{{"job", "", "run"}, {"other", "", "ok"}},
			reads: []string{"child.yml", "jobs.yml"},
			warnings: []string{
				"child.yml includes a.yml, b.yml of the project group/shared at v1, which is not read (files of other projects are not read)",
				"child.yml includes the remote file https://example.com/r.yml, which is not read (remote files are not fetched)",
				"child.yml includes the remote file https://example.com/s.yml",
				"child.yml includes GitLab's template Jobs/SAST.gitlab-ci.yml, which is not read",
				"child.yml includes the component $CI_SERVER_FQDN/group/comp/lint@1.0, which is not read (CI/CD components are not read)",
				"child.yml includes the artifact generated.yml of the job generate, which is not read",
				"child.yml includes the files matching ci/*.yml, which is not read (wildcard paths are not expanded)",
				"child.yml includes the file $EXTRA_FILE, which is not read (variables in include paths are not expanded)",
				"child.yml includes an include with the keys unknown",
				"child.yml includes an entry that is neither a path nor a mapping",
				"job: extends unknown job or template .from-shared",
			},
		},
		{
			name:    "an include with rules is read",
			include: "child.yml",
			files: map[string]string{
				"child.yml": "include:\n  - local: mr.yml\n    rules:\n      - if: $CI_MERGE_REQUEST_IID\n",
				"mr.yml":    "job:\n  script: mr\n",
			},
			jobs:     []want{{"job", "", "mr"}},
			reads:    []string{"child.yml", "mr.yml"},
			warnings: []string{"child.yml includes the file mr.yml with rules:, which are not evaluated; it is read as if they matched"},
		},
		{
			name:     "nothing readable",
			include:  "gone.yml",
			files:    map[string]string{},
			reads:    []string{"gone.yml"},
			warnings: []string{`trigger job "b" includes gone.yml, which could not be read`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &repo{files: tt.files}
			c := childOf(t, "b:\n  trigger:\n    include: "+tt.include+"\n", "b", r)
			if c == nil {
				t.Fatal("no child configuration")
			}
			for _, w := range tt.jobs {
				j, ok := c.Job(w.job)
				if !ok {
					t.Errorf("job %s not defined; jobs %q", w.job, c.Jobs())
					continue
				}
				if j.Image != w.image || strings.Join(j.Script, ";") != w.script {
					t.Errorf("job %s: image %q script %q, want %q %q", w.job, j.Image, j.Script, w.image, w.script)
				}
			}
			if len(tt.jobs) != len(c.Jobs()) {
				t.Errorf("jobs %q, want %d", c.Jobs(), len(tt.jobs))
			}
			if tt.order != nil && !reflect.DeepEqual(c.Jobs(), tt.order) {
				t.Errorf("job order %q, want %q", c.Jobs(), tt.order)
			}
			if !reflect.DeepEqual(r.reads, tt.reads) {
				t.Errorf("reads %q, want %q", r.reads, tt.reads)
			}
			var readOK []string
			for _, p := range tt.reads {
				if _, ok := tt.files[p]; ok && !strings.HasPrefix(tt.files[p], "job: [") {
					readOK = append(readOK, p)
				}
			}
			if got := c.Files(); !reflect.DeepEqual(got, readOK) {
				t.Errorf("Files() = %q, want %q", got, readOK)
			}
			if len(c.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d", c.Warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(c.Warnings[i], w) {
					t.Errorf("warning %d %q, want it to contain %q", i, c.Warnings[i], w)
				}
			}
		})
	}
}

func TestChildMaxIncludes(t *testing.T) {
	// A chain: each file includes the next one and defines one job.
	files := map[string]string{}
	for i := 0; i <= MaxIncludes+5; i++ {
		files[fmt.Sprintf("f%d.yml", i)] = fmt.Sprintf("include: f%d.yml\njob%d:\n  script: s%d\n", i+1, i, i)
	}
	r := &repo{files: files}
	c := childOf(t, "b:\n  trigger:\n    include: f0.yml\n", "b", r)
	// The trigger's own include counts, as GitLab counts it.
	if len(r.reads) != MaxIncludes {
		t.Errorf("%d reads, want %d", len(r.reads), MaxIncludes)
	}
	if n := len(c.Jobs()); n != MaxIncludes {
		t.Errorf("%d jobs, want %d", n, MaxIncludes)
	}
	want := fmt.Sprintf("more than %d includes (GitLab's default limit); the rest, from f%d.yml on, are not read", MaxIncludes, MaxIncludes-1)
	if !reflect.DeepEqual(c.Warnings, []string{want}) {
		t.Errorf("warnings %q, want %q", c.Warnings, want)
	}

	// Repeated includes count each time, though read once.
	files = map[string]string{"base.yml": ".t:\n  script: x\n"}
	var list []string
	for range MaxIncludes + 1 {
		list = append(list, "base.yml")
	}
	r = &repo{files: files}
	c = childOf(t, "b:\n  trigger:\n    include: ["+strings.Join(list, ", ")+"]\n", "b", r)
	if !reflect.DeepEqual(r.reads, []string{"base.yml"}) || len(c.Warnings) != 1 {
		t.Errorf("reads %q, warnings %q", r.reads, c.Warnings)
	}
}

func TestChildNotABridge(t *testing.T) {
	parent := "job:\n  script: make\nmulti:\n  trigger: group/project\ntpl:\n  trigger:\n    include: x.yml\nb:\n  extends: tpl\n"
	c, err := Parse(strings.NewReader(parent))
	if err != nil {
		t.Fatal(err)
	}
	r := &repo{files: map[string]string{"x.yml": "j:\n  script: x\n"}}
	for _, name := range []string{"job", "multi", "nope"} {
		if got := c.Child(name, r.read); got != nil {
			t.Errorf("Child(%q) = %v, want nil", name, got.Jobs())
		}
	}
	if got := (*Config)(nil).Child("b", r.read); got != nil {
		t.Errorf("nil config: %v", got)
	}
	if len(r.reads) != 0 {
		t.Errorf("reads %q", r.reads)
	}
	// A trigger:include inherited through extends counts.
	if got := c.Child("b", r.read); got == nil || !reflect.DeepEqual(got.Jobs(), []string{"j"}) {
		t.Errorf("Child(b) through extends: %v", got)
	}
	if c.Files() != nil {
		t.Errorf("Files() of a parsed configuration = %q", c.Files())
	}
}
