package commands

import (
	"runtime/debug"

	"github.com/spf13/cobra"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/alias"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/analyze"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/demo"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/doctor"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/repro"
)

// NewCmdRoot builds the root command (the diagnosis) and its subcommands.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := doctor.NewCmdDoctor(f, nil)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return cmdutil.FlagErrorf("%s", err)
	})
	cmd.AddCommand(demo.NewCmdDemo(f, nil))
	cmd.AddCommand(analyze.NewCmdAnalyze(f, nil))
	cmd.AddCommand(alias.NewCmdInstallAlias(f, nil))
	cmd.AddCommand(repro.NewCmdRepro(f, nil))
	cmd.CompletionOptions.HiddenDefaultCmd = true
	cmd.Version = version()
	return cmd
}

// version is the module version the binary was built from ("(devel)" for a
// local build), with the commit when the build recorded one.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v
}
