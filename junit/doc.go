// Package junit reads JUnit/xUnit XML test reports into the types of
// github.com/joshdk/go-junit, streaming, with bounded memory, and with
// GitLab's reading of the format.
//
// # Use
//
//	rep, err := junit.Parse(r, junit.Options{Name: "junit.xml.gz"})
//	// rep is never nil: on a corrupt or truncated input it holds what was
//	// read before the error.
//	for _, c := range rep.Cases() { // failing and flaky tests
//		info := junit.Info(*c.Test) // outcome, file, line, type, attempts
//		fmt.Println(info.Outcome, c.Test.Classname, c.Test.Name, junit.Headline(*c.Test))
//	}
//
// Parse takes plain XML or gzip; gzip is recognised by its magic bytes and
// read member by member, as GitLab stores the junit artifact
// (junit.xml.gz holds one member per report file; File.Name is the name in
// each member's header). IngestFile opens a local file and calls Parse.
//
// # Data model
//
// The output is go-junit's Suite and Test. Suites form a tree as in
// go-junit; each top-level suite carries KeySource, the file or member it
// came from. What go-junit's types have no field for is carried in
// Properties under documented keys, so that every consumer of go-junit
// values can still use them: attributes keep their own names ("file",
// "line", "timestamp"), <property> children get PropertyPrefix, and
// derived values get keys starting with '@' (KeyAttempts, KeyFlaky,
// KeyLine, KeyRerunSystemOut, KeyRerunSystemErr, KeyTruncated, KeySource,
// KeyOrphans), which no XML attribute can collide with. Info reads them
// back as typed values. Properties were chosen over a parallel slice
// because kept tests move together with their extras, and a Test copied
// out of the tree still knows its attempts and flakiness.
//
// # Reading rules
//
//   - Status follows GitLab: <failure> beats <error> beats <skipped>,
//     whatever the document order; several <failure> bodies are joined.
//   - A test with <flakyFailure>/<flakyError> and no failure is flaky: its
//     Status is passed (its final outcome, as GitLab shows it), KeyFlaky is
//     "true", and its Error holds the first flaky run's message, type and
//     stack trace. <rerunFailure>/<rerunError> add attempts to a failing
//     test. KeyAttempts counts all runs.
//   - Duplicates: a later <testcase> with the same classname, name and file
//     as a kept failing test is folded into it: a pass makes it flaky,
//     another failure adds attempts (gotestsum --rerun-fails, Gradle
//     without mergeReruns, pytest's call failure plus teardown error). The
//     suite is not part of the identity (suite names carry timestamps and
//     shard numbers). A pass followed by a failure is not folded.
//   - Test cases directly under <testsuites> go into a suite named after it
//     with KeyOrphans set; test cases outside any suite are counted in a
//     warning and ignored, as GitLab does.
//   - "time" is read leniently: "1,234.5" is 1234.5 s, "0,250" is 0.25 s,
//     Go durations ("1.5s") are accepted, nonsense is 0.
//   - Input hygiene: a UTF-8 BOM is dropped; UTF-16 with a BOM and the
//     declared encodings ISO-8859-1, ISO-8859-15 and windows-1252 are
//     decoded; C0 control characters (raw ANSI escapes, NUL), invalid
//     UTF-8 and character references to characters XML forbids become
//     U+FFFD instead of failing the file; HTML entities (&nbsp;) are
//     decoded and a bare '&' is kept. Several root elements and repeated
//     XML declarations are fine.
//
// # Limits and errors
//
// Only failing, erroring and flaky tests are kept (Options.KeepPassing and
// KeepSkipped keep more); everything else is counted in Totals, so memory
// depends on the failures, not on the report size. Each kept text is
// capped at Options.MaxBodyBytes (64 KiB), keeping its head and its tail.
// A file larger than Options.MaxFileBytes (30 MiB, GitLab's limit) stops
// with an error wrapping ErrTooLarge; a document cut short gives
// ErrTruncated or an *xml.SyntaxError; a document without
// <testsuite>/<testsuites> (an HTML error page, JSON, an empty file) gives
// ErrNotJUnit. In every case the report holds what was read, and a bad
// gzip member does not hide the others.
//
// # Tokenizer
//
// The token loop reads from a small XML scanner (scan.go) that returns the
// same tokens as encoding/xml's Decoder.RawToken with Strict off, about
// three times faster and without copying text that is not kept. The tests
// run encoding/xml's Decoder as the reference on every fixture and under
// fuzzing.
//
// # Differences from go-junit's Ingest
//
// go-junit is the oracle in the tests wherever it is right (most
// fixtures). The deliberate differences:
//
//   - status precedence is GitLab's, not last-element-wins;
//   - flaky and rerun elements are read, and duplicates are folded, so
//     counts can be lower than go-junit's (one test, not two);
//   - passing and skipped tests are not kept unless asked for, and
//     Suite.Totals counts them anyway (do not call Suite.Aggregate);
//   - a skipped test has an Error holding the <skipped> message, type and
//     body (go-junit drops the body, where go-junit-report puts the reason);
//   - suite <properties> are added under PropertyPrefix next to the suite
//     attributes instead of replacing them; test-case <properties> are
//     kept the same way (go-junit ignores them);
//   - text is XML character data: CR LF becomes LF, and child elements of
//     a result contribute their text, not their markup;
//   - durations keep nanoseconds (go-junit truncates to microseconds);
//   - prefixed attributes are stored as "prefix:local", not "local";
//   - non-UTF-8 input, control characters and truncated files give
//     results instead of errors; non-JUnit input is an error, not zero
//     suites.
//
// # Dialects
//
// Report.Dialect and File.Dialect name the tool that wrote the report, from
// the marks each leaves (docs/junit-dialects.md §2 has the full table):
//
//   - pytest: one suite named "pytest"; xunit1 files have "file" and a
//     0-based "line" (KeyLine holds it 1-based); message is the crash line,
//     the body the full report.
//   - unittest-xml-reporting: suites named "Class-YYYYMMDDhhmmss"; "file",
//     "line" (1-based) and "timestamp" on each test case.
//   - jest-junit: <testsuites name="jest tests">; no message, the text is in
//     the body; "Test suite failed to run" cases are errors.
//   - mocha-junit-reporter: "Mocha Tests", an empty "Root Suite"; name and
//     classname are swapped by default.
//   - surefire (and Failsafe): the surefire schema or properties; flaky and
//     rerun elements with <stackTrace>, <system-out> and <system-err>.
//   - gradle: the attribute order of its <testsuite>; output at suite level;
//     reruns as duplicate test cases.
//   - ant: "ant.*" properties.
//   - go-junit-report and gotestsum: a "go.version" property; the message is
//     the constant "Failed", so Headline takes the body's first line.
//   - rspec: a root <testsuite name="rspec…">; "file" on each test case.
//   - phpunit: nested suites, "assertions" and "class" on test cases.
//   - nextest: <testsuites name="nextest-run"> or a "disabled" count; flaky
//     and rerun elements with nested output.
//   - dotnet-junit: an assembly ".dll" as suite package; UTF-8 BOM; CRLF in
//     messages; message-only failures.
//   - bazel: one test case with status="run" and no classname; the log in
//     the suite's <system-out>. googletest: status="run" with classnames.
package junit
