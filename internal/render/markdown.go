package render

import (
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// MarkdownOptions controls the merge-request note.
type MarkdownOptions struct {
	// Marker is written as a hidden HTML comment on the first line
	// ("<!-- marker -->") so the note can be found and updated on the next
	// run. Empty writes no comment. It may not contain "--", "<", ">" or
	// control characters.
	Marker string
	// Changes, when set, adds a "since the last run" block.
	Changes *Changes
}

// Changes compares this run's failing tests with the previous note's.
type Changes struct {
	Fixed        []string `json:"fixed"`
	StillFailing []string `json:"still_failing"`
	New          []string `json:"new"`
}

// Caps that keep a note compact.
const (
	mdMaxTests        = 20
	mdMaxChangeNames  = 10
	mdMaxExcerptLines = 60
)

// Markdown writes a compact note for a merge request: a summary line, the
// ranked causes with collapsible excerpts and links to the job log lines,
// the failing tests, the failed jobs, the repro commands and the warnings.
//
// Every string from a log, a test report or the API is escaped: prose with
// EscapeMarkdown, names in code spans and log lines in fenced blocks whose
// fences are longer than any backtick run inside, HTML attributes and
// <summary> text with HTML escaping inside <code>. No test name can open
// HTML, mention a user, reference an issue or merge request, or close a
// fence, and no line outside a fenced block starts with "/" (a quick
// action).
func Markdown(w io.Writer, r *diagnose.Report, o MarkdownOptions) error {
	if r == nil {
		return errors.New("rendering markdown: no report")
	}
	if err := checkMarker(o.Marker); err != nil {
		return err
	}
	m := &mdWriter{r: r, idx: indexJobs(r)}
	if o.Marker != "" {
		m.line("<!-- " + o.Marker + " -->")
	}
	m.header()
	m.changes(o.Changes)
	m.causes()
	m.tests()
	m.jobs()
	m.repro()
	m.warnings()
	if _, err := io.WriteString(w, m.b.String()); err != nil {
		return fmt.Errorf("writing markdown report: %w", err)
	}
	return nil
}

func checkMarker(s string) error {
	if strings.Contains(s, "--") || strings.ContainsAny(s, "<>") || Sanitize(s) != s || strings.HasSuffix(s, "-") {
		return fmt.Errorf("rendering markdown: marker %q cannot be written inside an html comment", s)
	}
	return nil
}

type mdWriter struct {
	b   strings.Builder
	r   *diagnose.Report
	idx jobIndex
}

func (m *mdWriter) line(parts ...string) {
	for _, p := range parts {
		m.b.WriteString(p)
	}
	m.b.WriteByte('\n')
}

// EscapeMarkdown makes one line of untrusted text safe to place in Markdown
// prose (GitLab Flavored Markdown, CommonMark, GFM). It folds line breaks
// into spaces and sanitises the text like Sanitize, then puts a backslash
// before every character that can start Markdown or GitLab syntax inline:
//
//	\ ` * _ { } [ ] ( ) < > | # ! @ ~ $ % &
//
// and before any punctuation at the very start (so no heading, list,
// block quote, thematic break or quick action can begin), including the
// "." or ")" of a leading number ("1." would start a list). CommonMark
// renders a backslash-escaped punctuation character as itself, so no
// emphasis, link, image, code span, HTML tag, entity or table cell can
// start; GitLab also treats escaped "@", "#", "!", "~", "%", "$" and "&" as
// literals, so no user is mentioned and no issue, merge request, label,
// milestone, snippet or epic is referenced.
func EscapeMarkdown(s string) string {
	s = oneLine(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	leadingDigits := true
	for i, r := range s {
		if r < 0x80 && isASCIIPunct(byte(r)) {
			if i == 0 || leadingDigits || strings.ContainsRune(mdInlineSpecial, r) {
				b.WriteByte('\\')
			}
		}
		if r < '0' || r > '9' {
			leadingDigits = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdInlineSpecial are the characters escaped wherever they appear.
const mdInlineSpecial = "\\`*_{}[]()<>|#!@~$%&"

func isASCIIPunct(c byte) bool {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')
}

// codeSpan puts one line of untrusted text in an inline code span whose
// backtick string is longer than any run inside it.
func codeSpan(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

// fence is a code fence longer than any backtick run in lines.
func fence(lines []string) string {
	n := 2
	for _, l := range lines {
		n = max(n, longestRun(l, '`'))
	}
	return strings.Repeat("`", n+1)
}

// mdLink is a Markdown link to u with escaped text, or the escaped text
// alone when u is not a plain http(s) URL.
func mdLink(text, u string) string {
	t := EscapeMarkdown(text)
	safe, ok := safeURL(u)
	if !ok {
		return t
	}
	return "[" + t + "](" + mdURL(safe) + ")"
}

// mdURL percent-encodes the characters that could end a link destination.
var mdURLReplacer = strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\\", "%5C", "`", "%60", "\"", "%22", "'", "%27", "*", "%2A", "_", "%5F")

func mdURL(u string) string { return mdURLReplacer.Replace(u) }

// htmlCode is untrusted text for raw HTML (a <summary>), inside <code> so
// GitLab does not look for references in it.
func htmlCode(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	return "<code>" + html.EscapeString(s) + "</code>"
}

func (m *mdWriter) header() {
	r := m.r
	p := r.Pipeline
	if p == nil && len(r.Pipelines) > 0 {
		p = &r.Pipelines[0]
	}
	project := r.Project.Path
	if project == "" && p != nil {
		project = p.ProjectPath
	}
	if p == nil {
		m.line("### Pipeline report for ", codeSpan(orDash(project)))
	} else {
		title := "### " + statusGlyph(p.Status) + " Pipeline " + mdLink("#"+strconv.FormatInt(p.ID, 10), p.WebURL) + " " + EscapeMarkdown(statusWord(p.Status))
		if d := formatDuration(p.Duration); d != "" {
			title += " in " + d
		}
		m.line(title)
		m.line()
		var facts []string
		if project != "" {
			facts = append(facts, codeSpan(project))
		}
		if p.Ref != "" {
			facts = append(facts, "ref "+codeSpan(p.Ref))
		}
		if p.SHA != "" {
			facts = append(facts, "commit "+codeSpan(shortSHA(p.SHA)))
		}
		if len(facts) > 0 {
			m.line(strings.Join(facts, " · "))
		}
		if p.YAMLErrors != "" {
			m.line()
			m.line("**YAML errors:** ", EscapeMarkdown(p.YAMLErrors))
		}
	}
	m.line()
	m.line(m.summary())
}

func (m *mdWriter) summary() string {
	s := m.r.Summary
	if s.FailedJobs == 0 && s.FailingTests == 0 && len(m.r.Jobs) == 0 && len(m.r.Causes) == 0 {
		if s.TotalTests > 0 {
			return "No failed jobs · " + plural(s.TotalTests, "test", "tests") + " passed"
		}
		return "No failed jobs"
	}
	jobs := "**" + plural(s.FailedJobs, "failed job", "failed jobs") + "**"
	if s.AllowedFailures > 0 {
		jobs += " (" + strconv.Itoa(s.AllowedFailures) + " allowed to fail)"
	}
	parts := []string{jobs}
	if s.FailingTests > 0 || s.TotalTests > 0 {
		tests := "**" + plural(s.FailingTests, "failing test", "failing tests") + "**"
		if s.TotalTests > 0 {
			tests += " of " + strconv.Itoa(s.TotalTests)
		}
		parts = append(parts, tests)
	}
	if s.FlakyTests > 0 {
		parts = append(parts, strconv.Itoa(s.FlakyTests)+" flaky")
	}
	parts = append(parts, plural(s.Causes, "cause", "causes"))
	if n := len(m.r.Pipelines); n > 1 {
		parts = append(parts, strconv.Itoa(n)+" pipelines")
	}
	return strings.Join(parts, " · ")
}

func (m *mdWriter) changes(c *Changes) {
	if c == nil {
		return
	}
	m.line()
	m.line("#### Since the last run")
	m.line()
	if len(c.Fixed)+len(c.StillFailing)+len(c.New) == 0 {
		m.line("No change in failing tests.")
		return
	}
	m.changeLine("✅", "fixed", c.Fixed)
	m.changeLine("❌", "still failing", c.StillFailing)
	m.changeLine("🆕", "new", c.New)
}

func (m *mdWriter) changeLine(mark, label string, names []string) {
	if len(names) == 0 {
		return
	}
	shown := names
	if len(shown) > mdMaxChangeNames {
		shown = shown[:mdMaxChangeNames]
	}
	spans := make([]string, 0, len(shown)+1)
	for _, n := range shown {
		if s := codeSpan(n); s != "" {
			spans = append(spans, s)
		}
	}
	if rest := len(names) - len(shown); rest > 0 {
		spans = append(spans, "and "+strconv.Itoa(rest)+" more")
	}
	m.line("- ", mark, " ", strconv.Itoa(len(names)), " ", label, ": ", strings.Join(spans, ", "))
}

func (m *mdWriter) jobLinks(ids []int64, names []string) string {
	var out []string
	if len(ids) > 0 {
		for i, id := range ids {
			j := m.idx[id]
			switch {
			case j != nil:
				out = append(out, mdLink(j.Name, j.WebURL))
			case i < len(names):
				out = append(out, EscapeMarkdown(names[i]))
			default:
				out = append(out, "job "+strconv.FormatInt(id, 10))
			}
		}
	} else {
		for _, n := range names {
			out = append(out, EscapeMarkdown(n))
		}
	}
	if len(out) > 5 {
		out = append(out[:5], "and "+strconv.Itoa(len(out)-5)+" more")
	}
	return strings.Join(out, ", ")
}

func (m *mdWriter) causes() {
	if len(m.r.Causes) == 0 {
		return
	}
	m.line()
	m.line("#### Causes")
	for i := range m.r.Causes {
		c := &m.r.Causes[i]
		rank := c.Rank
		if rank <= 0 {
			rank = i + 1
		}
		title := EscapeMarkdown(c.Title)
		if title == "" {
			title = "\\(no title\\)"
		}
		m.line()
		m.line("**", strconv.Itoa(rank), "\\. ", title, "**")
		m.line()
		scope := codeSpan(orDash(string(c.Category))) + " · " + causeScope(c)
		if links := m.jobLinks(c.JobIDs, c.JobNames); links != "" {
			scope += ": " + links
		}
		m.line("- ", scope)
		if len(c.Reasons) > 0 {
			why := make([]string, 0, len(c.Reasons))
			for _, r := range c.Reasons {
				if s := EscapeMarkdown(r); s != "" {
					why = append(why, s)
				}
			}
			if len(why) > 0 {
				m.line("- why: ", strings.Join(why, " · "))
			}
		}
		if c.Hint != "" {
			m.line("- hint: ", EscapeMarkdown(c.Hint))
		}
		if c.Excerpt != nil {
			job := m.idx.excerptJob(c.Excerpt, c.JobIDs)
			if u := highlightURL(c.Excerpt, job); u != "" {
				m.line("- log: ", mdLink(excerptPlace(c.Excerpt, job, true), u))
			}
			m.excerpt(c.Excerpt, job)
		}
	}
}

// highlightURL links the first matched line of an excerpt, or its start.
func highlightURL(ex *diagnose.Excerpt, job *diagnose.Job) string {
	if !hasLineNumbers(ex) {
		return ""
	}
	if job != nil && job.WebURL != "" && len(ex.Highlight) > 0 {
		return job.WebURL + "#L" + strconv.Itoa(ex.Highlight[0])
	}
	return lineURL(ex, job)
}

// excerptPlace is "pytest 1/2, line 210" (the matched line) or
// "pytest 1/2, lines 205–214" (the block).
func excerptPlace(ex *diagnose.Excerpt, job *diagnose.Job, matched bool) string {
	name := "job " + strconv.FormatInt(ex.JobID, 10)
	if job != nil {
		name = job.Name
	}
	if matched && len(ex.Highlight) > 0 {
		return name + ", line " + strconv.Itoa(ex.Highlight[0])
	}
	last := ex.StartLine + len(ex.Lines) - 1
	if last <= ex.StartLine {
		return name + ", line " + strconv.Itoa(ex.StartLine)
	}
	return name + ", lines " + strconv.Itoa(ex.StartLine) + "–" + strconv.Itoa(last)
}

// excerpt writes a collapsed block of log lines with a line-number gutter;
// matched lines carry '>' in the gutter. A block longer than
// mdMaxExcerptLines is shortened like the terminal view's, with a note
// where lines are hidden. An excerpt without line numbers is a test's
// failure text from the test report, labelled as such.
func (m *mdWriter) excerpt(ex *diagnose.Excerpt, job *diagnose.Job) {
	if len(ex.Lines) == 0 {
		return
	}
	keep := windowLines(ex, mdMaxExcerptLines)
	hl := make(map[int]bool, len(ex.Highlight))
	for _, h := range ex.Highlight {
		hl[h] = true
	}
	numbered := hasLineNumbers(ex)
	numWidth := 0
	if numbered {
		numWidth = len(strconv.Itoa(ex.StartLine + len(ex.Lines) - 1))
	}
	var body []string
	for i := 0; i < len(ex.Lines); i++ {
		if !keep[i] {
			j := i
			for j < len(keep) && !keep[j] {
				j++
			}
			body = append(body, fmt.Sprintf(" %*s ┆ … %s …", numWidth, "", plural(j-i, "line", "lines")))
			i = j - 1
			continue
		}
		n := ex.StartLine + i
		mark, num := " ", ""
		if numbered {
			num = strconv.Itoa(n)
			if hl[n] {
				mark = ">"
			}
		}
		body = append(body, strings.TrimRight(fmt.Sprintf("%s%*s │ %s", mark, numWidth, num, Sanitize(strings.TrimRight(ex.Lines[i], "\r\n"))), " "))
	}
	name := "job " + strconv.FormatInt(ex.JobID, 10)
	if job != nil {
		name = job.Name
	}
	summary := "Failure text from the test report, " + htmlCode(name)
	if numbered {
		place := excerptPlace(ex, job, false)
		summary = "Log of " + htmlCode(name) + strings.TrimPrefix(place, name)
	}
	f := fence(body)
	m.line()
	m.line("<details><summary>", summary, "</summary>")
	m.line()
	m.line(f, "text")
	for _, l := range body {
		m.line(l)
	}
	m.line(f)
	m.line()
	m.line("</details>")
}

// tests lists the failing tests grouped by cause, at most mdMaxTests:
// every cause gets items, and a note says how many more of a cause are left
// out. Items keep their rank as list number.
func (m *mdWriter) tests() {
	if len(m.r.Tests) == 0 {
		return
	}
	m.line()
	m.line("#### Failing tests")
	m.line()
	hidden, blank := 0, false
	for _, g := range planTests(m.r, mdMaxTests) {
		hidden += g.hidden()
		for _, i := range g.tests[:g.shown] {
			t := &m.r.Tests[i]
			name := codeSpan(testName(t))
			if name == "" {
				name = "\\(unnamed\\)"
			}
			item := name + " · " + EscapeMarkdown(orDash(string(t.Status)))
			if links := m.jobLinks(t.JobIDs, t.JobNames); links != "" {
				item += " in " + links
			}
			if msg := testMessage(t); msg != "" {
				item += " · " + EscapeMarkdown(msg)
			}
			m.line(strconv.Itoa(testRank(t, i)), ". ", item)
			blank = false
		}
		if g.shown > 0 && g.hidden() > 0 {
			// A paragraph between blank lines ends the list; the next
			// item starts a new one at its own rank.
			m.line()
			m.line(EscapeMarkdown(sameErrorNote(&g)))
			m.line()
			blank = true
		}
	}
	if hidden > 0 {
		if !blank {
			m.line()
		}
		m.line("… and ", plural(hidden, "more failing test", "more failing tests"), ".")
	}
}

func (m *mdWriter) jobs() {
	if len(m.r.Jobs) == 0 {
		return
	}
	m.line()
	m.line("#### Failed jobs")
	m.line()
	m.line("| Job | Stage | Category | Exit | Reason | Hint |")
	m.line("|---|---|---|---|---|---|")
	for i := range m.r.Jobs {
		j := &m.r.Jobs[i]
		name := mdLink(j.Name, j.WebURL)
		if j.AllowFailure {
			name += " \\(allowed to fail\\)"
		}
		m.line("| ", name, " | ", EscapeMarkdown(j.Stage), " | ", EscapeMarkdown(string(j.Category)), " | ",
			exitCode(j), " | ", EscapeMarkdown(j.FailureReason), " | ", EscapeMarkdown(j.Hint), " |")
	}
}

func (m *mdWriter) repro() {
	if len(m.r.Repro) == 0 {
		return
	}
	m.line()
	m.line("<details><summary>Reproduce locally</summary>")
	for _, rp := range m.r.Repro {
		head := "**" + EscapeMarkdown(rp.JobName) + "**"
		if rp.JobName == "" {
			head = "**job " + strconv.FormatInt(rp.JobID, 10) + "**"
		}
		var at []string
		if rp.Image != "" {
			at = append(at, "image "+codeSpan(rp.Image))
		}
		if rp.SHA != "" {
			at = append(at, "at "+codeSpan(shortSHA(rp.SHA)))
		}
		if len(at) > 0 {
			head += " · " + strings.Join(at, " ")
		}
		var body []string
		add := func(c string) {
			for _, l := range strings.Split(strings.TrimRight(c, "\n"), "\n") {
				body = append(body, Sanitize(strings.TrimRight(l, "\r")))
			}
		}
		if rp.Checkout != "" {
			add(rp.Checkout)
		}
		for _, c := range rp.Commands {
			add(c)
		}
		for _, n := range reproNotes(&rp) {
			body = append(body, Sanitize("# "+n))
		}
		switch {
		case rp.Docker != "":
			add(rp.Docker)
		case len(rp.Script) > 0:
			for _, c := range rp.Script {
				add(c)
			}
		}
		m.line()
		m.line(head)
		if len(body) == 0 {
			continue
		}
		f := fence(body)
		m.line()
		m.line(f, "shell")
		for _, l := range body {
			m.line(l)
		}
		m.line(f)
	}
	m.line()
	m.line("</details>")
}

func (m *mdWriter) warnings() {
	if len(m.r.Warnings) == 0 {
		return
	}
	m.line()
	m.line("#### Warnings")
	m.line()
	for _, w := range m.r.Warnings {
		m.line("- ⚠️ ", EscapeMarkdown(w))
	}
}
