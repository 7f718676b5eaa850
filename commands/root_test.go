package commands

import (
	"context"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
)

func TestUnknownFlagIsUsageError(t *testing.T) {
	ios, _, _, stderr := cmdutil.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	code := run(context.Background(), f, []string{"--no-such-flag"})
	if code != cmdutil.ExitUsage {
		t.Fatalf("exit code = %d, want %d", code, cmdutil.ExitUsage)
	}
	if !strings.Contains(stderr.String(), "unknown flag: --no-such-flag") {
		t.Errorf("stderr = %q", stderr.String())
	}
}
