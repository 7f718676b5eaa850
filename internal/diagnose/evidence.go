package diagnose

import "gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"

// Evidence is everything the fetching side learned about one pipeline, the
// input of Build.
type Evidence struct {
	Project   Project
	Pipelines []Pipeline // the root first
	Jobs      []JobEvidence
	Tests     []TestCase // test cases of every status; passing ones only count
	Warnings  []string
}

// JobEvidence is one failed job: the model Job with its log facts already
// filled in by the log engine, and the failing-test blocks of its log.
type JobEvidence struct {
	Job    Job
	Blocks []testlog.Block
	// Config is the job's definition from the pipeline's CI configuration,
	// when it could be read; nil otherwise.
	Config *JobConfig
}

// JobConfig is what the CI configuration says about one job: enough to
// rerun it locally. Variable values are never kept, only names.
type JobConfig struct {
	Image        string   // image:name (or image), after default:
	Services     []string // services' images
	BeforeScript []string // before_script, after default:
	Script       []string
	Variables    []string // names of the variables the job and the pipeline define
	Needs        []string // job names from needs:
	JUnit        []string // artifacts:reports:junit paths and globs
}

// TestCase is one test case from a JUnit report or GitLab's test_report.
type TestCase struct {
	// JobIDs are the jobs that may have run the test: one job, or every
	// job of a parallel suite ("rspec 1/3".."rspec 3/3") when only the
	// suite is known. Build keeps those whose log mentions the test.
	JobIDs    []int64
	Suite     string
	Classname string
	Name      string
	File      string
	Line      int
	Status    TestStatus
	Message   string // failure message (the message attribute)
	Type      string // failure or exception type
	Body      string // failure text: stack trace, output
	Attempts  int    // runs seen, reruns included
	Source    string // where the case came from: "junit", "test_report"
	// Dialect is the tool that wrote the report when known (the junit
	// package's dialect names, or testlog's framework names).
	Dialect string
}

// key identifies a test across reports and reruns: classname + name
// (+ file), never the suite name.
func (tc *TestCase) key() string {
	return tc.Classname + "\x00" + tc.Name + "\x00" + tc.File
}

// failing tells whether the test is reported as failing or flaky.
func (tc *TestCase) failing() bool {
	return tc.Status == TestFailed || tc.Status == TestError || tc.Status == TestFlaky
}
