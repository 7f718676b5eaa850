package alias

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
)

func TestNewCmdInstallAliasFlags(t *testing.T) {
	tests := []struct {
		args      []string
		wantPrint bool
		wantErr   bool
	}{
		{args: nil},
		{args: []string{"--print"}, wantPrint: true},
		{args: []string{"extra"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *Options
			cmd := NewCmdInstallAlias(&cmdutil.Factory{IOStreams: ios}, func(o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.ErrOut)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && got.Print != tt.wantPrint {
				t.Errorf("Print = %v, want %v", got.Print, tt.wantPrint)
			}
		})
	}
}

func TestPrint(t *testing.T) {
	ios, _, stdout, _ := cmdutil.Test()
	opts := &Options{IO: ios, Print: true, LookPath: func(string) (string, error) {
		t.Fatal("--print must not look for glab")
		return "", nil
	}}
	if err := runInstallAlias(opts); err != nil {
		t.Fatal(err)
	}
	want := "glab alias set --shell pipeline-doctor 'glab-pipeline-doctor \"$@\"'\n"
	if stdout.String() != want {
		t.Errorf("stdout = %q, want %q", stdout.String(), want)
	}
}

// TestRunsGlab puts a stub glab on PATH that records its arguments, one per
// line, and checks the alias is set with "$@" intact.
func TestRunsGlab(t *testing.T) {
	dir := t.TempDir()
	record := filepath.Join(dir, "args")
	stub := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + record + "\n"
	if err := os.WriteFile(filepath.Join(dir, "glab"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	ios, _, _, stderr := cmdutil.Test()
	cmd := NewCmdInstallAlias(&cmdutil.Factory{IOStreams: ios}, nil)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	want := "alias\nset\n--shell\npipeline-doctor\nglab-pipeline-doctor \"$@\"\n"
	if string(got) != want {
		t.Errorf("glab got args %q, want %q", got, want)
	}
	// glab-pipeline-doctor itself is not on this PATH: the user is told.
	if !strings.Contains(stderr.String(), "not on PATH") {
		t.Errorf("stderr = %q, want a warning that the binary is not on PATH", stderr.String())
	}
}

func TestGlabMissingOrFailing(t *testing.T) {
	ios, _, _, _ := cmdutil.Test()
	opts := &Options{IO: ios, LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}
	err := runInstallAlias(opts)
	if err == nil || !strings.Contains(err.Error(), CommandLine()) {
		t.Errorf("err = %v, want the command to run by hand", err)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "glab"), []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	cmd := NewCmdInstallAlias(&cmdutil.Factory{IOStreams: ios}, nil)
	cmd.SetArgs(nil)
	err = cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "exit code 3") {
		t.Errorf("err = %v, want glab's exit code", err)
	}
}
