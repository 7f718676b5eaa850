package ascii

import (
	"strings"
	"testing"
)

// Blanks, which reads spaces 8 at a time, agrees with reading a byte at a
// time on runs of spaces and tabs of every length up to 40, followed by
// text, a space-like byte or nothing.
func TestBlanks(t *testing.T) {
	for n := 0; n <= 40; n++ {
		for _, fill := range []string{" ", "\t", " \t", "\t  "} {
			lead := strings.Repeat(fill, n)[:n] // n bytes of the pattern
			for _, rest := range []string{"", "x", "x   y", "\u00a0", "\r", "!" + strings.Repeat(" ", 9)} {
				line := []byte(lead + rest)
				want := 0
				for want < len(line) && (line[want] == ' ' || line[want] == '\t') {
					want++
				}
				if got := Blanks(line); got != want {
					t.Errorf("Blanks(%q) = %d, want %d", line, got, want)
				}
			}
		}
	}
}
