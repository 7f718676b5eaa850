package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// hostile strings: what a job log, a test name or a compromised API answer
// could carry to attack a terminal or a merge-request note.
var hostile = []string{
	"\x1b[2J\x1b[H\x1b[5Acursor moved",                          // CSI clear screen, home, cursor up
	"\x1b]0;pwned title\x07",                                    // OSC 0 window title
	"\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07",            // OSC 52 clipboard write
	"\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\", // OSC 8 hyperlink
	"\u009b31mC1 CSI\u009d0;c1 title\u009c",                     // C1 CSI, OSC and ST
	"\u202egnp.exe\u202c and \u2066isolate\u2069 \u200fRLM",     // bidi override, isolate, mark
	"</details><script>alert(1)</script><img src=x onerror=alert(1)>",
	"@all @here please look",
	"fixes #123 and !45 ~bug %v1.0 $42 &7",
	"```\n# injected heading\n```",
	"~~~\nfence\n````",
	"`code` and `` double ``",
	"[link](javascript:alert(1)) ![img](https://evil.example/x.png) <https://evil.example>",
	"line one\r\n/close\n/merge\n- [ ] task",
	"bad utf-8 \xff\xfe\xc0 end",
	"\x00NUL \x7fDEL \bBS \x0bVT \x0cFF",
	"**bold** _em_ | pipe | <!-- comment --> &amp; &#64;all",
	"1. ordered\n> quote\n    indented code",
	"tag chars \U000E0041\U000E0042 zero\u200bwidth bom\ufeff",
}

func hostileString(i int) string { return hostile[i%len(hostile)] }

// hostileReport puts hostile strings in every string of a report, and
// unusable URLs in every URL.
func hostileReport() *diagnose.Report {
	n := 0
	next := func() string { n++; return hostileString(n) }
	lines := func() []string { return append([]string{}, hostile...) }
	badURL := []string{"javascript:alert(1)", "https://gitlab.example.com/a\x1b]52;c;eA==\x07", "data:text/html,<script>", "//evil.example/x", "https://ok.example/p?q=1#L2\"><x"}
	ex := func(job int64) *diagnose.Excerpt {
		return &diagnose.Excerpt{JobID: job, StartLine: 10, EndLine: 10 + len(hostile) - 1, Lines: lines(), Highlight: []int{11, 13}, Rule: next(), URL: badURL[job%int64(len(badURL))]}
	}
	code := 1
	r := &diagnose.Report{
		SchemaVersion: diagnose.SchemaVersion,
		Project:       diagnose.Project{ID: 1, Path: next(), Host: next(), WebURL: badURL[0]},
		Pipeline: &diagnose.Pipeline{ID: 5, ProjectPath: next(), Ref: next(), SHA: next(), Status: diagnose.Status(next()),
			Source: next(), WebURL: badURL[1], Duration: 12, YAMLErrors: next(), Bridge: next(), Kind: next()},
		Summary: diagnose.Summary{FailedJobs: 2, FailingTests: 2, Causes: 2},
	}
	r.Pipelines = []diagnose.Pipeline{*r.Pipeline}
	for i := int64(1); i <= 2; i++ {
		r.Jobs = append(r.Jobs, diagnose.Job{ID: i, Name: next(), Stage: next(), ProjectPath: next(), Status: diagnose.StatusFailed,
			FailureReason: next(), AllowFailure: i == 2, WebURL: badURL[i], Needs: []string{next()}, Image: next(),
			FailingCommand: next(), ExitCode: &code, FailedSection: next(), Category: diagnose.Category(next()), Hint: next(),
			Rule: next(), Sections: []diagnose.Section{{Name: next(), StartLine: 1}}, Excerpts: []diagnose.Excerpt{*ex(i)}})
		r.Causes = append(r.Causes, diagnose.Cause{ID: int(i), Rank: int(i), Kind: next(), Category: diagnose.Category(next()),
			Title: next(), Hint: next(), Signature: next(), JobIDs: []int64{i}, JobNames: []string{next()}, Tests: 1,
			Reasons: []string{next(), next()}, Excerpt: ex(i)})
		r.Tests = append(r.Tests, diagnose.Test{Rank: int(i), Name: next(), Classname: next(), Suite: next(), File: next(),
			Status: diagnose.TestStatus(next()), Message: next() + "\n" + next(), Type: next(), Framework: next(),
			JobIDs: []int64{i}, JobNames: []string{next()}, Signature: next(), CauseID: int(i), Reasons: []string{next()},
			Excerpt: ex(i + 1), Repro: next()})
		r.Repro = append(r.Repro, diagnose.Repro{JobID: i, JobName: next(), Image: next(), SHA: next(), Commands: []string{next(), next()},
			Checkout: next(), Script: []string{next(), next()}, Variables: []string{next()}, Services: []string{next()}, Workdir: next(), Docker: next()})
	}
	r.Warnings = lines()
	return r
}

// ours matches the escape sequences the text renderer itself writes: SGR
// colours and OSC 8 links to http(s) URLs of printable ASCII.
var ours = regexp.MustCompile("\x1b\\[[0-9;]*m|\x1b\\]8;;(?:https?://[!-~]*?)?\x1b\\\\")

// assertTerminalSafe fails if out holds anything a terminal would act on,
// other than the sequences the renderer writes itself.
func assertTerminalSafe(t *testing.T, out string, allowTab bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("output is not valid UTF-8")
	}
	for _, m := range ours.FindAllString(out, -1) {
		if strings.HasPrefix(m, "\x1b]8;;") && len(m) > len("\x1b]8;;\x1b\\") {
			u := strings.TrimSuffix(strings.TrimPrefix(m, "\x1b]8;;"), "\x1b\\")
			if _, ok := safeURL(u); !ok || strings.Contains(u, "evil") {
				t.Errorf("hyperlink to %q", u)
			}
		}
	}
	rest := ours.ReplaceAllString(out, "")
	for i, r := range rest {
		bad := false
		switch {
		case r == '\n':
		case r == '\t':
			bad = !allowTab
		case r < 0x20 || r == 0x7f:
			bad = true
		case isHiddenRune(r):
			bad = true
		}
		if bad {
			lo, hi := max(0, i-30), min(len(rest), i+30)
			t.Errorf("control or hidden rune %U at byte %d: %q", r, i, rest[lo:hi])
			return
		}
	}
}

// TestHostileReproScript: without a docker line the script is printed,
// and stays as safe as the rest.
func TestHostileReproScript(t *testing.T) {
	r := hostileReport()
	for i := range r.Repro {
		r.Repro[i].Docker = ""
	}
	var buf bytes.Buffer
	if err := Text(&buf, r, Options{TTY: true, Color: true, Width: 80}); err != nil {
		t.Fatal(err)
	}
	assertTerminalSafe(t, buf.String(), false)
	if !strings.Contains(buf.String(), "# the job's script up to the failure:") {
		t.Errorf("the script is not shown:\n%s", buf.String())
	}
	buf.Reset()
	if err := Markdown(&buf, r, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "# the job's script up to the failure:") {
		t.Errorf("the script is not in the note:\n%s", buf.String())
	}
}

func TestHostileText(t *testing.T) {
	r := hostileReport()
	for _, o := range []Options{
		{},
		{Verbose: true, Limit: -1},
		{TTY: true, Width: 80},
		{TTY: true, Color: true, Hyperlinks: true, Width: 80, Verbose: true},
		{TTY: true, Color: true, Width: 40},
		{Color: true, Hyperlinks: true},
	} {
		var buf bytes.Buffer
		if err := Text(&buf, r, o); err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		out := buf.String()
		assertTerminalSafe(t, out, !o.TTY)
		// The attack is shown, not obeyed: the payloads are visible.
		for _, want := range []string{"^[]0;pwned title^G", "^[]52;c;", "<U+202E>gnp.exe", "<U+009B>31mC1 CSI", "^[[2J"} {
			if !strings.Contains(out, want) {
				t.Errorf("%+v: output lacks the visible form %q", o, want)
			}
		}
		if !o.TTY {
			// Every row of a tab-separated section has the same number of fields.
			assertTSVRows(t, out, "Failing tests", 5)
			assertTSVRows(t, out, "Failed jobs", 8)
		}
	}
}

// assertTSVRows checks the rows of one tab-separated section.
func assertTSVRows(t *testing.T, out, section string, fields int) {
	t.Helper()
	out = ours.ReplaceAllString(out, "")
	i := strings.Index(out, "\n"+section+"\n")
	if i < 0 {
		t.Errorf("no %q section", section)
		return
	}
	rows := 0
	for _, l := range strings.Split(out[i+len(section)+2:], "\n") {
		if l == "" {
			break
		}
		if !strings.Contains(l, "\t") {
			continue // a verbose detail line
		}
		rows++
		if n := strings.Count(l, "\t") + 1; n != fields {
			t.Errorf("%s row has %d fields, want %d: %q", section, n, fields, l)
		}
	}
	if rows == 0 {
		t.Errorf("%s: no rows", section)
	}
}

func TestHostileJSON(t *testing.T) {
	r := hostileReport()
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	assertTerminalSafe(t, buf.String(), false)
	var back diagnose.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	// Strings survive exactly (invalid UTF-8 aside, which JSON cannot hold).
	if got, want := back.Causes[0].Excerpt.Lines, r.Causes[0].Excerpt.Lines; len(got) != len(want) {
		t.Fatalf("excerpt has %d lines, want %d", len(got), len(want))
	} else {
		for i := range want {
			if string([]rune(want[i])) != got[i] { // each invalid byte becomes U+FFFD

				t.Errorf("line %d = %q, want %q", i, got[i], want[i])
			}
		}
	}
}

func TestHostileMarkdown(t *testing.T) {
	r := hostileReport()
	o := MarkdownOptions{Marker: "glab-pipeline-doctor", Changes: &Changes{Fixed: hostile, StillFailing: hostile[:3], New: hostile[5:]}}
	var buf bytes.Buffer
	if err := Markdown(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	assertTerminalSafe(t, out, false)
	checkMarkdownInert(t, out)
}

// checkMarkdownInert reads a note the way CommonMark and GitLab would, as far
// as safety goes: fenced blocks and code spans are literal; everywhere else
// every character that could start HTML, a mention, a reference, a link or
// a quick action must be escaped or be part of what the renderer writes
// itself (its tags, headings, lists, tables and links to known URLs).
func checkMarkdownInert(t reporter, md string) {
	t.Helper()
	lines := strings.Split(md, "\n")
	openDetails := 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := fenceOpen.FindStringSubmatch(l); m != nil {
			// A fence closes on the first line of at least as many backticks.
			closed := false
			for i++; i < len(lines); i++ {
				if c := strings.TrimSpace(lines[i]); strings.Trim(c, "`") == "" && len(c) >= len(m[1]) {
					closed = true
					break
				}
			}
			if !closed {
				t.Errorf("fence %q opened but never closed", m[1])
			}
			continue
		}
		if strings.HasPrefix(strings.TrimLeft(l, " "), "/") {
			t.Errorf("line %d starts a quick action: %q", i+1, l)
		}
		switch {
		case strings.HasPrefix(l, "<details><summary>"):
			openDetails++
			l = strings.TrimPrefix(l, "<details><summary>")
			if !strings.HasSuffix(l, "</summary>") {
				t.Errorf("line %d: summary not closed on its line: %q", i+1, l)
			}
			l = strings.TrimSuffix(l, "</summary>")
			l = codeTag.ReplaceAllString(l, "")
			if strings.ContainsAny(l, "<>") {
				t.Errorf("line %d: raw html in summary: %q", i+1, l)
			}
			continue
		case l == "</details>":
			openDetails--
			continue
		case strings.HasPrefix(l, "<!-- ") && i == 0:
			continue
		}
		checkInline(t, i+1, l)
	}
	if openDetails != 0 {
		t.Errorf("%d <details> left open", openDetails)
	}
}

var (
	fenceOpen = regexp.MustCompile("^(`{3,})[a-z]*$")
	codeTag   = regexp.MustCompile("<code>[^<>]*</code>")
	ourLink   = regexp.MustCompile(`\[((?:[^\[\]\\]|\\.)*)\]\((https?://[^\s()<>]*)\)`)
	heading   = regexp.MustCompile(`^#{3,4} `)
	listItem  = regexp.MustCompile(`^(?:- |[0-9]+\. )`)
)

// checkInline checks one line of prose.
func checkInline(t reporter, n int, l string) {
	t.Helper()
	l = heading.ReplaceAllString(l, "")
	l = listItem.ReplaceAllString(l, "")
	l = stripCodeSpans(l)
	for _, m := range ourLink.FindAllStringSubmatch(l, -1) {
		if strings.Contains(m[2], "evil") || strings.Contains(m[2], "javascript") {
			t.Errorf("line %d links to %q", n, m[2])
		}
	}
	l = ourLink.ReplaceAllString(l, "$1")
	if strings.HasPrefix(l, "|") && strings.HasSuffix(l, "|") { // a table row of ours
		l = strings.Trim(l, "|")
		l = strings.ReplaceAll(l, " | ", " ")
		l = strings.ReplaceAll(l, "|---", "")
	}
	l = strings.ReplaceAll(l, "**", "")
	for i := 0; i < len(l); i++ {
		if l[i] == '\\' {
			i++ // escaped
			continue
		}
		if strings.IndexByte("<>@#!~$%&[]()`|_", l[i]) >= 0 {
			t.Errorf("line %d: unescaped %q in %q", n, l[i], l)
			return
		}
	}
}

// stripCodeSpans removes CommonMark code spans: a run of n backticks up to
// the next run of exactly n. An unmatched run is literal text and is kept.
func stripCodeSpans(l string) string {
	var b strings.Builder
	for i := 0; i < len(l); {
		if l[i] == '\\' && i+1 < len(l) {
			b.WriteString(l[i : i+2])
			i += 2
			continue
		}
		if l[i] != '`' {
			b.WriteByte(l[i])
			i++
			continue
		}
		n := runAt(l, i)
		end := -1
		for j := i + n; j < len(l); {
			if l[j] == '`' {
				m := runAt(l, j)
				if m == n {
					end = j
					break
				}
				j += m
				continue
			}
			j++
		}
		if end < 0 {
			b.WriteString(strings.Repeat("\\`", n)) // literal backticks
			i += n
			continue
		}
		i = end + n
	}
	return b.String()
}

func runAt(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	return n
}

// TestHostileReportCoversModel keeps the hostile report honest: every
// string field of the model that can be rendered holds something.
func TestHostileReportCoversModel(t *testing.T) {
	var empty []string
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(path+"."+v.Type().Field(i).Name, v.Field(i))
				}
			}
		case reflect.Slice:
			if v.Len() == 0 && v.Type().Elem().Kind() == reflect.String {
				empty = append(empty, path)
			}
			for i := 0; i < v.Len(); i++ {
				walk(path, v.Index(i))
			}
		case reflect.String:
			if v.Len() == 0 {
				empty = append(empty, path)
			}
		}
	}
	walk("Report", reflect.ValueOf(hostileReport()))
	if len(empty) > 0 {
		t.Errorf("hostile report leaves strings empty: %v", empty)
	}
}

// reporter is the part of testing.T the checkers use.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

type recorder struct{ errs []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestMarkdownCheckerCatches proves the checker used above fails on notes
// that are not inert.
func TestMarkdownCheckerCatches(t *testing.T) {
	bad := []string{
		"hello @all",
		"fixes #123",
		"see !45",
		"<img src=x onerror=alert(1)>",
		"[x](javascript:alert(1))",
		"[x](https://evil.example/)",
		"`code` then @all",
		"/close",
		"<details><summary>x</summary>",
		"```text\nno closing fence",
		"<details><summary><b>x</b></summary>\n</details>",
	}
	for _, md := range bad {
		var r recorder
		checkMarkdownInert(&r, md)
		if len(r.errs) == 0 {
			t.Errorf("checker accepts %q", md)
		}
	}
	good := []string{
		"hello \\@all and `@all` and ``a`b``",
		"- [job \\#1](https://gitlab.example.com/a/-/jobs/1) \\(allowed\\)",
		"<details><summary>Log of <code>a &lt;b&gt;</code></summary>\n\n```text\n</details> @all\n```\n\n</details>",
	}
	for _, md := range good {
		var r recorder
		checkMarkdownInert(&r, md)
		if len(r.errs) > 0 {
			t.Errorf("checker rejects %q: %v", md, r.errs)
		}
	}
}

// FuzzRenderers puts one arbitrary string everywhere hostileReport puts a
// hostile one and checks that every renderer stays safe.
func FuzzRenderers(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := hostileReport()
		r.Tests[0].Name, r.Causes[0].Title, r.Jobs[0].Name, r.Warnings[0] = s, s, s, s
		r.Causes[0].Excerpt.Lines[0] = s
		var buf bytes.Buffer
		if err := Text(&buf, r, Options{TTY: true, Color: true, Hyperlinks: true, Verbose: true}); err != nil {
			t.Fatal(err)
		}
		assertTerminalSafe(t, buf.String(), false)
		buf.Reset()
		if err := Markdown(&buf, r, MarkdownOptions{Changes: &Changes{New: []string{s}}}); err != nil {
			t.Fatal(err)
		}
		checkMarkdownInert(t, buf.String())
		buf.Reset()
		if err := JSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatalf("invalid JSON for %q", s)
		}
	})
}
