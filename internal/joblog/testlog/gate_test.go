package testlog

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// collect runs a Collector over the lines of log, with or without mayOpen.
func collect(log []byte, gate bool) []Block {
	defer func(g bool) { gateLines = g }(gateLines)
	gateLines = gate
	c := NewCollector(DefaultLimits)
	for i, l := range bytes.Split(log, []byte("\n")) {
		c.Line(i+1, bytes.TrimSuffix(l, []byte("\r")))
	}
	return c.Blocks()
}

// checkGate fails t when mayOpen changes the blocks found in log.
func checkGate(t *testing.T, log []byte) {
	t.Helper()
	if with, without := collect(log, true), collect(log, false); !reflect.DeepEqual(with, without) {
		t.Fatalf("the line gate changes the blocks of %.80q…:\n%+v\n%+v", log, with, without)
	}
}

// Turning away lines by their ends finds the same blocks as reading every
// line, on every log of testdata and on each kind of line that opens one.
func TestLineGate(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no logs: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkGate(t, b)
	}
	for _, s := range gateSeeds {
		checkGate(t, []byte(s))
	}
}

var gateSeeds = []string{
	"Failures:\n\n  1) User validates\n     Failure/Error: x\n",
	"failures:\n\n---- tests::a stdout ----\npanicked\n\nfailures:\n    tests::a\n\ntest result: FAILED",
	"There were 2 failures:\n\n1) A::testB\nFailed asserting\n/x.php:3\n",
	"  3 passing (20ms)\n  1 failing\n\n  1) Array\n       #indexOf():\n     AssertionError: expected -1 to equal 2\n",
	"Failed tests:   nullErrorThrows(retrofit2.ResponseTest): (..)\n",
	"Tests in error:\n  x(a.B)\n",
	"\u00a0 [ERROR] Errors: \t\n[ERROR]   CalcTest.adds:12 expected\n[INFO]",
	"\v[ERROR] Failures:\n[ERROR]   CalcTest.adds:12 expected\n[INFO]",
	"=== RUN   TestA\n    a_test.go:3: boom\n--- FAIL: TestA (0.00s)\nFAIL\n",
	"______ ERROR at setup of test_db ______\n\nE   boom\n",
	"======================================================================\nERROR: test_x (pkg.tests.TestK)\n----\nTraceback\n",
	"FAILED tests/test_a.py::TestK::test_b - boom\nERROR tests/test_a.py::t - x",
	"  ● suite › case\n\n    expect(x)\n  ✕ adds numbers (12 ms)\n  ✖ other",
	"rspec ./spec/a_spec.rb:3 # A does b",
	"--- STDOUT:              pkg::tests::a ---\nboom\n",
	"[xUnit.net 00:00:01.23]     Acme.Tests.Calc.Adds [FAIL]\n",
	"[ERROR] com.acme.CalcTest.adds  Time elapsed: 0.01 s  <<< FAILURE!\norg.opentest4j.AssertionFailedError: x\n",
	"CalcTest > adds() FAILED\n    org.opentest4j.AssertionFailedError at CalcTest.kt:12\n",
	"        FAIL [   0.003s] pkg::tests::a\n  SIGSEGV [   0.003s] pkg::tests::b\n",
	"  Failed Acme.Tests.Calc.Adds [12 ms]\n  Error Message:\n   boom\n",
	"tests/test_a.py::TestK::test_b[1-2] FAILED   [ 50%]\n",
	"LEAK-FAIL [   0.1s] pkg::tests::c\nTIMEOUT [ 60.0s] pkg::tests::d\n  TRY 2 FAIL [   0.003s] pkg::tests::e\n",
	// Each start alone, with no header before it.
	"---- tests::a stdout ----\nthread 'tests::a' panicked at src/lib.rs:3:5\n",
	"--- STDOUT:              fixture-project::basic test_failure_assert ---\nthread 'test_failure_assert' panicked\n",
	"--- STDERR:              fixture-project::basic test_failure_assert ---\nboom\n",
	"[ERROR] Failures: \n[ERROR]   CalcTest.adds:12 expected: <3> but was: <4>\n[INFO]",
	"  SIGSEGV [   0.003s] pkg::tests::b\n",
	"  SIGABRT [   0.003s] pkg::tests::b\n",
	"  TIMEOUT [  60.001s] pkg::tests::d\n",
	"  LEAK-FAIL [   0.100s] pkg::tests::c\n",
}

// FuzzLineGate checks mayOpen on any log.
func FuzzLineGate(f *testing.F) {
	for _, s := range gateSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkGate)
}

// hasOpenPrefix, which compares 8 bytes at once, agrees with comparing
// each start of openPrefixes, on each start, cut short, with a byte
// changed, and followed by more bytes.
func TestHasOpenPrefix(t *testing.T) {
	var starts []string
	for _, ps := range openPrefixes {
		for _, p := range ps {
			starts = append(starts, p.s)
		}
	}
	if len(starts) < 20 {
		t.Fatalf("only %d starts", len(starts))
	}
	var lines []string
	for _, p := range starts {
		for k := 1; k <= len(p); k++ {
			lines = append(lines, p[:k], p[:k]+"x", p[:k]+" and more text")
			changed := []byte(p[:k])
			changed[k-1] ^= 0x20
			lines = append(lines, string(changed), string(changed)+"123456789")
		}
	}
	for _, l := range lines {
		want := false
		for _, p := range starts {
			want = want || strings.HasPrefix(l, p)
		}
		if got := hasOpenPrefix([]byte(l)); got != want {
			t.Errorf("hasOpenPrefix(%q) = %v, want %v", l, got, want)
		}
	}
}
