// Package alias implements `install-alias`: glab has no extension mechanism,
// so `glab pipeline-doctor` works through a glab shell alias that forwards
// every argument to this binary.
package alias

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/spf13/cobra"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
)

// AliasName is the glab command name users type.
const AliasName = "pipeline-doctor"

// Expansion is the shell alias body; "$@" forwards the user's arguments
// (without it glab drops them).
const Expansion = `glab-pipeline-doctor "$@"`

// Options are the inputs of install-alias.
type Options struct {
	IO       *cmdutil.IOStreams
	Print    bool
	LookPath func(string) (string, error)
	// Run runs a program with arguments, output to the terminal.
	Run func(name string, args ...string) error
}

// NewCmdInstallAlias builds the command.
func NewCmdInstallAlias(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{
		IO:       f.IOStreams,
		LookPath: exec.LookPath,
	}
	opts.Run = func(name string, args ...string) error {
		c := exec.Command(name, args...)
		c.Stdout, c.Stderr = opts.IO.Out, opts.IO.ErrOut
		return c.Run()
	}
	cmd := &cobra.Command{
		Use:   "install-alias",
		Short: "Make `glab pipeline-doctor` run this program",
		Long: "Register a glab shell alias so that `glab pipeline-doctor <args>` runs\n" +
			"`glab-pipeline-doctor <args>`. glab has no extension mechanism; an alias is how\n" +
			"a separate program becomes a glab command.",
		Example: "  glab-pipeline-doctor install-alias\n  glab-pipeline-doctor install-alias --print   # show the glab command instead",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runInstallAlias(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Print, "print", false, "Print the glab command instead of running it")
	return cmd
}

// Args are the arguments given to glab.
func Args() []string {
	return []string{"alias", "set", "--shell", AliasName, Expansion}
}

// CommandLine is the glab command as a user would type it.
func CommandLine() string {
	return "glab alias set --shell " + AliasName + " '" + Expansion + "'"
}

func runInstallAlias(opts *Options) error {
	if opts.Print {
		fmt.Fprintln(opts.IO.Out, CommandLine())
		return nil
	}
	glab, err := opts.LookPath("glab")
	if err != nil {
		return fmt.Errorf("glab is not on PATH; install glab, or run this once it is: %s", CommandLine())
	}
	if err := opts.Run(glab, Args()...); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("glab alias set failed (exit code %d); the command was: %s", ee.ExitCode(), CommandLine())
		}
		return fmt.Errorf("running glab: %w", err)
	}
	if _, err := opts.LookPath("glab-pipeline-doctor"); err != nil {
		fmt.Fprintln(opts.IO.ErrOut, "warning: glab-pipeline-doctor is not on PATH, so the alias cannot find it yet;"+
			" install it with: go install gitlab.com/pipeline-doctor/glab-pipeline-doctor@latest")
	}
	fmt.Fprintf(opts.IO.ErrOut, "Done: `glab %s` now runs glab-pipeline-doctor.\n", AliasName)
	return nil
}
