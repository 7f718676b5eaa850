package render

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// formatDuration prints seconds the way CI pages do: 45s, 6m12s, 1h02m03s.
func formatDuration(seconds float64) string {
	if seconds <= 0 || math.IsNaN(seconds) || math.IsInf(seconds, 0) {
		return ""
	}
	s := int64(math.Round(seconds))
	if s < 1 {
		s = 1
	}
	h, m, sec := s/3600, s/60%60, s%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, sec)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, sec)
	}
	return fmt.Sprintf("%ds", sec)
}

// shortSHA is the first 8 characters of a commit SHA.
func shortSHA(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

// plural is "1 job", "2 jobs".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// statusWord is how a pipeline status reads in a sentence.
func statusWord(s diagnose.Status) string {
	switch s {
	case diagnose.StatusSuccess:
		return "passed"
	case diagnose.StatusFailed:
		return "failed"
	case diagnose.StatusCanceled:
		return "was canceled"
	case diagnose.StatusSkipped:
		return "was skipped"
	case "":
		return "has no status"
	}
	return "is " + strings.ReplaceAll(Sanitize(string(s)), "_", " ")
}

// statusGlyph is the one-character mark of a pipeline status.
func statusGlyph(s diagnose.Status) string {
	switch s {
	case diagnose.StatusSuccess:
		return "✓"
	case diagnose.StatusFailed:
		return "✗"
	case diagnose.StatusCanceled, diagnose.StatusCanceling:
		return "⊘"
	case diagnose.StatusSkipped:
		return "-"
	}
	return "•"
}

// safeURL returns u when it is an absolute http or https URL made of
// printable ASCII only, the only kind that is printed as a link target.
func safeURL(u string) (string, bool) {
	if u == "" || len(u) > 4096 {
		return "", false
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= 0x20 || c >= 0x7f {
			return "", false
		}
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", false
	}
	return u, true
}

// lineURL is the link to one line of a job log.
func lineURL(ex *diagnose.Excerpt, job *diagnose.Job) string {
	if ex == nil {
		return ""
	}
	if ex.URL != "" {
		return ex.URL
	}
	if job != nil && job.WebURL != "" && ex.StartLine > 0 {
		return job.WebURL + "#L" + strconv.Itoa(ex.StartLine)
	}
	return ""
}

// jobIndex finds jobs by id.
type jobIndex map[int64]*diagnose.Job

func indexJobs(r *diagnose.Report) jobIndex {
	idx := make(jobIndex, len(r.Jobs))
	for i := range r.Jobs {
		if _, dup := idx[r.Jobs[i].ID]; !dup {
			idx[r.Jobs[i].ID] = &r.Jobs[i]
		}
	}
	return idx
}

// excerptJob is the job an excerpt belongs to, if the report knows it.
func (idx jobIndex) excerptJob(ex *diagnose.Excerpt, fallback []int64) *diagnose.Job {
	if ex != nil && ex.JobID != 0 {
		if j := idx[ex.JobID]; j != nil {
			return j
		}
	}
	if len(fallback) > 0 {
		return idx[fallback[0]]
	}
	return nil
}

// testName is the name a person knows a test by: the name as reported, with
// the class in front when the name does not already carry it.
func testName(t *diagnose.Test) string {
	if t.Classname == "" || strings.HasPrefix(t.Name, t.Classname) || strings.Contains(t.Name, "::") {
		return t.Name
	}
	return t.Classname + "." + t.Name
}

// testMessage is the one line that says how a test failed.
func testMessage(t *diagnose.Test) string {
	if m := firstLine(t.Message); m != "" {
		if t.Type != "" && !strings.Contains(m, t.Type) {
			return oneLine(t.Type) + ": " + m
		}
		return m
	}
	return oneLine(t.Type)
}

// causeScope is "1 test in 2 jobs" or "job", what a cause covers.
func causeScope(c *diagnose.Cause) string {
	jobs := len(c.JobIDs)
	if jobs == 0 {
		jobs = len(c.JobNames)
	}
	if c.Tests > 0 {
		return plural(c.Tests, "test", "tests") + " in " + plural(jobs, "job", "jobs")
	}
	return plural(jobs, "job", "jobs")
}

// sameExcerpt tells whether two excerpts show the same lines of the same job.
func sameExcerpt(a, b *diagnose.Excerpt) bool {
	return a != nil && b != nil && a.JobID == b.JobID && a.StartLine == b.StartLine && a.EndLine == b.EndLine
}

// exitCode is the exit code as text, "" when unknown.
func exitCode(j *diagnose.Job) string {
	if j.ExitCode == nil {
		return ""
	}
	return strconv.Itoa(*j.ExitCode)
}

// orDash is s, or "-" when s is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
