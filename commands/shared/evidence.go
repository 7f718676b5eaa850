// Package shared holds what the reporting commands (the root diagnosis,
// demo, analyze, repro) have in common: turning what was fetched or read into
// diagnose evidence, and printing a report in the chosen format.
package shared

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	gojunit "github.com/joshdk/go-junit"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/junit"
)

// LogFacts is what one pass over a job log learned.
type LogFacts struct {
	Result *joblog.Result
	Blocks []testlog.Block
	Err    error // a read error; Result still holds what came before it
}

// ReadLog analyses one job log in a single streaming pass: the log engine
// and the failing-test block collector read the same lines.
func ReadLog(r io.Reader) LogFacts {
	col := testlog.NewCollector(testlog.DefaultLimits)
	res, err := joblog.Analyze(r, joblog.Options{Sinks: []joblog.LineSink{col}})
	return LogFacts{Result: res, Blocks: col.Blocks(), Err: err}
}

// ApplyLog fills a job's log-derived fields.
func ApplyLog(job *diagnose.Job, res *joblog.Result) {
	if res == nil {
		return
	}
	job.Image = res.Image
	job.FailingCommand = res.FailingCommand
	if res.HasExitCode {
		code := res.ExitCode
		job.ExitCode = &code
	}
	job.FailedSection = res.FailedSection
	job.Category = diagnose.Category(res.Category)
	job.Hint = res.Hint
	job.Rule = res.Rule
	job.LogLines = res.Lines
	job.LogBytes = res.Bytes
	job.Truncated = res.Truncated
	for _, s := range res.Sections {
		job.Sections = append(job.Sections, diagnose.Section{
			Name: s.Name, StartLine: s.StartLine, EndLine: s.EndLine,
			Duration: s.Duration.Seconds(), Failed: s.Failed,
		})
	}
	for _, e := range res.Excerpts {
		ex := diagnose.Excerpt{
			JobID: job.ID, StartLine: e.StartLine, EndLine: e.EndLine,
			Lines: e.Lines, Highlight: e.Highlight, Rule: e.Rule,
		}
		if job.WebURL != "" {
			ex.URL = fmt.Sprintf("%s#L%d", job.WebURL, e.StartLine)
		}
		job.Excerpts = append(job.Excerpts, ex)
	}
}

// PipelineFrom converts a fetched pipeline.
func PipelineFrom(p gitlab.Pipeline) diagnose.Pipeline {
	return diagnose.Pipeline{
		ID: p.ID, IID: p.IID, ProjectID: p.ProjectID, ProjectPath: p.ProjectPath,
		Ref: p.Ref, SHA: p.SHA, Status: diagnose.Status(p.Status), Source: p.Source,
		WebURL: p.WebURL, CreatedAt: p.CreatedAt, Duration: p.Duration.Seconds(),
		YAMLErrors: p.YAMLErrors, ParentID: p.ParentID, Bridge: p.BridgeName, Kind: p.Kind,
	}
}

// JobFrom converts a fetched job (log facts are applied separately).
func JobFrom(j gitlab.Job) diagnose.Job {
	return diagnose.Job{
		ID: j.ID, Name: j.Name, Stage: j.Stage, PipelineID: j.PipelineID,
		ProjectPath: j.ProjectPath, Status: diagnose.Status(j.Status),
		FailureReason: j.FailureReason, AllowFailure: j.AllowFailure,
		Duration: j.Duration.Seconds(), WebURL: j.WebURL,
		Category: diagnose.CategoryUnknown,
	}
}

// TestsFromReport converts GitLab's parsed test report of one pipeline.
// Suites are named after job groups ("rspec" for "rspec 1/3".."rspec 3/3");
// the summary's build_ids are the only link to jobs.
func TestsFromReport(rep *gitlab.TestReport, sum *gitlab.TestReportSummary) []diagnose.TestCase {
	if rep == nil {
		return nil
	}
	builds := map[string][]int64{}
	if sum != nil {
		for _, s := range sum.TestSuites {
			builds[s.Name] = append(builds[s.Name], s.BuildIDs...)
		}
	}
	var out []diagnose.TestCase
	for _, s := range rep.TestSuites {
		for _, c := range s.TestCases {
			msg, body := splitSystemOutput(c.SystemOutput)
			out = append(out, diagnose.TestCase{
				JobIDs:    append([]int64(nil), builds[s.Name]...),
				Suite:     s.Name,
				Classname: c.Classname,
				Name:      c.Name,
				File:      c.File,
				Status:    testStatus(c.Status),
				Message:   msg,
				Body:      body,
				Attempts:  1,
				Source:    "test_report",
			})
		}
	}
	return out
}

// splitSystemOutput turns the API's failure text into a one-line message
// and the full body. The API drops the failure's message attribute and keeps
// only its text (a pytest long representation, a Java stack trace...), so the
// message is the line that states the error: pytest's "E   " line, else the
// first line naming an exception type, else the first line. GitLab may prefix
// the text with "System Out:"/"System Err:".
func splitSystemOutput(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	var first, typed string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, "\r")
		t := strings.TrimSpace(line)
		if t == "" || t == "System Out:" || t == "System Err:" {
			continue
		}
		if strings.HasPrefix(line, "E   ") {
			return strings.TrimSpace(line[4:]), s
		}
		if first == "" {
			first = t
		}
		if typed == "" && errorLine.MatchString(t) {
			typed = t
		}
	}
	if typed != "" {
		return typed, s
	}
	return first, s
}

// errorLine matches a line that names an exception or error type, as
// Python, Java, JavaScript, Ruby and .NET print them.
var errorLine = regexp.MustCompile(`^(?:[A-Za-z_][\w.$]*\.)?[A-Z]\w*(?:Error|Exception|Failure|Fault)\b(?::|$|\s)`)

func testStatus(s string) diagnose.TestStatus {
	switch s {
	case "failed":
		return diagnose.TestFailed
	case "error":
		return diagnose.TestError
	case "skipped":
		return diagnose.TestSkipped
	default:
		return diagnose.TestSuccess
	}
}

// TestsFromJUnit converts a parsed JUnit report read from jobID's artifacts
// (or a local file, jobID 0).
func TestsFromJUnit(rep *junit.Report, jobIDs []int64) []diagnose.TestCase {
	if rep == nil {
		return nil
	}
	var out []diagnose.TestCase
	for _, c := range rep.Cases() {
		t := c.Test
		info := junit.Info(*t)
		tc := diagnose.TestCase{
			JobIDs:    append([]int64(nil), jobIDs...),
			Suite:     c.Suite,
			Classname: t.Classname,
			Name:      t.Name,
			File:      info.File,
			Line:      info.Line,
			Type:      info.Type,
			Attempts:  info.Attempts,
			Source:    "junit",
			Dialect:   rep.Dialect,
		}
		switch {
		case info.Flaky:
			tc.Status = diagnose.TestFlaky
		case t.Status == gojunit.StatusFailed:
			tc.Status = diagnose.TestFailed
		case t.Status == gojunit.StatusError:
			tc.Status = diagnose.TestError
		case t.Status == gojunit.StatusSkipped:
			tc.Status = diagnose.TestSkipped
		default:
			tc.Status = diagnose.TestSuccess
		}
		if t.Error != nil {
			tc.Message, tc.Body = junitMessage(t)
		} else if t.Message != "" {
			tc.Message = t.Message
		}
		out = append(out, tc)
	}
	return out
}

func junitMessage(t *gojunit.Test) (string, string) {
	body := ""
	if e, ok := t.Error.(gojunit.Error); ok {
		body = e.Body
		if e.Message != "" {
			return e.Message, body
		}
	}
	if t.Message != "" {
		return t.Message, body
	}
	return junit.Headline(*t), body
}
