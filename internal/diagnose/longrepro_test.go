package diagnose

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
)

// argvOf runs a command line through a real sh, with stand-ins for the
// test runners that print their arguments, and returns the arguments.
func argvOf(t *testing.T, line string) []string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	fake := "#!/bin/sh\nprintf '%s\\000' \"$(basename \"$0\")\"\nfor a in \"$@\"; do printf '%s\\000' \"$a\"; done\n"
	for _, n := range []string{"pytest", "python", "cargo", "gradle", "bundle", "npx", "go", "docker"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(fake), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(sh, "-n", "-c", line).CombinedOutput(); err != nil {
		t.Fatalf("sh -n: %v %s\n%s", err, out, line)
	}
	cmd := exec.Command(sh, "-c", line)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + dir, "HOME=/nonexistent"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v\n%s", err, line)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

// manyCases is n failing tests of a framework, spread over three files.
func manyCases(fw string, n int) []TestCase {
	var tcs []TestCase
	for i := 0; i < n; i++ {
		f := i % 3
		tc := TestCase{Status: TestFailed}
		switch fw {
		case testlog.Pytest:
			tc.Classname, tc.Name, tc.File = fmt.Sprintf("tests.integration.test_mod%d", f), fmt.Sprintf("test_case_%02d[it's %d]", i, i), fmt.Sprintf("tests/integration/test_mod%d.py", f)
		case testlog.Unittest:
			tc.Classname, tc.Name = fmt.Sprintf("tests.test_mod%d.ModTest", f), fmt.Sprintf("test_case_%02d", i)
		case testlog.Cargo:
			tc.Classname, tc.Name = "parser", fmt.Sprintf("tests::case_%02d", i)
		case testlog.Gradle:
			tc.Classname, tc.Name = fmt.Sprintf("org.acme.Mod%dTest", f), fmt.Sprintf("case%02d()", i)
		case testlog.RSpec:
			tc.Name, tc.File, tc.Line = fmt.Sprintf("works %d", i), fmt.Sprintf("./spec/models/mod%d_spec.rb", i%10), 10+i
		case testlog.Jest:
			tc.Classname, tc.Name, tc.File = "Parser", fmt.Sprintf("case %d", i), fmt.Sprintf("src/mod%d.test.ts", i%10)
		}
		tcs = append(tcs, tc)
	}
	return tcs
}

// TestLongSelectorsThroughShell: a repro command for many tests puts one
// selector on each line, and a real shell reads it as the same command as
// the one-line form: the same program, the same arguments.
func TestLongSelectorsThroughShell(t *testing.T) {
	tests := []struct {
		fw        string
		n         int
		multiLine bool
		wantArgs  []string // arguments that must reach the program, in order
	}{
		{testlog.Pytest, 20, true, []string{"tests/integration/test_mod0.py::test_case_00[it's 0]", "tests/integration/test_mod0.py::test_case_03[it's 3]"}},
		{testlog.Pytest, 8, false, nil},
		{testlog.Unittest, 12, true, []string{"-m", "unittest", "tests.test_mod0.ModTest.test_case_00"}},
		{testlog.Cargo, 12, true, []string{"test", "--", "--exact", "tests::case_00"}},
		{testlog.Gradle, 12, true, []string{"test", "--tests", "org.acme.Mod0Test.case00"}},
		// Twenty locations in ten files: one argument per file.
		{testlog.RSpec, 20, true, []string{"exec", "rspec", "./spec/models/mod0_spec.rb:10:20", "./spec/models/mod1_spec.rb:11:21"}},
		{testlog.RSpec, 4, false, []string{"exec", "rspec", "./spec/models/mod0_spec.rb:10", "./spec/models/mod1_spec.rb:11"}},
		{testlog.Jest, 12, true, []string{"jest", "src/mod0.test.ts", "src/mod1.test.ts"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %d", tt.fw, tt.n), func(t *testing.T) {
			tcs := manyCases(tt.fw, tt.n)
			line := TestSelector(tt.fw, tcs)
			if line == "" {
				t.Fatal("no selector")
			}
			lines := strings.Split(line, "\n")
			if got := len(lines) > 1; got != tt.multiLine {
				t.Fatalf("multi-line = %v, want %v:\n%s", got, tt.multiLine, line)
			}
			for _, l := range lines[:len(lines)-1] {
				if !strings.HasSuffix(l, " \\") {
					t.Errorf("line %q does not continue", l)
				}
			}
			flat := strings.ReplaceAll(line, argSep, " ")
			got, want := argvOf(t, line), argvOf(t, flat)
			if !slices.Equal(got, want) {
				t.Errorf("arguments\n%q\nwant (one-line form)\n%q", got, want)
			}
			at := 0
			for _, w := range tt.wantArgs {
				i := slices.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("argument %q missing or out of order in %q", w, got)
				}
				at += i + 1
			}
			if tt.fw == testlog.Pytest {
				ids := uniq(mapTests(tcs, pytestNodeID))
				if !slices.Equal(got[1:], ids) {
					t.Errorf("pytest got %q, want the node ids %q", got[1:], ids)
				}
			}
		})
	}
}

// TestLongSelectorInDockerLine: the docker line of a job with many failing
// tests passes the selector, line continuations included, to sh -c in the
// image, where it runs the same command.
func TestLongSelectorInDockerLine(t *testing.T) {
	tcs := manyCases(testlog.Pytest, 20)
	sel := TestSelector(testlog.Pytest, tcs)
	script := []string{"pip install -e .", sel}
	if got := ScriptShell(script); strings.HasPrefix(got, "set -e") || !strings.Contains(got, "pip install -e . && pytest \\\n") {
		t.Errorf("ScriptShell = %q, want one && list", got)
	}
	d := DockerRun{Image: "python:3.12-slim", Workdir: "/builds/acme/platform/ledger", Script: script}
	line := d.Command()
	args := argvOf(t, line)
	inner := args[len(args)-1]
	if inner != ScriptShell(script) {
		t.Fatalf("script reached docker as %q", inner)
	}
	got := argvOf(t, strings.Replace(inner, "pip install -e . && ", "", 1))
	if ids := uniq(mapTests(tcs, pytestNodeID)); !slices.Equal(got[1:], ids) {
		t.Errorf("pytest in the image got %q, want %q", got[1:], ids)
	}
}
