package shared

import (
	"io"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/render"
)

// WriteOptions choose how a report is printed.
type WriteOptions struct {
	Output  cmdutil.OutputOptions
	Limit   int
	Verbose bool
	// Marker is the hidden marker of a merge-request note.
	Marker string
}

// Write prints a report in the chosen format.
func Write(ios *cmdutil.IOStreams, rep *diagnose.Report, o WriteOptions) error {
	switch o.Output.Format {
	case cmdutil.FormatJSON:
		return o.Output.WriteJSON(ios, func(w io.Writer) error { return render.JSON(w, rep) })
	case cmdutil.FormatMarkdown:
		return render.Markdown(ios.Out, rep, render.MarkdownOptions{Marker: o.Marker})
	default:
		limit := o.Limit
		if limit == 0 {
			limit = -1
		}
		return render.Text(ios.Out, rep, render.Options{
			TTY:        ios.IsStdoutTTY(),
			Color:      ios.ColorEnabled(),
			Hyperlinks: ios.Hyperlinks(),
			Width:      ios.TerminalWidth(),
			Verbose:    o.Verbose,
			Limit:      limit,
		})
	}
}

// Failed tells whether the report shows a failure (--exit-status).
func Failed(rep *diagnose.Report) bool {
	if rep.Summary.FailedJobs > 0 || rep.Summary.FailingTests > 0 {
		return true
	}
	for _, p := range rep.Pipelines {
		if p.Status.IsFailure() {
			return true
		}
	}
	return false
}
