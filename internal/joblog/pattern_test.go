package joblog

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

func TestFirstBytes(t *testing.T) {
	tests := []struct {
		re       string
		want     string // the ASCII bytes a match may start with
		nullable bool
		high     bool // bytes 0x80 and above too
	}{
		{re: `abc`, want: "a"},
		{re: `(?i)abc`, want: "Aa"},
		{re: `(?i)k`, want: "Kk", high: true}, // the Kelvin sign folds to k
		{re: `(?i)s`, want: "Ss", high: true}, // the long s folds to s
		{re: `a|b|[xy]`, want: "abxy"},
		{re: `\s*\d+\)`, want: "\t\n\f\r 0123456789"},
		{re: `(\.\.?/)?[a-c]+\.go`, want: ".abc"},
		{re: `x{0,2}y`, want: "xy"},
		{re: `x{1,2}y`, want: "x"},
		{re: `\bword`, want: "w"},
		{re: `x*`, want: "x", nullable: true},
		{re: `(a|)`, want: "a", nullable: true},
		{re: `é`, want: "", high: true},
		{re: `.x`, want: allASCIIBut(""), high: true},
	}
	for _, tt := range tests {
		re, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		var set [256]bool
		nullable := firstBytes(re, &set)
		var got []byte
		high := false
		for b, ok := range set {
			switch {
			case ok && b < 0x80:
				got = append(got, byte(b))
			case ok:
				high = true
			}
		}
		if want := sortedBytes(tt.want); string(got) != want || nullable != tt.nullable || high != tt.high {
			t.Errorf("firstBytes(%q) = %q, nullable %v, high %v; want %q, %v, %v", tt.re, got, nullable, high, want, tt.nullable, tt.high)
		}
	}
}

// lineStartBytes knows where a line must start only when every
// alternative is anchored at the start and cannot match the empty string.
func TestLineStartBytes(t *testing.T) {
	tests := []struct {
		re   string
		want string // the ASCII bytes a matching line may start with; "-" for nil
	}{
		{re: `^abc|^(?i)x`, want: "Xax"},
		{re: `^(go|make)(\[\d+\])?: `, want: "gm"},
		{re: `^\s*FAIL`, want: "\t\n\f\r F"},
		{re: `^(\.\.?/)?[a-c]+\.go:\d+|^go: x`, want: ".abcg"},
		{re: `^abc|x`, want: "-"},
		{re: `abc`, want: "-"},
		{re: `^x*`, want: "-"},
		{re: `^(a|)b`, want: "ab"},
	}
	for _, tt := range tests {
		re, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got := "-"
		if set := lineStartBytes(re); set != nil {
			var b []byte
			for c, ok := range set {
				if ok && c < 0x80 {
					b = append(b, byte(c))
				}
			}
			got = string(b)
		}
		if want := tt.want; want != "-" {
			tt.want = sortedBytes(want)
		}
		if got != tt.want {
			t.Errorf("lineStartBytes(%q) = %q, want %q", tt.re, got, tt.want)
		}
	}
}

func TestEndBytes(t *testing.T) {
	tests := []struct {
		re   string
		ok   bool   // the expression can only match at the end
		want string // the ASCII bytes a match there may end with
		high bool   // bytes 0x80 and above too
	}{
		{re: `^\[warn\] .*\.(j|t)sx?$`, ok: true, want: "sx"},
		{re: `(?i)failed$`, ok: true, want: "Dd"},
		{re: `ok$|done$`, ok: true, want: "ke"},
		{re: `ok$|done`},
		{re: `x*$`},
		{re: `a(b|)$`, ok: true, want: "ab"},
		{re: `\d+:$`, ok: true, want: ":"},
		{re: `x\b$`, ok: true, want: "x"},
		{re: `é$`, ok: true, high: true},
		{re: `(?i)tasks?$`, ok: true, want: "SsKk", high: true},
		{re: `abc`},
	}
	for _, tt := range tests {
		re, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if re.Op == syntax.OpConcat && re.Sub[0].Op == syntax.OpBeginText {
			re = &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[1:]}
		}
		var set [256]bool
		ok := endBytes(re, &set)
		var got []byte
		high := false
		for b, in := range set {
			switch {
			case in && b < 0x80:
				got = append(got, byte(b))
			case in:
				high = true
			}
		}
		if ok != tt.ok || ok && (string(got) != sortedBytes(tt.want) || high != tt.high) {
			t.Errorf("endBytes(%q) = %v, %q, high %v; want %v, %q, %v", tt.re, ok, got, high, tt.ok, sortedBytes(tt.want), tt.high)
		}
	}
}

func allASCIIBut(s string) string {
	var b []byte
	for c := 0; c < 0x80; c++ {
		if !bytes.ContainsRune([]byte(s), rune(c)) {
			b = append(b, byte(c))
		}
	}
	return string(b)
}

func sortedBytes(s string) string {
	var seen [256]bool
	for i := 0; i < len(s); i++ {
		seen[s[i]] = true
	}
	var b []byte
	for c, ok := range seen {
		if ok {
			b = append(b, byte(c))
		}
	}
	return string(b)
}

// The first-byte test of a pattern's anchored part turns away only lines
// that the anchored expression does not match: every line of the test logs
// whatever the keywords, the examples, and the examples with their first
// byte changed.
func TestFirstByteFilterAgrees(t *testing.T) {
	rs, err := compiledRules()
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	for _, dir := range []string{"logs", "traces"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range bytes.Split(data, []byte("\n")) {
				lines = append(lines, []byte(CleanLine(l)))
			}
		}
	}
	for _, r := range rs {
		ex := []byte(CleanLine([]byte(r.Example)))
		lines = append(lines, ex, nil)
		for _, c := range []byte{' ', '\t', 'a', 'Z', '0', '.', '/', '[', 0xc3} {
			lines = append(lines, append([]byte{c}, ex...))
			if len(ex) > 0 {
				lines = append(lines, append([]byte{c}, ex[1:]...))
			}
		}
	}
	filters := 0
	for _, r := range rs {
		if r.Pattern == "" {
			continue
		}
		p, err := compilePattern(r.Pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.anchored {
			if a.first == nil {
				continue
			}
			filters++
			for _, l := range lines {
				if (len(l) == 0 || !a.first[l[0]]) && a.re.Match(l) {
					t.Errorf("rule %s: the first-byte test turns away %q, which %s matches", r.Name, l, a.re)
				}
			}
		}
	}
	if filters == 0 {
		t.Error("no rule has a first-byte test")
	}
}

// exprString prints an expression that parses back to the same tree as the
// standard printer's, for every rule's expression and a few others.
func TestExprString(t *testing.T) {
	exprs := []string{`(?i)a\S+b`, `(?i:a)[a-z]`, `[a-z](?i:a)`, `[^a-z]x`, `(?i)[^a-z]x`, `(?i)(foo|[bB]ar\d)`, `\bk[ks]\b`, `(?i)k[ks]`, `a[^\x00-\x{10FFFF}]`, `\pL+é`}
	for _, r := range rules {
		if r.Pattern != "" {
			exprs = append(exprs, r.Pattern)
		}
	}
	for _, e := range exprs {
		re, err := syntax.Parse(e, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		want := re.String()
		got := exprString(re)
		if re.String() != want {
			t.Fatalf("exprString(%q) changed the expression", e)
		}
		a, err := syntax.Parse(want, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		b, err := syntax.Parse(got, syntax.Perl)
		if err != nil {
			t.Fatalf("exprString(%q) = %q: %v", e, got, err)
		}
		if !sameMatch(a, b) {
			t.Errorf("exprString(%q) = %q, which parses to %v, not %v", e, got, b, a)
		}
	}
}

// sameMatch tells whether two parsed expressions match the same text: the
// same tree, ignoring the case-folding flag of character classes (which
// hold every case variant already).
func sameMatch(x, y *syntax.Regexp) bool {
	if x.Op != y.Op || len(x.Sub) != len(y.Sub) || !slices.Equal(x.Rune, y.Rune) || x.Min != y.Min || x.Max != y.Max ||
		x.Flags&syntax.NonGreedy != y.Flags&syntax.NonGreedy || x.Cap != y.Cap || x.Name != y.Name {
		return false
	}
	if x.Op == syntax.OpLiteral && x.Flags&syntax.FoldCase != y.Flags&syntax.FoldCase {
		return false
	}
	if x.Op == syntax.OpEndText && x.Flags&syntax.WasDollar != y.Flags&syntax.WasDollar {
		return false
	}
	for i := range x.Sub {
		if !sameMatch(x.Sub[i], y.Sub[i]) {
			return false
		}
	}
	return true
}

func TestLiteralStarts(t *testing.T) {
	tests := []struct {
		re   string
		want []string // nil: no set
	}{
		{re: `abc`, want: []string{"abc"}},
		{re: `(?i)\b(lint|linter|Ruff)\b.*x`, want: []string{"lint", "ruff"}},
		{re: `(?i)files? (were|was)`, want: []string{"file"}},
		{re: `(ab|cd)+x`, want: []string{"ab", "cd"}},
		{re: `[Xy]z`, want: []string{"xz", "yz"}},
		// Literals go on through the parts that match only literals.
		{re: ` (tests|runs), \d`, want: []string{" tests", " runs"}},
		{re: `(a|b)(c|d)e?f`, want: []string{"ac", "ad", "bc", "bd"}},
		{re: `[a-j][a-j]x`, want: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}}, // a class of many bytes is not followed
		{re: `ab\bcd`, want: []string{"ab"}},
		{re: `\d+ runs`, want: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
		{re: `a{2,}`, want: []string{"a"}},
		{re: `éa`},
		{re: `(?i)k`, want: []string{"k"}}, // exact on ASCII lines, the only ones tested
		{re: `\w+x`},                       // too many first bytes
		{re: `(ab)?c`},                     // may start with c or ab: not followed
		{re: `a|b*`},
		{re: `.x`},
		{re: `a{0,2}b`},
	}
	for _, tt := range tests {
		re, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := literalStarts(re)
		if tt.want == nil {
			if ok {
				t.Errorf("literalStarts(%q) = %q, want none", tt.re, got)
			}
			continue
		}
		if !ok || !slices.Equal(got, tt.want) {
			t.Errorf("literalStarts(%q) = %q, %v; want %q", tt.re, got, ok, tt.want)
		}
	}
}

// literalSet.index finds the first occurrence from every offset, as
// comparing every literal at every offset does: for sets whose literals
// share their first byte (a letter or not), for single literals (found by
// their rarest byte) and for others.
func TestLiteralSetIndex(t *testing.T) {
	sets := [][]string{
		{"lint", "[warn] ", "x"},
		{"not found"},
		{"no such file", "not found", "n"},
		{": "},
		{"ab", "b"},
		{"9", "7z"},
		{"in $path"}, // looked for by its '$'
		{"file not found"},
		{"compilation error", "compilation failed", "comp"}, // heads of 8 bytes, then the rest
	}
	lines := []string{"", "n", "N", "nOt FoUnD", "nnot found", "xNot found: 1", "a: b: c", "no such FILE: x",
		"AB ab Ab aB", "\u212aab", "[Warn] 97z 79", "golangci-lint: Lint", "::  :",
		"in $path in $PATH", "$path", "n $path", "IN $Path", "FILE NOT FOUND file not found", "ffile not founD",
		"Compilation errxr compilation Failed", "COMPILATION ERROR", "compilation erro", "compilatioN fail", "co"}
	data, err := os.ReadFile(filepath.Join("testdata", "traces", "sample_trace"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if i%7 == 0 {
			lines = append(lines, l)
		}
	}
	naive := func(lits []string, line string, i int) int {
		b := []byte(line)
		for k, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[k] = c + 'a' - 'A'
			}
		}
		low := string(b)
		for ; i < len(line); i++ {
			for _, l := range lits {
				if strings.HasPrefix(low[i:], l) {
					return i
				}
			}
		}
		return -1
	}
	for _, lits := range sets {
		ls := newLiteralSet(lits)
		for _, l := range lines {
			for i := 0; i <= len(l); i++ {
				if got, want := ls.index([]byte(l), i), naive(lits, l, i); got != want {
					t.Fatalf("set %q: index(%q, %d) = %d, want %d", lits, l, i, got, want)
				}
			}
		}
	}
}

// exactLiteral.in is bytes.Contains, case and all, wherever the byte it
// looks for is in the literal.
func TestExactLiteral(t *testing.T) {
	lits := []string{"Tests run: ", "to", "C", "✖ ", "fatal error: ", "<<< ", "-- Configuring incomplete", "a\x00b"}
	lines := []string{"", "t", "Tests run: 3", "tests run: 3", "Tests run:", "xTests run: Tests run: ", "totO", "oto", "c C",
		"✖", "✖ 2 problems", "\xe2\x9c", "fatal error:", "a.c:1: fatal error: x.h", "FATAL ERROR: ", "<<<", "<< <<< FAILURE",
		"-- Configuring incomplete, errors occurred!", "-- configuring incomplete", "a\x00b", "a\x00\x00b"}
	for _, lit := range lits {
		e := newExactLiteral(lit)
		for _, l := range lines {
			if got, want := e.in([]byte(l)), strings.Contains(l, lit); got != want {
				t.Errorf("%q (by byte %d) in %q = %v, want %v", lit, e.at, l, got, want)
			}
		}
	}
	if newExactLiteral("") != nil {
		t.Error("an empty prefix has a finder")
	}
}

func TestLiteralSet(t *testing.T) {
	ls := newLiteralSet([]string{"lint", "[warn] ", "x"})
	for _, tt := range []struct {
		line string
		in   bool
	}{
		{"golangci-LINT run", true},
		{"Lint: ok", true},
		{"[WARN] a.js", true},
		{"nothing here", false},
		{"li", false},
		{"", false},
		{"X", true},
	} {
		if got := ls.in([]byte(tt.line)); got != tt.in {
			t.Errorf("in(%q) = %v, want %v", tt.line, got, tt.in)
		}
	}
}

// A compiled pattern, with all its tests that turn lines away before the
// engine, matches exactly the lines its whole expression matches: on
// a sample of the lines of the test traces and logs, and every rule's
// example in several spellings (other case, Unicode case variants, a byte
// before it, its first byte dropped).
func TestPatternAgreesWithWhole(t *testing.T) {
	var lines [][]byte
	for _, dir := range []string{"logs", "traces"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range bytes.Split(data, []byte("\n")) {
				if dir == "traces" && i%16 == 0 || i%50 == 0 {
					lines = append(lines, []byte(CleanLine(l)))
				}
			}
		}
	}
	unicodeCase := strings.NewReplacer("k", "\u212a", "K", "\u212a", "s", "\u017f", "S", "\u017f")
	for _, r := range rules {
		for _, ex := range []string{CleanLine([]byte(r.Example)), strings.ToUpper(r.Example), strings.ToLower(r.Example), unicodeCase.Replace(r.Example)} {
			lines = append(lines, []byte(ex), nil)
			for _, c := range []string{" ", "Z", "é"} {
				lines = append(lines, []byte(c+ex))
				if len(ex) > 0 {
					lines = append(lines, []byte(c+ex[1:]))
				}
			}
			// The end-byte test: another last byte, one more byte.
			if len(ex) > 0 {
				lines = append(lines, []byte(ex[:len(ex)-1]+"x"), []byte(ex+"."))
			}
		}
	}
	for _, r := range rules {
		if r.Pattern == "" {
			continue
		}
		t.Run(r.Name, func(t *testing.T) {
			t.Parallel()
			p, err := compilePattern(r.Pattern)
			if err != nil {
				t.Fatal(err)
			}
			whole := regexp.MustCompile(r.Pattern)
			for _, l := range lines {
				if got, want := p.Match(l), whole.Match(l); got != want {
					t.Errorf("rule %s on %q: compiled %v, whole %v", r.Name, l, got, want)
				}
			}
		})
	}
}

func TestRequiredSets(t *testing.T) {
	tests := []struct {
		re   string
		want [][]string
	}{
		{re: `(?i)\b(lint|ruff)\b.*\b(error|fail)`, want: [][]string{{"lint", "ruff"}, {"error", "fail"}}},
		{re: `examples?, [1-9]\d* failures?`, want: [][]string{{"example"}, {" failure"}}},
		{re: `\d+ runs, \d+ assertions, [1-9]\d* failures`, want: [][]string{{" runs, "}, {" assertions, "}, {" failures"}}},
		{re: `a.*bcd.*efg.*hij.*klm`, want: [][]string{{"bcd"}, {"efg"}, {"hij"}}},
		{re: `\S+ ok`, want: [][]string{{" ok"}}},
		// A need goes on through the parts that match only literals.
		{re: `^\s*\S+\.(j|t)sx?:\d+`, want: [][]string{{".js", ".ts"}}},
		{re: `\d+ (tests|runs), .* [1-9]\d* errors`, want: [][]string{{" tests", " runs"}, {" errors"}}},
		// Not past a part whose literals are only its starts ("e" for
		// "Error", "Exception", "Exit").
		{re: `[A-Z]\w*(Error|Exception|Exit|Interrupt): `},
		{re: `(Error|Exception|Exit)x: `, want: [][]string{{"x: "}}},
		{re: `x+`},
		{re: `(ab)?cd`},
	}
	for _, tt := range tests {
		re, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for _, ls := range requiredSets(re) {
			got = append(got, ls.lits)
		}
		if !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("requiredSets(%q) = %q, want %q", tt.re, got, tt.want)
		}
	}
}

// FuzzPattern checks that the compiled patterns agree with the whole
// expressions on any line.
func FuzzPattern(f *testing.F) {
	for _, r := range rules {
		f.Add([]byte(r.Example))
	}
	f.Add([]byte("golangci-lint: \u212a error"))
	type pair struct {
		p     *pattern
		whole *regexp.Regexp
		name  string
	}
	var pairs []pair
	for _, r := range rules {
		if r.Pattern == "" {
			continue
		}
		p, err := compilePattern(r.Pattern)
		if err != nil {
			f.Fatal(err)
		}
		pairs = append(pairs, pair{p, regexp.MustCompile(r.Pattern), r.Name})
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, x := range pairs {
			if got, want := x.p.Match(line), x.whole.Match(line); got != want {
				t.Errorf("rule %s on %q: compiled %v, whole %v", x.name, line, got, want)
			}
		}
	})
}

// Alternatives without a literal prefix are tried only where their start
// literals are (after a word-boundary test, or at the start of a run of
// class bytes before them), and match exactly the lines the whole
// expression matches.
func TestStartTest(t *testing.T) {
	patterns := []string{
		`(?i)\bSC\d{4}\b`,
		`\Bfoo\d`,
		`\d+ runs, \d+ assertions`,
		`\b[a-z_]*_test\.go:\d+`,
		`x*ab`,
		`(?i)(ab|cd)+ef`,
		`[ab]+ab`,
		`(?i)x+ab`,
		`\b\.go\d`,
		`(?i)\d+ (tests|runs), .* [1-9]\d* errors`,
	}
	lines := []string{"", "SC2086", "sc2086x", "xSC2086", "a sc2086 b", "(SC1234)", "SC123", "SC12345",
		"foo1", "xfoo1", "x foo1", "_foo9", "5 runs, 3 assertions", "15 runs, 3 assertions", "a15 runs, 3 assertions",
		" runs, 3 assertions", "x1 runs, 2 runs, 3 assertions", "pkg/a_test.go:12", "a_test.go:1", "Xa_test.go:1",
		"_test.go:", "1_test.go:2", "ab", "xxab", "xab x", "a b", "ABEF", "cdabEF", "abcdx ef", "aab", "bab", "ab",
		"Ran 12 tests, 0 failures, 3 errors", "12 RUNS, x 1 errors", "x12 runs, 0 errors", "1 tests, 2 errors 3 errors",
		"XXab", "xXab", "Xab", "a.go1", " .go1", ".go1", "_.go2"}
	for _, src := range patterns {
		re, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		p, err := compilePattern(src)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.starts) == 0 || p.starts[0] == nil {
			t.Errorf("%s (%s): no start test", src, re)
			continue
		}
		whole := regexp.MustCompile(src)
		for _, l := range lines {
			for _, c := range []string{"", " ", "a", "1"} {
				line := []byte(c + l)
				if got, want := p.Match(line), whole.Match(line); got != want {
					t.Errorf("%s on %q: compiled %v, whole %v", src, line, got, want)
				}
			}
		}
	}
}

// allASCII finds a byte past ASCII wherever it is, in the words it reads
// eight at a time and in the bytes after them.
func TestAllASCII(t *testing.T) {
	if !allASCII(nil) || !allASCII([]byte("plain text of a line, long enough")) {
		t.Error("ASCII text is not ASCII")
	}
	for n := 1; n <= 20; n++ {
		for i := range n {
			b := []byte(strings.Repeat("x", n))
			b[i] = 0x80
			if allASCII(b) {
				t.Errorf("%q is ASCII", b)
			}
		}
	}
}
