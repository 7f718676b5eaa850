// Package repro implements `repro`: only the commands that reproduce a
// pipeline's failures locally, one per line, ready to paste or pipe into a
// shell.
package repro

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/doctor"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/render"
)

// Options are the inputs of repro: the diagnosis's own, whose report
// printing repro replaces.
type Options struct {
	doctor.Options
}

// NewCmdRepro builds the command.
func NewCmdRepro(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Options: doctor.Options{
		IO:          f.IOStreams,
		Now:         f.Now,
		Env:         f.GlabEnv,
		OpenBrowser: f.Browser,
		Concurrency: gitlab.DefaultConcurrency,
		Output:      cmdutil.OutputOptions{Format: cmdutil.FormatText},
	}}
	cmd := &cobra.Command{
		Use:   "repro [<pipeline-id> | <pipeline-url> | <mr-url>]",
		Short: "Print the commands that reproduce a pipeline's failures locally",
		Long: "Print, for every failed job, the commands that rerun its failure on your machine: the\n" +
			"checkout of the job's commit, then a docker run line that runs the job's script (up to\n" +
			"the failing command, or the failing tests' own selector) in the job's image on that\n" +
			"checkout, or without an image the commands alone. One command per line and nothing\n" +
			"else on standard output; lines starting with # name the job and list the services and\n" +
			"variables to provide. CI variables are passed by name from your environment, never\n" +
			"by value.\n\n" +
			"The pipeline is chosen as for the diagnosis: an argument, -R, --branch or --mr.",
		Example: "  glab-pipeline-doctor repro\n" +
			"  glab-pipeline-doctor repro 1234 -R group/sub/project --job 'pytest 1/2'\n" +
			"  glab-pipeline-doctor repro --mr 17 > repro.sh",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Arg = args[0]
			}
			if err := opts.Validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Repo, "repo", "R", "", "Select another project: `OWNER/REPO`, GROUP/NAMESPACE/REPO, HOST/OWNER/REPO or a URL")
	cmd.Flags().StringVarP(&opts.Branch, "branch", "b", "", "Latest pipeline of this `branch` instead of the current one")
	cmd.Flags().Int64Var(&opts.MR, "mr", 0, "Head pipeline of this merge request `iid`")
	cmd.Flags().StringVar(&opts.Job, "job", "", "Only the failed job with this `name`")
	cmd.Flags().IntVar(&opts.Concurrency, "concurrency", gitlab.DefaultConcurrency, "Requests in flight at once")
	return cmd
}

// Run diagnoses the selected pipeline and prints only its repro commands.
func Run(ctx context.Context, o *Options) error {
	d := o.Options
	d.Web = false
	d.ExitStatus = false
	// Every failed job is read, and the report narrowed afterwards: the
	// tests of a parallel suite are told apart by which job's log mentions
	// them, which needs the logs of the other jobs too.
	job := o.Job
	d.Job = ""
	d.Print = func(ios *cmdutil.IOStreams, rep *diagnose.Report) error {
		if !ios.IsStdoutTTY() {
			rep = forPipe(rep)
		}
		return Print(ios.Out, ios.ErrOut, rep, job)
	}
	return doctor.Run(ctx, &d)
}

// forPipe adapts the docker lines for `repro | sh`: there stdin is the
// script itself, so `docker run -it` would fail ("the input device is not
// a TTY") and -i would swallow the rest of the script.
func forPipe(rep *diagnose.Report) *diagnose.Report {
	out := *rep
	out.Repro = append([]diagnose.Repro(nil), rep.Repro...)
	for i := range out.Repro {
		out.Repro[i].Docker = strings.Replace(out.Repro[i].Docker, "docker run --rm -it ", "docker run --rm ", 1)
	}
	return &out
}

// Print writes the repro commands of a report to out, one per line: for
// each job (only those named job, when it is not empty) a comment naming
// it, the checkout (once while it does not change), comments on services
// and variables, then the docker line or the commands. The report's
// warnings go to errOut. With a job name, finding nothing to reproduce is
// an error.
func Print(out, errOut io.Writer, rep *diagnose.Report, job string) error {
	for _, w := range rep.Warnings {
		fmt.Fprintln(errOut, "warning:", render.Sanitize(strings.Join(strings.Fields(w), " ")))
	}
	var repros []*diagnose.Repro
	for i := range rep.Repro {
		if job == "" || rep.Repro[i].JobName == job {
			repros = append(repros, &rep.Repro[i])
		}
	}
	if len(repros) == 0 {
		if job == "" {
			fmt.Fprintln(errOut, "nothing to reproduce: no failed job has a command to rerun")
			return nil
		}
		failed := false
		for i := range rep.Jobs {
			failed = failed || rep.Jobs[i].Name == job
		}
		if failed {
			fmt.Fprintf(errOut, "nothing to reproduce for job %s: its log shows no failing command or test\n", render.Sanitize(job))
		} else {
			fmt.Fprintf(errOut, "no failed job named %s in this pipeline\n", render.Sanitize(strconv.Quote(job)))
		}
		return cmdutil.ErrSilent
	}
	checkout := ""
	var b strings.Builder
	for _, rp := range repros {
		for _, l := range rp.ShellLines() {
			if rp.Checkout != "" && l == rp.Checkout {
				if l == checkout {
					continue
				}
				checkout = l
			}
			for _, part := range strings.Split(l, "\n") {
				b.WriteString(printable(part))
				b.WriteByte('\n')
			}
		}
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("writing the commands: %w", err)
	}
	return nil
}

// printable keeps tabs, which are shell whitespace, and shows every other
// control character in a visible form, so no escape sequence from a log
// reaches the terminal.
func printable(l string) string {
	parts := strings.Split(strings.TrimRight(l, "\r"), "\t")
	for i, p := range parts {
		parts[i] = render.Sanitize(p)
	}
	return strings.Join(parts, "\t")
}
