// Package cmdutil holds what every command shares: the terminal streams, the
// factory of lazy dependencies, output flags and the error types that map to
// exit codes.
package cmdutil

import (
	"bytes"
	"io"
	"os"

	"github.com/cli/go-gh/v2/pkg/term"
)

// IOStreams owns the terminal: data goes to Out, progress and warnings to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdoutTTY    bool
	stderrTTY    bool
	colorEnabled bool
	width        int
	hyperlinks   bool
}

// System returns streams bound to the process's stdin, stdout and stderr,
// with TTY and colour detection from go-gh's term (NO_COLOR, CLICOLOR,
// CLICOLOR_FORCE are honoured).
func System() *IOStreams {
	t := term.FromEnv()
	width, _, err := t.Size()
	if err != nil || width <= 0 {
		width = 80
	}
	ios := &IOStreams{
		In:           os.Stdin,
		Out:          os.Stdout,
		ErrOut:       os.Stderr,
		stdoutTTY:    t.IsTerminalOutput(),
		stderrTTY:    term.IsTerminal(os.Stderr),
		colorEnabled: t.IsColorEnabled(),
		width:        width,
	}
	ios.hyperlinks = ios.stdoutTTY && hyperlinksSupported(os.Getenv)
	return ios
}

// Test returns streams over buffers, not a TTY, colour off.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, width: 80}, in, out, errOut
}

// IsStdoutTTY tells whether data goes to a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY tells whether progress can be drawn.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// ColorEnabled tells whether colour escapes may be written to Out.
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// Hyperlinks tells whether OSC 8 links may be written to Out.
func (s *IOStreams) Hyperlinks() bool { return s.hyperlinks }

// TerminalWidth is the width of the terminal, 80 when unknown.
func (s *IOStreams) TerminalWidth() int { return s.width }

// SetStdoutTTY overrides TTY detection (tests).
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY overrides TTY detection of stderr (tests).
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetColorEnabled overrides colour detection (tests).
func (s *IOStreams) SetColorEnabled(v bool) { s.colorEnabled = v }

// SetHyperlinks overrides OSC 8 support detection (tests).
func (s *IOStreams) SetHyperlinks(v bool) { s.hyperlinks = v }

// SetTerminalWidth overrides the width (tests).
func (s *IOStreams) SetTerminalWidth(w int) { s.width = w }

// hyperlinksSupported guesses OSC 8 support from the environment the way
// common terminals announce themselves; FORCE_HYPERLINK overrides.
func hyperlinksSupported(getenv func(string) string) bool {
	switch getenv("FORCE_HYPERLINK") {
	case "1", "true":
		return true
	case "0", "false":
		return false
	}
	if getenv("TERM") == "dumb" {
		return false
	}
	switch getenv("TERM_PROGRAM") {
	case "iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper":
		return true
	}
	if getenv("VTE_VERSION") != "" || getenv("WT_SESSION") != "" || getenv("KITTY_WINDOW_ID") != "" ||
		getenv("KONSOLE_VERSION") != "" {
		return true
	}
	return false
}
