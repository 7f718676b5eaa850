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
