package diagnose

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
)

// TestSelectorFixtures runs every selector on the failing tests of real
// JUnit reports: one command per report and one per test, in a golden file.
func TestSelectorFixtures(t *testing.T) {
	files := []struct {
		file, dialect string
	}{
		{"pytest-report.xml", "pytest"},
		{"pytest-xunit1-gloo.xml", "pytest"},
		{"unittest-xmlrunner.xml", "unittest-xml-reporting"},
		{"jest-junit.xml", "jest-junit"},
		{"surefire-FailingTest.xml", "surefire"},
		{"surefire-MyTest.xml", "surefire"},
		{"gradle-CalculatorTest.xml", "gradle"},
		{"go-junit-report-001.xml", "go-junit-report"},
		{"gotestsum.xml", "gotestsum"},
		{"rspec.xml", "rspec"},
		{"phpunit.xml", "phpunit"},
		{"nextest.xml", "nextest"},
		{"dotnet.xml", "dotnet-junit"},
	}
	var out bytes.Buffer
	for _, f := range files {
		tests := loadJUnit(t, f.file)
		failing := failingOnly(tests)
		if len(failing) == 0 {
			// None fail in this report: select them all to exercise the names.
			for i := range tests {
				tests[i].Status = TestFailed
			}
			failing = tests
		}
		if len(failing) > 8 {
			failing = failing[:8]
		}
		if len(failing) == 0 {
			t.Fatalf("%s: no failing tests", f.file)
		}
		fw := DetectFramework(&TestCase{Dialect: f.dialect}, "", "")
		fmt.Fprintf(&out, "== %s (%s)\n", f.file, fw)
		fmt.Fprintf(&out, "all: %s\n", TestSelector(fw, failing))
		for _, tc := range failing {
			// Without the dialect, the framework comes from the test's shape.
			guess := DetectFramework(&TestCase{Suite: tc.Suite, Classname: tc.Classname, Name: tc.Name, File: tc.File}, "", "")
			fmt.Fprintf(&out, "  [%s] %s\n", guess, TestSelector(fw, []TestCase{tc}))
		}
	}
	assertGolden(t, out.Bytes(), "selectors")
}

func TestTestSelector(t *testing.T) {
	tests := []struct {
		name  string
		fw    string
		tests []TestCase
		want  string
	}{
		{"pytest xunit2 module from classname", testlog.Pytest,
			[]TestCase{{Classname: "python.test_sample", Name: "test_which_fails"}, {Classname: "python.test_sample", Name: "test_with_error"}},
			"pytest python/test_sample.py::test_which_fails python/test_sample.py::test_with_error"},
		{"pytest class and params", testlog.Pytest,
			[]TestCase{{Classname: "tests.test_lib.TestX", Name: "test_a[1-2 ]"}},
			"pytest 'tests/test_lib.py::TestX::test_a[1-2 ]'"},
		{"pytest xunit1 file of a base class", testlog.Pytest,
			[]TestCase{{Classname: "test.integration.test_elastic_torch.ElasticTorchTests", Name: "test_all_ranks_failure", File: "test/integration/elastic_common.py"}},
			"pytest test/integration/test_elastic_torch.py::ElasticTorchTests::test_all_ranks_failure"},
		{"unittest", testlog.Unittest,
			[]TestCase{{Classname: "TestAcme", Name: "test_always_fail"}},
			"python -m unittest TestAcme.test_always_fail"},
		{"go one test", testlog.Go,
			[]TestCase{{Classname: "package/fail", Name: "TestOne"}},
			"go test package/fail -run '^TestOne$'"},
		{"go subtests, parent dropped", testlog.Go,
			[]TestCase{{Classname: "github.com/acme/widgets/parser", Name: "TestParseBody"}, {Classname: "github.com/acme/widgets/parser", Name: "TestParseBody/empty"}, {Classname: "github.com/acme/widgets/parser", Name: "TestParseHeader"}},
			"go test github.com/acme/widgets/parser -run '^(TestParseBody|TestParseHeader)$/^empty$'"},
		{"go build failure runs the package", testlog.Go,
			[]TestCase{{Classname: "package/name", Name: "[build failed]"}},
			"go test package/name"},
		{"jest", testlog.Jest,
			[]TestCase{{Classname: "Test 1 › Test 1.1", Name: "Failing test", File: "__tests__/main.test.js"}},
			"npx jest __tests__/main.test.js -t 'Test 1 Test 1\\.1 Failing test'"},
		{"jest several", testlog.Jest,
			[]TestCase{{Classname: "Test 2", Name: "Exception in test"}, {Classname: "", Name: "Timeout test"}},
			"npx jest -t '^(Test 2 Exception in test|Timeout test)$'"},
		{"maven", testlog.Maven,
			[]TestCase{{Classname: "org.apache.maven.surefire.test.FailingTest", Name: "defaultTestValueIs_Value"}, {Classname: "org.apache.maven.surefire.test.FailingTest", Name: "setTestAndRetrieveValue"}, {Classname: "surefire.MyTest", Name: "test"}},
			"mvn '-Dtest=org.apache.maven.surefire.test.FailingTest#defaultTestValueIs_Value+setTestAndRetrieveValue,surefire.MyTest#test' test"},
		{"gradle display names", testlog.Gradle,
			[]TestCase{{Classname: "com.github.guenhter.junit.CalculatorTest", Name: "adding two numbers should be a positive sum when summing two positive numbers()"}},
			"gradle test --tests 'com.github.guenhter.junit.CalculatorTest.adding two numbers should be a positive sum when summing two positive numbers'"},
		{"rspec with line", testlog.RSpec,
			[]TestCase{{File: "./spec/components/distributed_mutex_spec.rb", Line: 13, Name: "DistributedMutex allows only one mutex object to have the lock at a time"}},
			"bundle exec rspec ./spec/components/distributed_mutex_spec.rb:13"},
		{"rspec by description", testlog.RSpec,
			[]TestCase{{File: "./spec/test_spec.rb", Name: "Test#sum when a is 1 and b is 2 returns summary"}},
			"bundle exec rspec ./spec/test_spec.rb -e 'Test#sum when a is 1 and b is 2 returns summary'"},
		{"phpunit", testlog.PHPUnit,
			[]TestCase{{Classname: "PHPUnit.Event.CollectingDispatcherTest", Name: "testCollectsDispatchedEventsUntilFlushed"}},
			`phpunit --filter '/^(?:PHPUnit\\Event\\CollectingDispatcherTest::testCollectsDispatchedEventsUntilFlushed)(?: with data set .*)?$/'`},
		{"cargo one", testlog.Cargo, []TestCase{{Name: "tests::csi_rep"}}, "cargo test tests::csi_rep -- --exact"},
		{"cargo several", testlog.Cargo, []TestCase{{Name: "grid_reset"}, {Name: "csi_rep"}}, "cargo test -- --exact csi_rep grid_reset"},
		{"nextest", testlog.Nextest, []TestCase{{Classname: "fixture-project::basic", Name: "test_failure_assert"}},
			"cargo nextest run -E 'test(=test_failure_assert)'"},
		{"dotnet", testlog.Dotnet,
			[]TestCase{{Classname: `JUnit.Xml.TestLogger.NetFull.Tests.ParametrizedFixture("Answer",42)`, Name: "TestE"}, {Classname: "Ns.CalcTests", Name: "Adds(1, 2)"}},
			`dotnet test --filter 'FullyQualifiedName=JUnit.Xml.TestLogger.NetFull.Tests.ParametrizedFixture.TestE|FullyQualifiedName=Ns.CalcTests.Adds'`},
		{"unknown framework", "", []TestCase{{Name: "x"}}, ""},
		{"no tests", testlog.Pytest, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TestSelector(tt.fw, tt.tests); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestSelectorNoInjection runs selectors built from hostile test names
// through a real shell: every name must arrive as data, never as code.
func TestSelectorNoInjection(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	hostile := []string{
		"it's", "$(touch pwned)", "`id`", "a; rm -rf /", "x' && echo pwned '", "a\nb", "-rf", "$HOME", `back\slash`, "* glob ?", "a|b>c<d&e",
	}
	for _, fw := range []string{testlog.Pytest, testlog.Unittest, testlog.Go, testlog.Jest, testlog.Mocha, testlog.Maven, testlog.Gradle, testlog.RSpec, testlog.PHPUnit, testlog.Cargo, testlog.Nextest, testlog.Dotnet} {
		for _, name := range hostile {
			tc := TestCase{Classname: "pkg." + name, Name: "test_" + name, File: "spec/" + name + "_spec.rb"}
			cmd := TestSelector(fw, []TestCase{tc})
			if cmd == "" {
				continue
			}
			// Replace the program with printf: the shell must see exactly
			// one command whose arguments hold the hostile text.
			_, args, _ := strings.Cut(cmd, " ")
			for _, w := range []string{"-m unittest ", "nextest run ", "exec rspec ", "test "} {
				if strings.HasPrefix(args, w) {
					args = strings.TrimPrefix(args, w)
				}
			}
			out, err := exec.Command(sh, "-c", "printf '%s\\n' "+args).CombinedOutput()
			if err != nil {
				t.Errorf("%s %q: sh failed on %q: %v\n%s", fw, name, cmd, err, out)
				continue
			}
			if bytes.Contains(out, []byte("pwned")) && !strings.Contains(name, "pwned") {
				t.Errorf("%s %q: injection in %q", fw, name, cmd)
			}
		}
	}
}

func TestShellQuote(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, s := range []string{"", "plain", "a b", "it's", "$(id)", "`id`", "a;b", "-x", "a\nb", "'", "''", `\`, "é ü", "a=b"} {
		q := ShellQuote(s)
		out, err := exec.Command(sh, "-c", "printf '%s' "+q).Output()
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if string(out) != s {
			t.Errorf("ShellQuote(%q) = %s, shell read %q", s, q, out)
		}
	}
}

func TestDetectFramework(t *testing.T) {
	tests := []struct {
		name    string
		tc      TestCase
		blockFW string
		command string
		want    string
	}{
		{"dialect", TestCase{Dialect: "gotestsum"}, "", "", testlog.Go},
		{"surefire dialect run by gradle", TestCase{Dialect: "surefire"}, "", "./gradlew test", testlog.Gradle},
		{"framework name as dialect", TestCase{Dialect: testlog.Cargo}, "", "", testlog.Cargo},
		{"log block", TestCase{Name: "x"}, testlog.RSpec, "", testlog.RSpec},
		{"command", TestCase{Name: "x"}, "", "python -m pytest -x tests", testlog.Pytest},
		{"command dotnet", TestCase{Name: "x"}, "", "dotnet test --no-build", testlog.Dotnet},
		{"rspec file", TestCase{File: "./spec/test_spec.rb", Classname: "spec.test_spec"}, "", "", testlog.RSpec},
		{"php file", TestCase{File: "/x/tests/unit/Event/Dispatcher/CollectingDispatcherTest.php"}, "", "", testlog.PHPUnit},
		{"go file", TestCase{File: "parser/parser_test.go"}, "", "", testlog.Go},
		{"ts file", TestCase{File: "src/a.test.ts"}, "", "", testlog.Jest},
		{"go import path", TestCase{Classname: "github.com/acme/widgets/parser", Name: "TestParseBody/empty"}, "", "", testlog.Go},
		{"jest separator", TestCase{Classname: "Test 1 › Test 1.1", Name: "Failing test"}, "", "", testlog.Jest},
		{"pytest suite", TestCase{Suite: "pytest", Classname: "python.test_sample", Name: "test_which_fails"}, "", "", testlog.Pytest},
		{"nextest classname", TestCase{Classname: "fixture-project::basic", Name: "test_failure_assert"}, "", "", testlog.Nextest},
		{"java class", TestCase{Classname: "org.apache.maven.surefire.test.FailingTest", Name: "setTestAndRetrieveValue"}, "", "", testlog.Maven},
		{"phpunit data set", TestCase{Classname: "X", Name: "testX with data set #0"}, "", "", testlog.PHPUnit},
		{"nothing", TestCase{Name: "something"}, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectFramework(&tt.tc, tt.blockFW, tt.command); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
