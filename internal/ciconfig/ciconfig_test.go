package ciconfig

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

func parseFile(t *testing.T, name string) *Config {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return c
}

// dump renders every job of a configuration as indented JSON.
func dump(c *Config) []byte {
	type out struct {
		Jobs     map[string]*diagnose.JobConfig
		Order    []string
		Warnings []string
	}
	o := out{Jobs: map[string]*diagnose.JobConfig{}, Order: c.Jobs(), Warnings: c.Warnings}
	for _, n := range c.Jobs() {
		o.Jobs[n], _ = c.Job(n)
	}
	b, _ := json.MarshalIndent(o, "", "  ")
	return append(b, '\n')
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			got := dump(parseFile(t, name))
			golden := filepath.Join("testdata", strings.TrimSuffix(name, ".yml")+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (create it with: go test ./internal/ciconfig -update)", err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("%s mismatch (go test ./internal/ciconfig -update to accept)\n--- want\n%s\n--- got\n%s", golden, want, got)
			}
		})
	}
}

func TestJobs(t *testing.T) {
	type check struct {
		file, job string
		want      diagnose.JobConfig
	}
	tests := []struct {
		name string
		check
	}{
		{"default image services before_script, global variables, parallel", check{"python-service.yml", "pytest 2/2", diagnose.JobConfig{
			Image:        "python:3.12-slim",
			Services:     []string{"postgres:16", "redis:7"},
			BeforeScript: []string{"python -m venv .venv", "source .venv/bin/activate"},
			Script:       []string{"pip install -r requirements.txt", "pytest --junitxml=reports/junit.xml"},
			Variables:    []string{"DATABASE_URL", "PIP_INDEX_URL", "PYTEST_ADDOPTS", "PYTHONUNBUFFERED"},
			JUnit:        []string{"reports/junit.xml"},
		}}},
		{"empty needs, script as a string", check{"python-service.yml", "flake8", diagnose.JobConfig{
			Image:        "python:3.12-slim",
			Services:     []string{"postgres:16", "redis:7"},
			BeforeScript: []string{"python -m venv .venv", "source .venv/bin/activate"},
			Script:       []string{"flake8 src/ tests/"},
			Variables:    []string{"DATABASE_URL", "PIP_INDEX_URL", "PYTHONUNBUFFERED"},
		}}},
		{"needs as strings and {job:}", check{"python-service.yml", "build:wheel", diagnose.JobConfig{
			Image:        "python:3.12-slim",
			Services:     []string{"postgres:16", "redis:7"},
			BeforeScript: []string{"python -m venv .venv", "source .venv/bin/activate"},
			Script:       []string{"python -m pip wheel --no-deps -w dist ."},
			Variables:    []string{"DATABASE_URL", "PIP_INDEX_URL", "PYTHONUNBUFFERED"},
			Needs:        []string{"pytest", "flake8"},
		}}},
		{"matrix name, image map, emptied defaults, cross-pipeline needs dropped", check{"python-service.yml", "deploy: [gcp, europe-west1]", diagnose.JobConfig{
			Image:     "registry.example.com/tools/deployer:2.4",
			Script:    []string{`./deploy.sh "$PROVIDER"`},
			Variables: []string{"DATABASE_URL", "PIP_INDEX_URL", "PROVIDER", "PYTHONUNBUFFERED", "REGION", "STACK"},
			Needs:     []string{"build:wheel"},
		}}},
		{"trigger job", check{"python-service.yml", "trigger:docs", diagnose.JobConfig{
			Image:        "python:3.12-slim",
			Services:     []string{"postgres:16", "redis:7"},
			BeforeScript: []string{"python -m venv .venv", "source .venv/bin/activate"},
			Variables:    []string{"DATABASE_URL", "PIP_INDEX_URL", "PYTHONUNBUFFERED"},
		}}},
		{"nested extends with deep-merged variables", check{"extends.yml", "unit", diagnose.JobConfig{
			Image:        "python:3.11",
			BeforeScript: []string{"pip install -U pip"},
			Script:       []string{"pytest tests/unit --junitxml=reports/unit-$CI_NODE_INDEX.xml"},
			Variables:    []string{"COVERAGE", "LANG", "PIP_CACHE_DIR"},
			JUnit:        []string{"reports/unit-*.xml", "**/TEST-*.xml"},
		}}},
		{"extends list, own keys win, artifacts deep-merged", check{"extends.yml", "integration", diagnose.JobConfig{
			Image:        "python:3.12",
			Services:     []string{"postgres:15"},
			BeforeScript: []string{"pip install -U pip"},
			Script:       []string{"pytest"},
			Variables:    []string{"COVERAGE", "LANG", "PIP_CACHE_DIR", "POSTGRES_DB"},
			JUnit:        []string{"reports/unit-*.xml", "**/TEST-*.xml"},
		}}},
		{"circular extends keeps own keys", check{"extends.yml", "loop-a", diagnose.JobConfig{
			Script: []string{"echo a"},
		}}},
		{"merge keys, first merged map wins, explicit keys win", check{"anchors.yml", "test2", diagnose.JobConfig{
			Image:        "node:20",
			Services:     []string{"postgres:16", "redis:7"},
			BeforeScript: []string{`echo "setting up"`, `export PATH="$HOME/bin:$PATH"`},
			Script:       []string{"echo test2"},
			Variables:    []string{"CI_DEBUG_SERVICES", "JEST_JUNIT_OUTPUT_DIR", "NODE_ENV"},
		}}},
		{"!reference in script lists", check{"anchors.yml", "test1", diagnose.JobConfig{
			Image:     "node:22",
			Services:  []string{"postgres:16"},
			Script:    []string{"npm ci --cache .npm --prefer-offline", "npm test -- --ci --reporters=default --reporters=jest-junit"},
			Variables: []string{"JEST_JUNIT_OUTPUT_DIR", "NODE_ENV"},
			JUnit:     []string{"reports/junit.xml"},
		}}},
		{"!reference as a whole value, nested script lists", check{"anchors.yml", "test3", diagnose.JobConfig{
			Image:        "node:22",
			BeforeScript: []string{`echo "setting up"`, `export PATH="$HOME/bin:$PATH"`},
			Script:       []string{"npm ci --cache .npm --prefer-offline", "echo nested", "echo deeper"},
			Variables:    []string{"JEST_JUNIT_OUTPUT_DIR", "NODE_ENV"},
		}}},
		{"legacy globals", check{"legacy.yml", "rspec", diagnose.JobConfig{
			Image:        "ruby:3.3",
			Services:     []string{"mysql:8.0"},
			BeforeScript: []string{"bundle install --jobs 4"},
			Script:       []string{"bundle exec rspec"},
			Variables:    []string{"DB_HOST", "RAILS_ENV"},
			JUnit:        []string{"rspec.xml"},
		}}},
		{"inherit false", check{"legacy.yml", "rubocop", diagnose.JobConfig{
			Image:  "ruby:3.3-alpine",
			Script: []string{"bundle exec rubocop"},
		}}},
		{"inherit lists", check{"legacy.yml", "assets", diagnose.JobConfig{
			Image:     "ruby:3.3",
			Script:    []string{"bundle exec rake assets:precompile"},
			Variables: []string{"RAILS_ENV"},
		}}},
		{"ruby symbol keys of old merged_yaml", check{"merged-symbols.yml", "rspec", diagnose.JobConfig{
			Image:        "ruby:2.6",
			Services:     []string{"postgres"},
			BeforeScript: []string{"bundle install"},
			Script:       []string{"rake spec"},
			Variables:    []string{"DB_NAME"},
			JUnit:        []string{"rspec.xml"},
		}}},
		{"spec header document", check{"spec-header.yml", "deploy", diagnose.JobConfig{
			Image:  "alpine:3.20",
			Script: []string{`echo "deploying to $[[ inputs.environment ]]"`},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseFile(t, tt.file)
			got, ok := c.Job(tt.job)
			if !ok {
				t.Fatalf("Job(%q) not found; jobs %q", tt.job, c.Jobs())
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Job(%q)\n got %+v\nwant %+v", tt.job, *got, tt.want)
			}
		})
	}
}

func TestJobNames(t *testing.T) {
	c := parseFile(t, "python-service.yml")
	tests := []struct {
		name string
		ok   bool
	}{
		{"pytest", true},
		{"pytest 1/2", true},
		{"pytest 2/2", true},
		{"pytest 3/3", false}, // pytest has parallel: 2
		{"pytest 3/2", false},
		{"flake8 1/2", false}, // flake8 is not parallel
		{"deploy: [aws, monitoring]", true},
		{"deploy", true},
		{"flake8: [x]", false},
		{".python", false},
		{"variables", false},
		{"stages", false},
		{"include", false},
		{"workflow", false},
		{"default", false},
		{"cache", false},
		{"nope", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, ok := c.Job(tt.name); ok != tt.ok {
			t.Errorf("Job(%q) ok = %v, want %v", tt.name, ok, tt.ok)
		}
	}
	want := []string{"flake8", "pytest", "build:wheel", "deploy", "trigger:docs"}
	if got := c.Jobs(); !reflect.DeepEqual(got, want) {
		t.Errorf("Jobs() = %q, want %q", got, want)
	}
	// A job literally named like a parallel variant wins over the variant.
	c2, err := Parse(strings.NewReader("a:\n  parallel: 2\n  script: x\n\"a 1/2\":\n  script: y\n"))
	if err != nil {
		t.Fatal(err)
	}
	if j, _ := c2.Job("a 1/2"); j == nil || j.Script[0] != "y" {
		t.Errorf("exact name lost: %+v", j)
	}
	if j, _ := c2.Job("a 2/2"); j == nil || j.Script[0] != "x" {
		t.Errorf("parallel variant: %+v", j)
	}
	// The result is a copy.
	j1, _ := c.Job("flake8")
	j1.Script[0] = "changed"
	if j2, _ := c.Job("flake8"); j2.Script[0] == "changed" {
		t.Error("Job returns shared slices")
	}
	var nilCfg *Config
	if _, ok := nilCfg.Job("x"); ok {
		t.Error("nil config found a job")
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"extends.yml", []string{"circular extends through loop-a", "orphan: extends unknown job or template .missing"}},
		{"anchors.yml", []string{"!reference [.nowhere, script] points to nothing"}},
		{"python-service.yml", nil},
	}
	for _, tt := range tests {
		c := parseFile(t, tt.file)
		all := strings.Join(c.Warnings, "\n")
		for _, w := range tt.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: warnings %q lack %q", tt.file, c.Warnings, w)
			}
		}
		if tt.want == nil && len(c.Warnings) > 0 {
			t.Errorf("%s: unexpected warnings %q", tt.file, c.Warnings)
		}
	}
	// A dangling reference leaves the rest of the script.
	c := parseFile(t, "anchors.yml")
	if j, _ := c.Job("dangling"); j == nil || !reflect.DeepEqual(j.Script, []string{"echo still here"}) {
		t.Errorf("dangling: %+v", j)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"syntax", "a: [\n", "parsing ci configuration"},
		{"top level list", "- a\n- b\n", "top level must be a mapping"},
		{"top level scalar", "hello\n", "top level must be a mapping"},
		{"empty reference", "a:\n  script: !reference []\n", "empty !reference"},
		{"scalar reference", "a:\n  script: !reference x\n", "!reference needs a sequence"},
		{"too large", "a: " + strings.Repeat("x", MaxBytes) + "\n", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	for _, in := range []string{"", "\n", "---\n", "~\n", "# only a comment\n"} {
		c, err := Parse(strings.NewReader(in))
		if err != nil || len(c.Jobs()) != 0 {
			t.Errorf("Parse(%q) = %v, %v; want an empty config", in, c, err)
		}
	}
}

// TestAliasBomb checks that a small document whose aliases multiply is
// read in bounded time: values converted once are shared, and the walk
// over them is budgeted.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString(".a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for i := 0; i < 8; i++ {
		name := string(rune('b' + i))
		b.WriteString("." + name + ": &" + name + " [")
		for k := 0; k < 10; k++ {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	b.WriteString("job:\n  script: *" + prev + "\n  variables: {A: 1}\n")
	c, err := Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	j, ok := c.Job("job")
	if !ok || len(j.Script) != maxLines {
		t.Fatalf("job: ok=%v lines=%d, want %d", ok, len(j.Script), maxLines)
	}
}

func TestTriggerIncludes(t *testing.T) {
	tests := []struct {
		name, yaml, bridge string
		want               []string
	}{
		{"string", "b:\n  trigger:\n    include: docs/.gitlab-ci.yml\n", "b",
			[]string{"docs/.gitlab-ci.yml"}},
		{"local list", "b:\n  trigger:\n    include:\n      - local: ci/child.yml\n      - local: /ci/more.yml\n", "b",
			[]string{"ci/child.yml", "ci/more.yml"}},
		{"local map", "b:\n  trigger: {include: {local: ./child.yml}}\n", "b",
			[]string{"child.yml"}},
		{"list of strings", "b:\n  trigger:\n    include: [a.yml, a.yml, b.yml]\n", "b",
			[]string{"a.yml", "b.yml"}},
		{"other kinds skipped", `b:
  trigger:
    include:
      - project: group/other
        file: child.yml
      - template: Jobs/Build.gitlab-ci.yml
      - remote: https://example.com/child.yml
      - artifact: generated.yml
        job: generate
      - https://example.com/x.yml
      - "ci/*.yml"
      - $CHILD_FILE
      - local: kept.yml
`, "b", []string{"kept.yml"}},
		{"multi-project", "b:\n  trigger: group/project\n", "b", nil},
		{"multi-project map", "b:\n  trigger:\n    project: group/project\n    branch: main\n", "b", nil},
		{"not a bridge", "b:\n  script: make\n", "b", nil},
		{"unknown job", "b:\n  script: make\n", "nope", nil},
		{"empty include", "b:\n  trigger:\n    include:\n", "b", nil},
		{"odd values", "b:\n  trigger:\n    include:\n      - [a, b]\n      - local: [x]\n      - {}\n      - ''\n      - /\n", "b", nil},
		{"extends", ".t:\n  trigger:\n    include: from/template.yml\nb:\n  extends: .t\n  stage: deploy\n", "b",
			[]string{"from/template.yml"}},
		{"anchor", ".t: &t\n  include:\n    - local: anchored.yml\nb:\n  trigger: *t\n", "b",
			[]string{"anchored.yml"}},
		{"merged yaml symbols", ":stages:\n- test\n\":trigger:docs\":\n  :trigger:\n    :include:\n    - :local: docs/.gitlab-ci.yml\n", "trigger:docs",
			[]string{"docs/.gitlab-ci.yml"}},
		{"parent dirs cleaned", "b:\n  trigger:\n    include: ../../ci/child.yml\n", "b",
			[]string{"ci/child.yml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(strings.NewReader(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			got := c.TriggerIncludes(tt.bridge)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("TriggerIncludes(%q) = %q, want %q", tt.bridge, got, tt.want)
			}
		})
	}
	if got := (*Config)(nil).TriggerIncludes("b"); got != nil {
		t.Errorf("nil config: %q", got)
	}
	c := parseFile(t, "python-service.yml")
	if got := c.TriggerIncludes("trigger:docs"); !reflect.DeepEqual(got, []string{"docs/.gitlab-ci.yml"}) {
		t.Errorf("python-service.yml trigger:docs = %q", got)
	}
}
