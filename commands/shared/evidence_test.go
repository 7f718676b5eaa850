package shared

import (
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
)

func TestSplitSystemOutput(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"pytest long repr", "tests/x.py:21: in test_a\n    resp = call()\nE   ConnectionRefusedError: [Errno 111] refused\nE   more", "ConnectionRefusedError: [Errno 111] refused"},
		{"java stack trace", "System Out:\n\norg.opentest4j.AssertionFailedError: expected: <1> but was: <2>\n\tat org.junit.Assert.fail(Assert.java:1)", "org.opentest4j.AssertionFailedError: expected: <1> but was: <2>"},
		{"plain text", "expected true to be false\nat spec.js:3", "expected true to be false"},
		{"empty", "  \n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, body := splitSystemOutput(tt.in)
			if got != tt.want {
				t.Errorf("message = %q, want %q", got, tt.want)
			}
			if tt.want != "" && body != strings.TrimSpace(tt.in) {
				t.Errorf("body = %q", body)
			}
		})
	}
}

func TestTestsFromReportMapsSuitesToJobs(t *testing.T) {
	rep := &gitlab.TestReport{TestSuites: []gitlab.TestSuite{{Name: "rspec", TestCases: []gitlab.TestCase{
		{Status: "failed", Name: "works", Classname: "spec.a", SystemOutput: "Failure/Error: x\nexpected 1"},
		{Status: "success", Name: "ok", Classname: "spec.a"},
		{Status: "error", Name: "boom", Classname: "spec.b"},
	}}}}
	sum := &gitlab.TestReportSummary{TestSuites: []gitlab.TestSuiteSummary{{Name: "rspec", BuildIDs: []int64{11, 12, 13}}}}
	got := TestsFromReport(rep, sum)
	if len(got) != 3 {
		t.Fatalf("got %d cases", len(got))
	}
	want := []diagnose.TestStatus{diagnose.TestFailed, diagnose.TestSuccess, diagnose.TestError}
	for i, tc := range got {
		if tc.Status != want[i] {
			t.Errorf("case %d status %q, want %q", i, tc.Status, want[i])
		}
		if len(tc.JobIDs) != 3 || tc.JobIDs[2] != 13 {
			t.Errorf("case %d jobs %v, want the suite's build_ids", i, tc.JobIDs)
		}
	}
	if got[0].Message != "Failure/Error: x" {
		t.Errorf("message %q", got[0].Message)
	}
}

func TestNarrowToJob(t *testing.T) {
	rep := &diagnose.Report{
		Summary: diagnose.Summary{TotalTests: 41},
		Jobs: []diagnose.Job{
			{ID: 1, Name: "pytest 1/2"}, {ID: 2, Name: "pytest 2/2"}, {ID: 3, Name: "lint", AllowFailure: true},
		},
		Causes: []diagnose.Cause{{ID: 1, Rank: 1, JobIDs: []int64{3}}, {ID: 2, Rank: 2, JobIDs: []int64{1, 2}}},
		Tests: []diagnose.Test{
			{Name: "a", Rank: 1, JobIDs: []int64{1}}, {Name: "b", Rank: 2, JobIDs: []int64{2}}, {Name: "c", Rank: 3, JobIDs: []int64{2}, Status: diagnose.TestFlaky},
		},
		Repro: []diagnose.Repro{{JobID: 1}, {JobID: 2}},
	}
	got := NarrowToJob(rep, "pytest 2/2")
	if len(got.Jobs) != 1 || got.Jobs[0].ID != 2 || len(got.Causes) != 1 || got.Causes[0].ID != 2 ||
		len(got.Tests) != 2 || len(got.Repro) != 1 || got.Repro[0].JobID != 2 {
		t.Errorf("narrowed = %+v", got)
	}
	if got.Causes[0].Rank != 1 || got.Tests[0].Rank != 1 || got.Tests[1].Rank != 2 {
		t.Errorf("ranks not renumbered: cause %d, tests %d %d", got.Causes[0].Rank, got.Tests[0].Rank, got.Tests[1].Rank)
	}
	if rep.Causes[1].Rank != 2 {
		t.Error("the original report's ranks were changed")
	}
	if got.Summary != (diagnose.Summary{TotalTests: 41, FailedJobs: 1, FailingTests: 1, FlakyTests: 1, Causes: 1}) {
		t.Errorf("summary = %+v", got.Summary)
	}
	if len(rep.Jobs) != 3 {
		t.Error("the original report was changed")
	}
	if w := NarrowToJob(rep, "nope").Warnings; len(w) != 1 || !strings.Contains(w[0], `"nope"`) {
		t.Errorf("warnings = %q", w)
	}
}
