package render

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// DefaultLimit is how many failing tests Text prints when Options.Limit is 0.
const DefaultLimit = 20

// Options controls the terminal view. The zero value is piped output: plain
// text, no colour, no links, tab-separated rows, 20 tests.
type Options struct {
	// TTY is set when stdout is a terminal: tables are drawn with
	// tablewriter and long lines are cut to Width. Piped output keeps every
	// line whole and prints tab-separated rows.
	TTY bool
	// Color enables SGR colour. The caller decides it (NO_COLOR,
	// CLICOLOR_FORCE); it is honoured even when TTY is false.
	Color bool
	// Hyperlinks prints OSC 8 links instead of bare URLs; only http and
	// https URLs made of printable ASCII are ever linked.
	Hyperlinks bool
	// Width is the terminal width in columns. 0 means 80; less than 20 is
	// treated as 20. On a terminal every line fits it, but for a test name,
	// a URL or a word of a shell command that is wider than a line by
	// itself: those are put on a line of their own and never cut.
	Width int
	// Verbose prints every excerpt block whole: the excerpts of causes, of
	// tests and of jobs. Otherwise one window of each cause's excerpt is shown.
	Verbose bool
	// Limit caps the failing tests printed. 0 means DefaultLimit; a negative
	// value prints them all.
	Limit int
}

// Excerpt windows: without Verbose, a cause shows at most excerptWindow lines,
// starting up to excerptLead lines before the first highlighted one.
const (
	excerptWindow = 12
	excerptLead   = 4
	maxCauses     = 10
	// minMessage is the least room a test's message is cut to on the line
	// of its status and jobs; with less it goes on a line of its own.
	minMessage = 24
)

// Text writes the report for people: a pipeline header, the ranked causes
// with their log excerpts, the failing tests, the failed jobs, how to
// reproduce and what could not be learned.
func Text(w io.Writer, r *diagnose.Report, o Options) error {
	if r == nil {
		return errors.New("rendering text: no report")
	}
	if o.Width <= 0 {
		o.Width = 80
	}
	if o.Width < minWidth {
		o.Width = minWidth
	}
	t := &textWriter{w: w, o: o, r: r, idx: indexJobs(r)}
	t.header()
	t.causes()
	t.tests()
	t.jobs()
	t.repro()
	t.warnings()
	if t.err != nil {
		return fmt.Errorf("writing text report: %w", t.err)
	}
	return nil
}

type textWriter struct {
	w   io.Writer
	o   Options
	r   *diagnose.Report
	idx jobIndex
	err error
}

func (t *textWriter) print(s string) {
	if t.err == nil {
		_, t.err = io.WriteString(t.w, s)
	}
}

func (t *textWriter) line(parts ...string) {
	t.print(strings.Join(parts, "") + "\n")
}

// section starts a titled block after a blank line.
func (t *textWriter) section(title string) {
	t.line()
	t.line(t.bold(title))
}

// SGR styles; each returns s unchanged when colour is off.
func (t *textWriter) sgr(code, s string) string {
	if !t.o.Color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
func (t *textWriter) bold(s string) string    { return t.sgr("1", s) }
func (t *textWriter) dim(s string) string     { return t.sgr("2", s) }
func (t *textWriter) red(s string) string     { return t.sgr("31", s) }
func (t *textWriter) redBold(s string) string { return t.sgr("1;31", s) }
func (t *textWriter) green(s string) string   { return t.sgr("32", s) }
func (t *textWriter) yellow(s string) string  { return t.sgr("33", s) }
func (t *textWriter) cyan(s string) string    { return t.sgr("36", s) }

// link shows text as an OSC 8 hyperlink to u when the terminal supports it;
// otherwise text followed by the bare URL. text must already be sanitised.
func (t *textWriter) link(text, u string) string {
	safe, ok := safeURL(u)
	switch {
	case !ok && u == "":
		return text
	case !ok:
		return text + "  " + Sanitize(u)
	case t.o.Hyperlinks:
		return "\x1b]8;;" + safe + "\x1b\\" + text + "\x1b]8;;\x1b\\"
	case text == "":
		return t.cyan(safe)
	}
	return text + "  " + t.cyan(safe)
}

// maxWrappedRows caps the rows a wrapped excerpt line takes; the last one
// is cut with "…".
const maxWrappedRows = 4

// splitCells splits a sanitised plain string into rows of at most n columns
// on a terminal, at most rows of them, the last cut with "…" when the
// string does not fit; piped output is never split.
func (t *textWriter) splitCells(s string, n, rows int) []string {
	if !t.o.TTY || n <= 0 || runewidth.StringWidth(s) <= n {
		return []string{s}
	}
	var out []string
	for len(out) < rows-1 && runewidth.StringWidth(s) > n {
		w, i := 0, 0
		for _, r := range s {
			rw := runewidth.RuneWidth(r)
			if w+rw > n {
				break
			}
			w += rw
			i += utf8.RuneLen(r)
		}
		if i == 0 {
			break // a rune wider than a row
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return append(out, t.fit(s, n))
}

// fit cuts a sanitised plain string to n columns on a terminal; piped output
// is never cut.
func (t *textWriter) fit(s string, n int) string {
	if !t.o.TTY || n <= 0 || runewidth.StringWidth(s) <= n {
		return s
	}
	return runewidth.Truncate(s, n, "…")
}

func (t *textWriter) header() {
	r := t.r
	p := r.Pipeline
	if p == nil && len(r.Pipelines) > 0 {
		p = &r.Pipelines[0]
	}
	project := Sanitize(r.Project.Path)
	if project == "" && p != nil {
		project = Sanitize(p.ProjectPath)
	}
	if p == nil {
		t.line(t.bold(orDash(project)), "  ", t.dim("no pipeline"))
	} else {
		glyph := statusGlyph(p.Status)
		switch p.Status {
		case diagnose.StatusFailed:
			glyph = t.redBold(glyph)
		case diagnose.StatusSuccess:
			glyph = t.green(glyph)
		default:
			glyph = t.yellow(glyph)
		}
		id := "#" + strconv.FormatInt(p.ID, 10)
		ref, sha := Sanitize(p.Ref), Sanitize(shortSHA(p.SHA))
		fullRef := ref
		rest := " " + statusWord(p.Status)
		if d := formatDuration(p.Duration); d != "" {
			rest += " in " + d
		}
		word := "  pipeline "
		plainWidth := func() int {
			n := runewidth.StringWidth("✗ " + project + word + id + rest)
			if ref != "" {
				n += runewidth.StringWidth(" on " + ref)
			}
			if sha != "" {
				n += runewidth.StringWidth(" (" + sha + ")")
			}
			return n
		}
		// On a terminal the header keeps to one line: the word "pipeline"
		// goes, then the project shrinks to its last path element, then the
		// ref is cut.
		if t.o.TTY && plainWidth() > t.o.Width {
			word = "  "
		}
		if t.o.TTY && plainWidth() > t.o.Width {
			if i := strings.LastIndexByte(project, '/'); i >= 0 {
				project = "…" + project[i:]
			}
			if over := plainWidth() - t.o.Width; over > 0 && ref != "" {
				ref = runewidth.Truncate(ref, max(8, runewidth.StringWidth(ref)-over), "…")
			}
		}
		var lines []string
		if t.o.TTY && plainWidth() > t.o.Width {
			// Still too wide: the project on a line of its own, and the
			// pipeline under it, wrapped between its words.
			var parts []string
			if t.o.Hyperlinks {
				parts = append(parts, t.link(id, p.WebURL))
			} else {
				parts = append(parts, id)
			}
			if ref != "" {
				parts = append(parts, "on "+t.bold(t.fit(fullRef, t.o.Width-5)))
			}
			if sha != "" {
				parts = append(parts, "("+sha+")")
			}
			parts = append(parts, strings.TrimSpace(rest))
			lines = append([]string{glyph + " " + t.bold(t.fit(orDash(project), t.o.Width-2))},
				t.flow(parts, " ", "  ", "  ")...)
		} else {
			var b strings.Builder
			b.WriteString(glyph + " " + t.bold(orDash(project)) + word)
			if t.o.Hyperlinks {
				b.WriteString(t.link(id, p.WebURL))
			} else {
				b.WriteString(id)
			}
			if ref != "" {
				b.WriteString(" on " + t.bold(ref))
			}
			if sha != "" {
				b.WriteString(" (" + sha + ")")
			}
			b.WriteString(rest)
			lines = []string{b.String()}
		}
		if !t.o.Hyperlinks {
			if u, ok := safeURL(p.WebURL); ok {
				lines = t.appendURL(lines, "  ", t.cyan(u))
			}
		}
		for _, l := range lines {
			t.line(l)
		}
	}
	t.line(t.summaryLine())
	if p != nil && p.YAMLErrors != "" {
		for _, l := range strings.Split(p.YAMLErrors, "\n") {
			if strings.TrimSpace(l) == "" {
				continue
			}
			for k, w := range t.wrap(Sanitize(strings.TrimRight(l, "\r")), t.o.Width-12) {
				label := strings.Repeat(" ", 12)
				if k == 0 {
					label = t.red("yaml error: ")
				}
				t.line(label, w)
			}
		}
	}
}

func (t *textWriter) summaryLine() string {
	s := t.r.Summary
	if s.FailedJobs == 0 && s.FailingTests == 0 && s.FlakyTests == 0 && len(t.r.Jobs) == 0 && len(t.r.Causes) == 0 {
		if s.TotalTests > 0 {
			return t.joinWrapped([]string{t.green("no failed jobs"), plural(s.TotalTests, "test", "tests") + " passed"}, " · ", "")
		}
		return t.green("no failed jobs")
	}
	jobs := plural(s.FailedJobs, "failed job", "failed jobs")
	if s.AllowedFailures > 0 {
		jobs += " (" + strconv.Itoa(s.AllowedFailures) + " allowed to fail)"
	}
	parts := []string{jobs}
	if s.FailingTests > 0 || s.TotalTests > 0 {
		tests := plural(s.FailingTests, "failing test", "failing tests")
		if s.TotalTests > 0 {
			tests += " of " + strconv.Itoa(s.TotalTests)
		}
		parts = append(parts, tests)
	}
	if s.FlakyTests > 0 {
		parts = append(parts, strconv.Itoa(s.FlakyTests)+" flaky")
	}
	parts = append(parts, plural(s.Causes, "cause", "causes"))
	if n := len(t.r.Pipelines); n > 1 {
		parts = append(parts, strconv.Itoa(n)+" pipelines")
	}
	if s.JobsWithoutLogs > 0 {
		parts = append(parts, plural(s.JobsWithoutLogs, "job", "jobs")+" without logs")
	}
	return t.joinWrapped(parts, " · ", "")
}

// joinWrapped joins parts with sep; on a terminal it starts a new line,
// indented, instead of a separator where the next part would pass the width.
func (t *textWriter) joinWrapped(parts []string, sep, indent string) string {
	return strings.Join(t.flow(parts, sep, "", indent), "\n")
}

// flow lays parts out after first, joined by sep. Piped it is one line; on
// a terminal a part that would pass the width starts a new line, indented,
// and a part too wide for a line of its own fills the line it starts on
// and the next ones between its words.
func (t *textWriter) flow(parts []string, sep, first, indent string) []string {
	if !t.o.TTY {
		return []string{first + strings.Join(parts, sep)}
	}
	var lines []string
	cur, atStart := first, true
	newLine := func() {
		lines = append(lines, cur)
		cur, atStart = indent, true
	}
	for _, p := range parts {
		switch {
		case atStart && cells(cur)+cells(p) <= t.o.Width:
			cur, atStart = cur+p, false
			continue
		case !atStart && cells(cur)+cells(sep)+cells(p) <= t.o.Width:
			cur += sep + p
			continue
		case !atStart && cells(indent)+cells(p) <= t.o.Width:
			newLine()
			cur, atStart = cur+p, false
			continue
		}
		for k, w := range strings.Fields(p) {
			gap := " "
			if k == 0 {
				gap = sep
			}
			switch {
			case atStart:
			case cells(cur)+cells(gap)+cells(w) <= t.o.Width:
				cur += gap + w
				continue
			default:
				newLine()
			}
			if room := t.o.Width - cells(cur); cells(w) > room && !isURL(w) {
				w = runewidth.Truncate(w, max(room, 1), "…")
			}
			cur, atStart = cur+w, false
		}
	}
	return append(lines, cur)
}

// appendURL puts a bare URL, styled, after the last of lines: two spaces after it
// when it fits (always when piped), otherwise on a line of its own,
// indented when that fits. A URL is never cut.
func (t *textWriter) appendURL(lines []string, indent, styled string) []string {
	if len(lines) == 0 {
		return []string{indent + styled}
	}
	last := len(lines) - 1
	if !t.o.TTY {
		lines[last] += "  " + styled
		return lines
	}
	if same, s := urlLine(cells(lines[last]), indent, styled, t.o.Width); same {
		lines[last] += s
	} else {
		lines = append(lines, s)
	}
	return lines
}

// wrap breaks plain text into lines of at most width columns at spaces
// (a word longer than the width is cut, but a URL is kept whole); piped
// output is one line.
func (t *textWriter) wrap(s string, width int) []string {
	if !t.o.TTY || width <= 0 || cells(s) <= width {
		return []string{s}
	}
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if runewidth.StringWidth(word) > width && !isURL(word) {
			word = runewidth.Truncate(word, width, "…")
		}
		switch {
		case cur == "":
			cur = word
		case runewidth.StringWidth(cur)+1+runewidth.StringWidth(word) <= width:
			cur += " " + word
		default:
			lines = append(lines, cur)
			cur = word
		}
	}
	return append(lines, cur)
}

func (t *textWriter) causes() {
	if len(t.r.Causes) == 0 {
		return
	}
	t.section("Causes")
	n := len(t.r.Causes)
	if !t.o.Verbose && n > maxCauses {
		n = maxCauses
	}
	for i := 0; i < n; i++ {
		c := &t.r.Causes[i]
		rank := c.Rank
		if rank <= 0 {
			rank = i + 1
		}
		num := strconv.Itoa(rank) + ". "
		indent := strings.Repeat(" ", len(num))
		if i > 0 {
			t.line()
		}
		title := oneLine(c.Title)
		if title == "" {
			title = "(no title)"
		}
		for k, l := range t.wrap(title, t.o.Width-len(num)) {
			lead := indent
			if k == 0 {
				lead = num
			}
			t.line(lead, t.bold(l))
		}

		scope := []string{t.category(c.Category), causeScope(c)}
		if names := t.jobNames(c.JobIDs, c.JobNames); names != "" {
			scope[len(scope)-1] += ": " + names
		}
		for _, l := range t.flow(scope, " · ", indent, indent) {
			t.line(l)
		}
		if len(c.Reasons) > 0 {
			why := make([]string, 0, len(c.Reasons))
			for _, reason := range c.Reasons {
				if s := oneLine(reason); s != "" {
					why = append(why, s)
				}
			}
			if len(why) > 0 {
				for _, l := range t.flow(why, " · ", indent+t.dim("why: "), indent+"     ") {
					t.line(l)
				}
			}
		}
		if h := oneLine(c.Hint); h != "" {
			for k, l := range t.wrap(h, t.o.Width-len(indent)-6) {
				label := "      "
				if k == 0 {
					label = t.yellow("hint: ")
				}
				t.line(indent, label, l)
			}
		}
		if c.Excerpt != nil {
			t.excerpt(indent, c.Excerpt, t.idx.excerptJob(c.Excerpt, c.JobIDs), !t.o.Verbose)
		}
	}
	if rest := len(t.r.Causes) - n; rest > 0 {
		t.line()
		for _, l := range t.wrap("… "+plural(rest, "more cause", "more causes")+" (--verbose shows all)", t.o.Width) {
			t.line(t.dim(l))
		}
	}
}

// category is the coloured category name of a cause or job.
func (t *textWriter) category(c diagnose.Category) string {
	s := Sanitize(string(c))
	if s == "" {
		s = string(diagnose.CategoryUnknown)
	}
	return t.categoryStyle(c, s)
}

// categoryStyle colours s, a category's name or the part of it that fits,
// the way the category is coloured.
func (t *textWriter) categoryStyle(c diagnose.Category, s string) string {
	switch c {
	case diagnose.CategoryInfra, diagnose.CategoryTimeout, diagnose.CategoryConfig:
		return t.yellow(s)
	}
	return t.red(s)
}

// jobNames lists the jobs of a cause or test by name, ids when names are
// missing, at most three.
func (t *textWriter) jobNames(ids []int64, names []string) string {
	var out []string
	if len(names) > 0 {
		for _, n := range names {
			out = append(out, oneLine(n))
		}
	} else {
		for _, id := range ids {
			if j := t.idx[id]; j != nil {
				out = append(out, oneLine(j.Name))
			} else {
				out = append(out, "job "+strconv.FormatInt(id, 10))
			}
		}
	}
	if len(out) > 3 {
		out = append(out[:3], "+"+strconv.Itoa(len(out)-3))
	}
	return strings.Join(out, ", ")
}

// excerpt prints one block of log lines with line numbers in the gutter and
// the matching lines marked with '>' (and red on a colour terminal). When
// window is set, a long block is shortened by windowLines, and a note
// stands where lines are hidden. An excerpt without line numbers is a
// test's failure text from the test report, labelled as such.
func (t *textWriter) excerpt(indent string, ex *diagnose.Excerpt, job *diagnose.Job, window bool) {
	if ex == nil || len(ex.Lines) == 0 {
		return
	}
	keep := windowLines(ex, len(ex.Lines))
	if window {
		keep = windowLines(ex, excerptWindow)
	}
	hl := make(map[int]bool, len(ex.Highlight))
	for _, h := range ex.Highlight {
		hl[h] = true
	}
	numbered := hasLineNumbers(ex)

	// Where the block comes from: job name, line range, link.
	where := ""
	if job != nil {
		where = oneLine(job.Name)
	} else if ex.JobID != 0 {
		where = "job " + strconv.FormatInt(ex.JobID, 10)
	}
	last := ex.StartLine + len(ex.Lines) - 1
	labelWidth := t.o.Width - len(indent)
	if !numbered {
		label := "failure text from the test report"
		if where != "" {
			label = where + " · " + label
		}
		t.line(indent, t.dim(t.fit(label, labelWidth)))
	} else {
		label := lineRange(ex.StartLine, last)
		if where != "" {
			label = where + " · " + label
		}
		label = t.dim(t.fit(label, labelWidth))
		u := lineURL(ex, job)
		safe, ok := safeURL(u)
		switch {
		case !t.o.TTY || t.o.Hyperlinks || u == "":
			t.line(indent, t.link(label, u))
		case ok:
			for _, l := range t.appendURL([]string{indent + label}, indent, t.cyan(safe)) {
				t.line(l)
			}
		default:
			for _, l := range t.appendURL([]string{indent + label}, indent, Sanitize(u)) {
				t.line(l)
			}
		}
	}

	numWidth := len(strconv.Itoa(last))
	if !numbered {
		numWidth = 0
	}
	textWidth := max(t.o.Width-len(indent)-numWidth-4, 4)
	lastGap := -1
	for i := len(keep) - 1; i >= 0; i-- {
		if !keep[i] {
			lastGap = i
			break
		}
	}
	for i := 0; i < len(ex.Lines); i++ {
		if !keep[i] {
			j := i
			for j < len(keep) && !keep[j] {
				j++
			}
			note := gapNote(j-i, j > lastGap)
			if t.o.TTY && runewidth.StringWidth(note) > textWidth {
				note = t.fit(gapNote(j-i, false), textWidth)
			}
			t.line(indent, " ", strings.Repeat(" ", numWidth), t.dim(" ┆ "), t.dim(note))
			i = j - 1
			continue
		}
		n := ex.StartLine + i
		num := ""
		if numbered {
			num = fmt.Sprintf("%*d", numWidth, n)
		}
		if numbered && hl[n] {
			// A line the cause is read from is wrapped, not cut: its end
			// often holds what failed.
			for k, part := range t.splitCells(Sanitize(strings.TrimRight(ex.Lines[i], "\r\n")), textWidth, maxWrappedRows) {
				if k == 0 {
					t.line(indent, t.redBold(">"), t.redBold(num), t.dim(" │ "), t.redBold(part))
				} else {
					t.line(indent, " ", strings.Repeat(" ", numWidth), t.dim(" │ "), t.redBold(part))
				}
			}
			continue
		}
		text := t.fit(Sanitize(strings.TrimRight(ex.Lines[i], "\r\n")), textWidth)
		t.line(indent, " ", t.dim(num), t.dim(" │ "), strings.TrimRight(text, " "))
	}
}

func (t *textWriter) limit() int {
	switch {
	case t.o.Limit < 0:
		return len(t.r.Tests)
	case t.o.Limit == 0:
		return DefaultLimit
	}
	return t.o.Limit
}

// tests lists the failing tests grouped by cause, within the limit: every
// cause gets rows, and a note says how many more of a cause are left out.
func (t *textWriter) tests() {
	if len(t.r.Tests) == 0 {
		return
	}
	t.section("Failing tests")
	groups := planTests(t.r, t.limit())
	causeExcerpts := map[int]*diagnose.Excerpt{}
	for i := range t.r.Causes {
		causeExcerpts[t.r.Causes[i].ID] = t.r.Causes[i].Excerpt
	}
	maxRank, hidden := 0, 0
	for _, g := range groups {
		for _, i := range g.tests[:g.shown] {
			maxRank = max(maxRank, testRank(&t.r.Tests[i], i))
		}
		hidden += g.hidden()
	}
	rankWidth := len(strconv.Itoa(maxRank))
	indent := strings.Repeat(" ", rankWidth+5)
	for _, g := range groups {
		for _, i := range g.tests[:g.shown] {
			t.testRow(&t.r.Tests[i], testRank(&t.r.Tests[i], i), rankWidth, indent, causeExcerpts)
		}
		if g.shown > 0 && g.hidden() > 0 {
			lead := ""
			if t.o.TTY {
				lead = indent
			}
			for _, l := range t.wrap(sameErrorNote(&g), t.o.Width-len(lead)) {
				t.line(lead, t.dim(l))
			}
		}
	}
	if hidden > 0 {
		for _, l := range t.wrap("… "+plural(hidden, "more failing test", "more failing tests")+" (--limit N shows more)", t.o.Width) {
			t.line(t.dim(l))
		}
	}
}

// testRank is a test's rank, or its place in the list when it has none.
func testRank(tc *diagnose.Test, i int) int {
	if tc.Rank > 0 {
		return tc.Rank
	}
	return i + 1
}

// testRow prints one failing test: a tab-separated row when piped, a
// marked name and a detail line on a terminal.
func (t *textWriter) testRow(tc *diagnose.Test, rank, rankWidth int, indent string, causeExcerpts map[int]*diagnose.Excerpt) {
	name := oneLine(testName(tc))
	status := oneLine(string(tc.Status))
	jobs := t.jobNames(tc.JobIDs, tc.JobNames)
	msg := testMessage(tc)
	if !t.o.TTY {
		t.line(strings.Join([]string{strconv.Itoa(rank), orDash(status), orDash(name), orDash(jobs), orDash(msg)}, "\t"))
		if t.o.Verbose {
			t.testDetail("", tc, causeExcerpts[tc.CauseID])
		}
		return
	}
	glyph := t.red("✗")
	if tc.Status == diagnose.TestFlaky {
		glyph = t.yellow("↻")
		status = t.yellow(status)
	}
	// The name is never cut, so that it can be copied: when it does not fit
	// after its rank, it goes on a line of its own.
	num := fmt.Sprintf("%*d", rankWidth+2, rank)
	switch w := runewidth.StringWidth(name); {
	case len(indent)+w <= t.o.Width:
		t.line(num, " ", glyph, " ", name)
	case w <= t.o.Width-2:
		t.line(num, " ", glyph)
		t.line("  ", name)
	default:
		t.line(num, " ", glyph)
		t.line(name)
	}
	// The detail line: status, jobs and the message, cut to the width; on a
	// terminal too narrow to leave the message some room, the message goes
	// on a line of its own.
	detail := strings.Join(nonEmpty(status, jobs), " · ")
	room := t.o.Width - len(indent)
	switch {
	case msg == "":
		t.line(indent, t.fit(detail, room))
	case detail == "":
		t.line(indent, t.fit(msg, room))
	case cells(detail)+3+runewidth.StringWidth(msg) <= room || room-cells(detail)-3 >= minMessage:
		t.line(indent, detail, " · ", t.fit(msg, room-cells(detail)-3))
	default:
		t.line(indent, t.fit(detail, room))
		t.line(indent, t.fit(msg, room))
	}
	if t.o.Verbose {
		t.testDetail(indent, tc, causeExcerpts[tc.CauseID])
	}
}

// testDetail is what --verbose adds under a test: its own excerpt unless
// its cause already showed the same lines, and its repro command.
func (t *textWriter) testDetail(indent string, tc *diagnose.Test, causeExcerpt *diagnose.Excerpt) {
	if indent == "" {
		indent = "    "
	}
	if tc.Excerpt != nil && !sameExcerpt(tc.Excerpt, causeExcerpt) {
		t.excerpt(indent, tc.Excerpt, t.idx.excerptJob(tc.Excerpt, tc.JobIDs), false)
	}
	if tc.Repro != "" {
		t.commandLine(indent, "$ ", oneLine(tc.Repro))
	}
}

func nonEmpty(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (t *textWriter) jobs() {
	if len(t.r.Jobs) == 0 {
		return
	}
	t.section("Failed jobs")
	if t.o.TTY {
		if err := t.jobTable(); err != nil && t.err == nil {
			t.err = err
		}
	} else {
		for i := range t.r.Jobs {
			j := &t.r.Jobs[i]
			status := "failed"
			if j.AllowFailure {
				status = "allowed to fail"
			}
			u, _ := safeURL(j.WebURL)
			t.line(strings.Join([]string{
				orDash(oneLine(j.Name)), orDash(oneLine(j.Stage)), status, orDash(oneLine(string(j.Category))),
				orDash(exitCode(j)), orDash(oneLine(j.FailureReason)), orDash(oneLine(j.Hint)), orDash(u),
			}, "\t"))
		}
	}
	if !t.o.Verbose {
		return
	}
	// A job excerpt is printed unless an excerpt already printed holds
	// all its lines.
	type span struct {
		job        int64
		start, end int
	}
	var shown []span
	covered := func(s span) bool {
		for _, o := range shown {
			if o.job == s.job && o.start <= s.start && s.end <= o.end {
				return true
			}
		}
		return false
	}
	for i := range t.r.Causes {
		if ex := t.r.Causes[i].Excerpt; ex != nil && hasLineNumbers(ex) {
			shown = append(shown, span{ex.JobID, ex.StartLine, ex.StartLine + len(ex.Lines) - 1})
		}
	}
	for i := range t.r.Jobs {
		j := &t.r.Jobs[i]
		for k := range j.Excerpts {
			ex := &j.Excerpts[k]
			id := ex.JobID
			if id == 0 {
				id = j.ID
			}
			s := span{id, ex.StartLine, ex.StartLine + len(ex.Lines) - 1}
			if len(ex.Lines) == 0 || covered(s) {
				continue
			}
			shown = append(shown, s)
			t.line()
			t.excerpt("  ", ex, j, false)
		}
	}
}

func (t *textWriter) repro() {
	if len(t.r.Repro) == 0 {
		return
	}
	t.section("Reproduce")
	for i, rp := range t.r.Repro {
		if i > 0 {
			t.line()
		}
		head := oneLine(rp.JobName)
		if head == "" {
			head = "job " + strconv.FormatInt(rp.JobID, 10)
		}
		var at []string
		if rp.Image != "" {
			at = append(at, oneLine(rp.Image))
		}
		if rp.SHA != "" {
			at = append(at, "at "+oneLine(shortSHA(rp.SHA)))
		}
		if !t.o.TTY || len(at) == 0 {
			if len(at) > 0 {
				head += t.dim(" (" + strings.Join(at, " ") + ")")
			}
			t.line("  ", head)
		} else if in := "(" + strings.Join(at, " ") + ")"; 2+cells(head)+1+cells(in) <= t.o.Width {
			t.line("  ", head, t.dim(" "+in))
		} else {
			t.line("  ", t.fit(head, t.o.Width-2))
			for _, l := range t.wrap(in, t.o.Width-4) {
				t.line("    ", t.dim(l))
			}
		}
		if rp.Checkout != "" {
			t.command(rp.Checkout)
		}
		for _, c := range rp.Commands {
			t.command(c)
		}
		for _, c := range reproNotes(&rp) {
			t.comment(c)
		}
		switch {
		case rp.Docker != "":
			t.command(rp.Docker)
		case len(rp.Script) > 0:
			for _, c := range rp.Script {
				t.command(c)
			}
		}
	}
}

// command prints one shell command: "$ " and its lines, the lines after
// the first indented as its continuation.
func (t *textWriter) command(c string) {
	for k, l := range strings.Split(strings.TrimRight(c, "\n"), "\n") {
		prompt := "$ "
		if k > 0 {
			prompt = "  " // continuation of the same command
		}
		t.commandLine("  ", prompt, Sanitize(strings.TrimRight(l, "\r")))
	}
}

// commandLine prints one sanitised line of a shell command after its
// prompt. On a terminal a line too wide is broken where the shell allows,
// ending in " \" and going on four columns in, so that it still runs when
// copied whole.
func (t *textWriter) commandLine(indent, prompt, l string) {
	if !t.o.TTY {
		t.line(indent, t.dim(prompt), l)
		return
	}
	first := len(indent) + runewidth.StringWidth(prompt)
	cont := strings.Repeat(" ", first+2)
	for k, part := range commandLines(l, first, len(cont), t.o.Width) {
		if k == 0 {
			t.line(indent, t.dim(prompt), part)
		} else {
			t.line(cont, part)
		}
	}
}

// comment prints a note of the repro section as shell comments, wrapped
// between words on a terminal, every line starting with "# ".
func (t *textWriter) comment(c string) {
	for _, l := range t.wrap(c, t.o.Width-4) {
		t.line("  ", t.dim("# "+l))
	}
}

// reproNotes are the comments printed before a repro's docker line or
// script: services, variables, and what the following lines are.
func reproNotes(rp *diagnose.Repro) []string {
	var notes []string
	if len(rp.Docker) == 0 && len(rp.Script) == 0 {
		return nil
	}
	if len(rp.Services) > 0 {
		notes = append(notes, "services the job had, to start first: "+oneLine(strings.Join(rp.Services, " ")))
	}
	if len(rp.Variables) > 0 {
		notes = append(notes, "variables of the CI configuration, passed from your environment: "+oneLine(strings.Join(rp.Variables, " ")))
	}
	switch {
	case rp.Docker != "":
		notes = append(notes, "in the job's image, on this checkout:")
	default:
		notes = append(notes, "the job's script up to the failure:")
	}
	return notes
}

func (t *textWriter) warnings() {
	if len(t.r.Warnings) == 0 {
		return
	}
	t.section("Warnings")
	for _, w := range t.r.Warnings {
		for k, l := range t.wrap(oneLine(w), t.o.Width-4) {
			mark := " "
			if k == 0 {
				mark = t.yellow("!")
			}
			t.line("  ", mark, " ", l)
		}
	}
}
