// Package diagnose holds the report's domain model and the pure decisions on
// it: classify, cluster, rank, link tests to log lines, build repro commands.
//
// Report is the contract between the fetching side and every renderer; its
// JSON form is a documented, versioned schema (docs/report-schema.md). A field
// once published is not renamed.
package diagnose

import "time"

// SchemaVersion is the version of the JSON form of Report. It changes only
// when a published field changes meaning or goes away.
const SchemaVersion = 1

// Status is a GitLab pipeline or job status.
type Status string

// The statuses GitLab reports (commit_status enum).
const (
	StatusCreated            Status = "created"
	StatusWaitingForResource Status = "waiting_for_resource"
	StatusPreparing          Status = "preparing"
	StatusPending            Status = "pending"
	StatusRunning            Status = "running"
	StatusSuccess            Status = "success"
	StatusFailed             Status = "failed"
	StatusCanceled           Status = "canceled"
	StatusCanceling          Status = "canceling"
	StatusSkipped            Status = "skipped"
	StatusManual             Status = "manual"
	StatusScheduled          Status = "scheduled"
)

// IsTerminal tells whether a job or pipeline in this status will not change.
func (s Status) IsTerminal() bool {
	switch s {
	case StatusSuccess, StatusFailed, StatusCanceled, StatusSkipped:
		return true
	}
	return false
}

// IsFailure tells whether the status is a failure.
func (s Status) IsFailure() bool { return s == StatusFailed }

// TestStatus is the outcome of one test case, with GitLab's precedence
// (failed > error > skipped > success) and flaky for a test that failed and
// then passed on a rerun.
type TestStatus string

// Test statuses.
const (
	TestFailed  TestStatus = "failed"
	TestError   TestStatus = "error"
	TestFlaky   TestStatus = "flaky"
	TestSkipped TestStatus = "skipped"
	TestSuccess TestStatus = "success"
)

// Category is what kind of failure a job or cause is.
type Category string

// Categories. They are stable identifiers in the JSON schema.
const (
	CategoryTest       Category = "test"       // a test suite reported failures
	CategoryBuild      Category = "build"      // compilation, type checking
	CategoryLint       Category = "lint"       // linters and format checks
	CategoryDependency Category = "dependency" // package resolution, install, lock files
	CategoryScript     Category = "script"     // shell errors: command not found, permission denied
	CategoryInfra      Category = "infra"      // runner, image pull, OOM, disk, network
	CategoryTimeout    Category = "timeout"    // job or step timeout, stuck job
	CategoryConfig     Category = "config"     // CI configuration errors, missing runner
	CategorySupply     Category = "supply-chain"
	CategoryUnknown    Category = "unknown"
)

// Report is everything the doctor learned about one pipeline.
type Report struct {
	SchemaVersion int        `json:"schema_version"`
	Project       Project    `json:"project"`
	Pipeline      *Pipeline  `json:"pipeline,omitempty"`
	Pipelines     []Pipeline `json:"pipelines"` // the root first, then children and downstream pipelines
	Summary       Summary    `json:"summary"`
	Causes        []Cause    `json:"causes"`        // ranked: what to look at first
	Tests         []Test     `json:"failing_tests"` // ranked failing and flaky tests
	Jobs          []Job      `json:"jobs"`          // failed jobs, blocking first
	Repro         []Repro    `json:"repro"`
	Warnings      []string   `json:"warnings"` // what could not be learned, and why
}

// Project identifies the GitLab project of the root pipeline.
type Project struct {
	ID     int64  `json:"id,omitempty"`
	Path   string `json:"path"` // full path, group/sub/project
	Host   string `json:"host,omitempty"`
	WebURL string `json:"web_url,omitempty"`
}

// Pipeline is one pipeline of the graph.
type Pipeline struct {
	ID          int64      `json:"id"`
	IID         int64      `json:"iid,omitempty"`
	ProjectID   int64      `json:"project_id,omitempty"`
	ProjectPath string     `json:"project_path,omitempty"`
	Ref         string     `json:"ref,omitempty"`
	SHA         string     `json:"sha,omitempty"`
	Status      Status     `json:"status"`
	Source      string     `json:"source,omitempty"`
	WebURL      string     `json:"web_url,omitempty"`
	CreatedAt   *time.Time `json:"created_at,omitempty"`
	Duration    float64    `json:"duration_seconds,omitempty"`
	YAMLErrors  string     `json:"yaml_errors,omitempty"`
	// ParentID is the pipeline whose bridge job triggered this one (0 for the root).
	ParentID int64 `json:"parent_id,omitempty"`
	// Bridge is the name of that trigger job.
	Bridge string `json:"bridge,omitempty"`
	// Kind is "root", "child" (same project) or "multi-project".
	Kind string `json:"kind"`
}

// Summary counts what the report holds.
type Summary struct {
	FailedJobs       int `json:"failed_jobs"`
	AllowedFailures  int `json:"allowed_failures"`
	FailingTests     int `json:"failing_tests"`
	FlakyTests       int `json:"flaky_tests"`
	TotalTests       int `json:"total_tests,omitempty"`
	Causes           int `json:"causes"`
	JobsWithoutLogs  int `json:"jobs_without_logs,omitempty"`
	JobsWithoutTests int `json:"jobs_without_tests,omitempty"`
}

// Job is one failed job.
type Job struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Stage         string   `json:"stage,omitempty"`
	PipelineID    int64    `json:"pipeline_id,omitempty"`
	ProjectPath   string   `json:"project_path,omitempty"`
	Status        Status   `json:"status"`
	FailureReason string   `json:"failure_reason,omitempty"`
	AllowFailure  bool     `json:"allow_failure"`
	Duration      float64  `json:"duration_seconds,omitempty"`
	WebURL        string   `json:"web_url,omitempty"`
	Needs         []string `json:"needs,omitempty"`

	// From the job's log.
	Image          string    `json:"image,omitempty"`
	FailingCommand string    `json:"failing_command,omitempty"`
	ExitCode       *int      `json:"exit_code,omitempty"`
	FailedSection  string    `json:"failed_section,omitempty"`
	Category       Category  `json:"category"`
	Hint           string    `json:"hint,omitempty"`
	Rule           string    `json:"rule,omitempty"` // knowledge-base rule that matched
	LogLines       int       `json:"log_lines,omitempty"`
	LogBytes       int64     `json:"log_bytes,omitempty"`
	Truncated      bool      `json:"log_truncated,omitempty"`
	Sections       []Section `json:"sections,omitempty"`
	Excerpts       []Excerpt `json:"excerpts"`

	// From test reports.
	FailingTests int `json:"failing_tests,omitempty"`
}

// Section is one collapsible section of a job log.
type Section struct {
	Name      string  `json:"name"`
	StartLine int     `json:"start_line"`
	EndLine   int     `json:"end_line,omitempty"`
	Duration  float64 `json:"duration_seconds,omitempty"`
	Failed    bool    `json:"failed,omitempty"`
}

// Excerpt is a block of log lines worth reading, with its place in the raw
// log: 1-based inclusive line numbers counted by '\n', the numbering of
// GitLab's #L<n> links.
type Excerpt struct {
	JobID     int64    `json:"job_id,omitempty"`
	StartLine int      `json:"start_line"`
	EndLine   int      `json:"end_line"`
	Lines     []string `json:"lines"`               // cleaned text, one entry per line
	Highlight []int    `json:"highlight,omitempty"` // line numbers that matched
	Rule      string   `json:"rule,omitempty"`
	URL       string   `json:"url,omitempty"` // <job web_url>#L<start>
}

// Test is one failing (or flaky) test, ranked.
type Test struct {
	Rank      int        `json:"rank"`
	Name      string     `json:"name"`
	Classname string     `json:"classname,omitempty"`
	Suite     string     `json:"suite,omitempty"`
	File      string     `json:"file,omitempty"`
	Line      int        `json:"line,omitempty"`
	Status    TestStatus `json:"status"`
	Attempts  int        `json:"attempts,omitempty"` // runs seen, reruns included
	Message   string     `json:"message,omitempty"`  // first lines of the failure message
	Type      string     `json:"type,omitempty"`     // exception or failure type
	Framework string     `json:"framework,omitempty"`
	JobIDs    []int64    `json:"job_ids"`
	JobNames  []string   `json:"job_names"`
	Signature string     `json:"signature,omitempty"` // normalised error signature
	CauseID   int        `json:"cause_id,omitempty"`
	Reasons   []string   `json:"reasons"`
	Excerpt   *Excerpt   `json:"excerpt,omitempty"`
	Repro     string     `json:"repro,omitempty"`
}

// Cause is one root cause: a cluster of tests failing the same way, or a
// job that failed without test results.
type Cause struct {
	ID        int      `json:"id"`
	Rank      int      `json:"rank"`
	Kind      string   `json:"kind"` // "tests" or "job"
	Category  Category `json:"category"`
	Title     string   `json:"title"`
	Hint      string   `json:"hint,omitempty"`
	Signature string   `json:"signature,omitempty"`
	JobIDs    []int64  `json:"job_ids"`
	JobNames  []string `json:"job_names"`
	Tests     int      `json:"tests,omitempty"`
	Reasons   []string `json:"reasons"`
	Excerpt   *Excerpt `json:"excerpt,omitempty"`
}

// Repro is how to reproduce one failed job locally.
type Repro struct {
	JobID    int64    `json:"job_id"`
	JobName  string   `json:"job_name"`
	Image    string   `json:"image,omitempty"`
	SHA      string   `json:"sha,omitempty"`
	Commands []string `json:"commands"`
	// Checkout is the git line that puts the user's clone at SHA.
	Checkout string `json:"checkout,omitempty"`
	// Script is what the job ran, from the CI configuration: before_script
	// and script up to the failing command, that command replaced by the
	// test selectors when they are known.
	Script []string `json:"script,omitempty"`
	// Variables are the names of the CI configuration's variables; the
	// docker line passes them from the user's environment (-e NAME).
	Variables []string `json:"variables,omitempty"`
	// Services are the images of the job's services, which one docker run
	// cannot start.
	Services []string `json:"services,omitempty"`
	// Workdir is where the docker line mounts the checkout:
	// /builds/<project path>, as the runner does.
	Workdir string `json:"workdir,omitempty"`
	// Docker reruns Script (else Commands) in Image on the checkout.
	Docker string `json:"docker,omitempty"`
}
