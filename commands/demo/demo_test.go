package demo

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/doctor"
)

func runDemo(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ios, _, stdout, stderr := cmdutil.Test()
	cmd := NewCmdDemo(&cmdutil.Factory{IOStreams: ios}, nil)
	cmd.SetArgs(args)
	cmd.SetOut(stderr)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(context.Background())
	return stdout.String(), err
}

func TestDemoReport(t *testing.T) {
	out, err := runDemo(t)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"acme/platform/billing-api",
		"pipeline #98765 on feature/invoices",
		"ConnectionRefusedError", // shared root cause of the pytest failures
		"4 tests in 2 jobs",
		"deps:resolve", // pip ResolutionImpossible
		"flake8",
		"docs:build", // the child pipeline's failure
		"https://gitlab.example.com/acme/platform/billing-api/-/jobs/",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// The report does not depend on the in-process server's random port.
	again, err := runDemo(t)
	if err != nil {
		t.Fatal(err)
	}
	if again != out {
		t.Error("two demo runs printed different reports")
	}
	if loopbackURL.MatchString(out) {
		t.Error("the demo report shows the loopback server's address")
	}
}

var loopbackURL = regexp.MustCompile(`127\.0\.0\.1:\d+`)

func TestDemoOutputs(t *testing.T) {
	out, err := runDemo(t, "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		SchemaVersion int `json:"schema_version"`
		Causes        []struct{ Title string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.SchemaVersion != 1 || len(rep.Causes) == 0 {
		t.Errorf("json: %v %+v", err, rep)
	}
	out, err = runDemo(t, "--output", "markdown")
	if err != nil || !strings.Contains(out, "<details>") {
		t.Errorf("markdown: %v\n%s", err, out)
	}
	_, err = runDemo(t, "--exit-status")
	if cmdutil.ExitCode(err) != cmdutil.ExitFailed {
		t.Errorf("--exit-status: %v", err)
	}
}

func TestNewCmdDemoFlags(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	var got *doctor.Options
	cmd := NewCmdDemo(&cmdutil.Factory{IOStreams: ios}, func(o *doctor.Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--limit", "3", "-F", "markdown"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Limit != 3 || got.Output.Format != "markdown" {
		t.Errorf("options %+v", got)
	}
	cmd = NewCmdDemo(&cmdutil.Factory{IOStreams: ios}, nil)
	cmd.SetArgs([]string{"42"})
	cmd.SetOut(ios.ErrOut)
	cmd.SetErr(ios.ErrOut)
	if err := cmd.Execute(); err == nil {
		t.Error("demo takes no argument")
	}
}
