package joblog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanLine(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"plain", "hello world", "hello world"},
		{"trailing newline and CRLF", "hello\r\n", "hello"},
		{"runner Println", "\x1b[0KRunning with gitlab-runner 19.4.0 (d79f3e7b)\x1b[0;m", "Running with gitlab-runner 19.4.0 (d79f3e7b)"},
		{"command echo", "\x1b[32;1m$ go test ./...\x1b[0;m", "$ go test ./..."},
		{"section markers and header", "section_end:1747221567:get_sources\r\x1b[0Ksection_start:1747221567:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m\x1b[0;m",
			"Executing \"step_script\" stage of the job script"},
		{"marker with options", "section_start:1747221567:tests[collapsed=true,hide_duration=true]\r\x1b[0Kok", "ok"},
		{"marker whose CR became LF", "section_end:1522927104:prepare_script", ""},
		{"marker after a reset, CR as LF", "\x1b[0;msection_start:1522927103:prepare_script", ""},
		{"error after the last marker", "section_end:1747221579:cleanup_file_variables\r\x1b[0K\x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m", "ERROR: Job failed: exit code 1"},
		{"not a marker without CR", "echo section_start:12:name is text", "echo section_start:12:name is text"},
		{"CR redraws keep the last segment", "Downloading 3.2 MB of modules .\r.\r.\rdone\r", "done"},
		{"an empty last segment keeps the one before", "50%\r100%\r", "100%"},
		{"travis fold and time markers", "travis_fold:start:install\r\x1b[0Ktravis_time:start:0a1b\r\x1b[0K$ npm ci", "$ npm ci"},
		{"travis fold end alone", "travis_fold:end:ruby.versions\r\x1b[0K\r", ""},
		{"OSC title and hyperlink", "\x1b]0;title\x07see \x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\ here", "see link here"},
		{"cursor movement and erase", "\x1b[2J\x1b[1;1H\x1b[?25lhidden cursor\x1b[K", "hidden cursor"},
		{"charset designation", "\x1b(Bplain", "plain"},
		{"C0 controls", "a\x00b\x07c\x08d\x7fe\tf", "abcde\tf"},
		{"C1 CSI", "x\u009b31my", "xy"},
		{"C1 control", "x\u0085y", "xy"},
		{"bidi override", "abc\u202edef\u2066g", "abcdefg"},
		{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"unicode kept", "\x1b[01;32m認証 ✓ 😀\x1b[0m", "認証 ✓ 😀"},
		{"lone ESC at the end", "abc\x1b", "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanLine([]byte(tt.raw)); got != tt.want {
				t.Errorf("CleanLine(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestCleanerMarkers(t *testing.T) {
	var c cleaner
	c.clean([]byte("section_end:10:a\r\x1b[0Ksection_start:11:b_c.d-e[collapsed=true]\r\x1b[0Kx"))
	if len(c.markers) != 2 {
		t.Fatalf("markers = %+v", c.markers)
	}
	if m := c.markers[0]; m.kind != markSectionEnd || m.ts != 10 || string(m.name) != "a" {
		t.Errorf("first marker = %+v", m)
	}
	if m := c.markers[1]; m.kind != markSectionStart || m.ts != 11 || string(m.name) != "b_c.d-e" {
		t.Errorf("second marker = %+v", m)
	}
}

func TestTimestampHeader(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"2025-05-14T11:19:27.100851Z 00O+\x1b[0K", true},
		{"2025-05-14T11:19:27.100851Z 01E done", true},
		{"2025-05-14T11:19:27.100851Z 0gO done", false},
		{"2025-05-14T11:19:27.100851Z 01X done", false},
		{"2025-05-14 11:19:27.100851Z 01O done", false},
		{"short", false},
	}
	for _, tt := range tests {
		if got := hasTimestampHeader([]byte(tt.line)); got != tt.want {
			t.Errorf("hasTimestampHeader(%q) = %v", tt.line, got)
		}
	}
}

// hasTimestampHeader agrees with a byte-at-a-time reading of the header's
// shape on every header with one byte changed to any value, and on
// headers cut short.
func TestTimestampHeaderEveryByte(t *testing.T) {
	ref := func(b []byte) bool {
		if len(b) < timestampHeader {
			return false
		}
		for i, s := range []byte("dddd-dd-ddTdd:dd:dd.ddddddZ hh") {
			c := b[i]
			switch {
			case s == 'd' && (c < '0' || c > '9'):
				return false
			case s == 'h' && !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f'):
				return false
			case s != 'd' && s != 'h' && c != s:
				return false
			}
		}
		return (b[30] == 'O' || b[30] == 'E') && (b[31] == ' ' || b[31] == '+')
	}
	for _, h := range []string{"2025-05-14T11:19:27.100851Z 00O ", "1999-12-31T23:59:59.999999Z af9E+x"} {
		for i := range timestampHeader {
			for c := range 256 {
				b := []byte(h)
				b[i] = byte(c)
				if got, want := hasTimestampHeader(b), ref(b); got != want {
					t.Fatalf("hasTimestampHeader(%q) = %v, want %v", b, got, want)
				}
			}
		}
		for n := range len(h) {
			if got, want := hasTimestampHeader([]byte(h[:n])), ref([]byte(h[:n])); got != want {
				t.Fatalf("hasTimestampHeader(%q) = %v, want %v", h[:n], got, want)
			}
		}
	}
}

// checkSafe fails when s could drive a terminal.
func checkSafe(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8 in %q", s)
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 || isBidiControl(r) {
			t.Fatalf("control rune %U in %q", r, s)
		}
	}
}

func FuzzCleanLine(f *testing.F) {
	for _, s := range []string{"", "\x1b[31mred\x1b[0m", "a\rb\r", "section_start:1:x\r\x1b[0Ky", "\x1b]8;;u\x1b\\l", "\xff\xfe", "travis_fold:end:x\r\x1b[0K"} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "traces", "ansi-sequence-and-unicode")); err == nil {
		for _, l := range bytes.Split(b, []byte("\n")) {
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := CleanLine(raw)
		checkSafe(t, got)
		if strings.ContainsRune(got, '\n') {
			t.Fatalf("newline in %q", got)
		}
	})
}

func BenchmarkCleanLine(b *testing.B) {
	line := []byte("section_end:1747221567:get_sources\r\x1b[0Ksection_start:1747221567:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m\x1b[0;m")
	var c cleaner
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.clean(line)
	}
}

// isPlain reads 8 bytes at a time: it must agree with the byte-by-byte
// definition for every byte value at every position of a word.
func TestIsPlain(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 16, 23} {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := bytes.Repeat([]byte{'a'}, n)
				b[pos] = byte(c)
				if got, want := isPlain(b), plainFrom(b, 0); got != want {
					t.Fatalf("isPlain(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}
