package render

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// The reports below are what the diagnosis would produce for three kinds of
// pipeline. Their log excerpts are real lines from the LogChunks data set
// (see testdata/README.md); names, ids and URLs are those of a made-up
// GitLab project.

const host = "https://gitlab.example.com"

var ansiCSI = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]")

// cleanLine is a raw log line as the job-log analysis hands it on: colour
// removed, and only the text after the last carriage return (what a
// terminal shows).
func cleanLine(s string) string {
	s = strings.TrimSuffix(s, "\r")
	if i := strings.LastIndexByte(s, '\r'); i >= 0 {
		s = s[i+1:]
	}
	return ansiCSI.ReplaceAllString(s, "")
}

// logExcerpt cuts lines from..to (numbers of the original log) out of a
// testdata slice whose first line was line `first` of that log.
func logExcerpt(t *testing.T, file string, first, from, to int, jobID int64, jobURL string, highlight ...int) *diagnose.Excerpt {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if from < first || to-first >= len(lines) || from > to {
		t.Fatalf("%s holds lines %d–%d, not %d–%d", file, first, first+len(lines)-1, from, to)
	}
	ex := &diagnose.Excerpt{JobID: jobID, StartLine: from, EndLine: to, Highlight: highlight, Rule: "first-error"}
	for _, l := range lines[from-first : to-first+1] {
		ex.Lines = append(ex.Lines, cleanLine(l))
	}
	if jobURL != "" {
		ex.URL = jobURL + "#L" + strconv.Itoa(from)
	}
	return ex
}

func intp(n int) *int { return &n }

func jobURL(id string) string { return host + "/acme/data/sklearn-ci/-/jobs/" + id }

// pythonReport is a failed multi-job Python pipeline: two pytest shards
// failing with two different TypeErrors, an allowed-to-fail conda job that
// cannot resolve its pins, a flaky test, a child pipeline, and warnings.
func pythonReport(t *testing.T) *diagnose.Report {
	t.Helper()
	created := time.Date(2019, 8, 2, 10, 4, 11, 0, time.UTC)
	u1, u2, u3 := jobURL("7001"), jobURL("7002"), jobURL("7003")
	ex1 := logExcerpt(t, "sklearn-562431016-L3589.log", 3589, 3662, 3679, 7001, u1, 3672)
	ex2 := logExcerpt(t, "sklearn-562431016-L3589.log", 3589, 3680, 3697, 7002, u2, 3688, 3690)
	ex3 := logExcerpt(t, "sklearn-562395304-L600.log", 600, 600, 611, 7003, u3, 602)
	sha := "9f3c1e2a7b5d4c3e2f1a0b9c8d7e6f5a4b3c2d1e"
	return &diagnose.Report{
		SchemaVersion: diagnose.SchemaVersion,
		Project:       diagnose.Project{ID: 42, Path: "acme/data/sklearn-ci", Host: "gitlab.example.com", WebURL: host + "/acme/data/sklearn-ci"},
		Pipeline: &diagnose.Pipeline{
			ID: 48213, IID: 913, ProjectID: 42, ProjectPath: "acme/data/sklearn-ci", Ref: "feature/sparse-svm", SHA: sha,
			Status: diagnose.StatusFailed, Source: "merge_request_event", WebURL: host + "/acme/data/sklearn-ci/-/pipelines/48213",
			CreatedAt: &created, Duration: 842, Kind: "root",
		},
		Pipelines: []diagnose.Pipeline{
			{ID: 48213, IID: 913, ProjectID: 42, ProjectPath: "acme/data/sklearn-ci", Ref: "feature/sparse-svm", SHA: sha,
				Status: diagnose.StatusFailed, WebURL: host + "/acme/data/sklearn-ci/-/pipelines/48213", Duration: 842, Kind: "root"},
			{ID: 48214, ProjectID: 42, ProjectPath: "acme/data/sklearn-ci", Ref: "feature/sparse-svm", SHA: sha,
				Status: diagnose.StatusSuccess, Source: "parent_pipeline", WebURL: host + "/acme/data/sklearn-ci/-/pipelines/48214",
				Duration: 95, ParentID: 48213, Bridge: "docs", Kind: "child"},
		},
		Summary: diagnose.Summary{FailedJobs: 3, AllowedFailures: 1, FailingTests: 3, FlakyTests: 1, TotalTests: 10074, Causes: 3, JobsWithoutTests: 1},
		Causes: []diagnose.Cause{
			{ID: 1, Rank: 1, Kind: "tests", Category: diagnose.CategoryTest, Title: "TypeError: could not interpret data type",
				Signature: "TypeError: could not interpret data type @ scipy/sparse/sputils.py:101",
				JobIDs:    []int64{7001, 7002}, JobNames: []string{"pytest 1/2", "pytest 2/2"}, Tests: 2,
				Reasons: []string{"same error in 2 tests", "2 jobs", "first failure in the log"}, Excerpt: ex1},
			{ID: 2, Rank: 2, Kind: "tests", Category: diagnose.CategoryTest,
				Title:  "TypeError: test_show_versions_with_blas() takes exactly 1 argument (0 given)",
				JobIDs: []int64{7002}, JobNames: []string{"pytest 2/2"}, Tests: 1,
				Reasons: []string{"1 test"}, Hint: "the test takes a fixture argument but runs under a nose-style decorator", Excerpt: ex2},
			{ID: 3, Rank: 3, Kind: "job", Category: diagnose.CategoryDependency,
				Title:  "PackagesNotFoundError: The following packages are not available from current channels:",
				JobIDs: []int64{7003}, JobNames: []string{"conda py3.4"},
				Reasons: []string{"job allowed to fail", "no test report"},
				Hint:    "a pinned version is not on the configured conda channels; update the pins or add a channel", Excerpt: ex3},
		},
		Tests: []diagnose.Test{
			{Rank: 1, Name: "test_unsorted_indices", Classname: "sklearn.svm.tests.test_sparse", Suite: "pytest",
				File: "sklearn/svm/tests/test_sparse.py", Line: 125, Status: diagnose.TestFailed, Attempts: 1,
				Message: "TypeError: could not interpret data type", Type: "TypeError", Framework: "pytest",
				JobIDs: []int64{7001}, JobNames: []string{"pytest 1/2"}, CauseID: 1, Reasons: []string{"first failure in the log"}, Excerpt: ex1,
				Repro: "pytest 'sklearn/svm/tests/test_sparse.py::test_unsorted_indices'"},
			{Rank: 2, Name: "test_sparse_realdata", Classname: "sklearn.svm.tests.test_sparse", Suite: "pytest",
				File: "sklearn/svm/tests/test_sparse.py", Status: diagnose.TestFailed, Attempts: 1,
				Message: "TypeError: could not interpret data type", Type: "TypeError", Framework: "pytest",
				JobIDs: []int64{7002}, JobNames: []string{"pytest 2/2"}, CauseID: 1, Reasons: []string{"same error as test_unsorted_indices"},
				Repro: "pytest 'sklearn/svm/tests/test_sparse.py::test_sparse_realdata'"},
			{Rank: 3, Name: "test_show_versions_with_blas", Classname: "sklearn.utils.tests.test_show_versions", Suite: "pytest",
				File: "sklearn/utils/tests/test_show_versions.py", Status: diagnose.TestError, Attempts: 1,
				Message: "TypeError: test_show_versions_with_blas() takes exactly 1 argument (0 given)\nargs = (), kwargs = {}",
				Type:    "TypeError", Framework: "pytest", JobIDs: []int64{7002}, JobNames: []string{"pytest 2/2"}, CauseID: 2,
				Reasons: []string{"error before the test body ran"}, Excerpt: ex2,
				Repro: "pytest 'sklearn/utils/tests/test_show_versions.py::test_show_versions_with_blas'"},
			{Rank: 4, Name: "test_parallel_train", Classname: "sklearn.ensemble.tests.test_forest", Suite: "pytest",
				Status: diagnose.TestFlaky, Attempts: 2, Message: "AssertionError: Arrays are not almost equal to 6 decimals",
				Type: "AssertionError", Framework: "pytest", JobIDs: []int64{7001}, JobNames: []string{"pytest 1/2"},
				Reasons: []string{"failed, then passed on retry on the same commit"}},
		},
		Jobs: []diagnose.Job{
			{ID: 7001, Name: "pytest 1/2", Stage: "test", PipelineID: 48213, ProjectPath: "acme/data/sklearn-ci", Status: diagnose.StatusFailed,
				FailureReason: "script_failure", Duration: 506.01, WebURL: u1, Needs: []string{"build"}, Image: "python:2.7",
				FailingCommand: "pytest --junitxml=report.xml --pyargs sklearn", ExitCode: intp(1), FailedSection: "step_script",
				Category: diagnose.CategoryTest, Hint: "2 failed, 10071 passed", LogLines: 4333, LogBytes: 912345,
				Sections: []diagnose.Section{{Name: "step_script", StartLine: 40, EndLine: 4333, Duration: 506, Failed: true}},
				Excerpts: []diagnose.Excerpt{*ex1}, FailingTests: 1},
			{ID: 7002, Name: "pytest 2/2", Stage: "test", PipelineID: 48213, Status: diagnose.StatusFailed,
				FailureReason: "script_failure", Duration: 498.2, WebURL: u2, Image: "python:2.7",
				FailingCommand: "pytest --junitxml=report.xml --pyargs sklearn", ExitCode: intp(1),
				Category: diagnose.CategoryTest, Excerpts: []diagnose.Excerpt{*ex2}, FailingTests: 2},
			{ID: 7003, Name: "conda py3.4", Stage: "build", PipelineID: 48213, Status: diagnose.StatusFailed,
				FailureReason: "script_failure", AllowFailure: true, Duration: 61, WebURL: u3, Image: "continuumio/miniconda3",
				FailingCommand: "conda create -n testenv --yes python=3.4 numpy=1.10.4 scipy=0.16.1", ExitCode: intp(1),
				Category: diagnose.CategoryDependency, Hint: "pinned packages not available", Rule: "conda-packages-not-found",
				Excerpts: []diagnose.Excerpt{*ex3}},
		},
		Repro: []diagnose.Repro{
			{JobID: 7001, JobName: "pytest 1/2", Image: "python:2.7", SHA: sha, Commands: []string{
				"pytest sklearn/svm/tests/test_sparse.py::test_unsorted_indices",
			},
				Checkout:  "git fetch origin " + sha + " && git switch --detach " + sha,
				Script:    []string{"pip install -e .", "pytest sklearn/svm/tests/test_sparse.py::test_unsorted_indices"},
				Variables: []string{"OMP_NUM_THREADS"},
				Services:  []string{"postgres:16"},
				Workdir:   "/builds/acme/data/sklearn-ci",
				Docker: "docker run --rm -it -v \"$PWD\":/builds/acme/data/sklearn-ci -w /builds/acme/data/sklearn-ci -e CI=true -e OMP_NUM_THREADS python:2.7 " +
					"sh -c 'pip install -e . && pytest sklearn/svm/tests/test_sparse.py::test_unsorted_indices'"},
			{JobID: 7003, JobName: "conda py3.4", SHA: sha, Commands: []string{
				"conda create -n testenv --yes python=3.4 numpy=1.10.4 scipy=0.16.1",
			},
				Checkout: "git fetch origin " + sha + " && git switch --detach " + sha,
				Script:   []string{"conda update --yes conda", "if [ -n \"$PINNED\" ]; then\n  conda create -n testenv --yes python=3.4 numpy=1.10.4 scipy=0.16.1\nfi"}},
		},
		Warnings: []string{
			"trace of job 7004 (docs) could not be read: 403 Forbidden",
			"test report of pipeline 48214 is empty",
		},
	}
}

// greenReport is a pipeline that passed.
func greenReport() *diagnose.Report {
	return &diagnose.Report{
		SchemaVersion: diagnose.SchemaVersion,
		Project:       diagnose.Project{ID: 42, Path: "acme/data/sklearn-ci", Host: "gitlab.example.com"},
		Pipeline: &diagnose.Pipeline{ID: 48250, Ref: "main", SHA: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d",
			Status: diagnose.StatusSuccess, WebURL: host + "/acme/data/sklearn-ci/-/pipelines/48250", Duration: 611, Kind: "root"},
		Summary: diagnose.Summary{TotalTests: 10074},
	}
}

// infraReport is a pipeline whose jobs failed before any test ran: a
// network failure while cloning submodules, a DNS failure while installing
// a tool, and a runner system failure with no log at all.
func infraReport(t *testing.T) *diagnose.Report {
	t.Helper()
	base := host + "/desktop/electron-build/-/jobs/"
	exNet := logExcerpt(t, "electron-303144317-L455.log", 455, 455, 462, 9101, base+"9101", 459, 460)
	exDNS := logExcerpt(t, "bitcoin-567191495-L111.log", 111, 111, 115, 9102, base+"9102", 111)
	return &diagnose.Report{
		SchemaVersion: diagnose.SchemaVersion,
		Project:       diagnose.Project{ID: 7, Path: "desktop/electron-build", Host: "gitlab.example.com"},
		Pipeline: &diagnose.Pipeline{ID: 3031, Ref: "master", SHA: "5d1c0a9e8f7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c",
			Status: diagnose.StatusFailed, WebURL: host + "/desktop/electron-build/-/pipelines/3031", Duration: 3725, Kind: "root"},
		Pipelines: []diagnose.Pipeline{{ID: 3031, Status: diagnose.StatusFailed, Kind: "root"}},
		Summary:   diagnose.Summary{FailedJobs: 3, Causes: 3, JobsWithoutLogs: 1, JobsWithoutTests: 3},
		Causes: []diagnose.Cause{
			{ID: 1, Rank: 1, Kind: "job", Category: diagnose.CategoryInfra,
				Title:  "fatal: unable to access 'https://chromium.googlesource.com/chromium/tools/depot_tools.git/': Failed to connect to chromium.googlesource.com port 443: Connection timed out",
				JobIDs: []int64{9101}, JobNames: []string{"build:linux"}, Reasons: []string{"network error before the build", "no test report"},
				Hint: "the runner could not reach the git host; retry the job", Excerpt: exNet},
			{ID: 2, Rank: 2, Kind: "job", Category: diagnose.CategoryInfra, Title: "curl: (6) Could not resolve host: cli-assets.heroku.com",
				JobIDs: []int64{9102}, JobNames: []string{"deploy:cli"}, Reasons: []string{"DNS failure"},
				Hint: "DNS lookup failed on the runner; retry the job", Excerpt: exDNS},
			{ID: 3, Rank: 3, Kind: "job", Category: diagnose.CategoryInfra, Title: "runner system failure",
				JobIDs: []int64{9103}, JobNames: []string{"package:mac"}, Reasons: []string{"failure_reason runner_system_failure", "no log"},
				Hint: "the runner failed, not the job; retry it"},
		},
		Jobs: []diagnose.Job{
			{ID: 9101, Name: "build:linux", Stage: "build", Status: diagnose.StatusFailed, FailureReason: "script_failure",
				Duration: 3600, WebURL: base + "9101", ExitCode: intp(128), Category: diagnose.CategoryInfra,
				Hint: "network error while cloning submodules", Excerpts: []diagnose.Excerpt{*exNet}},
			{ID: 9102, Name: "deploy:cli", Stage: "deploy", Status: diagnose.StatusFailed, FailureReason: "script_failure",
				Duration: 12, WebURL: base + "9102", ExitCode: intp(2), Category: diagnose.CategoryInfra,
				Hint: "DNS lookup failed", Excerpts: []diagnose.Excerpt{*exDNS}},
			{ID: 9103, Name: "package:mac", Stage: "package", Status: diagnose.StatusFailed, FailureReason: "runner_system_failure",
				WebURL: base + "9103", Category: diagnose.CategoryInfra},
		},
		Warnings: []string{"job 9103 has no log"},
	}
}
