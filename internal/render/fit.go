package render

import (
	"strings"

	"github.com/mattn/go-runewidth"
)

// minWidth is the narrowest terminal the text view lays itself out for.
const minWidth = 20

// cells is the display width of s on a terminal: the escape sequences the
// renderer writes (SGR colour, OSC 8 links) take no room.
func cells(s string) int {
	if !strings.ContainsRune(s, 0x1b) {
		return runewidth.StringWidth(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != 0x1b || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		switch s[i+1] {
		case '[': // CSI: parameters, then one final byte
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
		case ']': // OSC, ended by ST (ESC \) or BEL
			j := i + 2
			for j < len(s) && s[j] != 0x07 && !(s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\') {
				j++
			}
			if j < len(s) && s[j] == 0x07 {
				i = j + 1
			} else {
				i = j + 2
			}
		default:
			i += 2
		}
	}
	return runewidth.StringWidth(b.String())
}

// isURL tells whether a word is a web link, which is never cut.
func isURL(w string) bool {
	return strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "http://")
}

// urlLine places a bare URL after a line that is cols wide: on the same
// line, two spaces after it, when it fits; otherwise on a line of its own,
// indented when that fits, and whole even when it does not.
func urlLine(cols int, indent, styled string, width int) (sameLine bool, own string) {
	w := cells(styled)
	if cols+2+w <= width {
		return true, "  " + styled
	}
	if cells(indent)+w <= width {
		return false, indent + styled
	}
	return false, styled
}

// shellWords splits one line of a shell command where it may be broken and
// continued on the next line with " \": at blanks outside quotes, and at
// blanks inside the single-quoted script that follows "-c" (as in
// sh -c '...') outside that script's own double quotes, where the script's
// shell reads the backslash-newline the same way. seps[i] is the run of
// blanks that followed words[i] in the command.
func shellWords(s string) (words, seps []string) {
	var cur strings.Builder
	inSingle, script, inDouble, escaped := false, false, false, false
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case escaped:
			escaped = false
		case c == '\\' && (!inSingle || script):
			escaped = true
		case c == '\'' && !inDouble:
			if !inSingle {
				script = cur.Len() == 0 && len(words) > 0 && words[len(words)-1] == "-c"
			}
			inSingle = !inSingle
		case c == '"' && (!inSingle || script):
			inDouble = !inDouble
		case (c == ' ' || c == '\t') && !inDouble && (!inSingle || script) && cur.Len() > 0:
			j := i
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			words, seps = append(words, cur.String()), append(seps, s[i:j])
			cur.Reset()
			i = j
			continue
		}
		cur.WriteByte(c)
		i++
	}
	if cur.Len() > 0 {
		words, seps = append(words, cur.String()), append(seps, "")
	}
	return words, seps
}

// commandLines lays out one line of a shell command after a prompt: whole
// when it fits, otherwise broken at the places shellWords finds, each line
// but the last ending in " \" and the next indented by cont. A word that
// cannot fit on a line by itself is kept whole: cutting it would break the
// command.
func commandLines(s string, first, cont, width int) []string {
	if first+runewidth.StringWidth(s) <= width {
		return []string{s}
	}
	lead := s[:len(s)-len(strings.TrimLeft(s, " \t"))]
	words, seps := shellWords(s[len(lead):])
	if len(words) < 2 {
		return []string{s}
	}
	words[0] = lead + words[0]
	var lines []string
	cur, room := words[0], width-first-2
	for i := 1; i < len(words); i++ {
		next := cur + seps[i-1] + words[i]
		last := i == len(words)-1
		limit := room
		if last {
			limit += 2 // the last line has no " \"
		}
		if runewidth.StringWidth(next) <= limit {
			cur = next
			continue
		}
		lines = append(lines, cur+" \\")
		cur, room = words[i], width-cont-2
	}
	return append(lines, cur)
}
