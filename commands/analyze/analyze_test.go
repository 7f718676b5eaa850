package analyze

import (
	"encoding/json"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
)

func runAnalyze(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	ios, in, stdout, stderr := cmdutil.Test()
	in.WriteString(stdin)
	cmd := NewCmdAnalyze(&cmdutil.Factory{IOStreams: ios}, nil)
	cmd.SetArgs(args)
	cmd.SetOut(stderr)
	cmd.SetErr(stderr)
	err := cmd.Execute()
	return stdout.String(), stderr.String(), err
}

func TestAnalyzeJSON(t *testing.T) {
	out, _, err := runAnalyze(t, "", "--log", "testdata/failed_job_timestamped.log", "--junit", "testdata/report.xml", "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Jobs []struct {
			Name     string
			ExitCode *int `json:"exit_code"`
			Image    string
			Excerpts []struct {
				StartLine int `json:"start_line"`
				EndLine   int `json:"end_line"`
				Lines     []string
			}
		}
		Tests []struct {
			Name    string
			Excerpt *struct {
				StartLine int `json:"start_line"`
			}
			Repro string
		} `json:"failing_tests"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(rep.Jobs) != 1 || rep.Jobs[0].Name != "failed_job_timestamped.log" {
		t.Fatalf("jobs = %+v", rep.Jobs)
	}
	j := rep.Jobs[0]
	if j.ExitCode == nil || *j.ExitCode != 1 || j.Image != "golang:1.23" {
		t.Errorf("exit code %v image %q", j.ExitCode, j.Image)
	}
	if len(j.Excerpts) == 0 || j.Excerpts[0].StartLine < 1 || j.Excerpts[0].EndLine < j.Excerpts[0].StartLine {
		t.Errorf("excerpts = %+v", j.Excerpts)
	}
	if len(rep.Tests) != 2 {
		t.Fatalf("failing tests = %+v", rep.Tests)
	}
	for _, tc := range rep.Tests {
		// Linked to the log: "--- FAIL: TestX" blocks.
		if tc.Excerpt == nil || tc.Excerpt.StartLine == 0 {
			t.Errorf("test %s not linked to its log lines", tc.Name)
		}
		if !strings.HasPrefix(tc.Repro, "go test ") {
			t.Errorf("test %s repro %q", tc.Name, tc.Repro)
		}
	}
}

func TestAnalyzeStdinAndUnreadableFiles(t *testing.T) {
	out, _, err := runAnalyze(t, "$ make\nmake: *** [all] Error 2\nERROR: Job failed: exit code 2\n",
		"--log", "-", "--log", "testdata/no-such.log", "--junit", "testdata/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stdin", "cannot read log testdata/no-such.log", "junit file testdata/README.md"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestAnalyzeUsage(t *testing.T) {
	_, _, err := runAnalyze(t, "")
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("no files: err %v, want usage error", err)
	}
	_, _, err = runAnalyze(t, "", "--log", "x", "--output", "yaml")
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("bad output: err %v, want usage error", err)
	}
}
