package diagnose

import (
	"strconv"
	"strings"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
)

// canonName reduces a test name as a log or a report prints it to dotted
// segments, so that "Suite › name", "Suite name", "Class::method",
// "method(Class)" (Surefire), "Class > method()" (Gradle) and
// "pkg/x.py::Class::test" compare equal to classname + "." + name.
// Terminal control sequences are removed first, as the log engine removes
// them from log lines: a name from a test report that holds escapes then
// compares equal to the same name read from the log.
func canonName(s string) string {
	s = strings.TrimSpace(cleanName(s))
	s = stripArgs(s)
	var b strings.Builder
	b.Grow(len(s))
	dot := true // at the start, and after a separator
	for _, r := range s {
		switch r {
		case ' ', '\t', '›', '>', ':', '\\', '.', '#', '/', '"', '\'':
			if !dot {
				b.WriteByte('.')
				dot = true
			}
		default:
			b.WriteRune(r)
			dot = false
		}
	}
	return strings.TrimSuffix(b.String(), ".")
}

// cleanName removes terminal control sequences from a name as the log
// engine removes them from a log line; printable ASCII passes as it is.
func cleanName(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return joblog.CleanLine([]byte(s))
		}
	}
	return s
}

// stripArgs drops a trailing parenthesised argument list: "adds()",
// "Adds(a: 1, b: 2)".
func stripArgs(s string) string {
	if !strings.HasSuffix(s, ")") {
		return s
	}
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				if i == 0 {
					return s
				}
				return strings.TrimRight(s[:i], " ")
			}
		}
	}
	return s
}

// blockCanon is the canonical name of a block's test.
func blockCanon(b *testlog.Block) string {
	name := b.Test
	switch b.Framework {
	case testlog.Maven:
		// Surefire 2 prints "method(Class)".
		if i := strings.IndexByte(name, '('); i > 0 && strings.HasSuffix(name, ")") && !strings.Contains(name[:i], ".") {
			name = name[i+1:len(name)-1] + "." + name[:i]
		}
	case testlog.Pytest:
		if b.Location != "" {
			return canonName(pytestModule(b.Location))
		}
	}
	return canonName(name)
}

// pytestModule turns a node id into the dotted form of pytest's JUnit
// classname + name: "tests/test_a.py::K::t[1]" → "tests.test_a.K.t[1]".
func pytestModule(id string) string {
	file, rest, ok := strings.Cut(id, "::")
	if !ok {
		return id
	}
	file = strings.TrimSuffix(file, ".py")
	file = strings.ReplaceAll(file, "/", ".")
	return file + "." + strings.ReplaceAll(rest, "::", ".")
}

// lastSegment is the part of a canonical name after its last dot.
func lastSegment(c string) string {
	if i := strings.LastIndexByte(c, '.'); i >= 0 {
		return c[i+1:]
	}
	return c
}

// blockIndex finds the blocks that may report a test.
type blockIndex struct {
	jobs   []JobEvidence
	byLast map[string][]blockRef
}

type blockRef struct {
	job   int // index into Evidence.Jobs
	block int // index into JobEvidence.Blocks
	canon string
}

func newBlockIndex(jobs []JobEvidence) *blockIndex {
	ix := &blockIndex{jobs: jobs, byLast: map[string][]blockRef{}}
	for j := range jobs {
		for k := range jobs[j].Blocks {
			c := blockCanon(&jobs[j].Blocks[k])
			if c == "" {
				continue
			}
			last := lastSegment(c)
			ix.byLast[last] = append(ix.byLast[last], blockRef{job: j, block: k, canon: c})
		}
	}
	return ix
}

// match scores how well a block names a test: 3 for the full name, 2 for
// the name alone or a dotted suffix of the full name, 0 for no match.
func matchScore(blockCanon, full, name string) int {
	switch {
	case blockCanon == full:
		return 3
	case blockCanon == name:
		return 2
	case strings.HasSuffix(full, "."+blockCanon) && len(blockCanon) >= len(name):
		return 2
	case strings.HasSuffix(blockCanon, "."+full):
		return 2
	}
	return 0
}

// link is a test's best block in one job, and where the test first
// failed in that job.
type link struct {
	job, block int
	score      int
	first      int // first log line of the test's earliest block of that score or better
}

// find returns, for each job index, the block to link the test to. A
// block with the failure's text (pytest's "____ test ____" section, a Go
// test's output) is worth more than a one-line mention of the full name (a
// "FAILED path::test" summary line), unless the section names the test by a
// bare name that more than one section of the job shares. Among blocks
// worth the same, the first in the log wins: a test that failed again in a
// rerun is linked to its first failure.
func (ix *blockIndex) find(tc *TestCase) map[int]link {
	name := canonName(tc.Name)
	full := canonName(tc.Classname + "." + tc.Name)
	if tc.Classname == "" {
		full = name
	}
	if name == "" {
		return nil
	}
	type match struct {
		ref   blockRef
		score int
	}
	var matches []match
	best := map[int]link{}  // best block by score, then kind and place
	multi := map[int]link{} // best multi-line block
	count := map[int]int{}  // multi-line blocks matching by a bare name, per job
	for _, ref := range ix.byLast[lastSegment(name)] {
		s := matchScore(ref.canon, full, name)
		if s == 0 {
			continue
		}
		matches = append(matches, match{ref, s})
		b := &ix.jobs[ref.job].Blocks[ref.block]
		cur, ok := best[ref.job]
		if !ok || s > cur.score || s == cur.score && betterBlock(b, &ix.jobs[cur.job].Blocks[cur.block]) {
			best[ref.job] = link{job: ref.job, block: ref.block, score: s}
		}
		if b.EndLine > b.StartLine {
			if s < 3 {
				count[ref.job]++
			}
			m, ok := multi[ref.job]
			if !ok || s > m.score || s == m.score && betterBlock(b, &ix.jobs[m.job].Blocks[m.block]) {
				multi[ref.job] = link{job: ref.job, block: ref.block, score: s}
			}
		}
	}
	for job, m := range multi {
		if m.score == 3 || count[job] == 1 {
			best[job] = m
		}
	}
	for job, l := range best {
		l.first = ix.jobs[job].Blocks[l.block].StartLine
		for _, m := range matches {
			if m.ref.job != job || m.score < l.score {
				continue
			}
			if start := ix.jobs[job].Blocks[m.ref.block].StartLine; start < l.first {
				l.first = start
			}
		}
		best[job] = l
	}
	return best
}

// betterBlock prefers a block with the failure's text (more than one line)
// to a one-line mention, then the earlier one.
func betterBlock(a, b *testlog.Block) bool {
	if ma, mb := a.EndLine > a.StartLine, b.EndLine > b.StartLine; ma != mb {
		return ma
	}
	return a.StartLine < b.StartLine
}

// excerptFromBlock turns a block into an excerpt with its GitLab link. A
// block that lost lines to the collector's cap gives the contiguous part
// holding its first highlighted line.
func excerptFromBlock(job *Job, b *testlog.Block) *Excerpt {
	start, lines := b.StartLine, b.Lines
	if b.Omitted > 0 {
		first := b.StartLine
		if len(b.Highlight) > 0 {
			first = b.Highlight[0]
		}
		tailStart := b.StartLine + b.OmittedAt + b.Omitted
		if first >= tailStart {
			start, lines = tailStart, b.Lines[b.OmittedAt:]
		} else {
			lines = b.Lines[:b.OmittedAt]
		}
	}
	end := start + len(lines) - 1
	var hl []int
	for _, h := range b.Highlight {
		if h >= start && h <= end {
			hl = append(hl, h)
		}
	}
	return &Excerpt{
		JobID:     job.ID,
		StartLine: start,
		EndLine:   end,
		Lines:     append([]string(nil), lines...),
		Highlight: hl,
		Rule:      "test:" + b.Framework,
		URL:       lineURL(job.WebURL, start),
	}
}

// lineURL is GitLab's link to a line of a job log.
func lineURL(webURL string, line int) string {
	if webURL == "" || line <= 0 {
		return ""
	}
	return strings.TrimRight(webURL, "/") + "#L" + strconv.Itoa(line)
}

// maxFailureTextLines caps an excerpt made of a test's own failure text.
const maxFailureTextLines = 20

// excerptFromFailure is the excerpt of a test whose log lines were not
// found: its own failure text. It has no line numbers.
func excerptFromFailure(tc *TestCase, jobID int64) *Excerpt {
	text := tc.Body
	if strings.TrimSpace(text) == "" {
		text = tc.Message
	}
	var lines []string
	for _, l := range splitLines(strings.TrimRight(text, "\n")) {
		if len(lines) == maxFailureTextLines {
			break
		}
		lines = append(lines, strings.TrimRight(l, " \t\r"))
	}
	if len(lines) == 0 {
		return nil
	}
	return &Excerpt{JobID: jobID, Lines: lines, Rule: "test-report"}
}
