package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ascii unchanged", "FAIL: TestParse (0.01s)", "FAIL: TestParse (0.01s)"},
		{"unicode kept", "✓ 测试 ünïcode 🎉", "✓ 测试 ünïcode 🎉"},
		{"emoji with zero width joiner kept", "👩\u200d💻", "👩\u200d💻"},
		{"CSI colour", "\x1b[31mred\x1b[0m", "^[[31mred^[[0m"},
		{"CSI cursor moves and clear", "\x1b[2J\x1b[H\x1b[5A", "^[[2J^[[H^[[5A"},
		{"OSC 0 title with BEL", "\x1b]0;title\x07", "^[]0;title^G"},
		{"OSC 52 clipboard", "\x1b]52;c;ZXZpbA==\x1b\\", "^[]52;c;ZXZpbA==^[\\"},
		{"OSC 8 link", "\x1b]8;;https://e.x/\x1b\\t\x1b]8;;\x1b\\", "^[]8;;https://e.x/^[\\t^[]8;;^[\\"},
		{"C1 CSI", "\u009b2J", "<U+009B>2J"},
		{"C1 OSC and ST", "\u009d0;t\u009c", "<U+009D>0;t<U+009C>"},
		{"NEL", "a\u0085b", "a<U+0085>b"},
		{"bidi override", "\u202egnp.exe", "<U+202E>gnp.exe"},
		{"bidi isolates and marks", "\u2066a\u2069\u200e\u200f\u061c", "<U+2066>a<U+2069><U+200E><U+200F><U+061C>"},
		{"line and paragraph separators", "a\u2028b\u2029c", "a<U+2028>b<U+2029>c"},
		{"zero width space and BOM", "a\u200bb\ufeff", "a<U+200B>b<U+FEFF>"},
		{"tag characters", "x\U000E0041", "x<U+E0041>"},
		{"NUL, BS, DEL", "\x00\b\x7f", "^@^H^?"},
		{"CR and LF are visible", "a\r\nb", "a^M^Jb"},
		{"tab expands to stop 4", "a\tb\t\tc", "a   b       c"},
		{"tab at start", "\tat com.Foo", "    at com.Foo"},
		{"invalid utf-8", "a\xffb\xc0", "a\uFFFDb\uFFFD"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\nb", "a b"},
		{"  a \r\n\t b  ", "a b"},
		{"x\x1b[1m", "x^[[1m"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain words", "connection refused", "connection refused"},
		{"mention", "@all look", `\@all look`},
		{"issue, merge request, label, milestone", "#123 !45 ~bug %v1", `\#123 \!45 \~bug \%v1`},
		{"snippet, epic", "$7 &8", `\$7 \&8`},
		{"html", "</details><b>", `\</details\>\<b\>`},
		{"link", "[x](javascript:alert(1))", `\[x\]\(javascript:alert\(1\)\)`},
		{"image", "![i](u)", `\!\[i\]\(u\)`},
		{"code span", "`code`", "\\`code\\`"},
		{"emphasis", "*a* _b_", `\*a\* \_b\_`},
		{"table pipe", "a | b", `a \| b`},
		{"entity", "&amp;", `\&amp;`},
		{"backslash", `a\b`, `a\\b`},
		{"leading heading", "# title", `\# title`},
		{"leading list", "- item", `\- item`},
		{"leading quick action", "/close", `\/close`},
		{"leading block quote", "> q", `\> q`},
		{"leading ordered list", "12. x", `12\. x`},
		{"leading ordered list paren", "3) x", `3\) x`},
		{"dots elsewhere kept", "py3.4 a.b", "py3.4 a.b"},
		{"newlines folded", "a\n/close\n# h", "a /close \\# h"},
		{"controls made visible", "\x1b[1m", `\^\[\[1m`},
		{"controls made visible inside", "a\x1b[1m", `a^\[\[1m`},
		{"bidi made visible", "\u202e", `\<U+202E\>`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EscapeMarkdown(tt.in); got != tt.want {
				t.Errorf("EscapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCodeSpanAndFence(t *testing.T) {
	spans := []struct{ in, want string }{
		{"name", "`name`"},
		{"a`b", "``a`b``"},
		{"``x", "``` ``x ```"},
		{"x`", "`` x` ``"},
		{"@all\n#1", "`@all #1`"},
		{"", ""},
	}
	for _, tt := range spans {
		if got := codeSpan(tt.in); got != tt.want {
			t.Errorf("codeSpan(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	fences := []struct {
		in   []string
		want string
	}{
		{[]string{"plain"}, "```"},
		{[]string{"```", "x"}, "````"},
		{[]string{"a ````` b"}, "``````"},
		{nil, "```"},
	}
	for _, tt := range fences {
		if got := fence(tt.in); got != tt.want {
			t.Errorf("fence(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://gitlab.com/g/p/-/jobs/1#L2", true},
		{"http://localhost:8080/x", true},
		{"javascript:alert(1)", false},
		{"data:text/html,x", false},
		{"//evil.example/x", false},
		{"https://x/\x1b]8;;", false},
		{"https://x/a b", false},
		{"https://x/ü", false},
		{"https:///nohost", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, ok := safeURL(tt.in); ok != tt.ok {
			t.Errorf("safeURL(%q) ok = %v, want %v", tt.in, ok, tt.ok)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, ""}, {-3, ""}, {0.2, "1s"}, {45, "45s"}, {372, "6m12s"}, {3725, "1h02m05s"}, {842.4, "14m02s"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.in); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || isHiddenRune(r) {
				t.Fatalf("Sanitize(%q) kept %U", s, r)
			}
		}
		if isPlainASCII(s) && out != s {
			t.Fatalf("plain ASCII %q changed to %q", s, out)
		}
	})
}

func FuzzEscapeMarkdown(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := EscapeMarkdown(s)
		if strings.ContainsAny(out, "\n\r") {
			t.Fatalf("EscapeMarkdown(%q) spans lines", s)
		}
		var r recorder
		checkInline(&r, 1, out)
		if len(r.errs) > 0 {
			t.Fatalf("EscapeMarkdown(%q) = %q: %v", s, out, r.errs)
		}
	})
}
