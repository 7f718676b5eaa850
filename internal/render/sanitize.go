package render

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tabWidth is the tab stop used when a tab in a log line is expanded.
const tabWidth = 4

// Sanitize makes a string from a log, a test report or the API safe to print
// on a terminal. It is the one terminal sanitiser of the project.
//
// The result is valid UTF-8 and holds no byte that a terminal interprets:
//   - C0 controls and DEL become caret notation (ESC is "^[", BEL "^G", LF
//     "^J", CR "^M", DEL "^?"), so escape sequences (CSI cursor moves, OSC 0
//     titles, OSC 8 links, OSC 52 clipboard writes) are printed, not obeyed;
//   - C1 controls (U+0080–U+009F, e.g. the one-byte CSI U+009B) and invisible
//     format characters (bidi embeddings, overrides and isolates, zero-width
//     space, BOM, tag characters, line and paragraph separators) become
//     "<U+XXXX>"; zero-width joiner and non-joiner are kept for emoji and
//     scripts that need them;
//   - a tab becomes spaces up to the next stop of 4 columns (counted in runes);
//   - invalid UTF-8 bytes become U+FFFD.
//
// Callers that print multi-line text split it into lines first; Sanitize
// treats its argument as one line.
func Sanitize(s string) string {
	if isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	col := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
			col++
		case r == '\t':
			n := tabWidth - col%tabWidth
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case r < 0x20:
			b.WriteByte('^')
			b.WriteByte(byte(r) + 0x40)
			col += 2
		case r == 0x7f:
			b.WriteString("^?")
			col += 2
		case isHiddenRune(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
			col += 8
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

// isPlainASCII reports whether s is printable ASCII only, which Sanitize
// returns unchanged.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// isHiddenRune tells whether r is a C1 control or a character that changes
// how text around it is shown without being seen itself.
func isHiddenRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x200c || r == 0x200d: // ZWNJ, ZWJ: needed by emoji and scripts
		return false
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// oneLine folds line breaks and runs of blanks into single spaces, so a
// message with newlines fits one cell or one line, then sanitises it.
func oneLine(s string) string {
	if strings.ContainsAny(s, "\r\n\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return Sanitize(strings.TrimSpace(s))
}

// firstLine is the first non-blank line of s, sanitised.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			return oneLine(l)
		}
	}
	return ""
}
