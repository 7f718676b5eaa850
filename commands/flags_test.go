package commands

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
)

// Flag behaviour of the real root command against the fake GitLab.

func scenarioByName(t *testing.T, name string) scenario {
	t.Helper()
	for _, s := range goldenScenarios() {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no scenario %q", name)
	return scenario{}
}

// failingTestRows returns the numbered rows of the piped text report's
// "Failing tests" section.
func failingTestRows(out string) []string {
	var rows []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case l == "Failing tests":
			in = true
		case in && l == "":
			return rows
		case in && regexp.MustCompile(`^\d+\t`).MatchString(l):
			rows = append(rows, l)
		}
	}
	return rows
}

func TestFlagLimit(t *testing.T) {
	s := scenarioByName(t, "cascade")
	_, env := serveScenario(t, s, fakegitlab.Options{})
	tests := []struct {
		name     string
		args     []string
		wantRows int
		wantMore string
	}{
		{name: "default caps at 20", wantRows: 20, wantMore: "… 21 more failing tests"},
		{name: "--limit 1", args: []string{"--limit", "1"}, wantRows: 1, wantMore: "… 40 more failing tests"},
		{name: "-L 5", args: []string{"-L", "5"}, wantRows: 5, wantMore: "… 36 more failing tests"},
		{name: "--limit 0 prints all", args: []string{"--limit", "0"}, wantRows: 41},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runTerminal(t, env, terminal{}, append([]string{s.pipelineURL()}, tt.args...)...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			rows := failingTestRows(res.stdout)
			if len(rows) != tt.wantRows {
				t.Errorf("%d failing-test rows, want %d:\n%s", len(rows), tt.wantRows, strings.Join(rows, "\n"))
			}
			if len(rows) > 0 && !strings.HasPrefix(rows[0], "1\t") {
				t.Errorf("first row %q is not rank 1", rows[0])
			}
			if tt.wantMore != "" && !strings.Contains(res.stdout, tt.wantMore) {
				t.Errorf("output lacks %q", tt.wantMore)
			}
			if tt.wantMore == "" && strings.Contains(res.stdout, "more failing tests") {
				t.Error("says tests were left out when none were")
			}
		})
	}
	// --limit caps what is printed, not what the JSON report holds.
	res := runTerminal(t, env, terminal{}, s.pipelineURL(), "--limit", "1", "--output", "json")
	var rep struct {
		Tests []json.RawMessage `json:"failing_tests"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Tests) != 41 {
		t.Errorf("JSON holds %d tests with --limit 1, want all 41", len(rep.Tests))
	}
}

// excerptsOf reads every excerpt of a JSON report: the causes', the
// jobs' and the tests'.
type jsonExcerpt struct {
	JobID     int64    `json:"job_id"`
	StartLine int      `json:"start_line"`
	EndLine   int      `json:"end_line"`
	Lines     []string `json:"lines"`
}

func TestFlagVerbose(t *testing.T) {
	s := scenarioByName(t, "multijob")
	_, env := serveScenario(t, s, fakegitlab.Options{})
	var rep struct {
		Causes []struct {
			Excerpt *jsonExcerpt `json:"excerpt"`
		} `json:"causes"`
	}
	js := runTerminal(t, env, terminal{}, s.pipelineURL(), "--output", "json")
	if err := json.Unmarshal([]byte(js.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	plain := runTerminal(t, env, terminal{}, s.pipelineURL())
	verbose := runTerminal(t, env, terminal{}, s.pipelineURL(), "--verbose")
	if !strings.Contains(plain.stdout, "--verbose shows all") {
		t.Fatal("the demo has no shortened excerpt: the test proves nothing")
	}
	if strings.Contains(verbose.stdout, "--verbose shows all") {
		t.Error("--verbose still shortens an excerpt")
	}
	for i, c := range rep.Causes {
		if c.Excerpt == nil {
			continue
		}
		for n, l := range c.Excerpt.Lines {
			line := c.Excerpt.StartLine + n
			if !containsExcerptLine(verbose.stdout, line, l) {
				t.Errorf("cause %d: --verbose does not print line %d %q", i+1, line, l)
			}
		}
	}
	if len(verbose.stdout) <= len(plain.stdout) {
		t.Errorf("--verbose output (%d bytes) is not longer than the default (%d)", len(verbose.stdout), len(plain.stdout))
	}
}

// containsExcerptLine tells whether out prints log line n with text l in
// the "  n │ text" form (the highlight mark may precede the number).
func containsExcerptLine(out string, n int, l string) bool {
	num := itoa(n)
	for _, o := range strings.Split(out, "\n") {
		t := strings.TrimLeft(o, " >")
		if strings.HasPrefix(t, num+" │") && strings.TrimRight(strings.TrimPrefix(t, num+" │ "), " ") == strings.TrimRight(l, " ") {
			return true
		}
		if strings.HasPrefix(t, num+" │") && strings.TrimSpace(l) == "" {
			return true
		}
	}
	return false
}

func TestFlagJob(t *testing.T) {
	s := scenarioByName(t, "multijob")
	_, env := serveScenario(t, s, fakegitlab.Options{})
	res := runTerminal(t, env, terminal{}, s.pipelineURL(), "--job", "flake8", "--output", "json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var rep struct {
		Jobs   []struct{ Name string } `json:"jobs"`
		Tests  []json.RawMessage       `json:"failing_tests"`
		Causes []struct {
			JobNames []string `json:"job_names"`
		} `json:"causes"`
		Repro []struct {
			JobName string `json:"job_name"`
		} `json:"repro"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Jobs) != 1 || rep.Jobs[0].Name != "flake8" {
		t.Errorf("jobs = %+v, want only flake8", rep.Jobs)
	}
	if len(rep.Tests) != 0 {
		t.Errorf("%d failing tests of other jobs are reported", len(rep.Tests))
	}
	for _, c := range rep.Causes {
		if len(c.JobNames) != 1 || c.JobNames[0] != "flake8" {
			t.Errorf("cause of jobs %v", c.JobNames)
		}
	}
	for _, r := range rep.Repro {
		if r.JobName != "flake8" {
			t.Errorf("repro of %s", r.JobName)
		}
	}
	text := runTerminal(t, env, terminal{}, s.pipelineURL(), "--job", "flake8")
	for _, other := range []string{"pytest 1/2", "deps:resolve", "docs:build", "ConnectionRefusedError"} {
		if strings.Contains(text.stdout, other) {
			t.Errorf("--job flake8 prints %q", other)
		}
	}

	// A name that matches no failed job says so.
	res = runTerminal(t, env, terminal{}, s.pipelineURL(), "--job", "flake")
	if !strings.Contains(res.stdout+res.stderr, `no failed job named "flake"`) {
		t.Errorf("no word on an unknown job name:\n%s\n%s", res.stdout, res.stderr)
	}
}

func TestFlagWeb(t *testing.T) {
	s := scenarioByName(t, "multijob")
	srv, env := serveScenario(t, s, fakegitlab.Options{})
	var opened []string
	term := terminal{browser: func(u string) error { opened = append(opened, u); return nil }}
	res := runTerminal(t, env, term, s.pipelineURL(), "--web")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	want := "https://gitlab.example.com/acme/platform/billing-api/-/pipelines/98765"
	if len(opened) != 1 || opened[0] != want {
		t.Errorf("browser opened %v, want [%s]", opened, want)
	}
	if res.stdout != "" {
		t.Errorf("--web printed a report: %q", res.stdout)
	}
	if !strings.Contains(res.stderr, want) {
		t.Errorf("stderr %q does not say what is opened", res.stderr)
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, "/trace") || strings.Contains(r.Path, "/jobs") {
			t.Errorf("--web fetched %s", r)
		}
	}
}

func TestProgressOnlyOnTerminal(t *testing.T) {
	s := scenarioByName(t, "multijob")
	_, env := serveScenario(t, s, fakegitlab.Options{})
	tests := []struct {
		name      string
		term      terminal
		args      []string
		wantDrawn bool
	}{
		{name: "stderr a terminal", term: terminal{stderrTTY: true}, wantDrawn: true},
		{name: "stderr a terminal, JSON to a pipe", term: terminal{stderrTTY: true}, args: []string{"--output", "json"}, wantDrawn: true},
		{name: "stderr piped", term: terminal{}},
		{name: "stderr piped, stdout a terminal", term: terminal{stdoutTTY: true, color: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runTerminal(t, env, tt.term, append([]string{s.pipelineURL()}, tt.args...)...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			if strings.Contains(res.stdout, "fetching:") {
				t.Error("progress went to stdout")
			}
			if !tt.wantDrawn {
				if res.stderr != "" {
					t.Errorf("stderr is not a terminal but got %q", res.stderr)
				}
				if strings.ContainsAny(res.stderr, "\x1b\r") {
					t.Error("escape sequences on a piped stderr")
				}
				return
			}
			for _, want := range []string{"fetching:", "2 pipelines", "6 failed jobs", "logs 6/6", " kB"} {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("progress lacks %q: %q", want, res.stderr)
				}
			}
			if !strings.HasSuffix(res.stderr, "\r\x1b[K") {
				t.Errorf("progress line is not cleared at the end: %q", tail(res.stderr, 40))
			}
			if len(tt.args) > 0 && !json.Valid([]byte(res.stdout)) {
				t.Error("progress corrupted the JSON on stdout")
			}
		})
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
