// Package commands wires the command line: cobra commands, flags, and the
// mapping of errors to exit codes.
package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
)

// Main runs the command line and returns the process exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := cmdutil.NewFactory(cmdutil.System())
	return run(ctx, f, os.Args[1:])
}

func run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	root := NewCmdRoot(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	var fe *cmdutil.FlagError
	switch {
	case errors.Is(err, cmdutil.ErrSilent), errors.Is(err, cmdutil.ErrFailedPipeline):
	case errors.As(err, &fe):
		fmt.Fprintf(f.IOStreams.ErrOut, "error: %s\n", err)
		fmt.Fprintf(f.IOStreams.ErrOut, "Run '%s --help' for usage.\n", root.CommandPath())
	default:
		fmt.Fprintf(f.IOStreams.ErrOut, "error: %s\n", err)
	}
	return cmdutil.ExitCode(err)
}
