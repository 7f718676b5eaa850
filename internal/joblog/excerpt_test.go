package joblog

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExcerptsCoverLabelledChunk checks, on real logs, that the excerpts
// show the whole failure chunk that LogChunks labelled by hand
// (fixtures/logchunks/labels.jsonl), and which block holds it.
func TestExcerptsCoverLabelledChunk(t *testing.T) {
	tests := []struct {
		file       string
		start, end int    // the labelled chunk
		block      int    // the excerpt that must hold it, 0-based
		rule       string // that excerpt's rule
		why        string
	}{
		{"Lua-cmusatyalab-openface-204083712.log", 375, 483, 0, "python.import-error",
			"unittest failure sections separated by blank and ruler lines make one block"},
		{"Haskell-jgm-pandoc-483377953.log", 1109, 1112, 0, "generic.warnings-as-errors",
			"the located warning before \"Failing due to -Werror.\" is the cause"},
		{"JavaScript-airbnb-javascript-563272067.log", 340, 355, 0, "generic.tap",
			"a TAP \"not ok\" line is not hidden by the words \"no errors\" in its name"},
		{"Rust-jwilm-alacritty-564267025.log", 1618, 1640, 0, "rust.compile",
			"a compiler error keeps its notes and source lines"},
		// Node.js prints where a syntax error is, then a blank line, then
		// the error. (LogChunks labels electron's from the error on.)
		{"HTML-google-web-starter-kit-348091008.log", 1907, 1921, 0, "js.syntax-error",
			"the file:line, source and caret lines above a blank line and the error belong to it"},
		{"C-electron-electron-303144317.log", 536, 550, 0, "js.error",
			"the file:line, source and caret lines above a blank line and the error belong to it"},
		// A tool reports a failure, then sums it up right before the job
		// fails: the first report comes first.
		{"Java-ReactiveX-RxJava-564360351.log", 309, 315, 0, "java.surefire",
			"a failed test comes before Gradle's \"tests completed, 1 failed\" near the end"},
		{"CoffeeScript-postcss-autoprefixer-460085832.log", 479, 499, 0, "js.jest-failed",
			"Jest's FAIL and its assertion come before its \"Tests: 1 failed\" summary"},
		{"C-php-php-src-531216112.log", 2863, 2865, 0, "php.run-tests",
			"PHP's run-tests.php reports a failed .phpt test after its diff"},
		{"TypeScript-angular-angular-502325280.log", 2440, 2449, 0, "tool.error-message",
			"the failing command's error, whose block runs past the failure line, comes before a permission error of an earlier command"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "logs", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := Analyze(f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Excerpts) <= tc.block {
				t.Fatalf("%d excerpts; want the chunk in excerpt %d (%s)", len(res.Excerpts), tc.block, tc.why)
			}
			e := res.Excerpts[tc.block]
			if e.StartLine > tc.start || e.EndLine < tc.end || e.Rule != tc.rule {
				t.Errorf("excerpt %d is lines %d-%d (%s); want it to cover %d-%d (%s): %s",
					tc.block, e.StartLine, e.EndLine, e.Rule, tc.start, tc.end, tc.rule, tc.why)
			}
			if len(e.Lines) != e.EndLine-e.StartLine+1 {
				t.Errorf("%d lines for %d-%d", len(e.Lines), e.StartLine, e.EndLine)
			}
		})
	}
}

// A stack trace deeper than one block stays one excerpt, and a later block
// far weaker than the first is left out.
func TestDeepTraceIsOneExcerpt(t *testing.T) {
	var b strings.Builder
	b.WriteString("$ ./run-tests\n")
	b.WriteString("==16456==ERROR: AddressSanitizer: SEGV on unknown address 0x000001d548d0 (pc 0x000000455084 bp 0x000000000000 sp 0x7ffc1654d3f0 T0)\n")
	for i := 0; i < 80; i++ {
		b.WriteString("    #" + itoa(i) + " 0x455083 in frame" + itoa(i) + " /src/nvim/eval.c:" + itoa(100+i) + ":3\n")
	}
	b.WriteString("SUMMARY: AddressSanitizer: SEGV /src/nvim/eval.c:100:3 in frame0\n")
	b.WriteString("\nall done\nERROR: Job failed: exit code 1\n")
	res, err := Analyze(strings.NewReader(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Excerpts) == 0 {
		t.Fatal("no excerpts")
	}
	e := res.Excerpts[0]
	if e.StartLine > 2 || e.EndLine < 83 || e.Rule != "c.sanitizer" {
		t.Errorf("first excerpt %d-%d (%s); want the whole report, lines 2-83", e.StartLine, e.EndLine, e.Rule)
	}
	if len(e.Highlight) == 0 || e.Highlight[0] != 2 {
		t.Errorf("highlight %v; want the report's first line first", e.Highlight)
	}
}

// Node.js prints a syntax error's place (file:line, the source line, a
// caret line), a blank line, then the error: the block starts at the
// place. A blank line with no caret line above it still ends the context.
func TestSyntaxErrorPlaceAboveBlank(t *testing.T) {
	for _, tc := range []struct {
		log   string
		start int
	}{
		{"/home/x/app.js:4\nasync function f() {\n      ^^^^^^^^\n\nSyntaxError: Unexpected token function\n    at createScript (vm.js:56:10)\n", 12},
		{"console.log(`x`, );\n                 ^\n\nSyntaxError: Unexpected token )\n    at createScript (vm.js:56:10)\n", 12},
		{"/home/x/app.js:4\n\nSyntaxError: Unexpected token function\n    at createScript (vm.js:56:10)\n", 14},
	} {
		log := "$ node build.js\n" + strings.Repeat("building a part of the site\n", 10) + tc.log +
			strings.Repeat("removing a temporary file\n", 15) + "ERROR: Job failed: exit code 1\n"
		res, err := Analyze(strings.NewReader(log), Options{})
		if err != nil {
			t.Fatal(err)
		}
		start := 0
		for _, e := range res.Excerpts {
			if e.Rule == "js.syntax-error" {
				start = e.StartLine
			}
		}
		if start != tc.start {
			t.Errorf("excerpts %+v of %q; want the syntax error's to start at line %d", res.Excerpts, log, tc.start)
		}
	}
}

// RSpec lists pending examples, numbered like failures, before the
// failures: on a real run's end, the first excerpt starts at "Failures:",
// and no line of the pending list is highlighted.
func TestRSpecPendingIsNotAFailure(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "logs", "Ruby-discourse-discourse-566356317-end.log"))
	if err != nil {
		t.Fatal(err)
	}
	failures := 0
	for i, l := range strings.Split(string(data), "\n") {
		if strings.TrimSuffix(l, "\r") == "Failures:" {
			failures = i + 1
		}
	}
	res, err := Analyze(strings.NewReader(string(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Excerpts) == 0 || res.Excerpts[0].StartLine != failures || res.Excerpts[0].Rule != "ruby.rspec" {
		t.Fatalf("excerpts %+v; want the first to start at line %d, \"Failures:\"", res.Excerpts, failures)
	}
	for _, e := range res.Excerpts {
		for _, h := range e.Highlight {
			if h < failures {
				t.Errorf("line %d of the pending list is highlighted", h)
			}
		}
	}
}

// prove reports a failed test, then goes on listing the tests that pass,
// each line starting with '[' as many continuation lines do: the block
// ends with the failure, not a hundred lines later.
func TestPassReportsEndBlock(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "logs", "C-git-git-565956904-prove.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Analyze(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Excerpts) == 0 {
		t.Fatal("no excerpts")
	}
	// Line 28: "… t9502-gitweb-standalone-parse-output.sh …… Dubious, test
	// returned 1", line 29: "Failed 1/13 subtests", then "… ok" lines.
	if e := res.Excerpts[0]; e.StartLine > 28 || e.EndLine < 29 || e.EndLine > 31 || e.Rule != "generic.tap" {
		t.Errorf("first excerpt %d-%d (%s); want lines 28-29 and at most two more (generic.tap)", e.StartLine, e.EndLine, e.Rule)
	}
}

func TestIsPassReport(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"[12:46:04] t9001-send-email.sh ...................... ok    58609 ms ( 0.47 usr )", true},
		{"test_parse (tests.test_cli.CLITest) ... ok", true},
		{"test config::tests::defaults ... ok", true},
		{"t0000-basic.sh ....... OK", true},
		{"Checking links... passed", true},
		{"Running 3 tests... ok", true},
		{"Loading... okay, 3 found", false},
		{"test_parse (tests.test_cli.CLITest) ... FAIL", false},
		{"[12:45:05] t9502-gitweb.sh ...... Dubious, test returned 1 (wstat 256, 0x100)", false},
		{"    at Object.<anonymous> (ok.js:1:2)", false},
		{"... and 3 more ... ok", true},
		{"...", false},
		{"x .. ok", false},           // two dots are no leader
		{"    test_x ... ok", false}, // indented: not searched
	} {
		if got := isPassReport([]byte(tc.line)); got != tc.want {
			t.Errorf("isPassReport(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// keep holds at most maxBlocks blocks besides the lead-up: past that it
// drops the weakest, the later of equals, never the lead-up. The blocks
// kept are those a sort by the same order keeps.
func TestKeepDropsTheWeakest(t *testing.T) {
	a := &analyzer{weakest: -1}
	lead := &block{leadUp: true, start: 5} // scores 0: it would go first
	var all []*block
	for i := range 3 * maxBlocks {
		if i == 10 {
			a.blocks = append(a.blocks, lead)
		}
		b := &block{start: 100 + i, maxW: (i * 7) % 5, hits: 1 + i%3, post: i%11 == 0}
		all = append(all, b)
		a.keep(b)
		if len(a.blocks) > maxBlocks+1 {
			t.Fatalf("%d blocks kept", len(a.blocks))
		}
	}
	if !slices.Contains(a.blocks, lead) {
		t.Fatal("the lead-up block was dropped")
	}
	want := slices.Clone(all)
	slices.SortStableFunc(want, func(x, y *block) int {
		switch {
		case weaker(x, y):
			return 1
		case weaker(y, x):
			return -1
		}
		return 0
	})
	want = want[:maxBlocks]
	for _, b := range a.blocks {
		if b != lead && !slices.Contains(want, b) {
			t.Errorf("block at %d (score %d) kept, one of the %d strongest is not", b.start, b.prov, maxBlocks)
		}
	}
}
