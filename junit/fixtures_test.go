package junit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gojunit "github.com/joshdk/go-junit"
)

// TestGolden parses every fixture with the default options (failing and
// flaky tests kept) and compares a text dump with testdata/golden.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range files {
		rel, _ := filepath.Rel("testdata", path)
		if strings.HasPrefix(rel, "golden"+string(filepath.Separator)) || strings.HasPrefix(rel, "fuzz") || filepath.Base(path) == "README.md" {
			continue
		}
		n++
		t.Run(rel, func(t *testing.T) {
			rep, err := IngestFile(path, Options{Name: rel})
			golden(t, rel, dump(rep, err))
		})
	}
	if n < 30 {
		t.Fatalf("only %d fixtures found", n)
	}
}

func find(rep *Report, name string) *gojunit.Test {
	for _, c := range rep.Cases() {
		if c.Test.Name == name {
			return c.Test
		}
	}
	return nil
}

// TestDialects checks, per tool, the facts the rest of the program relies
// on: the dialect, the counts with GitLab's precedence and flaky folding,
// and where the message, type, file and line of a failing test came from.
func TestDialects(t *testing.T) {
	type want struct {
		test     string
		outcome  Outcome
		headline string
		typ      string
		file     string
		line     int
		attempts int
	}
	tests := []struct {
		fixture string
		dialect string
		totals  gojunit.Totals // Duration is not compared
		flaky   int
		wantErr error
		checks  []want
	}{
		{"pytest/report.xml", DialectPytest, gojunit.Totals{Tests: 3, Passed: 1, Failed: 2}, 0, nil, []want{
			{test: "test_which_fails", outcome: OutcomeFailed, headline: "AssertionError: assert 'test' == 'xyz'", attempts: 1},
		}},
		{"pytest/junit.gloo.elastic.xml", DialectPytest, gojunit.Totals{Tests: 14, Passed: 10, Skipped: 4}, 0, nil, nil},
		{"pytest/python-xunit-pytest.xml", DialectPytest, gojunit.Totals{Tests: 10, Passed: 6, Failed: 2, Skipped: 2}, 0, nil, []want{
			{test: "test_always_fail", outcome: OutcomeFailed, headline: "assert False", attempts: 1},
		}},
		{"unittest-xml-reporting/python-xunit-unittest.xml", DialectUnittestXML, gojunit.Totals{Tests: 8, Passed: 4, Failed: 1, Error: 1, Skipped: 2}, 0, nil, []want{
			{test: "test_always_fail", outcome: OutcomeFailed, headline: "failed", typ: "AssertionError", file: "tests/test_lib.py", line: 23, attempts: 1},
			{test: "test_error", outcome: OutcomeError, headline: "error", typ: "Exception", file: "tests/test_lib.py", line: 30, attempts: 1},
		}},
		{"jest-junit/jest-junit.xml", DialectJest, gojunit.Totals{Tests: 6, Passed: 1, Failed: 4, Skipped: 1}, 0, nil, []want{
			{test: "Failing test", outcome: OutcomeFailed, headline: "Error: expect(received).toBeTruthy()", attempts: 1},
		}},
		{"jest-junit/jest-test-results.xml", DialectJest, gojunit.Totals{Tests: 2, Error: 2}, 0, nil, []want{
			{test: "libs/foo.spec.ts", outcome: OutcomeError, headline: "● Test suite failed to run", attempts: 1},
		}},
		{"mocha-junit-reporter/mocha.xml", DialectMocha, gojunit.Totals{Tests: 1, Passed: 1}, 0, nil, nil},
		{"surefire/TEST-org.acme.FlakyTest.xml", DialectSurefire, gojunit.Totals{Tests: 2, Passed: 2}, 1, nil, []want{
			{test: "testFlaky", outcome: OutcomeFlaky, headline: "expected: <1> but was: <0>", typ: "org.opentest4j.AssertionFailedError", attempts: 5},
		}},
		{"surefire/TEST-org.apache.maven.surefire.test.FailingTest.xml", DialectSurefire, gojunit.Totals{Tests: 2, Failed: 2}, 0, nil, []want{
			{test: "defaultTestValueIs_Value", outcome: OutcomeFailed, headline: `Expected: "wrong"`, typ: "java.lang.AssertionError", attempts: 1},
		}},
		{"surefire/TEST-surefire.MyTest.xml", DialectSurefire, gojunit.Totals{Tests: 1, Error: 1}, 0, nil, []want{
			{test: "test", outcome: OutcomeError, headline: "this is different message", typ: "java.lang.RuntimeException", attempts: 1},
		}},
		{"gradle/TEST-com.github.guenhter.junit.CalculatorTest.xml", DialectGradle, gojunit.Totals{Tests: 24, Passed: 24}, 0, nil, nil},
		{"gradle/TEST-com.github.guenhter.junit.YoloTest.xml", DialectGradle, gojunit.Totals{Tests: 1, Passed: 1}, 0, nil, nil},
		{"go-junit-report/001-report.xml", DialectGoJUnitReport, gojunit.Totals{Tests: 5, Passed: 2, Failed: 1, Skipped: 2}, 0, nil, []want{
			{test: "TestOne", outcome: OutcomeFailed, headline: "fail_test.go:6: Error message", attempts: 1},
		}},
		{"go-junit-report/013-report.xml", DialectGoJUnitReport, gojunit.Totals{Tests: 5, Passed: 2, Error: 3}, 0, nil, []want{
			{test: "[build failed]", outcome: OutcomeError, headline: "Build error", attempts: 1},
		}},
		{"gotestsum/junitxml-report.golden", DialectGotestsum, gojunit.Totals{Tests: 60, Passed: 42, Failed: 13, Skipped: 5}, 0, nil, []want{
			{test: "TestMain", outcome: OutcomeFailed, headline: "sometimes main can exit 2", attempts: 1},
		}},
		{"gotestsum/report.xml", DialectGotestsum, gojunit.Totals{Tests: 3, Passed: 2, Skipped: 1}, 1, nil, []want{
			{test: "TestWebSocketReconnectRace", outcome: OutcomeFlaky, headline: "=== RUN   TestWebSocketReconnectRace --- FAIL: TestWebSocketReconnectRace (3.32s)", attempts: 2},
		}},
		{"rspec_junit_formatter/junit.xml", DialectRSpec, gojunit.Totals{Tests: 4, Passed: 2, Failed: 2}, 0, nil, []want{
			{test: "Test#sum when a is 1 and b is 2 returns summary", outcome: OutcomeFailed, headline: "expected: 3",
				typ: "RSpec::Expectations::ExpectationNotMetError", file: "./spec/test_spec.rb", attempts: 1},
		}},
		{"phpunit/phpunit.xml", DialectPHPUnit, gojunit.Totals{Tests: 12, Passed: 10, Failed: 2}, 0, nil, []want{
			{test: "targeting-traits-with-usesclass-attribute-is-deprecated.phpt", outcome: OutcomeFailed,
				headline: "targeting-traits-with-usesclass-attribute-is-deprecated.phptFailed asserting that string matches format description.",
				typ:      `PHPUnit\Framework\PhptAssertionFailedError`,
				file:     "/home/matteo/OSS/phpunit/tests/end-to-end/metadata/targeting-traits-with-usesclass-attribute-is-deprecated.phpt", attempts: 1},
		}},
		{"nextest/fixture-project-junit.xml", DialectNextest, gojunit.Totals{Tests: 3, Passed: 2, Failed: 1}, 1, nil, []want{
			{test: "test_failure_assert", outcome: OutcomeFailed, headline: "thread 'test_failure_assert' panicked at tests/basic.rs:19:5:", typ: "test failure", attempts: 3},
			{test: "test_flaky_mod_4", outcome: OutcomeFlaky, headline: "thread 'test_flaky_mod_4' panicked at tests/basic.rs:43:9:", typ: "test failure", attempts: 4},
		}},
		{"nextest/basic_report.xml", DialectNextest, gojunit.Totals{Tests: 6, Passed: 2, Failed: 2, Error: 1, Skipped: 1}, 1, nil, []want{
			{test: "testcase4", outcome: OutcomeFlaky, headline: "this is a flaky failure description", typ: "flaky failure type", attempts: 3},
			{test: "testcase5", outcome: OutcomeFailed, headline: "main test failure description", attempts: 3},
		}},
		{"dotnet-junit-testlogger/TestResults.xml", DialectDotnet, gojunit.Totals{Tests: 52, Passed: 32, Failed: 14, Skipped: 6}, 0, nil, []want{
			{test: "FailTest11", outcome: OutcomeFailed, headline: "Expected: False", typ: "failure", attempts: 1},
		}},
		{"bazel/suite-logs.xml", DialectBazel, gojunit.Totals{Tests: 1, Error: 1}, 0, nil, []want{
			{test: "bazel/failing_absl_test", outcome: OutcomeError, headline: "exited with error code 1", attempts: 1},
		}},
		{"edge-cases/junit.multiresult.xml", "", gojunit.Totals{Tests: 4, Passed: 1, Failed: 2, Skipped: 1}, 0, nil, []want{
			// GitLab's precedence, not go-junit's last-element-wins (error).
			{test: "test that errors", outcome: OutcomeFailed, headline: "test failure", attempts: 1},
		}},
		{"edge-cases/testsuite-in-testsuite.xml", DialectPHPUnit, gojunit.Totals{Tests: 5, Passed: 5}, 0, nil, nil},
		{"edge-cases/corrupt-xml.xml", DialectPytest, gojunit.Totals{Tests: 2, Passed: 1, Skipped: 1}, 0, ErrTruncated, nil},
		{"gitlab/junit.xml.gz", DialectRSpec, gojunit.Totals{Tests: 4, Passed: 2, Failed: 2}, 0, nil, nil},
		{"gitlab/junit_ant.xml.gz", DialectAnt, gojunit.Totals{Tests: 3, Passed: 3}, 0, nil, nil},
		{"gitlab/junit_with_three_testsuites.xml.gz", DialectRSpec, gojunit.Totals{Tests: 1008, Passed: 8, Failed: 1000}, 0, nil, nil},
		{"gitlab/junit_with_corrupted_data.xml.gz", "", gojunit.Totals{}, 0, ErrNotJUnit, nil},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			rep, err := IngestFile(filepath.Join("testdata", tt.fixture), Options{})
			if tt.wantErr == nil && err != nil {
				t.Fatalf("error: %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if rep.Dialect != tt.dialect {
				t.Errorf("dialect = %q, want %q", rep.Dialect, tt.dialect)
			}
			got := rep.Totals
			got.Duration = 0
			if got != tt.totals || rep.Flaky != tt.flaky {
				t.Errorf("totals = %+v flaky %d, want %+v flaky %d", got, rep.Flaky, tt.totals, tt.flaky)
			}
			for _, c := range tt.checks {
				tc := find(rep, c.test)
				if tc == nil {
					t.Errorf("test %q not kept", c.test)
					continue
				}
				in := Info(*tc)
				g := want{test: c.test, outcome: in.Outcome, headline: Headline(*tc), typ: in.Type, file: in.File, line: in.Line, attempts: in.Attempts}
				if c.headline == "" {
					g.headline = ""
				}
				if g != c {
					t.Errorf("test %q:\n got %+v\nwant %+v", c.test, g, c)
				}
			}
		})
	}
}

// TestGzipMembersMatchFiles: the three members of GitLab's fixture are the
// three plain files, in order, with the names from the gzip headers.
func TestGzipMembersMatchFiles(t *testing.T) {
	gz, err := IngestFile("testdata/gitlab/junit_with_three_testsuites.xml.gz", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, f := range gz.Files {
		names = append(names, f.Name)
		plain, err := IngestFile(filepath.Join("testdata", "gitlab", "junit_with_three_testsuites_"+string(rune('1'+i))+".xml"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if plain.Files[0].Bytes != f.Bytes || plain.Totals != gz.Suites[i].Totals {
			t.Errorf("member %d: %d bytes %+v, file %d bytes %+v", i, f.Bytes, gz.Suites[i].Totals, plain.Files[0].Bytes, plain.Totals)
		}
		if gz.Suites[i].Properties[KeySource] != f.Name {
			t.Errorf("suite %d source = %q, want %q", i, gz.Suites[i].Properties[KeySource], f.Name)
		}
	}
	if got := strings.Join(names, ","); got != "rspec-3.xml,rspec-1.xml,rspec-2.xml" {
		t.Errorf("members = %s", got)
	}
	if _, err := os.Stat("testdata/gitlab/junit_with_three_testsuites_2.xml"); err != nil {
		t.Fatal(err)
	}
}
