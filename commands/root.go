package commands

import (
	"github.com/spf13/cobra"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/alias"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
)

// NewCmdRoot builds the root command. runF replaces the work in tests.
func NewCmdRoot(f *cmdutil.Factory, runF func() error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "glab-pipeline-doctor [<pipeline-id> | <pipeline-url> | <mr-url>]",
		Short: "Explain why a GitLab pipeline failed",
		Long: "Find every failed job of a pipeline, read its log and test reports, and print\n" +
			"what broke, where to look, and how to reproduce it.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF()
			}
			return cmd.Help()
		},
	}
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return cmdutil.FlagErrorf("%s", err)
	})
	cmd.AddCommand(alias.NewCmdInstallAlias(f, nil))
	return cmd
}
