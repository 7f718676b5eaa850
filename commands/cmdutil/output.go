package cmdutil

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/cli/go-gh/v2/pkg/jq"
	"github.com/cli/go-gh/v2/pkg/template"
	"github.com/spf13/cobra"
)

// Output formats.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
)

// OutputOptions are the flags every reporting command shares.
type OutputOptions struct {
	Format   string
	JQ       string
	Template string
}

// AddOutputFlags registers --output, --jq and --template.
func AddOutputFlags(cmd *cobra.Command, o *OutputOptions) {
	cmd.Flags().StringVarP(&o.Format, "output", "F", FormatText, "Output format: text, json or markdown")
	cmd.Flags().StringVarP(&o.JQ, "jq", "q", "", "Filter JSON output using a jq `expression`")
	cmd.Flags().StringVarP(&o.Template, "template", "t", "", "Format JSON output using a Go template")
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{FormatText, FormatJSON, FormatMarkdown}, cobra.ShellCompDirectiveNoFileComp
	})
}

// Validate checks the combination of output flags. --jq and --template
// imply --output json.
func (o *OutputOptions) Validate() error {
	switch o.Format {
	case FormatText, FormatJSON, FormatMarkdown:
	default:
		return FlagErrorf("invalid value for --output: %q (use text, json or markdown)", o.Format)
	}
	if o.JQ != "" && o.Template != "" {
		return FlagErrorf("specify only one of --jq or --template")
	}
	if o.JQ != "" || o.Template != "" {
		if o.Format == FormatMarkdown {
			return FlagErrorf("--jq and --template work on JSON output, not markdown")
		}
		o.Format = FormatJSON
	}
	return nil
}

// WriteJSON writes JSON produced by encode to the terminal, through --jq or
// --template when given.
func (o *OutputOptions) WriteJSON(ios *IOStreams, encode func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := encode(&buf); err != nil {
		return err
	}
	switch {
	case o.JQ != "":
		indent := ""
		if ios.IsStdoutTTY() {
			indent = "  "
		}
		if err := jq.EvaluateFormatted(&buf, ios.Out, o.JQ, indent, ios.ColorEnabled()); err != nil {
			return FlagErrorf("--jq: %s", strings.TrimSpace(err.Error()))
		}
		return nil
	case o.Template != "":
		t := template.New(ios.Out, ios.TerminalWidth(), ios.ColorEnabled())
		if err := t.Parse(o.Template); err != nil {
			return FlagErrorf("--template: %s", err)
		}
		if err := t.Execute(&buf); err != nil {
			return fmt.Errorf("executing template: %w", err)
		}
		return t.Flush()
	default:
		_, err := io.Copy(ios.Out, &buf)
		return err
	}
}
