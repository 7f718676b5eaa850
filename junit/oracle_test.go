package junit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gojunit "github.com/joshdk/go-junit"
)

// oracleFixtures are the fixtures on which go-junit v1.0.0 is right
// (docs/junit-dialects.md §4). Parse must agree with go-junit's Ingest on
// them, up to the deliberate differences listed in the package doc:
// skipped tests carry an Error, suite <properties> go under PropertyPrefix
// next to the attributes, Properties gain '@' keys, durations keep
// nanoseconds, and a skip body is kept.
var oracleFixtures = []string{
	"bazel/suite-logs.xml",
	"dotnet-junit-testlogger/TestResults.xml",
	"edge-cases/testsuite-in-testsuite.xml",
	"gitlab/junit.xml",
	"gitlab/junit_with_three_testsuites_1.xml",
	"gitlab/junit_with_three_testsuites_2.xml",
	"gitlab/junit_with_three_testsuites_3.xml",
	"go-junit-report/001-report.xml",
	"go-junit-report/013-report.xml",
	"gotestsum/junitxml-report.golden",
	"gradle/TEST-com.github.guenhter.junit.CalculatorTest.xml",
	"gradle/TEST-com.github.guenhter.junit.YoloTest.xml",
	"jest-junit/jest-junit.xml",
	"jest-junit/jest-test-results.xml",
	"mocha-junit-reporter/mocha.xml",
	"phpunit/phpunit.xml",
	"pytest/junit.gloo.elastic.xml",
	"pytest/python-xunit-pytest.xml",
	"pytest/report.xml",
	"rspec_junit_formatter/junit.xml",
	"surefire/TEST-org.apache.maven.surefire.test.FailingTest.xml",
	"surefire/TEST-surefire.MyTest.xml",
	"unittest-xml-reporting/python-xunit-unittest.xml",
}

func TestAgainstGoJUnit(t *testing.T) {
	for _, name := range oracleFixtures {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := gojunit.Ingest(data)
			if err != nil {
				t.Fatalf("go-junit: %v", err)
			}
			rep, err := IngestFile(path, Options{KeepPassing: true, KeepSkipped: true, MaxBodyBytes: -1})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			compareSuites(t, "", want, rep.Suites)
			var tot gojunit.Totals
			for _, s := range want {
				addTotals(&tot, s.Totals)
			}
			if !sameTotals(tot, rep.Totals) {
				t.Errorf("report totals = %+v, go-junit %+v", rep.Totals, tot)
			}
		})
	}
}

func sameTotals(a, b gojunit.Totals) bool {
	d := a.Duration - b.Duration
	return a.Tests == b.Tests && a.Passed == b.Passed && a.Failed == b.Failed && a.Error == b.Error &&
		a.Skipped == b.Skipped && d < time.Millisecond && d > -time.Millisecond
}

// crlf undoes the one text difference that XML requires: a parser turns
// CR LF into LF, while go-junit keeps the raw inner XML.
func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func compareSuites(t *testing.T, at string, want, got []gojunit.Suite) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d suites, go-junit %d", at, len(got), len(want))
	}
	for i := range want {
		w, g := &want[i], &got[i]
		where := at + "/" + w.Name
		if w.Name != g.Name || w.Package != g.Package {
			t.Errorf("%s: suite name/package = %q/%q, go-junit %q/%q", where, g.Name, g.Package, w.Name, w.Package)
		}
		if !sameTotals(w.Totals, g.Totals) {
			t.Errorf("%s: totals = %+v, go-junit %+v", where, g.Totals, w.Totals)
		}
		if crlf(w.SystemOut) != g.SystemOut || crlf(w.SystemErr) != g.SystemErr {
			t.Errorf("%s: suite output = %q / %q, go-junit %q / %q", where, g.SystemOut, g.SystemErr, w.SystemOut, w.SystemErr)
		}
		for k, v := range w.Properties {
			if g.Properties[k] != v && g.Properties[PropertyPrefix+k] != v {
				t.Errorf("%s: suite property %q = %q, go-junit %q", where, k, g.Properties[k], v)
			}
		}
		if len(w.Tests) != len(g.Tests) {
			t.Fatalf("%s: %d tests, go-junit %d", where, len(g.Tests), len(w.Tests))
		}
		for j := range w.Tests {
			compareTest(t, where, &w.Tests[j], &g.Tests[j])
		}
		compareSuites(t, where, w.Suites, g.Suites)
	}
}

func compareTest(t *testing.T, at string, w, g *gojunit.Test) {
	t.Helper()
	where := at + "/" + w.Name
	if w.Name != g.Name || w.Classname != g.Classname || w.Status != g.Status || w.Message != g.Message {
		t.Errorf("%s: got %q %q %s %q, go-junit %q %q %s %q", where,
			g.Name, g.Classname, g.Status, g.Message, w.Name, w.Classname, w.Status, w.Message)
	}
	if d := w.Duration - g.Duration; d < 0 || d >= time.Microsecond {
		// go-junit truncates to microseconds.
		if d := w.Duration - g.Duration.Truncate(time.Microsecond); d != 0 && d != time.Microsecond && d != -time.Microsecond {
			t.Errorf("%s: duration %s, go-junit %s", where, g.Duration, w.Duration)
		}
	}
	if crlf(w.SystemOut) != g.SystemOut || crlf(w.SystemErr) != g.SystemErr {
		t.Errorf("%s: output = %q / %q, go-junit %q / %q", where, g.SystemOut, g.SystemErr, w.SystemOut, w.SystemErr)
	}
	for k, v := range w.Properties {
		if g.Properties[k] != v {
			t.Errorf("%s: property %q = %q, go-junit %q", where, k, g.Properties[k], v)
		}
	}
	we, wok := w.Error.(gojunit.Error)
	ge, gok := g.Error.(gojunit.Error)
	switch {
	case wok != gok && g.Status != gojunit.StatusSkipped:
		t.Errorf("%s: error %v, go-junit %v", where, g.Error, w.Error)
	case wok && (we.Message != ge.Message || we.Type != ge.Type || crlf(we.Body) != ge.Body):
		t.Errorf("%s: error = %#v, go-junit %#v", where, ge, we)
	}
}
