package junit

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	gojunit "github.com/joshdk/go-junit"
)

// errSyntax in a table asks for an *xml.SyntaxError.
var errSyntax = errors.New("syntax error")

type xmlSyntaxError = xml.SyntaxError

func parseString(t *testing.T, s string, opts Options) (*Report, error) {
	t.Helper()
	rep, err := Parse(strings.NewReader(s), opts)
	if rep == nil {
		t.Fatal("nil report")
	}
	return rep, err
}

func TestInputHygiene(t *testing.T) {
	utf16le := func(s string) string {
		var b bytes.Buffer
		b.Write([]byte{0xFF, 0xFE})
		for _, u := range utf16.Encode([]rune(s)) {
			b.WriteByte(byte(u))
			b.WriteByte(byte(u >> 8))
		}
		return b.String()
	}
	tests := []struct {
		name, in      string
		message, body string
	}{
		{"plain", `<testsuite name="s"><testcase classname="c" name="t"><failure message="m">b</failure></testcase></testsuite>`, "m", "b"},
		{"utf-8 BOM", "\xEF\xBB\xBF" + `<?xml version="1.0" encoding="utf-8"?><testsuite name="s"><testcase classname="c" name="t"><failure message="é">b</failure></testcase></testsuite>`, "é", "b"},
		{"raw ANSI escapes", "<testsuite name=\"s\"><testcase classname=\"c\" name=\"t\"><failure message=\"\x1b[31mred\x1b[0m\">\x1b[1mb\x00</failure></testcase></testsuite>", "\uFFFD[31mred\uFFFD[0m", "\uFFFD[1mb\uFFFD"},
		{"escaped control characters", `<testsuite name="s"><testcase classname="c" name="t"><failure message="&#27;[31m&#x1B;">&#0;b&#x1f;&#65;</failure></testcase></testsuite>`, "\uFFFD[31m\uFFFD", "\uFFFDb\uFFFDA"},
		{"invalid UTF-8", "<testsuite name=\"s\"><testcase classname=\"c\" name=\"t\"><failure message=\"a\xffb\">\xc3</failure></testcase></testsuite>", "a\uFFFDb", "\uFFFD"},
		{"latin-1 declared", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><testsuite name=\"s\"><testcase classname=\"c\" name=\"t\"><failure message=\"caf\xe9\">\xb5s</failure></testcase></testsuite>", "café", "µs"},
		{"windows-1252 declared", "<?xml version='1.0' encoding='windows-1252'?><testsuite name=\"s\"><testcase classname=\"c\" name=\"t\"><failure message=\"\x93q\x94\">\x80</failure></testcase></testsuite>", "“q”", "€"},
		{"utf-16 with BOM", utf16le(`<?xml version="1.0" encoding="UTF-16"?><testsuite name="s"><testcase classname="c" name="t"><failure message="ü">😀</failure></testcase></testsuite>`), "ü", "😀"},
		{"html entities and bare ampersand", `<testsuite name="s"><testcase classname="c" name="t"><failure message="a&nbsp;b &amp; c">x & y &copy;</failure></testcase></testsuite>`, "a\u00a0b & c", "x & y ©"},
		{"CDATA and CRLF", "<testsuite name=\"s\"><testcase classname=\"c\" name=\"t\"><failure message=\"m\">a\r\nb<![CDATA[<c>&amp;]]></failure></testcase></testsuite>", "m", "a\nb<c>&amp;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := parseString(t, tt.in, Options{})
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if rep.Totals.Failed != 1 || len(rep.Suites) != 1 || len(rep.Suites[0].Tests) != 1 {
				t.Fatalf("totals %+v", rep.Totals)
			}
			tc := rep.Suites[0].Tests[0]
			e := tc.Error.(gojunit.Error)
			if tc.Message != tt.message || e.Body != tt.body {
				t.Errorf("message, body = %q, %q; want %q, %q", tc.Message, e.Body, tt.message, tt.body)
			}
		})
	}
}

func TestStructure(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opts    Options
		suites  []string // top-level suite names
		totals  gojunit.Totals
		flaky   int
		wantErr error
		warn    string
	}{
		{name: "several roots and declarations",
			in:     `<?xml version="1.0"?><testsuite name="a"><testcase name="x"/></testsuite><?xml version="1.0"?><testsuite name="b"><testcase name="y"><error/></testcase></testsuite>`,
			suites: []string{"a", "b"}, totals: gojunit.Totals{Tests: 2, Passed: 1, Error: 1}},
		{name: "test cases directly under testsuites",
			in:     `<testsuites name="all"><testcase name="x"><failure/></testcase><testsuite name="s"><testcase name="y"/></testsuite></testsuites>`,
			suites: []string{"all", "s"}, totals: gojunit.Totals{Tests: 2, Passed: 1, Failed: 1}},
		{name: "test case at the root is ignored",
			in:     `<testsuite name="s"/><testcase name="x"><failure/></testcase>`,
			suites: []string{"s"}, warn: "1 <testcase> elements outside"},
		{name: "suites under an unknown root",
			in:     `<report><testsuite name="s"><testcase name="x"/></testsuite></report>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 1, Passed: 1}, warn: "root element <report>"},
		{name: "nested testsuites",
			in:     `<testsuites><testsuites><testsuite name="s"><testcase name="x"/></testsuite></testsuites></testsuites>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 1, Passed: 1}, warn: "nested"},
		{name: "test cases under testsuites inside a testsuite",
			in:     `<testsuite name="s"><testsuites><testcase name="x"><failure/></testcase></testsuites></testsuite>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 1, Failed: 1}},
		{name: "not junit", in: `<html><body>502 Bad Gateway</body></html>`, wantErr: ErrNotJUnit},
		{name: "json error body", in: `{"message":"404 Not Found"}`, wantErr: ErrNotJUnit},
		{name: "empty", in: ``, wantErr: ErrNotJUnit},
		{name: "truncated keeps what was read",
			in:     `<testsuites><testsuite name="s"><testcase name="x"><failure message="boom">trace</failure></testcase><testcase name="y"><fail`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 2, Passed: 1, Failed: 1}, wantErr: errSyntax},
		{name: "truncated between elements",
			in:     `<testsuites><testsuite name="s"><testcase name="x"><failure/></testcase>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 1, Failed: 1}, wantErr: ErrTruncated},
		{name: "mismatched end tags are tolerated",
			in:     `<testsuite name="s"><testcase name="x"><failure><b>bold</failure></testcase><testcase name="y"/></testsuite>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 2, Passed: 1, Failed: 1}},
		{name: "status precedence ignores document order",
			in:     `<testsuite name="s"><testcase name="a"><error/><failure/></testcase><testcase name="b"><skipped/><error/></testcase><testcase name="c"><skipped/></testcase></testsuite>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 3, Failed: 1, Error: 1, Skipped: 1}},
		{name: "fail then pass is flaky",
			in:     `<testsuite name="s"><testcase classname="c" name="a" time="1"><failure/></testcase><testcase classname="c" name="a" time="2"/></testsuite>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 1, Passed: 1, Duration: 3 * time.Second}, flaky: 1},
		{name: "fail then fail is one failed test",
			in:     `<testsuite name="s"><testcase classname="c" name="a"><failure/></testcase><testcase classname="c" name="a"><error/></testcase></testsuite>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 1, Failed: 1}},
		{name: "pass then fail stays failed",
			in:     `<testsuite name="s"><testcase classname="c" name="a"/><testcase classname="c" name="a"><failure/></testcase></testsuite>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 2, Passed: 1, Failed: 1}},
		{name: "same name in another file is another test",
			in:     `<testsuite name="s"><testcase classname="c" name="a" file="x.py"><failure/></testcase><testcase classname="c" name="a" file="y.py"/></testsuite>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 2, Passed: 1, Failed: 1}},
		{name: "flaky across suites (gradle without mergeReruns)",
			in:     `<testsuite name="run1"><testcase classname="c" name="a"><failure/></testcase></testsuite><testsuite name="run2"><testcase classname="c" name="a"/></testsuite>`,
			suites: []string{"run1", "run2"}, totals: gojunit.Totals{Tests: 1, Passed: 1}, flaky: 1},
		{name: "file larger than the limit",
			in:     `<testsuite name="s"><testcase name="a"><failure/></testcase><testcase name="b"><failure/></testcase></testsuite>`,
			opts:   Options{MaxFileBytes: 60},
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 1, Failed: 1}, wantErr: ErrTooLarge},
		{name: "file exactly at the limit",
			in:     `<testsuite name="s"><testcase name="a"/></testsuite>`,
			opts:   Options{MaxFileBytes: 52},
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 1, Passed: 1}},
		{name: "lenient time",
			in:     `<testsuite name="s"><testcase name="a" time="1,234.5"/><testcase name="b" time="0,250"/><testcase name="c" time="1.5s"/><testcase name="d" time="-3"/><testcase name="e" time="NaN"/><testcase name="f" time="junk"/></testsuite>`,
			suites: []string{"s"}, totals: gojunit.Totals{Tests: 6, Passed: 6, Duration: 1236250 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := parseString(t, tt.in, tt.opts)
			switch {
			case tt.wantErr == errSyntax:
				var se *xmlSyntaxError
				if err == nil || !errors.As(err, &se) {
					t.Errorf("error = %v, want a syntax error", err)
				}
			case tt.wantErr == nil && err != nil, tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			var names []string
			for _, s := range rep.Suites {
				names = append(names, s.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.suites, ",") {
				t.Errorf("suites = %q, want %q", names, tt.suites)
			}
			if rep.Totals != tt.totals || rep.Flaky != tt.flaky {
				t.Errorf("totals = %+v flaky %d, want %+v flaky %d", rep.Totals, rep.Flaky, tt.totals, tt.flaky)
			}
			if tt.warn != "" && !strings.Contains(strings.Join(rep.Warnings, "\n"), tt.warn) {
				t.Errorf("warnings = %q, want one with %q", rep.Warnings, tt.warn)
			}
		})
	}
}

func TestKeepOptions(t *testing.T) {
	const in = `<testsuite name="s"><testcase name="p"/><testcase name="s"><skipped message="later"/></testcase><testcase name="f"><failure/></testcase></testsuite>`
	tests := []struct {
		opts Options
		kept string
	}{
		{Options{}, "f"},
		{Options{KeepSkipped: true}, "s,f"},
		{Options{KeepPassing: true}, "p,f"},
		{Options{KeepPassing: true, KeepSkipped: true}, "p,s,f"},
	}
	for _, tt := range tests {
		rep, err := parseString(t, in, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range rep.Cases() {
			names = append(names, c.Test.Name)
		}
		if got := strings.Join(names, ","); got != tt.kept {
			t.Errorf("%+v: kept %s, want %s", tt.opts, got, tt.kept)
		}
		if rep.Totals.Tests != 3 || rep.Suites[0].Totals.Tests != 3 {
			t.Errorf("%+v: totals %+v", tt.opts, rep.Totals)
		}
	}
}

func TestBodyCap(t *testing.T) {
	body := "HEAD" + strings.Repeat("x", 10000) + "TAIL"
	in := `<testsuite name="s"><testcase name="t"><failure>` + body + `</failure><system-out>` + body + `</system-out></testcase></testsuite>`
	rep, err := parseString(t, in, Options{MaxBodyBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	tc := rep.Suites[0].Tests[0]
	got := tc.Error.(gojunit.Error).Body
	if !strings.HasPrefix(got, "HEADxxx") || !strings.HasSuffix(got, "xxxTAIL") || !strings.Contains(got, "[… 9908 bytes omitted …]") {
		t.Errorf("body = %q", got)
	}
	if len(got) > 200 {
		t.Errorf("body is %d bytes", len(got))
	}
	if tc.Properties[KeyTruncated] != "body,system-out" {
		t.Errorf("truncated = %q", tc.Properties[KeyTruncated])
	}
	rep, _ = parseString(t, in, Options{MaxBodyBytes: -1})
	if got := rep.Suites[0].Tests[0].Error.(gojunit.Error).Body; got != body {
		t.Errorf("uncapped body has %d bytes, want %d", len(got), len(body))
	}
}

func TestCapBuf(t *testing.T) {
	tests := []struct {
		max    int
		chunks []string
		want   string
	}{
		{10, []string{"abc"}, "abc"},
		{10, []string{"abcde", "fghij"}, "abcdefghij"},
		{10, []string{"abcdefghijk"}, "abcde\n[… 1 bytes omitted …]\nghijk"},
		{10, []string{"ab", "cd", "ef", "gh", "ij", "kl", "mn"}, "abcde\n[… 4 bytes omitted …]\njklmn"},
		{4, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, "ab\n[… 6 bytes omitted …]\nij"},
		{0, []string{"abc", "def"}, "abcdef"},
	}
	for _, tt := range tests {
		var c capBuf
		c.reset(tt.max)
		for _, s := range tt.chunks {
			c.writeString(s)
		}
		if got := c.String(); got != tt.want {
			t.Errorf("max %d %q: got %q, want %q", tt.max, tt.chunks, got, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"0.012", 12 * time.Millisecond}, {" 3 ", 3 * time.Second}, {"1,234.5", 1234500 * time.Millisecond},
		{"0,250", 250 * time.Millisecond}, {"1,234,567", 1234567 * time.Second}, {"1.5s", 1500 * time.Millisecond},
		{"250ms", 250 * time.Millisecond}, {"-1", 0}, {"NaN", 0}, {"Inf", 0}, {"1e12", 0}, {"abc", 0}, {"0.0000001", 100},
	}
	for _, tt := range tests {
		if got := parseDuration(tt.in); got != tt.want {
			t.Errorf("parseDuration(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func gzipMembers(t testing.TB, members ...[2]string) []byte {
	var buf bytes.Buffer
	for _, m := range members {
		zw := gzip.NewWriter(&buf)
		zw.Name = m[0]
		if _, err := zw.Write([]byte(m[1])); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestGzip(t *testing.T) {
	a := [2]string{"a.xml", `<testsuite name="a"><testcase name="x"><failure/></testcase></testsuite>`}
	b := [2]string{"b.xml", `<testsuite name="b"><testcase name="y"/></testsuite>`}
	bad := [2]string{"bad.xml", `<testsuite name="c"><testcase name="z"><failure/></testcase>`}
	t.Run("members", func(t *testing.T) {
		rep, err := Parse(bytes.NewReader(gzipMembers(t, a, b)), Options{})
		if err != nil || len(rep.Files) != 2 || rep.Files[1].Name != "b.xml" || rep.Totals.Tests != 2 {
			t.Fatalf("err %v files %+v totals %+v", err, rep.Files, rep.Totals)
		}
	})
	t.Run("a bad member does not hide the others", func(t *testing.T) {
		rep, err := Parse(bytes.NewReader(gzipMembers(t, a, bad, b)), Options{})
		if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "bad.xml") {
			t.Errorf("error = %v", err)
		}
		if rep.Totals.Tests != 3 || rep.Totals.Failed != 2 {
			t.Errorf("totals = %+v", rep.Totals)
		}
	})
	t.Run("cut gzip stream", func(t *testing.T) {
		data := gzipMembers(t, a, b)
		rep, err := Parse(bytes.NewReader(data[:len(data)-10]), Options{})
		if err == nil {
			t.Error("no error")
		}
		if rep.Totals.Failed != 1 {
			t.Errorf("totals = %+v", rep.Totals)
		}
	})
	t.Run("limit applies per member", func(t *testing.T) {
		rep, err := Parse(bytes.NewReader(gzipMembers(t, a, b)), Options{MaxFileBytes: int64(len(a[1]))})
		if err != nil || rep.Totals.Tests != 2 {
			t.Errorf("err %v totals %+v", err, rep.Totals)
		}
	})
}

func TestIngestFileMissing(t *testing.T) {
	rep, err := IngestFile("testdata/does-not-exist.xml", Options{})
	if err == nil || rep == nil || !strings.Contains(err.Error(), "opening junit report") {
		t.Errorf("rep %v err %v", rep, err)
	}
}

func TestPytestLineIsShifted(t *testing.T) {
	rep, err := IngestFile("testdata/pytest/junit.gloo.elastic.xml", Options{KeepSkipped: true})
	if err != nil {
		t.Fatal(err)
	}
	tc := rep.Cases()[0].Test
	if tc.Properties["line"] != "29" || Info(*tc).Line != 30 {
		t.Errorf("line attribute %q, Info.Line %d; want 29 and 30", tc.Properties["line"], Info(*tc).Line)
	}
}

func TestResultText(t *testing.T) {
	const in = `<testsuite name="s"><testcase classname="c" name="t">
<properties><property name="owner" value="team-a"/></properties>
<failure message="first" type="E1">one</failure><failure message="second">two</failure>
<system-out>out</system-out><system-err>err</system-err></testcase></testsuite>`
	rep, err := parseString(t, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tc := rep.Suites[0].Tests[0]
	want := gojunit.Error{Message: "first", Type: "E1", Body: "one\n\ntwo"}
	if tc.Error != want || tc.SystemOut != "out" || tc.SystemErr != "err" || tc.Properties[PropertyPrefix+"owner"] != "team-a" {
		t.Errorf("got %#v out %q err %q props %v", tc.Error, tc.SystemOut, tc.SystemErr, tc.Properties)
	}
}
