package joblog

import (
	"strings"
	"testing"
)

func TestBlanks(t *testing.T) {
	for _, s := range []string{"", " ", "x", "  \t x", strings.Repeat(" ", 8), strings.Repeat(" ", 9) + "a", strings.Repeat(" ", 8) + "\t\t a", "\t\t\t\t\t\t\t\t\t", "       x       "} {
		want := len(s) - len(strings.TrimLeft(s, " \t"))
		if got := blanks([]byte(s)); got != want {
			t.Errorf("blanks(%q) = %d, want %d", s, got, want)
		}
	}
}

// isLocation against a byte-at-a-time reading of its definition: the first
// space or ':' decides, and a ':' must follow a byte and come before a digit.
func TestIsLocation(t *testing.T) {
	ref := func(s string) bool {
		i := strings.IndexAny(s, " :")
		return i > 0 && s[i] == ':' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9'
	}
	for _, s := range []string{
		"", ":", ":1", "a:1", "a:", "a:x", "src/main.go:12:3: undefined", "src/main.go:x", "a b:1",
		"averyveryverylongpathname/withoutspaces.c:10", "averyveryverylongpathname/withoutspaces.c 10:1",
		"12345678:9", "1234567:8", "12345678 :9", "\t:1", "héllo.py:3", strings.Repeat("x", 40) + ":0",
	} {
		if got := isLocation([]byte(s)); got != ref(s) {
			t.Errorf("isLocation(%q) = %v", s, got)
		}
	}
}
