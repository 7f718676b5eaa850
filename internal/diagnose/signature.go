package diagnose

import (
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ErrorParts is the error a failing test reported, read from its failure
// type, message and body.
type ErrorParts struct {
	Type    string // "ConnectionRefusedError", "java.lang.NullPointerException", "panic"; "" for a plain test failure
	Message string // the first line that says what went wrong
	Frame   string // innermost stack frame, line numbers dropped: "socket.py in create_connection"
	// Assertion is set when a test assertion failed, as opposed to an
	// error raised by the code under test or its environment.
	Assertion bool
}

// genericTypes are failure types that say nothing about the error.
var genericTypes = map[string]bool{
	"": true, "failure": true, "error": true, "Failure": true, "Error": true, "test failure": true,
	"flaky failure": true, "flaky error": true, "failed": true, "Failed": true, "exception": true,
}

// genericMessages are failure messages some tools write whatever failed.
var genericMessages = map[string]bool{
	"Failed": true, "failed": true, "Error": true, "Build error": true, "Runtime error": true, "Skipped": true,
}

var (
	reExceptionHead = regexp.MustCompile(`^(?:E\s+|Caused by:\s*|Error:\s+)?((?:[A-Za-z_][\w.$]*?(?:::[A-Z]\w*)*?)?(?:Error|Exception|Failure|Fault|Exit|Interrupt|Timeout|NotMet\w*|Panic)\b)(?::\s*(.*))?$`)
	rePyFrame       = regexp.MustCompile(`^\s*File "([^"]+)", line \d+, in (\S+)`)
	rePyLocation    = regexp.MustCompile(`^(\S+\.py):\d+: (?:\w+)?$`)
	reJavaFrame     = regexp.MustCompile(`^\s+at ([\w.$<>/]+)\(([^)]*)\)`)
	reJSFrame       = regexp.MustCompile(`^\s+at (?:(.+?) \()?([^\s()]+?):\d+(?::\d+)?\)?$`)
	reDotnetFrame   = regexp.MustCompile(`^\s+at ([\w.<>` + "`" + `]+)\(.*\) in .*:line \d+`)
	reGoFile        = regexp.MustCompile(`(?:^|\s)([\w./-]+\.go):\d+`)
	reRubyFrame     = regexp.MustCompile(`^\s*#?\s*(\.?/?[\w./-]+\.rb):\d+:in`)
	rePHPFile       = regexp.MustCompile(`^(/?[\w./\\-]+\.php):\d+$`)
	reRustPanic     = regexp.MustCompile(`panicked at (?:'(.*)', )?([\w./-]+\.rs):\d+(?::\d+)?:?`)
)

// ParseError reads the error out of a failing test's type, message and
// body, for any of the JUnit dialects the project knows.
func ParseError(typ, message, body string) ErrorParts {
	var p ErrorParts
	msg := firstUseful(message)
	lines := splitLines(body)

	// The exception: a typed "XError: message" line, the last "Caused
	// by:" of a Java chain, pytest's "E   XError: …", Python's last
	// traceback line.
	excType, excMsg := "", ""
	for _, l := range append([]string{msg}, lines...) {
		m := reExceptionHead.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		if excType == "" || strings.HasPrefix(strings.TrimSpace(l), "Caused by:") {
			excType, excMsg = m[1], m[2]
		}
	}
	switch {
	case !genericTypes[typ]:
		p.Type = typ
	case excType != "":
		p.Type = excType
	}
	if p.Type != "" && excType == p.Type && excMsg != "" && (msg == "" || strings.Contains(msg, p.Type)) {
		msg = excMsg
	}
	if msg == "" {
		msg = excMsg
	}
	if msg == "" {
		msg = firstUseful(body)
	}
	// Go and Rust panics.
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "panic: ") {
			if p.Type == "" {
				p.Type = "panic"
			}
			msg = strings.TrimSuffix(strings.TrimPrefix(t, "panic: "), " [recovered]")
			break
		}
		if m := reRustPanic.FindStringSubmatch(t); m != nil {
			if p.Type == "" {
				p.Type = "panic"
			}
			if m[1] != "" {
				msg = m[1]
			} else if i+1 < len(lines) {
				// Rust 1.73+: the message follows on the next line.
				msg = strings.TrimSpace(lines[i+1])
			}
			p.Frame = path.Base(m[2])
			break
		}
	}
	// A Go test's "x_test.go:12: message" line is the message.
	if typ == "" || genericTypes[typ] {
		if m := reGoFile.FindStringSubmatchIndex(msg); m != nil && m[0] == 0 {
			if i := strings.Index(msg[m[1]:], ": "); i >= 0 {
				if p.Frame == "" {
					p.Frame = path.Base(msg[m[2]:m[3]])
				}
				msg = msg[m[1]+i+2:]
			}
		}
	}
	p.Message = strings.TrimSpace(msg)
	if p.Frame == "" {
		p.Frame = innermostFrame(lines)
	}
	p.Assertion = isAssertion(p)
	return p
}

// innermostFrame finds the frame where the error was raised: the last
// Python frame, the first Java, JavaScript or .NET frame, the first Go,
// Ruby or PHP location.
func innermostFrame(lines []string) string {
	py := ""
	for _, l := range lines {
		if m := rePyFrame.FindStringSubmatch(l); m != nil {
			py = path.Base(m[1]) + " in " + m[2]
		} else if m := rePyLocation.FindStringSubmatch(l); m != nil {
			py = path.Base(m[1])
		}
	}
	if py != "" {
		return py
	}
	for _, l := range lines {
		if m := reDotnetFrame.FindStringSubmatch(l); m != nil {
			return m[1]
		}
		if m := reJavaFrame.FindStringSubmatch(l); m != nil && !strings.Contains(m[2], "/") {
			return m[1]
		}
		if m := reJSFrame.FindStringSubmatch(l); m != nil {
			f := path.Base(strings.ReplaceAll(m[2], `\`, "/"))
			if m[1] != "" {
				return m[1] + " (" + f + ")"
			}
			return f
		}
		if m := reRubyFrame.FindStringSubmatch(l); m != nil {
			return path.Base(m[1])
		}
		if m := rePHPFile.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			return path.Base(strings.ReplaceAll(m[1], `\`, "/"))
		}
		if m := reGoFile.FindStringSubmatch(l); m != nil {
			return path.Base(m[1])
		}
	}
	return ""
}

func isAssertion(p ErrorParts) bool {
	for _, s := range []string{"Assert", "Expectation", "ComparisonFailure"} {
		if strings.Contains(p.Type, s) {
			return true
		}
	}
	switch p.Type {
	case "":
		// A test that failed with no exception at all (t.Errorf, a failed
		// check) is an assertion failure.
		return true
	case "Error": // Jest: "Error: expect(received).toBe(expected)"
		return strings.HasPrefix(p.Message, "expect(")
	case "panic": // Rust: assert_eq! panics
		return strings.HasPrefix(p.Message, "assertion")
	}
	return false
}

var maskers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'"<>]+`), "<url>"},
	{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b`), "<time>"},
	{regexp.MustCompile(`\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b`), "<time>"},
	{regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`), "<id>"},
	{regexp.MustCompile(`\b0[xX][0-9a-fA-F]+\b`), "<hex>"},
	{regexp.MustCompile(`(?:\b[A-Za-z]:\\|(?:^|[\s'"(=\[])(?:~|\.{1,2})?/)[^\s'"():,\[\]]+`), " <path>"},
	{regexp.MustCompile(`\b[\w.-]+(?:/[\w.-]+)*/[\w-]+\.[A-Za-z]\w{0,4}\b`), "<path>"},
	{regexp.MustCompile(`\b\d+(?:\.\d+)*\s?(?:ms|µs|us|ns|s|sec|secs|seconds|m|min|minutes|h)\b`), "<duration>"},
}

var (
	reLongHex = regexp.MustCompile(`\b[0-9a-fA-F]{7,}\b`)
	reNumber  = regexp.MustCompile(`\b\d+(?:\.\d+)*\b`)
	reSpaces  = regexp.MustCompile(`\s+`)
)

// maxSignatureMessage caps the message part of a signature, in bytes.
const maxSignatureMessage = 200

// NormalizeMessage masks what changes from one run or test to the next in
// an error message: URLs, times and durations, UUIDs, hex, paths and
// numbers. It keeps the first line only.
func NormalizeMessage(s string) string {
	s = firstNonBlank(s)
	if len(s) > 4*maxSignatureMessage {
		s = s[:4*maxSignatureMessage]
	}
	for _, m := range maskers {
		s = m.re.ReplaceAllString(s, m.with)
	}
	s = reLongHex.ReplaceAllStringFunc(s, func(h string) string {
		if strings.IndexAny(h, "abcdefABCDEF") >= 0 && strings.IndexAny(h, "0123456789") >= 0 {
			return "<hex>"
		}
		return h
	})
	s = reNumber.ReplaceAllString(s, "N")
	s = strings.TrimSpace(reSpaces.ReplaceAllString(s, " "))
	return truncate(s, maxSignatureMessage)
}

// Signature is the normalised form of an error under which failures are
// clustered: type, masked message and innermost frame.
func Signature(p ErrorParts) string {
	msg := NormalizeMessage(p.Message)
	frame := reNumber.ReplaceAllString(p.Frame, "N")
	var b strings.Builder
	b.WriteString(p.Type)
	if msg != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(msg)
	}
	if frame != "" {
		if b.Len() > 0 {
			b.WriteString(" @ ")
		}
		b.WriteString(frame)
	}
	return b.String()
}

// firstUseful returns the first non-blank line that is not a constant
// message ("Failed") or a Ruby hash dump of attributes.
func firstUseful(s string) string {
	for _, l := range splitLines(s) {
		t := strings.TrimSpace(l)
		if t == "" || isNoiseLine(t) {
			continue
		}
		if t == "System Out:" || t == "System Err:" {
			break
		}
		return t
	}
	return ""
}

// isNoiseLine tells lines that never say what went wrong: constant
// messages, Ruby hash dumps of attributes, Go's "=== RUN" and "--- FAIL"
// markers, a traceback header.
func isNoiseLine(t string) bool {
	if genericMessages[t] {
		return true
	}
	for _, p := range []string{`{"message" =>`, "Traceback (most recent call last)", "=== RUN ", "=== CONT ", "=== PAUSE ", "--- FAIL: ", "--- PASS: "} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

func firstNonBlank(s string) string {
	for _, l := range splitLines(s) {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(s, "\n")
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
