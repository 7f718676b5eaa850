// Package analyze implements `analyze`: the same diagnosis on saved job logs
// and JUnit files, with no GitLab involved.
package analyze

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/shared"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/junit"
)

// Options are the inputs of analyze.
type Options struct {
	IO      *cmdutil.IOStreams
	Open    func(name string) (io.ReadCloser, error)
	Logs    []string
	JUnit   []string
	Limit   int
	Verbose bool
	Output  cmdutil.OutputOptions
}

// NewCmdAnalyze builds the command.
func NewCmdAnalyze(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	opts.Open = func(name string) (io.ReadCloser, error) {
		if name == "-" {
			return io.NopCloser(opts.IO.In), nil
		}
		return os.Open(name)
	}
	cmd := &cobra.Command{
		Use:   "analyze --log FILE [--log FILE...] [--junit FILE...]",
		Short: "Diagnose saved job logs and JUnit reports, offline",
		Long: "Read job logs (raw GitLab traces or any CI log) and JUnit/xUnit XML files from disk\n" +
			"and print the same report as for a pipeline: the lines that explain each failure,\n" +
			"the ranked failing tests and how to rerun them. Each log is one job of the report,\n" +
			"named after its file. `-` reads a log from standard input.",
		Example: "  glab-pipeline-doctor analyze --log job.log\n" +
			"  glab trace 123 | glab-pipeline-doctor analyze --log -\n" +
			"  glab-pipeline-doctor analyze --log pytest.log --junit report.xml --output json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(opts.Logs) == 0 && len(opts.JUnit) == 0 {
				return cmdutil.FlagErrorf("give at least one --log or --junit file")
			}
			if err := opts.Output.Validate(); err != nil {
				return err
			}
			if opts.Limit < 0 {
				return cmdutil.FlagErrorf("--limit must be 0 or more")
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Logs, "log", nil, "A job log `file` (repeatable; - for standard input)")
	cmd.Flags().StringArrayVar(&opts.JUnit, "junit", nil, "A JUnit XML `file`, plain or .gz (repeatable)")
	cmd.Flags().IntVarP(&opts.Limit, "limit", "L", 20, "Print at most `N` failing tests")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "Show every excerpt block, not only the first")
	cmdutil.AddOutputFlags(cmd, &opts.Output)
	return cmd
}

// Run analyses the files and prints the report. A file that cannot be read
// is a warning; the rest of the report still prints.
func Run(opts *Options) error {
	ev := diagnose.Evidence{}
	var ids []int64
	for i, name := range opts.Logs {
		id := int64(i + 1)
		job := diagnose.Job{ID: id, Name: filepath.Base(name), Status: diagnose.StatusFailed, Category: diagnose.CategoryUnknown}
		if name == "-" {
			job.Name = "stdin"
		}
		f, err := opts.Open(name)
		if err != nil {
			ev.Warnings = append(ev.Warnings, fmt.Sprintf("cannot read log %s: %v", name, err))
			ev.Jobs = append(ev.Jobs, diagnose.JobEvidence{Job: job})
			ids = append(ids, id)
			continue
		}
		facts := shared.ReadLog(f)
		_ = f.Close()
		if facts.Err != nil {
			ev.Warnings = append(ev.Warnings, fmt.Sprintf("log %s was read only in part: %v", name, facts.Err))
		}
		shared.ApplyLog(&job, facts.Result)
		ev.Jobs = append(ev.Jobs, diagnose.JobEvidence{Job: job, Blocks: facts.Blocks})
		ids = append(ids, id)
	}
	for _, name := range opts.JUnit {
		rep, err := junit.IngestFile(name, junit.Options{})
		if err != nil {
			ev.Warnings = append(ev.Warnings, fmt.Sprintf("junit file %s: %v", name, err))
		}
		if rep != nil {
			for _, w := range rep.Warnings {
				ev.Warnings = append(ev.Warnings, fmt.Sprintf("junit file %s: %s", name, w))
			}
			ev.Tests = append(ev.Tests, shared.TestsFromJUnit(rep, ids)...)
		}
	}
	rep := diagnose.Build(ev)
	return shared.Write(opts.IO, rep, shared.WriteOptions{Output: opts.Output, Limit: opts.Limit, Verbose: opts.Verbose})
}
