package commands

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
)

// Strings an attacker controls (a branch author names jobs and tests and
// writes the log) that must not act on the reader's terminal or on the
// merge request note: OSC 52 (clipboard write), a screen clear, an OSC 8
// hyperlink, the end of the note's collapsible block, a mention of
// everyone, a code fence and GitLab's issue and merge-request references.
const (
	osc52      = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
	clearAll   = "\x1b[2J"
	osc8       = "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07"
	mdHostile  = "</details> @all ``` #1 !2"
	hostileJob = "lint " + osc52 + clearAll + osc8 + " " + mdHostile
	hostileTst = "test_render[" + osc8 + " " + mdHostile + "]"
	hostileMsg = "AssertionError: " + osc52 + clearAll + " " + mdHostile
)

var hostileScenario = scenario{name: "hostile", project: "acme/hostile/app", pipeline: 65001, build: buildHostile}

func buildHostile(tb testing.TB) *fakegitlab.Scenario {
	const (
		sha = "0badc0de0badc0de0badc0de0badc0de0badc0de"
		ref = "feature/" + "x"
	)
	sc := newScenario(5105, "acme/hostile/app", fakegitlab.Pipeline{ID: 65001, SHA: sha, Ref: ref, Duration: i64(60)})
	script := "$ pytest tests/test_render.py\n" +
		readLog(tb, "pytest-session-header.log") +
		"=================================== FAILURES ===================================\n" +
		"_____________________ " + hostileTst + " _____________________\n" +
		"tests/test_render.py:9: in test_render\n    assert render(page) == expected\n" +
		"E   " + hostileMsg + "\n" +
		"E   " + osc8 + " " + mdHostile + "\n" +
		"\x1b[36m\x1b[1m=========================== short test summary info ============================\x1b[0m\n" +
		"FAILED tests/test_render.py::" + hostileTst + " - " + hostileMsg + "\n" +
		"1 failed in 0.12s\n"
	sc.AddJob(fakegitlab.Job{ID: 7500101, PipelineID: 65001, Name: hostileJob, Stage: "test", Status: "failed", Duration: f64(30)},
		runnerLog{image: "python:3.12-slim", project: "acme/hostile/app", ref: ref, sha: sha, start: 1772446000,
			script: script, final: "ERROR: Job failed: exit code 1"}.bytes())
	rep, summary := testReport(tb, reportSuite{name: "pytest", builds: []int64{7500101}, cases: []reportCase{
		{Status: "failed", Classname: "tests.test_render", Name: hostileTst, Time: 0.1,
			Output: strp("tests/test_render.py:9: in test_render\n    assert render(page) == expected\nE   " + hostileMsg)},
	}})
	sc.TestReports[65001] = rep
	sc.TestReportSummaries[65001] = summary
	return sc
}

// sgr matches one colour escape, the only sequence the text renderer may
// write, and only when colour is on.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestHostileStringsText(t *testing.T) {
	_, env := serveScenario(t, hostileScenario, fakegitlab.Options{})
	tests := []struct {
		name string
		term terminal
		args []string
	}{
		{name: "piped", term: terminal{}},
		{name: "piped verbose", term: terminal{}, args: []string{"--verbose"}},
		{name: "terminal with colour", term: terminal{stdoutTTY: true, color: true, width: 120}},
		{name: "terminal without colour", term: terminal{stdoutTTY: true, width: 120}},
		{name: "terminal, progress on stderr", term: terminal{stdoutTTY: true, stderrTTY: true, color: true, width: 120}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runTerminal(t, env, tt.term, append([]string{hostileScenario.pipelineURL()}, tt.args...)...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			out := res.stdout
			if tt.term.color {
				out = sgr.ReplaceAllString(out, "")
			}
			if i := strings.IndexAny(out, "\x1b\x07\x9b\x9d"); i >= 0 {
				t.Errorf("raw control byte %q in the report at %d: %q", out[i], i, around(out, i))
			}
			// Progress is the command's own; nothing hostile goes there.
			if strings.Contains(res.stderr, "\x07") || strings.Contains(res.stderr, "\x1b]") {
				t.Errorf("stderr carries a hostile sequence: %q", res.stderr)
			}
			// The visible text survives, defanged.
			for _, want := range []string{"lint", "test_render", "@all", "</details>"} {
				if !strings.Contains(out, want) {
					t.Errorf("report lacks %q", want)
				}
			}
		})
	}
}

func around(s string, i int) string {
	lo, hi := i-30, i+30
	if lo < 0 {
		lo = 0
	}
	if hi > len(s) {
		hi = len(s)
	}
	return s[lo:hi]
}

func TestHostileStringsJSON(t *testing.T) {
	_, env := serveScenario(t, hostileScenario, fakegitlab.Options{})
	res := runTerminal(t, env, terminal{}, hostileScenario.pipelineURL(), "--output", "json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if strings.ContainsAny(res.stdout, "\x1b\x07") {
		t.Error("raw ESC or BEL in JSON output (must be \\u escapes)")
	}
	var rep struct {
		Jobs []struct {
			Name     string `json:"name"`
			Excerpts []struct {
				Lines []string `json:"lines"`
			} `json:"excerpts"`
		} `json:"jobs"`
		Tests []struct {
			Name     string   `json:"name"`
			Message  string   `json:"message"`
			JobNames []string `json:"job_names"`
		} `json:"failing_tests"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if len(rep.Jobs) != 1 || rep.Jobs[0].Name != hostileJob {
		t.Errorf("job name does not round-trip: %q", jobNames(rep.Jobs))
	}
	if len(rep.Tests) != 1 {
		t.Fatalf("%d failing tests, want 1", len(rep.Tests))
	}
	if got := rep.Tests[0]; got.Name != hostileTst {
		t.Errorf("test name does not round-trip:\n got %q\nwant %q", got.Name, hostileTst)
	}
	if got := rep.Tests[0].JobNames; len(got) != 1 || got[0] != hostileJob {
		t.Errorf("test's job names %q", got)
	}
	if m := rep.Tests[0].Message; !strings.Contains(m, mdHostile) {
		t.Errorf("message %q lost the text", m)
	}
	seen := false
	for _, e := range rep.Jobs[0].Excerpts {
		for _, l := range e.Lines {
			seen = seen || strings.Contains(l, mdHostile)
		}
	}
	if !seen {
		t.Error("no excerpt line carries the failure text")
	}
}

func jobNames[T any](js []T) string { return fmt.Sprintf("%+v", js) }

func TestHostileStringsMarkdown(t *testing.T) {
	_, env := serveScenario(t, hostileScenario, fakegitlab.Options{})
	res := runTerminal(t, env, terminal{}, hostileScenario.pipelineURL(), "--output", "markdown")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	md := res.stdout
	if i := strings.IndexAny(md, "\x1b\x07"); i >= 0 {
		t.Errorf("raw ESC/BEL in Markdown: %q", around(md, i))
	}
	if !strings.Contains(md, `\@all`) {
		t.Error("the mention is neither shown nor escaped")
	}
	for _, p := range unescapedMarkdown(md) {
		t.Errorf("unescaped %s", p)
	}
}

// unescapedMarkdown lists the hostile constructs GitLab would act on in a
// note: outside code blocks and code spans, "@all", "#1", "!2" not preceded
// by a backslash, "</details>" other than the renderer's own closing lines,
// and a fence inside a code block that closes it early.
func unescapedMarkdown(md string) []string {
	var bad []string
	fence := ""
	mention := regexp.MustCompile(`(^|[^\\])(@all|#1|!2)`)
	for n, line := range strings.Split(md, "\n") {
		trim := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trim, fence) && strings.Trim(trim, string(fence[0])) == "" {
				fence = ""
			} else if strings.HasPrefix(trim, fence[:1]) && strings.HasPrefix(trim, fence) {
				bad = append(bad, fmt.Sprintf("fence closed early at line %d: %q", n+1, line))
			}
			continue
		}
		if m := regexp.MustCompile("^(`{3,}|~{3,})").FindString(trim); m != "" {
			fence = m
			continue
		}
		if line == "</details>" {
			continue
		}
		text := stripCodeSpans(line)
		text = regexp.MustCompile(`<code>.*?</code>`).ReplaceAllString(text, "")
		if strings.Contains(text, "</details>") {
			bad = append(bad, fmt.Sprintf("</details> at line %d: %q", n+1, line))
		}
		if m := mention.FindStringSubmatch(text); m != nil {
			bad = append(bad, fmt.Sprintf("%s at line %d: %q", m[2], n+1, line))
		}
		if strings.Contains(text, "```") {
			bad = append(bad, fmt.Sprintf("``` at line %d: %q", n+1, line))
		}
	}
	return bad
}

// stripCodeSpans removes CommonMark code spans (a run of n backticks to
// the next run of exactly n), leaving unmatched backticks in place.
func stripCodeSpans(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) {
			b.WriteString(s[i : i+2])
			i += 2
			continue
		}
		if s[i] != '`' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		run := s[i:j]
		end := -1
		for k := j; k < len(s); {
			if s[k] != '`' {
				k++
				continue
			}
			m := k
			for m < len(s) && s[m] == '`' {
				m++
			}
			if m-k == len(run) {
				end = m
				break
			}
			k = m
		}
		if end < 0 {
			b.WriteString(run)
			i = j
			continue
		}
		i = end
	}
	return b.String()
}

// TestUnescapedMarkdownFinds proves the Markdown check catches what it
// looks for, and leaves escaped and quoted text alone.
func TestUnescapedMarkdownFinds(t *testing.T) {
	tests := []struct {
		name, md string
		bad      int
	}{
		{"mention", "hello @all", 1},
		{"escaped mention", `hello \@all`, 0},
		{"mention in a code span", "see `@all` and ``a`@all``", 0},
		{"issue and MR references", "fixes #1 and !2", 1},
		{"escaped references", `fixes \#1 and \!2`, 0},
		{"details closed in text", "text </details> more", 1},
		{"the renderer's own close", "</details>", 0},
		{"html-escaped in code", "<summary><code>&lt;/details&gt;</code></summary>", 0},
		{"inside a long fence", "````text\n``` @all </details>\n````", 0},
		{"fence closed early", "```text\nline\n```\n@all", 1},
		{"backticks in text", "a ``` b", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unescapedMarkdown(tt.md); len(got) != tt.bad {
				t.Errorf("found %d problems %q, want %d", len(got), got, tt.bad)
			}
		})
	}
}
