package diagnose

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
)

// maxMessageLines and maxMessageBytes cap Test.Message.
const (
	maxMessageLines = 3
	maxMessageBytes = 500
	maxTitleBytes   = 160
	maxNamesInText  = 3
)

// builder holds the state of one Build.
type builder struct {
	ev      Evidence
	jobs    []JobEvidence
	jobIdx  map[int64]int
	pipeIdx map[int64]int
	ix      *blockIndex
	tests   []*testItem
	causes  []*causeItem
	total   int

	// upstream[i] lists the failed jobs that job i needs (transitively
	// the first ones to fail); downstream is the inverse.
	upstream   map[int][]int
	downstream map[int][]int
}

// testItem is one failing test being ranked.
type testItem struct {
	tc        TestCase
	out       Test
	jobs      []int // job indices, sorted
	parts     ErrorParts
	isError   bool
	line      int // first log line of its excerpt in its first job; 0 if unknown
	jobLine   map[int]int
	narrowed  int // how many candidate jobs the log narrowed down
	linked    bool
	framework string
	cause     *causeItem
}

// causeItem is one cause being ranked.
type causeItem struct {
	out       Cause
	tests     []*testItem
	jobs      []int
	isError   bool
	flaky     bool
	allowed   bool // every job of the cause may fail
	explained []int
	depth     int // failed jobs upstream of the cause through needs:
	explains  []int
	line      int
	firstIn   []int // jobs whose first failure this is
}

// Build turns evidence into a ranked report. It is pure: the same evidence
// gives the same report.
func Build(ev Evidence) *Report {
	b := &builder{ev: ev}
	b.prepareJobs()
	b.collectTests()
	b.clusterTests()
	b.jobCauses()
	b.relateNeeds()
	b.firstFailures()
	b.rank()
	return b.report()
}

func (b *builder) prepareJobs() {
	b.pipeIdx = map[int64]int{}
	for i, p := range b.ev.Pipelines {
		if _, ok := b.pipeIdx[p.ID]; !ok {
			b.pipeIdx[p.ID] = i
		}
	}
	// One entry per job id; a later entry replaces an earlier one.
	seen := map[int64]int{}
	for _, j := range b.ev.Jobs {
		if i, ok := seen[j.Job.ID]; ok {
			b.jobs[i] = j
			continue
		}
		seen[j.Job.ID] = len(b.jobs)
		b.jobs = append(b.jobs, j)
	}
	sort.SliceStable(b.jobs, func(x, y int) bool {
		a, c := &b.jobs[x].Job, &b.jobs[y].Job
		if a.AllowFailure != c.AllowFailure {
			return !a.AllowFailure
		}
		if pa, pc := b.pipeIdx[a.PipelineID], b.pipeIdx[c.PipelineID]; pa != pc {
			return pa < pc
		}
		return a.ID < c.ID
	})
	b.jobIdx = map[int64]int{}
	for i := range b.jobs {
		b.jobIdx[b.jobs[i].Job.ID] = i
		b.jobs[i].Job.Excerpts = mergeExcerpts(b.jobs[i].Job.Excerpts)
	}
	b.ix = newBlockIndex(b.jobs)
}

// mergeExcerpts returns a job's excerpts with overlapping ones joined, so
// that no line of the job is shown twice: a block inside another goes, two
// that overlap become one, in the place of the better ranked (earlier) of
// the two. The input is not modified. An excerpt whose lines do not match
// its range is only joined when one of the two holds the other's range.
func mergeExcerpts(in []Excerpt) []Excerpt {
	if len(in) < 2 {
		return in
	}
	out := make([]Excerpt, len(in))
	copy(out, in)
	for {
		joined := false
		for i := 0; i < len(out) && !joined; i++ {
			for j := i + 1; j < len(out); j++ {
				if m, ok := joinExcerpts(&out[i], &out[j]); ok {
					out[i] = m
					out = slices.Delete(out, j, j+1)
					joined = true
					break
				}
			}
		}
		if !joined {
			return out
		}
	}
}

// joinExcerpts is the one excerpt that shows the lines of a and b when they
// overlap; it keeps a's rule.
func joinExcerpts(a, b *Excerpt) (Excerpt, bool) {
	if a.StartLine <= 0 || b.StartLine <= 0 || a.JobID != b.JobID || a.StartLine > b.EndLine || b.StartLine > a.EndLine {
		return Excerpt{}, false
	}
	hl := unionLines(a.Highlight, b.Highlight)
	switch {
	case b.StartLine >= a.StartLine && b.EndLine <= a.EndLine:
		m := *a
		m.Highlight = hl
		return m, true
	case a.StartLine >= b.StartLine && a.EndLine <= b.EndLine:
		m := *b
		m.Rule, m.Highlight = a.Rule, hl
		m.URL = moveLineURL(a.URL, m.StartLine)
		return m, true
	case !consistent(a) || !consistent(b):
		return Excerpt{}, false
	}
	lo, hi := a, b
	if b.StartLine < a.StartLine {
		lo, hi = b, a
	}
	m := *a
	m.StartLine, m.EndLine = lo.StartLine, hi.EndLine
	m.Lines = append(append([]string(nil), lo.Lines...), hi.Lines[lo.EndLine-hi.StartLine+1:]...)
	m.Highlight = hl
	m.URL = moveLineURL(a.URL, m.StartLine)
	return m, true
}

// moveLineURL points a "…#L<n>" link at another line.
func moveLineURL(u string, line int) string {
	if i := strings.LastIndex(u, "#L"); i >= 0 {
		return u[:i] + "#L" + strconv.Itoa(line)
	}
	return u
}

// consistent tells whether an excerpt holds one line per number of its
// range.
func consistent(e *Excerpt) bool {
	return e.StartLine > 0 && e.EndLine-e.StartLine+1 == len(e.Lines)
}

// unionLines merges two sorted lists of line numbers.
func unionLines(a, b []int) []int {
	if len(b) == 0 {
		return a
	}
	out := append(append([]int(nil), a...), b...)
	sort.Ints(out)
	return slices.Compact(out)
}

// statusRank orders test statuses for merging duplicates.
func statusRank(s TestStatus) int {
	switch s {
	case TestFailed:
		return 0
	case TestError:
		return 1
	case TestFlaky:
		return 2
	case TestSkipped:
		return 3
	}
	return 4
}

type testAgg struct {
	tc      TestCase
	passed  map[int64]bool // jobs where a run passed
	anyPass bool
}

// collectTests merges duplicate test cases and links failing ones to log
// blocks.
func (b *builder) collectTests() {
	aggs := map[string]*testAgg{}
	var order []string
	for _, tc := range b.ev.Tests {
		k := tc.key()
		a, ok := aggs[k]
		if !ok {
			a = &testAgg{tc: tc, passed: map[int64]bool{}}
			a.tc.JobIDs = append([]int64(nil), tc.JobIDs...)
			if a.tc.Attempts < 1 {
				a.tc.Attempts = 1
			}
			aggs[k] = a
			order = append(order, k)
		} else {
			attempts := tc.Attempts
			if attempts < 1 {
				attempts = 1
			}
			a.tc.Attempts += attempts
			a.tc.JobIDs = append(a.tc.JobIDs, tc.JobIDs...)
			if statusRank(tc.Status) < statusRank(a.tc.Status) {
				jobs, att := a.tc.JobIDs, a.tc.Attempts
				a.tc = tc
				a.tc.JobIDs, a.tc.Attempts = jobs, att
			}
		}
		if tc.Status == TestSuccess {
			a.anyPass = true
			for _, id := range tc.JobIDs {
				a.passed[id] = true
			}
		}
	}
	b.total = len(order)
	// A Go parent test fails because its subtests did: when it says
	// nothing of its own, its subtests stand for it.
	hasChild := map[string]bool{}
	for _, k := range order {
		if tc := &aggs[k].tc; tc.failing() {
			if i := strings.LastIndexByte(tc.Name, '/'); i > 0 {
				hasChild[tc.Classname+"\x00"+tc.Name[:i]] = true
			}
		}
	}
	for _, k := range order {
		a := aggs[k]
		tc := a.tc
		if hasChild[tc.Classname+"\x00"+tc.Name] && firstUseful(tc.Message+"\n"+tc.Body) == "" {
			continue
		}
		tc.JobIDs = uniqIDs(tc.JobIDs)
		if (tc.Status == TestFailed || tc.Status == TestError) && a.anyPass && rerunPassed(tc.JobIDs, a.passed) {
			tc.Status = TestFlaky
		}
		if !tc.failing() {
			continue
		}
		b.tests = append(b.tests, b.linkTest(tc))
	}
}

// rerunPassed tells whether a passing run of a failing test happened in a
// job where it failed (a rerun), or job ids are unknown.
func rerunPassed(jobs []int64, passed map[int64]bool) bool {
	if len(passed) == 0 || len(jobs) == 0 {
		return true
	}
	for _, id := range jobs {
		if passed[id] {
			return true
		}
	}
	return false
}

func uniqIDs(ids []int64) []int64 {
	if len(ids) == 0 {
		return nil
	}
	s := append([]int64(nil), ids...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// linkTest finds the test's log block, narrows a parallel suite's jobs to
// those whose log mentions the test, and reads its error.
func (b *builder) linkTest(tc TestCase) *testItem {
	it := &testItem{tc: tc, jobLine: map[int]int{}}
	var cand []int
	for _, id := range tc.JobIDs {
		if j, ok := b.jobIdx[id]; ok {
			cand = append(cand, j)
		}
	}
	links := b.ix.find(&tc)
	best := 0
	for j, l := range links {
		if len(tc.JobIDs) > 0 && !containsInt(cand, j) {
			continue
		}
		if l.score > best {
			best = l.score
		}
	}
	var chosen []link
	for j, l := range links {
		if l.score == best && best > 0 && (len(tc.JobIDs) == 0 || containsInt(cand, j)) {
			chosen = append(chosen, l)
		}
	}
	sort.Slice(chosen, func(x, y int) bool { return chosen[x].job < chosen[y].job })

	var block *testlog.Block
	var blockJob int
	if len(chosen) > 0 {
		it.linked = true
		for _, l := range chosen {
			it.jobs = append(it.jobs, l.job)
			bl := &b.jobs[l.job].Blocks[l.block]
			it.jobLine[l.job] = l.first
			if block == nil {
				block, blockJob = bl, l.job
			}
		}
		if n := len(tc.JobIDs); n > len(chosen) {
			it.narrowed = n
		}
		// The test ran in the jobs found; keep unknown ids out.
		ids := make([]int64, 0, len(it.jobs))
		for _, j := range it.jobs {
			ids = append(ids, b.jobs[j].Job.ID)
		}
		if len(tc.JobIDs) > 0 {
			it.tc.JobIDs = ids
		} else {
			it.tc.JobIDs = uniqIDs(ids)
		}
	} else {
		it.jobs = append(it.jobs, cand...)
		sort.Ints(it.jobs)
	}

	body, message := tc.Body, tc.Message
	if strings.TrimSpace(body) == "" && strings.TrimSpace(message) == "" && block != nil {
		body = strings.Join(block.Lines, "\n")
	}
	it.parts = ParseError(tc.Type, message, body)
	it.isError = tc.Status == TestError || !it.parts.Assertion

	blockFW, cmd := "", ""
	if block != nil {
		blockFW = block.Framework
	}
	if len(it.jobs) > 0 {
		cmd = b.jobs[it.jobs[0]].Job.FailingCommand
	}
	it.framework = DetectFramework(&it.tc, blockFW, cmd)

	t := Test{
		Name:      tc.Name,
		Classname: tc.Classname,
		Suite:     tc.Suite,
		File:      tc.File,
		Line:      tc.Line,
		Status:    tc.Status,
		Attempts:  tc.Attempts,
		Message:   messageLines(tc.Message, tc.Body, it.parts),
		Type:      it.parts.Type,
		Framework: it.framework,
		JobIDs:    append([]int64{}, it.tc.JobIDs...),
		Signature: Signature(it.parts),
	}
	if t.Attempts <= 1 {
		t.Attempts = 0
	}
	if t.Line == 0 && block != nil {
		// RSpec prints "rspec ./spec/x_spec.rb:13 # description".
		loc := b.rspecLocation(&tc, blockJob)
		if line := lineFromLocation(loc); line > 0 {
			t.Line, it.tc.Line = line, line
			t.File, it.tc.File = fileFromLocation(loc), fileFromLocation(loc)
		}
	}
	for _, id := range t.JobIDs {
		t.JobNames = append(t.JobNames, b.jobName(id))
	}
	if block != nil {
		t.Excerpt = excerptFromBlock(&b.jobs[blockJob].Job, block)
		it.line = it.jobLine[blockJob]
	} else {
		var jobID int64
		if len(t.JobIDs) > 0 {
			jobID = t.JobIDs[0]
		}
		t.Excerpt = excerptFromFailure(&tc, jobID)
	}
	it.out = t
	return it
}

// rspecLocation finds a "rspec ./spec/x_spec.rb:13 # description" line for
// the test in the job's blocks.
func (b *builder) rspecLocation(tc *TestCase, job int) string {
	for i := range b.jobs[job].Blocks {
		bl := &b.jobs[job].Blocks[i]
		if bl.Location != "" && bl.Framework == testlog.RSpec && canonName(bl.Test) == canonName(tc.Name) {
			return bl.Location
		}
	}
	return ""
}

func lineFromLocation(loc string) int {
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(loc[i+1:])
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func fileFromLocation(loc string) string {
	if i := strings.LastIndexByte(loc, ':'); i > 0 {
		return loc[:i]
	}
	return ""
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (b *builder) jobName(id int64) string {
	if j, ok := b.jobIdx[id]; ok {
		return b.jobs[j].Job.Name
	}
	return "job " + strconv.FormatInt(id, 10)
}

// messageLines is Test.Message: the first lines of the failure message, or
// of the body when the message is empty or a constant.
func messageLines(message, body string, p ErrorParts) string {
	text := message
	if firstUseful(text) == "" {
		text = body
	}
	var out []string
	for _, l := range splitLines(text) {
		t := strings.TrimRight(l, " \t\r")
		if tt := strings.TrimSpace(t); tt == "" || isNoiseLine(tt) {
			if len(out) == 0 || tt != "" {
				continue
			}
		}
		out = append(out, t)
		if len(out) == maxMessageLines {
			break
		}
	}
	s := strings.TrimSpace(strings.Join(out, "\n"))
	if s == "" {
		s = p.Message
	}
	return truncate(s, maxMessageBytes)
}

// clusterTests groups failing tests by signature; flaky tests form their
// own clusters.
func (b *builder) clusterTests() {
	byKey := map[string]*causeItem{}
	var keys []string
	for _, it := range b.tests {
		key := it.out.Signature
		if key == "" {
			key = "test\x00" + it.tc.key()
		}
		flaky := it.tc.Status == TestFlaky
		if flaky {
			key = "flaky\x00" + key
		}
		c, ok := byKey[key]
		if !ok {
			c = &causeItem{flaky: flaky, out: Cause{Kind: "tests", Category: CategoryTest, Signature: it.out.Signature}}
			byKey[key] = c
			keys = append(keys, key)
		}
		c.tests = append(c.tests, it)
		it.cause = c
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := byKey[k]
		var jobs []int
		for _, it := range c.tests {
			jobs = append(jobs, it.jobs...)
			if it.isError {
				c.isError = true
			}
			if it.line > 0 && (c.line == 0 || it.line < c.line) {
				c.line = it.line
			}
		}
		c.jobs = uniqInts(jobs)
		b.causes = append(b.causes, c)
	}
}

func uniqInts(s []int) []int {
	sort.Ints(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// errorCategories are job categories that stop a job before any test
// could tell what is wrong: they rank with errors, before assertion
// failures.
var errorCategories = map[Category]bool{
	CategoryBuild: true, CategoryDependency: true, CategoryScript: true, CategoryInfra: true,
	CategoryTimeout: true, CategoryConfig: true, CategorySupply: true,
}

// jobCauses makes a cause of every failed job that no failing test
// explains; jobs failing the same way (same rule and error line) share one.
func (b *builder) jobCauses() {
	hasTests := map[int]bool{}
	for _, it := range b.tests {
		for _, j := range it.jobs {
			hasTests[j] = true
		}
	}
	byKey := map[string]*causeItem{}
	for j := range b.jobs {
		job := &b.jobs[j].Job
		if !job.Status.IsFailure() || hasTests[j] {
			continue
		}
		title, ex := jobHeadline(job)
		key := ""
		if job.Rule != "" {
			key = string(job.Category) + "\x00" + job.Rule + "\x00" + NormalizeMessage(title)
		}
		if c, ok := byKey[key]; ok && key != "" {
			c.jobs = append(c.jobs, j)
			continue
		}
		cat := job.Category
		if cat == "" {
			cat = CategoryUnknown
		}
		c := &causeItem{
			out:     Cause{Kind: "job", Category: cat, Title: title, Hint: job.Hint, Excerpt: ex},
			jobs:    []int{j},
			isError: errorCategories[cat],
		}
		if ex != nil {
			c.line = ex.StartLine
		}
		if key != "" {
			byKey[key] = c
		}
		b.causes = append(b.causes, c)
	}
}

// jobHeadline is a job cause's title and excerpt: the first highlighted
// line of the job's first excerpt, else its failure reason or exit code. A
// runner's system failure is told by its message without the runner's
// prefix and source location, and a job killed with exit code 137 by the
// command that was killed and what the code means.
func jobHeadline(job *Job) (string, *Excerpt) {
	var ex *Excerpt
	title := ""
	if len(job.Excerpts) > 0 {
		e := job.Excerpts[0]
		e.Lines = append([]string(nil), e.Lines...)
		e.Highlight = append([]int(nil), e.Highlight...)
		if e.JobID == 0 {
			e.JobID = job.ID
		}
		if e.URL == "" {
			e.URL = lineURL(job.WebURL, e.StartLine)
		}
		ex = &e
		line := e.StartLine
		if len(e.Highlight) > 0 {
			line = e.Highlight[0]
		}
		if i := line - e.StartLine; i >= 0 && i < len(e.Lines) {
			title = trimListMarker(strings.TrimSpace(e.Lines[i]))
		}
		if job.ExitCode != nil && *job.ExitCode == 137 {
			title = killedTitle(job, &e)
		} else if t, ok := systemFailureTitle(title); ok {
			title = t
		} else if t, ok := timeoutTitle(job, &e); ok {
			title = t
		}
	}
	binary := unreadable(title)
	if binary {
		title = "" // the reason or the exit code says more
	}
	switch {
	case title != "":
	case job.ExitCode != nil && *job.ExitCode == 137:
		title = killedTitle(job, nil)
	case job.FailureReason != "" && job.FailureReason != "script_failure":
		title = strings.ReplaceAll(job.FailureReason, "_", " ")
	case job.FailingCommand != "" && job.ExitCode != nil:
		title = fmt.Sprintf("%s exited with code %d", job.FailingCommand, *job.ExitCode)
	case job.ExitCode != nil:
		title = fmt.Sprintf("exit code %d", *job.ExitCode)
	case binary:
		title = "no readable message: the log holds binary data"
	default:
		title = "job failed"
	}
	return truncate(title, maxTitleBytes), ex
}

// unreadable reports whether s is mostly bytes that are not text: at least
// a quarter of its characters replace invalid UTF-8 or stand for control
// characters.
func unreadable(s string) bool {
	bad, n := 0, 0
	for _, r := range s {
		n++
		if r == utf8.RuneError || r < 0x20 && r != '\t' {
			bad++
		}
	}
	return n > 0 && 4*bad >= n
}

// timeoutTitle titles a job that ran out of time, whose first excerpt is
// the output of what it was running (the lead-up): by that command and the
// runner's message, which a later excerpt holds.
func timeoutTitle(job *Job, first *Excerpt) (string, bool) {
	if job.Category != CategoryTimeout || first.Rule != "lead-up" {
		return "", false
	}
	for _, o := range job.Excerpts[1:] {
		if len(o.Highlight) == 0 {
			continue
		}
		i := o.Highlight[0] - o.StartLine
		if i < 0 || i >= len(o.Lines) {
			continue
		}
		msg := strings.TrimPrefix(strings.TrimSpace(o.Lines[i]), "ERROR: Job failed: ")
		if job.FailingCommand == "" {
			return msg, true
		}
		return job.FailingCommand + " — " + msg, true
	}
	return "", false
}

// trimListMarker drops the number of a list item ("2. ", "3) ") that
// starts a title: reports number their findings.
func trimListMarker(s string) string {
	i := 0
	for i < len(s) && i < 4 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(s) && (s[i] == '.' || s[i] == ')') && s[i+1] == ' ' {
		return strings.TrimSpace(s[i+2:])
	}
	return s
}

// oomMeaning is what exit code 137 tells: the process got SIGKILL, nearly
// always from the out-of-memory killer.
const oomMeaning = "exit code 137: out of memory (killed)"

// killedTitle titles a job that ended with exit code 137 by the command
// the shell reports as killed ("… 812 Killed   pip install …") in the
// excerpt, else by the job's failing command.
func killedTitle(job *Job, e *Excerpt) string {
	if e != nil {
		for _, l := range e.Lines {
			if cmd, ok := killedCommand(l); ok {
				if cmd == "" {
					break
				}
				return cmd + " — " + oomMeaning
			}
		}
	}
	if job.FailingCommand != "" {
		return job.FailingCommand + " — " + oomMeaning
	}
	return oomMeaning
}

// killedCommand reads the command out of a shell's report of a killed job:
// "/bin/bash: line 152:   812 Killed      pip install -e ." or a bare
// "Killed".
func killedCommand(line string) (string, bool) {
	s := strings.TrimSpace(line)
	if i := strings.Index(s, ": line "); i >= 0 {
		rest := s[i+len(": line "):]
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return "", false
		}
		s = strings.TrimSpace(rest[j+1:])
	}
	if f := strings.Fields(s); len(f) > 1 && isDigits(f[0]) {
		s = strings.TrimSpace(s[len(f[0]):])
	}
	rest, ok := strings.CutPrefix(s, "Killed")
	if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// systemFailureTitle shortens the runner's "ERROR: Job failed (system
// failure): …" line to its message, and an image pull failure to the image
// and the registry's last word on it.
func systemFailureTitle(line string) (string, bool) {
	msg, ok := strings.CutPrefix(line, "ERROR: Job failed (system failure): ")
	if !ok {
		msg, ok = strings.CutPrefix(line, "ERROR: Preparation failed: ")
	}
	if !ok {
		return "", false
	}
	// The runner ends its messages with its source location: " (docker.go:958:0s)".
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") && strings.Contains(msg[i:], ".go:") {
		msg = msg[:i]
	}
	const pull = "failed to pull image \""
	if i := strings.Index(msg, pull); i >= 0 {
		rest := msg[i+len(pull):]
		if j := strings.IndexByte(rest, '"'); j > 0 {
			image := rest[:j]
			last := msg
			if k := strings.LastIndex(msg, ": "); k >= 0 {
				last = msg[k+2:]
			}
			if last != msg && !strings.Contains(last, image) {
				return fmt.Sprintf("failed to pull image %q: %s", image, last), true
			}
			return fmt.Sprintf("failed to pull image %q", image), true
		}
	}
	return msg, true
}

// relateNeeds finds, for every failed job, the failed jobs it needs (in
// the same pipeline), and marks causes explained by an earlier failure.
func (b *builder) relateNeeds() {
	b.upstream = map[int][]int{}
	b.downstream = map[int][]int{}
	byName := map[string]int{}
	for j := range b.jobs {
		job := &b.jobs[j].Job
		if job.Status.IsFailure() {
			byName[strconv.FormatInt(job.PipelineID, 10)+"\x00"+job.Name] = j
		}
	}
	for j := range b.jobs {
		job := &b.jobs[j].Job
		if !job.Status.IsFailure() {
			continue
		}
		for _, n := range job.Needs {
			u, ok := byName[strconv.FormatInt(job.PipelineID, 10)+"\x00"+n]
			if ok && u != j {
				b.upstream[j] = append(b.upstream[j], u)
				b.downstream[u] = append(b.downstream[u], j)
			}
		}
	}
	depth := map[int]int{}
	var depthOf func(j int, seen map[int]bool) int
	depthOf = func(j int, seen map[int]bool) int {
		if d, ok := depth[j]; ok {
			return d
		}
		if seen[j] || len(b.upstream[j]) == 0 {
			return 0
		}
		seen[j] = true
		d := -1
		for _, u := range b.upstream[j] {
			if du := depthOf(u, seen) + 1; d < 0 || du < d {
				d = du
			}
		}
		delete(seen, j)
		depth[j] = d
		return d
	}
	for _, c := range b.causes {
		c.allowed = len(c.jobs) > 0
		var ups, downs []int
		all := len(c.jobs) > 0
		c.depth = -1
		for _, j := range c.jobs {
			if d := depthOf(j, map[int]bool{}); c.depth < 0 || d < c.depth {
				c.depth = d
			}
			if !b.jobs[j].Job.AllowFailure {
				c.allowed = false
			}
			if len(b.upstream[j]) == 0 {
				all = false
			}
			ups = append(ups, b.upstream[j]...)
			downs = append(downs, b.downstream[j]...)
		}
		if all {
			c.explained = uniqInts(ups)
		}
		for _, d := range uniqInts(downs) {
			if !containsInt(c.jobs, d) {
				c.explains = append(c.explains, d)
			}
		}
	}
}

// firstFailures marks, in every job, the cause and the test seen first in
// its log.
func (b *builder) firstFailures() {
	type first struct {
		line  int
		cause *causeItem
	}
	firsts := map[int]first{}
	consider := func(j, line int, c *causeItem) {
		if line <= 0 {
			return
		}
		if f, ok := firsts[j]; !ok || line < f.line {
			firsts[j] = first{line, c}
		}
	}
	for _, c := range b.causes {
		if c.out.Kind == "job" {
			for _, j := range c.jobs {
				if c.out.Excerpt != nil && c.out.Excerpt.JobID == b.jobs[j].Job.ID {
					consider(j, c.out.Excerpt.StartLine, c)
				}
			}
			continue
		}
		for _, it := range c.tests {
			for j, line := range it.jobLine {
				consider(j, line, c)
			}
		}
	}
	var js []int
	for j := range firsts {
		js = append(js, j)
	}
	sort.Ints(js)
	for _, j := range js {
		c := firsts[j].cause
		c.firstIn = append(c.firstIn, j)
	}
}

// rank orders causes and tests and writes their reasons.
func (b *builder) rank() {
	sort.SliceStable(b.causes, func(x, y int) bool { return causeLess(b.causes[x], b.causes[y]) })
	for i, c := range b.causes {
		c.out.ID = i + 1
		c.out.Rank = i + 1
		sort.SliceStable(c.tests, func(x, y int) bool { return testLess(c.tests[x], c.tests[y]) })
	}
	hasAssertion := false
	for _, c := range b.causes {
		if !c.isError && !c.flaky {
			hasAssertion = true
		}
	}
	for _, c := range b.causes {
		b.finishCause(c, hasAssertion)
	}
}

func causeLess(a, c *causeItem) bool {
	if a.flaky != c.flaky {
		return !a.flaky
	}
	if a.allowed != c.allowed {
		return !a.allowed
	}
	if a.depth != c.depth {
		return a.depth < c.depth
	}
	if a.isError != c.isError {
		return a.isError
	}
	if len(a.jobs) != len(c.jobs) {
		return len(a.jobs) > len(c.jobs)
	}
	if len(a.tests) != len(c.tests) {
		return len(a.tests) > len(c.tests)
	}
	if la, lc := lineKey(a.line), lineKey(c.line); la != lc {
		return la < lc
	}
	if a.out.Signature != c.out.Signature {
		return a.out.Signature < c.out.Signature
	}
	if a.out.Title != c.out.Title {
		return a.out.Title < c.out.Title
	}
	return firstJob(a.jobs) < firstJob(c.jobs)
}

// lineKey puts unknown lines (0) last.
func lineKey(l int) int {
	if l <= 0 {
		return int(^uint(0) >> 1)
	}
	return l
}

func firstJob(js []int) int {
	if len(js) == 0 {
		return -1
	}
	return js[0]
}

func testLess(a, c *testItem) bool {
	if a.isError != c.isError {
		return a.isError
	}
	if len(a.jobs) != len(c.jobs) {
		return len(a.jobs) > len(c.jobs)
	}
	if ja, jc := firstJob(a.jobs), firstJob(c.jobs); ja != jc {
		return ja < jc
	}
	if la, lc := lineKey(a.line), lineKey(c.line); la != lc {
		return la < lc
	}
	if a.tc.Classname != c.tc.Classname {
		return a.tc.Classname < c.tc.Classname
	}
	if a.tc.Name != c.tc.Name {
		return a.tc.Name < c.tc.Name
	}
	return a.tc.File < c.tc.File
}

// finishCause fills the cause's public fields and its tests' reasons.
func (b *builder) finishCause(c *causeItem, hasAssertion bool) {
	out := &c.out
	for _, j := range c.jobs {
		out.JobIDs = append(out.JobIDs, b.jobs[j].Job.ID)
		out.JobNames = append(out.JobNames, b.jobs[j].Job.Name)
	}
	out.Tests = len(c.tests)
	if len(c.tests) > 0 {
		lead := c.tests[0]
		out.Title = causeTitle(lead)
		for _, it := range c.tests {
			if it.out.Excerpt != nil && it.out.Excerpt.StartLine > 0 {
				out.Excerpt = it.out.Excerpt
				break
			}
		}
		if out.Excerpt == nil {
			out.Excerpt = lead.out.Excerpt
		}
	}
	var r []string
	if c.flaky {
		r = append(r, "flaky: passed on rerun")
	}
	if c.allowed {
		r = append(r, "allowed to fail")
	}
	if len(c.explained) > 0 {
		r = append(r, fmt.Sprintf("explained by %s failing first (needs:)", b.names(c.explained)))
	}
	if out.Kind == "job" {
		r = append(r, fmt.Sprintf("%s failure, no test results", out.Category))
	} else if c.isError && hasAssertion {
		r = append(r, "error, ranked before assertion failures")
	} else if c.isError {
		r = append(r, "error, not an assertion failure")
	} else if !c.flaky {
		r = append(r, "assertion failure")
	}
	if len(c.explains) > 0 {
		r = append(r, fmt.Sprintf("%s that need%s it failed after it", countNoun(len(c.explains), "job", "jobs")+" ("+b.names(c.explains)+")", plural(len(c.explains), "s", "")))
	}
	if len(c.jobs) > 1 {
		r = append(r, countNoun(len(c.jobs), "job", "jobs"))
	}
	if len(c.tests) > 1 {
		r = append(r, countNoun(len(c.tests), "test", "tests"))
	}
	if len(c.firstIn) > 0 {
		if len(b.jobs) > 1 {
			r = append(r, "first failure in log of "+b.names(c.firstIn))
		} else {
			r = append(r, "first failure in log")
		}
	}
	out.Reasons = nonNil(r)
	out.JobIDs, out.JobNames = nonNilIDs(out.JobIDs), nonNil(out.JobNames)

	for _, it := range c.tests {
		it.out.CauseID = out.ID
		it.out.Reasons = nonNil(b.testReasons(c, it, hasAssertion))
	}
}

func (b *builder) testReasons(c *causeItem, it *testItem, hasAssertion bool) []string {
	var r []string
	if it.tc.Status == TestFlaky {
		if it.tc.Attempts > 1 {
			r = append(r, fmt.Sprintf("flaky: passed on rerun (%d attempts)", it.tc.Attempts))
		} else {
			r = append(r, "flaky: passed on rerun")
		}
	}
	if len(c.explained) > 0 {
		r = append(r, fmt.Sprintf("explained by %s failing first (needs:)", b.names(c.explained)))
	}
	if it.isError && hasAssertion {
		r = append(r, "error, ranked before assertion failures")
	} else if it.isError {
		r = append(r, "error, not an assertion failure")
	} else if it.tc.Status != TestFlaky {
		r = append(r, "assertion failure")
	}
	if n := len(c.tests) - 1; n > 0 {
		r = append(r, fmt.Sprintf("same error as %s", countNoun(n, "other test", "other tests")))
	}
	if len(it.jobs) > 1 {
		r = append(r, countNoun(len(it.jobs), "job", "jobs"))
	}
	if it.narrowed > 0 {
		r = append(r, fmt.Sprintf("found in the log of %s, of %d parallel jobs", b.names(it.jobs), it.narrowed))
	}
	for _, j := range c.firstIn {
		if l, ok := it.jobLine[j]; ok && l == c.line && c.tests[0] == it {
			r = append(r, "first failure in log")
			break
		}
	}
	if !it.linked {
		r = append(r, "no log lines found: the excerpt is the test's failure text")
	}
	return r
}

func causeTitle(it *testItem) string {
	msg := firstUseful(it.out.Message)
	if msg == "" {
		msg = it.parts.Message
	}
	title := msg
	if t := it.parts.Type; t != "" && !strings.Contains(msg, t) {
		title = t
		if msg != "" {
			title += ": " + msg
		}
	}
	if title == "" {
		title = dotJoin(it.tc.Classname, it.tc.Name) + " failed"
	}
	return truncate(title, maxTitleBytes)
}

func (b *builder) names(js []int) string {
	var ns []string
	for _, j := range js {
		ns = append(ns, b.jobs[j].Job.Name)
	}
	if len(ns) > maxNamesInText {
		return strings.Join(ns[:maxNamesInText], ", ") + fmt.Sprintf(" and %d more", len(ns)-maxNamesInText)
	}
	return strings.Join(ns, ", ")
}

func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilIDs(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

// report assembles the Report.
func (b *builder) report() *Report {
	r := &Report{
		SchemaVersion: SchemaVersion,
		Project:       b.ev.Project,
		Pipelines:     append([]Pipeline{}, b.ev.Pipelines...),
		Causes:        []Cause{},
		Tests:         []Test{},
		Jobs:          []Job{},
		Repro:         []Repro{},
		Warnings:      append([]string{}, b.ev.Warnings...),
	}
	sha := ""
	if len(r.Pipelines) > 0 {
		p := r.Pipelines[0]
		r.Pipeline = &p
		sha = p.SHA
	}
	for _, c := range b.causes {
		r.Causes = append(r.Causes, c.out)
		for _, it := range c.tests {
			it.out.Rank = len(r.Tests) + 1
			it.out.Repro = TestSelector(it.framework, []TestCase{it.tc})
			r.Tests = append(r.Tests, it.out)
		}
	}

	perJob := map[int][]*testItem{}
	unlinked := 0
	for _, it := range b.tests {
		for _, j := range it.jobs {
			perJob[j] = append(perJob[j], it)
		}
		if !it.linked {
			unlinked++
		}
	}
	mentioned := map[int64]bool{}
	for _, tc := range b.ev.Tests {
		for _, id := range tc.JobIDs {
			mentioned[id] = true
		}
	}
	for j := range b.jobs {
		job := b.jobs[j].Job
		if !job.Status.IsFailure() {
			continue
		}
		job.FailingTests = 0
		for _, it := range perJob[j] {
			if it.tc.Status != TestFlaky {
				job.FailingTests++
			}
		}
		if job.Category == "" {
			job.Category = CategoryUnknown
			if job.FailingTests > 0 {
				job.Category = CategoryTest
			}
		}
		job.Excerpts = append([]Excerpt{}, job.Excerpts...)
		for i := range job.Excerpts {
			if job.Excerpts[i].URL == "" {
				job.Excerpts[i].URL = lineURL(job.WebURL, job.Excerpts[i].StartLine)
			}
			if job.Excerpts[i].JobID == 0 {
				job.Excerpts[i].JobID = job.ID
			}
		}
		r.Jobs = append(r.Jobs, job)
		if job.AllowFailure {
			r.Summary.AllowedFailures++
		} else {
			r.Summary.FailedJobs++
		}
		if job.LogLines == 0 && job.LogBytes == 0 {
			r.Summary.JobsWithoutLogs++
		}
		if !mentioned[job.ID] && len(perJob[j]) == 0 {
			r.Summary.JobsWithoutTests++
		}
		if rp, ok := b.repro(j, perJob[j], sha); ok {
			r.Repro = append(r.Repro, rp)
		}
	}
	for _, it := range b.tests {
		if it.tc.Status == TestFlaky {
			r.Summary.FlakyTests++
		} else {
			r.Summary.FailingTests++
		}
	}
	r.Summary.TotalTests = b.total
	r.Summary.Causes = len(r.Causes)
	if unlinked > 0 && len(b.jobs) > 0 {
		r.Warnings = append(r.Warnings, unlinkedWarning(unlinked))
	}
	return r
}

// unlinkedWarning says how many failing tests have their failure text as
// excerpt, in agreement with their number.
func unlinkedWarning(n int) string {
	if n == 1 {
		return "1 failing test was not found in any job log; its excerpt is the failure text from the test report"
	}
	return fmt.Sprintf("%d failing tests were not found in any job log; their excerpts are the failure text from the test report", n)
}

// repro is how to rerun a failed job's failing tests: one command per
// framework, or the job's failing command when it has no test results.
func (b *builder) repro(j int, tests []*testItem, sha string) (Repro, bool) {
	job := &b.jobs[j].Job
	rp := Repro{JobID: job.ID, JobName: job.Name, Image: job.Image, SHA: sha, Commands: []string{}}
	byFW := map[string][]TestCase{}
	hasFailing := false
	for _, it := range tests {
		if it.tc.Status != TestFlaky {
			hasFailing = true
		}
	}
	for _, it := range tests {
		if hasFailing && it.tc.Status == TestFlaky {
			continue
		}
		byFW[it.framework] = append(byFW[it.framework], it.tc)
	}
	var fws []string
	for fw := range byFW {
		fws = append(fws, fw)
	}
	sort.Strings(fws)
	selectors := map[string]string{}
	for _, fw := range fws {
		if cmd := TestSelector(fw, byFW[fw]); cmd != "" {
			rp.Commands = append(rp.Commands, cmd)
			selectors[fw] = cmd
		}
	}
	if len(rp.Commands) == 0 && job.FailingCommand != "" {
		rp.Commands = append(rp.Commands, job.FailingCommand)
	}
	if len(rp.Commands) == 0 && b.jobs[j].Config == nil {
		return rp, false
	}
	if p := b.pipelineOf(job); p != nil && p.SHA != "" {
		rp.SHA = p.SHA
	}
	project := job.ProjectPath
	if project == "" {
		project = b.ev.Project.Path
	}
	LocalRun(&rp, job, b.jobs[j].Config, project, selectors)
	return rp, len(rp.Commands) > 0 || len(rp.Script) > 0
}

// pipelineOf is the pipeline a job ran in, when known.
func (b *builder) pipelineOf(job *Job) *Pipeline {
	if job.PipelineID == 0 {
		return nil
	}
	for i := range b.ev.Pipelines {
		if b.ev.Pipelines[i].ID == job.PipelineID {
			return &b.ev.Pipelines[i]
		}
	}
	return nil
}
