package gitlab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Pipeline kinds, as found in Pipeline.Kind.
const (
	KindRoot         = "root"
	KindChild        = "child"
	KindMultiProject = "multi-project"
)

// Project is a GitLab project.
type Project struct {
	ID            int64
	Path          string // full path, group/sub/project
	Name          string
	DefaultBranch string // empty for an empty repository
	WebURL        string
}

// Pipeline is one pipeline of a graph, or the result of a pipeline lookup.
type Pipeline struct {
	ID          int64
	IID         int64
	ProjectID   int64
	ProjectPath string // full path of ProjectID; empty when it could not be learned
	Name        string
	Ref         string
	SHA         string
	Status      string // GitLab's status string: failed, success, running, ...
	// StatusGroup is detailed_status.group, e.g. "success-with-warnings"
	// when only allowed-to-fail jobs failed. Empty when GitLab did not send it.
	StatusGroup string
	Source      string
	WebURL      string
	CreatedAt   *time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
	Duration    time.Duration
	// YAMLErrors holds the CI configuration errors GitLab reported; such a
	// pipeline usually has no jobs at all.
	YAMLErrors string

	// The fields below are filled by FetchGraph only.

	// ParentID is the pipeline whose bridge job triggered this one (0 for the root).
	ParentID int64
	// BridgeName is the name of that trigger job.
	BridgeName string
	// Kind is KindRoot, KindChild (same project) or KindMultiProject.
	Kind string
	// NoJobs tells that the pipeline has neither jobs nor bridges.
	NoJobs bool
	// Detailed tells whether the pipeline's own record was read (GET
	// pipeline); when it could not be, the fields come from the bridge's
	// downstream_pipeline summary and Problems says why.
	Detailed bool
}

// Job is one job of a pipeline (a failed one, in a Graph).
type Job struct {
	ID            int64
	Name          string
	Stage         string
	Status        string
	FailureReason string // open enum, only set for failed jobs
	AllowFailure  bool
	PipelineID    int64
	ProjectID     int64
	ProjectPath   string
	Ref           string
	SHA           string
	Duration      time.Duration
	QueuedFor     time.Duration
	WebURL        string
	CreatedAt     *time.Time
	StartedAt     *time.Time
	FinishedAt    *time.Time
	RunnerTags    []string
	Artifacts     []Artifact
	// Bridge tells that this is a trigger job that failed without a
	// downstream pipeline (for example downstream_pipeline_creation_failed).
	// A bridge has no trace.
	Bridge bool
}

// Artifact is one entry of a job's artifacts list.
type Artifact struct {
	FileType   string // archive, metadata, trace, junit, ...
	Filename   string
	Size       int64
	FileFormat string // zip, gzip or raw
}

// TestReport is GitLab's parsed test report of one pipeline
// (GET /projects/:id/pipelines/:pipeline_id/test_report), field for field.
type TestReport struct {
	TotalTime    float64     `json:"total_time"`
	TotalCount   int         `json:"total_count"`
	SuccessCount int         `json:"success_count"`
	FailedCount  int         `json:"failed_count"`
	SkippedCount int         `json:"skipped_count"`
	ErrorCount   int         `json:"error_count"`
	TestSuites   []TestSuite `json:"test_suites"`
}

// TestSuite is one suite of a TestReport. Its Name is the job's group name
// (parallel jobs merge into one suite), not the XML testsuite name.
type TestSuite struct {
	Name         string     `json:"name"`
	TotalTime    float64    `json:"total_time"`
	TotalCount   int        `json:"total_count"`
	SuccessCount int        `json:"success_count"`
	FailedCount  int        `json:"failed_count"`
	SkippedCount int        `json:"skipped_count"`
	ErrorCount   int        `json:"error_count"`
	SuiteError   string     `json:"suite_error"`
	TestCases    []TestCase `json:"test_cases"`
}

// TestCase is one test case of a TestSuite.
type TestCase struct {
	Status        string  `json:"status"` // success, failed, skipped or error
	Name          string  `json:"name"`
	Classname     string  `json:"classname"`
	File          string  `json:"file"`
	ExecutionTime float64 `json:"execution_time"`
	// SystemOutput is the failure text. GitLab sends a string; old
	// versions sent an object or an array, which is kept here as its
	// compact JSON text.
	SystemOutput   string          `json:"system_output"`
	StackTrace     string          `json:"stack_trace"`
	AttachmentURL  string          `json:"attachment_url"`
	RecentFailures *RecentFailures `json:"recent_failures"`
}

// UnmarshalJSON accepts system_output as a string, null, an object or an array.
func (tc *TestCase) UnmarshalJSON(b []byte) error {
	type plain TestCase
	var aux struct {
		*plain
		SystemOutput json.RawMessage `json:"system_output"`
	}
	aux.plain = (*plain)(tc)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	tc.SystemOutput = ""
	raw := aux.SystemOutput
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '"':
		if err := json.Unmarshal(raw, &tc.SystemOutput); err != nil {
			return fmt.Errorf("decoding system_output: %w", err)
		}
	default:
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return fmt.Errorf("decoding system_output: %w", err)
		}
		tc.SystemOutput = b.String()
	}
	return nil
}

// RecentFailures is filled only by GitLab's merge request widget; the
// pipeline test report sends null.
type RecentFailures struct {
	Count      int    `json:"count"`
	BaseBranch string `json:"base_branch"`
}

// TestReportSummary is GET /projects/:id/pipelines/:pipeline_id/test_report_summary:
// counts only, plus the job ids behind each suite.
type TestReportSummary struct {
	Total      TestTotals         `json:"total"`
	TestSuites []TestSuiteSummary `json:"test_suites"`
}

// TestTotals is the "total" object of a TestReportSummary.
type TestTotals struct {
	Time       float64 `json:"time"`
	Count      int     `json:"count"`
	Success    int     `json:"success"`
	Failed     int     `json:"failed"`
	Skipped    int     `json:"skipped"`
	Error      int     `json:"error"`
	SuiteError string  `json:"suite_error"`
}

// TestSuiteSummary is one suite of a TestReportSummary. BuildIDs is the only
// link GitLab gives from a suite to its jobs.
type TestSuiteSummary struct {
	Name         string  `json:"name"`
	TotalTime    float64 `json:"total_time"`
	TotalCount   int     `json:"total_count"`
	SuccessCount int     `json:"success_count"`
	FailedCount  int     `json:"failed_count"`
	SkippedCount int     `json:"skipped_count"`
	ErrorCount   int     `json:"error_count"`
	BuildIDs     []int64 `json:"build_ids"`
	SuiteError   string  `json:"suite_error"`
}

// MergeRequest is a merge request with, for a single lookup, its head pipeline.
type MergeRequest struct {
	ID              int64
	IID             int64
	ProjectID       int64
	SourceProjectID int64
	TargetProjectID int64
	Title           string
	State           string
	SourceBranch    string
	TargetBranch    string
	SHA             string
	WebURL          string
	// HeadPipeline is nil in list results and when the MR has no pipeline.
	// For an MR from a fork it may belong to the source project: use its
	// ProjectID for later calls.
	HeadPipeline *Pipeline
}

// Note is a comment on a merge request.
type Note struct {
	ID        int64
	Body      string
	Author    string // username
	System    bool
	CreatedAt *time.Time
	UpdatedAt *time.Time
}

// Progress reports how far FetchGraph got. It is a snapshot; each call
// carries the totals so far.
type Progress struct {
	Pipelines   int   // pipelines found
	FailedJobs  int   // failed jobs found, allowed failures included
	TracesTotal int   // traces to read
	TracesDone  int   // traces read (or given up on)
	Bytes       int64 // trace bytes read
}

// Graph is what FetchGraph learned about one pipeline and everything it
// triggered.
type Graph struct {
	// Pipelines holds the root first, then its downstream pipelines in
	// depth-first order of their bridges.
	Pipelines []Pipeline
	// FailedJobs are the blocking failures: the latest attempt of each
	// failed job, retried attempts excluded, in pipeline order then by id.
	FailedJobs []Job
	// AllowedFailures are failed jobs marked allow_failure, kept apart.
	AllowedFailures []Job
	// TestReports and TestSummaries are keyed by pipeline id.
	TestReports   map[int64]*TestReport
	TestSummaries map[int64]*TestReportSummary
	// Problems are partial failures (a trace that could not be read, a
	// downstream pipeline that is not visible, ...); the rest of the graph
	// is still complete.
	Problems []error
}

// Root returns the root pipeline, or nil when it could not be read.
func (g *Graph) Root() *Pipeline {
	if g == nil || len(g.Pipelines) == 0 || g.Pipelines[0].Kind != KindRoot {
		return nil
	}
	return &g.Pipelines[0]
}
