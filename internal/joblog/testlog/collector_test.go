package testlog_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

var _ joblog.LineSink = (*testlog.Collector)(nil)

// cleanLine turns a raw log line into what GitLab's viewer shows: the
// trailing '\r' dropped, a '\r' redraw resolved to its last text, ANSI
// escapes and other control bytes removed. The joblog package does this for
// real; the tests need only enough of it to read the fixtures.
func cleanLine(raw []byte) []byte {
	raw = bytes.TrimSuffix(raw, []byte("\r"))
	if i := bytes.LastIndexByte(raw, '\r'); i >= 0 {
		raw = raw[i+1:]
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		if b == 0x1b && i+1 < len(raw) {
			switch raw[i+1] {
			case '[':
				j := i + 2
				for j < len(raw) && (raw[j] < 0x40 || raw[j] > 0x7e) {
					j++
				}
				i = j
				continue
			case '(', ')':
				i += 2
				continue
			}
			i++
			continue
		}
		if b < 0x20 && b != '\t' {
			continue
		}
		out = append(out, b)
	}
	return out
}

// feed sends a log file through a collector the way joblog does: one
// cleaned line at a time, with 1-based line numbers.
func feed(t testing.TB, c *testlog.Collector, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	for i, raw := range bytes.Split(data, []byte("\n")) {
		text := cleanLine(raw)
		c.Line(i+1, text)
		for j := range text { // the sink must not keep text
			text[j] = 'X'
		}
	}
}

func collect(t testing.TB, name string, lim testlog.Limits) []testlog.Block {
	t.Helper()
	c := testlog.NewCollector(lim)
	feed(t, c, name)
	return c.Blocks()
}

func render(blocks []testlog.Block) []byte {
	var b bytes.Buffer
	for _, bl := range blocks {
		fmt.Fprintf(&b, "== %s %q L%d-L%d", bl.Framework, bl.Test, bl.StartLine, bl.EndLine)
		if bl.Location != "" {
			fmt.Fprintf(&b, " at %q", bl.Location)
		}
		fmt.Fprintf(&b, " highlight=%v", bl.Highlight)
		if bl.Omitted > 0 {
			fmt.Fprintf(&b, " omitted=%d@%d", bl.Omitted, bl.OmittedAt)
		}
		b.WriteByte('\n')
		for i, l := range bl.Lines {
			if bl.Omitted > 0 && i == bl.OmittedAt {
				fmt.Fprintf(&b, "   | … %d lines …\n", bl.Omitted)
			}
			fmt.Fprintf(&b, "   | %s\n", l)
		}
	}
	return b.Bytes()
}

func assertGolden(t *testing.T, got []byte, name string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with: go test ./internal/joblog/testlog -update)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s mismatch (go test ./internal/joblog/testlog -update to accept)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

type wantBlock struct {
	fw, test   string
	start, end int
	highlight  []int
}

func TestCollectorRealLogs(t *testing.T) {
	tests := []struct {
		file string
		want []wantBlock
	}{
		{"pytest-sklearn.log", []wantBlock{
			{testlog.Pytest, "test_unsorted_indices", 6, 95, []int{88, 95}},
			{testlog.Pytest, "test_show_versions_with_blas", 96, 113, []int{106, 113}},
		}},
		{"go-ethereum.log", []wantBlock{
			{testlog.Go, "TestBoundedForkedSync64Fast", 17, 18, []int{18}},
		}},
		{"go-synthetic-gitlab.log", []wantBlock{
			{testlog.Go, "TestParseHeader", 20, 21, []int{21}},
			{testlog.Go, "TestParseBody/empty", 22, 23, []int{23}},
		}},
		{"go-testify-lantern.log", nil},
		{"jest-autoprefixer.log", []wantBlock{
			{testlog.Jest, "prevents doubling prefixes", 5, 182, []int{7, 9, 60, 176}},
		}},
		{"surefire-retrofit-errors.log", []wantBlock{
			{testlog.Maven, "raw(retrofit2.KotlinSuspendRawTest)", 8, 47, []int{9}},
			{testlog.Maven, "bodyNullable(retrofit2.KotlinSuspendTest)", 121, 132, []int{122, 125}},
		}},
		{"surefire-retrofit-failure.log", []wantBlock{
			{testlog.Maven, "nullErrorThrows(retrofit2.ResponseTest)", 6, 36, []int{7}},
		}},
		{"surefire-retrofit-summary.log", []wantBlock{
			{testlog.Maven, "raw(retrofit2.KotlinSuspendRawTest)", 6, 6, []int{6}},
			{testlog.Maven, "bodyNullable(retrofit2.KotlinSuspendTest)", 7, 7, []int{7}},
		}},
		{"rspec-discourse.log", []wantBlock{
			{testlog.RSpec, "DistributedMutex allows only one mutex object to have the lock at a time", 19, 26, []int{20, 22, 23}},
			{testlog.RSpec, "DistributedMutex allows only one mutex object to have the lock at a time", 33, 33, []int{33}},
		}},
		{"phpunit-composer.log", nil},
		{"cargo-alacritty.log", nil},
		{"nose-openface.log", nil},
		// Mocha before 4 prints the full title on the "N) " line.
		{"mocha-vscode.log", []wantBlock{
			{testlog.Mocha, "commands namespace tests editorCommand with extra args", 21, 38, []int{22}},
			{testlog.Mocha, "editor tests insert snippet", 40, 57, []int{41}},
			{testlog.Mocha, "editor tests insert snippet with replacement, editor selection", 59, 76, []int{60}},
			{testlog.Mocha, "editor tests insert snippet with replacement, selection as argument", 78, 95, []int{79}},
			{testlog.Mocha, "editor tests make edit", 97, 114, []int{98}},
			{testlog.Mocha, "editor tests issue #6281: Edits fail to validate ranges correctly before applying", 116, 133, []int{117}},
		}},
		// Mocha 4 and later print one title a line.
		{"mocha-spec.log", []wantBlock{
			{testlog.Mocha, "runs at the top level", 31, 32, []int{32}},
			{testlog.Mocha, "Array #indexOf() should return -1 when the value is not present", 37, 48, []int{41}},
			{testlog.Mocha, "Array #includes() issue #42: handles NaN: with a colon", 50, 54, []int{54}},
			{testlog.Mocha, `Database "before each" hook for "does x"`, 77, 81, []int{79}},
			{testlog.Mocha, `Cache "before all" hook for "stores a value"`, 83, 87, []int{85}},
			{testlog.Mocha, "Config files: loads:", 89, 99, []int{92}},
			{testlog.Mocha, "Parser rejects [", 101, 106, []int{103}},
			{testlog.Mocha, "Parser rejects {", 108, 113, []int{110}},
			{testlog.Mocha, `Parser rejects "`, 115, 120, []int{117}},
			{testlog.Mocha, "Parser rejects nul", 122, 127, []int{124}},
			{testlog.Mocha, "Parser rejects tru", 129, 134, []int{131}},
		}},
		{"mocha-dot.log", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			blocks := collect(t, tt.file, testlog.Limits{})
			if tt.want != nil {
				if len(blocks) != len(tt.want) {
					t.Fatalf("got %d blocks, want %d:\n%s", len(blocks), len(tt.want), render(blocks))
				}
				for i, w := range tt.want {
					b := blocks[i]
					if b.Framework != w.fw || b.Test != w.test || b.StartLine != w.start || b.EndLine != w.end {
						t.Errorf("block %d = %s %q L%d-L%d, want %s %q L%d-L%d", i, b.Framework, b.Test, b.StartLine, b.EndLine, w.fw, w.test, w.start, w.end)
					}
					if w.highlight != nil && !reflect.DeepEqual(b.Highlight, w.highlight) {
						t.Errorf("block %d highlight = %v, want %v", i, b.Highlight, w.highlight)
					}
				}
			}
			for _, b := range blocks {
				checkBlock(t, b)
			}
			assertGolden(t, render(blocks), strings.TrimSuffix(tt.file, ".log"))
		})
	}
}

// checkBlock asserts the invariants every block keeps.
func checkBlock(t *testing.T, b testlog.Block) {
	t.Helper()
	if b.StartLine < 1 || b.EndLine < b.StartLine {
		t.Errorf("%q: bad range L%d-L%d", b.Test, b.StartLine, b.EndLine)
	}
	if got := len(b.Lines) + b.Omitted; got != b.EndLine-b.StartLine+1 {
		t.Errorf("%q: %d lines + %d omitted for range L%d-L%d", b.Test, len(b.Lines), b.Omitted, b.StartLine, b.EndLine)
	}
	if strings.TrimSpace(b.Lines[len(b.Lines)-1]) == "" {
		t.Errorf("%q: ends with a blank line", b.Test)
	}
	for _, h := range b.Highlight {
		if h < b.StartLine || h > b.EndLine {
			t.Errorf("%q: highlight %d outside L%d-L%d", b.Test, h, b.StartLine, b.EndLine)
		}
	}
}

func TestCollectorNames(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"go-testify-lantern.log", []string{"go TestParallelPreferChained", "go TestChainedThenFronted"}},
		{"phpunit-composer.log", []string{`phpunit Composer\Test\InstallerTest::testIntegration with data set "solver-problems.test"`}},
		{"cargo-alacritty.log", []string{"cargo csi_rep", "cargo grid_reset", "cargo indexed_256_colors", "cargo issue_855",
			"cargo ll", "cargo history", "cargo tab_rendering", "cargo zsh_tab_completion", "cargo zerowidth"}},
		{"nose-openface.log", []string{
			"unittest tests.openface_batch_represent_tests.test_batch_represent",
			"unittest tests.openface_demo_tests.test_compare_demo",
			"unittest tests.openface_demo_tests.test_classification_demo_pretrained",
			"unittest tests.openface_demo_tests.test_classification_demo_pretrained_multi",
			"unittest tests.openface_demo_tests.test_classification_demo_training",
			"unittest tests.openface_neural_net_training_tests.test_dnn_training",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var got []string
			for _, b := range collect(t, tt.file, testlog.Limits{}) {
				got = append(got, b.Framework+" "+b.Test)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestCollectorMochaJUnitNames checks that the spec and dot reporters'
// failure lists name each block as mocha-junit-reporter names the test in
// a report of the same run: the suite and test titles joined with spaces.
func TestCollectorMochaJUnitNames(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "mocha-junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, tc := range report.Cases {
		if tc.Failure != nil {
			want = append(want, tc.Name)
		}
	}
	sort.Strings(want)
	if len(want) != 11 {
		t.Fatalf("%d failing test cases in the report, want 11", len(want))
	}
	for _, file := range []string{"mocha-spec.log", "mocha-dot.log"} {
		t.Run(file, func(t *testing.T) {
			var got []string
			for _, b := range collect(t, file, testlog.Limits{}) {
				if b.Framework != testlog.Mocha {
					t.Errorf("block %q is %s", b.Test, b.Framework)
				}
				got = append(got, b.Test)
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("block names\n%q\nwant the report's names\n%q", got, want)
			}
		})
	}
}

// lines feeds literal lines, numbered from 1.
func lines(c *testlog.Collector, text string) {
	for i, l := range strings.Split(text, "\n") {
		c.Line(i+1, []byte(l))
	}
}

func TestCollectorFormats(t *testing.T) {
	tests := []struct {
		name string
		log  string
		want []wantBlock
	}{
		{"go verbose starts at RUN", "=== RUN   TestA\n    a_test.go:3: boom\n--- FAIL: TestA (0.00s)\nFAIL\n", []wantBlock{
			{testlog.Go, "TestA", 1, 3, []int{2}},
		}},
		{"go subtests", "--- FAIL: TestP (0.00s)\n    --- FAIL: TestP/sub_one (0.00s)\n        p_test.go:9: got 1\nFAIL", []wantBlock{
			{testlog.Go, "TestP", 1, 1, []int{1}},
			{testlog.Go, "TestP/sub_one", 2, 3, []int{3}},
		}},
		{"go panic", "--- FAIL: TestX (0.00s)\npanic: runtime error: index out of range [recovered]\n\n\tpanic: boom\n\ngoroutine 7 [running]:\nmain.f()\n\t/x/x.go:3 +0x1d\nFAIL\tpkg\t0.01s", []wantBlock{
			{testlog.Go, "TestX", 1, 8, []int{2, 4}},
		}},
		{"pytest verbose and summary", "tests/test_a.py::TestK::test_b[1-2] FAILED   [ 50%]\n=== short test summary info ===\nFAILED tests/test_a.py::TestK::test_b[1-2] - ConnectionRefusedError: [Errno 111]", []wantBlock{
			{testlog.Pytest, "TestK.test_b[1-2]", 1, 1, []int{1}},
			{testlog.Pytest, "TestK.test_b[1-2]", 3, 3, []int{3}},
		}},
		{"pytest verbose: the node id, then FAILED or ERROR", "tests/a.py::t_ok PASSED   [ 25%]\ntests/a.py::t_err ERROR\ntests/a.py::t_x FAILEDX\ntests/a.py::t_tab\tFAILED  [ 75%]\nrun tests/a.py::t_late FAILED\ntests/a.py::t_last FAILED", []wantBlock{
			{testlog.Pytest, "t_err", 2, 2, []int{2}},
			{testlog.Pytest, "t_last", 6, 6, []int{6}},
		}},
		{"pytest setup error", "______ ERROR at setup of test_db ______\n\n    def f():\nE   ConnectionRefusedError: [Errno 111] Connection refused\n\ntests/conftest.py:12: ConnectionRefusedError\n=== 1 error in 0.1s ===", []wantBlock{
			{testlog.Pytest, "test_db", 1, 6, []int{4, 6}},
		}},
		{"unittest", "======================================================================\nERROR: test_x (pkg.tests.TestK)\n----------------------------------------------------------------------\nTraceback (most recent call last):\n  File \"x.py\", line 3, in test_x\nValueError: bad\n\n----------------------------------------------------------------------\nRan 3 tests in 0.1s", []wantBlock{
			{testlog.Unittest, "pkg.tests.TestK.test_x", 2, 6, []int{6}},
		}},
		{"unittest 3.11 names", "======================================================================\nFAIL: test_x (pkg.tests.TestK.test_x)\n----------------------------------------------------------------------\nAssertionError: 1 != 2", []wantBlock{
			{testlog.Unittest, "pkg.tests.TestK.test_x", 2, 4, []int{4}},
		}},
		{"pip error is not unittest", "ERROR: Could not find a version that satisfies the requirement foo", nil},
		{"jest one-liner", "  ✕ adds numbers (12 ms)\n  ✓ subtracts (1 ms)", []wantBlock{
			{testlog.Jest, "adds numbers", 1, 1, []int{1}},
		}},
		{"surefire 3", "[ERROR] Tests run: 2, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.05 s <<< FAILURE! - in com.acme.CalcTest\n[ERROR] com.acme.CalcTest.adds  Time elapsed: 0.01 s  <<< FAILURE!\norg.opentest4j.AssertionFailedError: expected: <3> but was: <4>\n\tat com.acme.CalcTest.adds(CalcTest.java:12)\n\n[INFO] Results:\n[ERROR] Failures: \n[ERROR]   CalcTest.adds:12 expected: <3> but was: <4>\n[INFO]", []wantBlock{
			{testlog.Maven, "com.acme.CalcTest.adds", 2, 4, []int{3}},
			{testlog.Maven, "CalcTest.adds", 8, 8, []int{8}},
		}},
		// The list header as a line of its own, however it is indented
		// (a no-break space is white space too).
		{"surefire list after spaces", "\u00a0 [ERROR] Errors: \t\n[ERROR]   CalcTest.adds:12 expected: <3> but was: <4>\n[INFO]", []wantBlock{
			{testlog.Maven, "CalcTest.adds", 2, 2, []int{2}},
		}},
		{"surefire list header needs the whole line", "[ERROR] Failures: see above\n[ERROR]   CalcTest.adds:12 expected: <3> but was: <4>\n[INFO]", nil},
		{"gradle", "CalcTest > adds() FAILED\n    org.opentest4j.AssertionFailedError at CalcTest.kt:12\n\n3 tests completed, 1 failed", []wantBlock{
			{testlog.Gradle, "CalcTest > adds()", 1, 2, []int{2}},
		}},
		{"mocha", "  3 passing (20ms)\n  1 failing\n\n  1) Array\n       #indexOf():\n     AssertionError: expected -1 to equal 2\n      at Context.<anonymous> (test/a.js:5:14)\n", []wantBlock{
			{testlog.Mocha, "Array #indexOf()", 4, 7, []int{6}},
		}},
		{"mocha hook on one line", "  1 failing\n\n  1) Suite \"before each\" hook for \"does x\":\n     Error: boom\n      at Context.<anonymous> (test/a.js:3:11)", []wantBlock{
			{testlog.Mocha, `Suite "before each" hook for "does x"`, 3, 5, []int{4}},
		}},
		{"mocha hook on title lines", "  1 failing\n\n  1) Suite\n       nested\n         \"after each\" hook for \"does x\":\n     Error: boom", []wantBlock{
			{testlog.Mocha, `Suite nested "after each" hook for "does x"`, 3, 6, []int{6}},
		}},
		{"mocha colons inside the title", "  1 failing\n\n  1) Parser\n       issue #7: rejects a: b:\n     SyntaxError: Unexpected token", []wantBlock{
			{testlog.Mocha, "Parser issue #7: rejects a: b", 3, 5, []int{5}},
		}},
		{"mocha error name indented as a title", "  1 failing\n\n  1) Suite\n       does x:\n         TypeError: boom\n          at f (a.js:1:1)", []wantBlock{
			{testlog.Mocha, "Suite does x", 3, 6, []int{5}},
		}},
		{"mocha title line that looks like an error", "  1 failing\n\n  1) Parser\n       TypeError handling\n         throws:\n     AssertionError: x", []wantBlock{
			{testlog.Mocha, "Parser TypeError handling throws", 3, 6, []int{6}},
		}},
		{"mocha title ends at a blank line", "  1 failing\n\n  1) A\n       b:\n          \n            c\n     Error: x", []wantBlock{
			{testlog.Mocha, "A b", 3, 7, []int{7}},
		}},
		{"mocha second run's spec list", "  1 passing (5ms)\n  1 failing\n\n  1) A\n       fails:\n     Error: x\n\n  B\n    1) fails too\n    ✓ passes\n\n  1 passing (2ms)\n  1 failing\n\n  1) B\n       fails too:\n     Error: y", []wantBlock{
			{testlog.Mocha, "A fails", 4, 8, []int{6}},
			{testlog.Mocha, "B fails too", 15, 17, []int{17}},
		}},
		{"nextest", "        PASS [   0.004s] fixture-project::basic test_cwd\n        FAIL [   0.004s] fixture-project::basic test_failure_assert\n--- STDOUT:              fixture-project::basic test_failure_assert ---\nthread 'test_failure_assert' panicked at src/lib.rs:9:5:\nassertion `left == right` failed\n\n        FAIL [   0.005s] fixture-project::basic test_failure_error", []wantBlock{
			{testlog.Nextest, "fixture-project::basic test_failure_assert", 2, 2, []int{2}},
			{testlog.Nextest, "fixture-project::basic test_failure_assert", 3, 5, []int{4, 5}},
			{testlog.Nextest, "fixture-project::basic test_failure_error", 7, 7, []int{7}},
		}},
		{"dotnet", "  Passed Ns.CalcTests.Subtracts [1 ms]\n  Failed Ns.CalcTests.Adds(a: 1, b: 2) [12 ms]\n  Error Message:\n   Assert.Equal() Failure\n  Stack Trace:\n     at Ns.CalcTests.Adds() in /src/CalcTests.cs:line 12\n\nFailed!  - Failed: 1, Passed: 1", []wantBlock{
			{testlog.Dotnet, "Ns.CalcTests.Adds(a: 1, b: 2)", 2, 6, []int{4}},
		}},
		{"maven goal failure is not dotnet", "Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:2.12.4:test (default-test) [x]", nil},
		{"phpunit errors", "There were 2 errors:\n\n1) App\\Tests\\DbTest::testConnect\nPDOException: SQLSTATE[HY000] [2002] Connection refused\n\n/app/tests/DbTest.php:12\n\n2) App\\Tests\\DbTest::testQuery\nPDOException: SQLSTATE[HY000] [2002] Connection refused\n\nERRORS!", []wantBlock{
			{testlog.PHPUnit, `App\Tests\DbTest::testConnect`, 3, 6, []int{4}},
			{testlog.PHPUnit, `App\Tests\DbTest::testQuery`, 8, 9, []int{9}},
		}},
		{"rspec pending is not a failure", "Pending: (Failures listed here are expected)\n\n  1) Foo is pending\n     # No reason given\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &testlog.Collector{}
			lines(c, tt.log)
			blocks := c.Blocks()
			if len(blocks) != len(tt.want) {
				t.Fatalf("got %d blocks, want %d:\n%s", len(blocks), len(tt.want), render(blocks))
			}
			for i, w := range tt.want {
				b := blocks[i]
				if b.Framework != w.fw || b.Test != w.test || b.StartLine != w.start || b.EndLine != w.end || !reflect.DeepEqual(b.Highlight, w.highlight) {
					t.Errorf("block %d = %s %q L%d-L%d %v, want %s %q L%d-L%d %v", i, b.Framework, b.Test, b.StartLine, b.EndLine, b.Highlight, w.fw, w.test, w.start, w.end, w.highlight)
				}
				checkBlock(t, b)
			}
		})
	}
}

// TestCollectorMochaTitleGap checks that lines the log reader left out end
// a Mocha title, as blank lines do.
func TestCollectorMochaTitleGap(t *testing.T) {
	c := &testlog.Collector{}
	c.Line(1, []byte("  1 failing"))
	c.Line(3, []byte("  1) A"))
	c.Line(4, []byte("       b:"))
	c.Line(9, []byte("           c"))
	blocks := c.Blocks()
	if len(blocks) != 1 || blocks[0].Test != "A b" {
		t.Fatalf("got\n%s", render(blocks))
	}
	checkBlock(t, blocks[0])
}

func TestCollectorLimits(t *testing.T) {
	c := testlog.NewCollector(testlog.Limits{MaxBlocks: 3, MaxLines: 9, MaxLineBytes: 16, MaxHighlights: 2})
	n := 0
	emit := func(s string) { n++; c.Line(n, []byte(s)) }
	for i := 0; i < 5; i++ {
		emit(fmt.Sprintf("--- FAIL: TestLong%d (0.00s)", i))
		for j := 0; j < 30; j++ {
			emit(fmt.Sprintf("    x_test.go:%d: a very long message that is cut", j+1))
		}
	}
	blocks := c.Blocks()
	if len(blocks) != 3 || c.Dropped() != 2 {
		t.Fatalf("got %d blocks, %d dropped; want 3 and 2", len(blocks), c.Dropped())
	}
	b := blocks[0]
	if b.StartLine != 1 || b.EndLine != 31 || len(b.Lines) != 9 || b.Omitted != 22 || b.OmittedAt != 3 {
		t.Errorf("block = L%d-L%d, %d lines, %d omitted at %d", b.StartLine, b.EndLine, len(b.Lines), b.Omitted, b.OmittedAt)
	}
	if len(b.Highlight) != 2 {
		t.Errorf("highlight = %v, want 2 lines", b.Highlight)
	}
	for _, l := range b.Lines {
		if len(l) > 16+len("…") {
			t.Errorf("line %q longer than the cap", l)
		}
	}
	if got, ok := b.LineAt(31); !ok || got != b.Lines[8] {
		t.Errorf("LineAt(31) = %q, %v", got, ok)
	}
	if _, ok := b.LineAt(10); ok {
		t.Errorf("LineAt(10) found an omitted line")
	}
	if got, ok := b.LineAt(2); !ok || got != b.Lines[1] {
		t.Errorf("LineAt(2) = %q, %v", got, ok)
	}
}

func TestCollectorBadInput(t *testing.T) {
	inputs := []string{
		"", "\x00\xff\xfe", "--- FAIL: ", "____", "___ ___", "FAILED ", "● ", "rspec  # ", "1) ", "Failures:\n  1) ",
		"There were 2 failures:\n1) ::", "---- ", "---- stdout ----", "Failed  [", "Failed tests:", "Failed tests: :", "<<< FAILURE!",
		"=== RUN ", "=== RUN   TestA\n--- FAIL: TestA", "FAIL [", "--- STDOUT:", "[xUnit.net ] [FAIL]", "[xUnit.net [FAIL]", " > FAILED",
	}
	for _, in := range inputs {
		c := &testlog.Collector{}
		lines(c, in)
		for _, b := range c.Blocks() {
			checkBlock(t, b)
		}
	}
	// Line numbers with gaps still give consistent blocks.
	c := &testlog.Collector{}
	c.Line(5, []byte("--- FAIL: TestGap (0.00s)"))
	c.Line(9, []byte("    gap_test.go:1: x"))
	c.Line(500, []byte("    gap_test.go:2: y"))
	for _, b := range c.Blocks() {
		checkBlock(t, b)
	}
}

func FuzzCollector(f *testing.F) {
	for _, name := range []string{"pytest-sklearn.log", "go-synthetic-gitlab.log", "surefire-retrofit-failure.log", "phpunit-composer.log", "mocha-spec.log"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := testlog.NewCollector(testlog.Limits{MaxBlocks: 20, MaxLines: 12})
		for i, l := range bytes.Split(data, []byte("\n")) {
			c.Line(i+1, cleanLine(l))
		}
		for _, b := range c.Blocks() {
			checkBlock(t, b)
		}
	})
}

func BenchmarkCollector(b *testing.B) {
	var all [][]byte
	for _, name := range []string{"pytest-sklearn.log", "jest-autoprefixer.log", "surefire-retrofit-errors.log", "cargo-alacritty.log", "go-testify-lantern.log"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range bytes.Split(data, []byte("\n")) {
			all = append(all, cleanLine(l))
		}
	}
	var size int64
	for _, l := range all {
		size += int64(len(l)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		c := &testlog.Collector{}
		for i, l := range all {
			c.Line(i+1, l)
		}
		_ = c.Blocks()
	}
}

// plainSink hides the Collector's ChunkSink methods: every line reaches it
// through Line, and is copied.
type plainSink struct{ c *testlog.Collector }

func (p plainSink) Line(n int, text []byte) { p.c.Line(n, text) }

// smallReads returns data in reads of 1 to 200 bytes: the lines the
// Collector borrows from a read are overwritten by the next ones unless it
// copies them when asked (OwnLines).
type smallReads struct {
	data []byte
	n    uint
}

func (r *smallReads) Read(b []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	r.n = r.n*7 + 13
	k := min(len(b), len(r.data), 1+int(r.n%200))
	copy(b, r.data[:k])
	r.data = r.data[k:]
	return k, nil
}

// The Collector, as a joblog.ChunkSink, borrows the recent lines of Go's
// verbose output from the log reader: the blocks are the same as when it
// copies every line, whatever the size of the reads.
func TestCollectorBorrowsLines(t *testing.T) {
	var b bytes.Buffer
	for i := range 300 {
		fmt.Fprintf(&b, "=== RUN   TestCase%d\n", i)
		for j := range i % 5 {
			fmt.Fprintf(&b, "    case_test.go:%d: step %d of case %d\n", 10+j, j, i)
		}
		if i%7 == 3 {
			fmt.Fprintf(&b, "    case_test.go:40: got %d, want %d\n--- FAIL: TestCase%d (0.01s)\n", i, i+1, i)
		} else {
			fmt.Fprintf(&b, "--- PASS: TestCase%d (0.00s)\n", i)
		}
	}
	b.WriteString("FAIL\nFAIL\texample.com/cases\t1.234s\n")
	d := b.Bytes()
	run := func(r io.Reader, borrow bool) []testlog.Block {
		c := testlog.NewCollector(testlog.DefaultLimits)
		var sink joblog.LineSink = c
		if !borrow {
			sink = plainSink{c}
		}
		if _, err := joblog.Analyze(r, joblog.Options{Sinks: []joblog.LineSink{sink}}); err != nil {
			t.Fatal(err)
		}
		return c.Blocks()
	}
	want := run(bytes.NewReader(d), false)
	if len(want) != 43 || !strings.Contains(strings.Join(want[0].Lines, "\n"), "=== RUN   TestCase3") {
		t.Fatalf("%d blocks, the first %+v", len(want), want[0])
	}
	for _, r := range []io.Reader{bytes.NewReader(d), &smallReads{data: d}} {
		if got := run(r, true); !reflect.DeepEqual(got, want) {
			t.Errorf("the blocks differ when the Collector borrows lines (%T)", r)
		}
	}
	if got := run(&smallReads{data: d}, false); !reflect.DeepEqual(got, want) {
		t.Errorf("the blocks differ when the log is read in pieces")
	}
}
