package joblog

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestRules checks the knowledge base: every rule is well formed, and its
// example line, taken from a real log, is matched by it.
func TestRules(t *testing.T) {
	rs := Rules()
	if len(rs) == 0 {
		t.Fatal("no rules")
	}
	valid := map[Category]bool{CategoryTest: true, CategoryBuild: true, CategoryLint: true, CategoryDependency: true,
		CategoryScript: true, CategoryInfra: true, CategoryTimeout: true, CategoryConfig: true, CategorySupply: true, CategoryUnknown: true}
	seen := map[string]bool{}
	for _, r := range rs {
		t.Run(r.Name, func(t *testing.T) {
			if seen[r.Name] {
				t.Errorf("duplicate rule name")
			}
			seen[r.Name] = true
			switch {
			case r.Weight < 0:
				if r.Category != "" || r.Hint != "" {
					t.Errorf("a noise rule has a category or hint")
				}
			case r.Weight == 0 || r.Weight > 10:
				t.Errorf("weight %d out of 1..10", r.Weight)
			case !valid[r.Category]:
				t.Errorf("category %q is not one of the stable values", r.Category)
			case r.Category != CategoryUnknown && r.Hint == "":
				t.Errorf("no hint")
			}
			if len(r.Keywords) == 0 && !r.Numbered {
				t.Errorf("no keywords: the rule could never be tried")
			}
			if r.Example == "" {
				t.Fatalf("no example line")
			}
			line := []byte(CleanLine([]byte(r.Example)))
			if !ruleMatches(&r, line) {
				t.Errorf("example %q is not matched", r.Example)
			}
		})
	}
}

// ruleMatches applies one rule alone to a cleaned line.
func ruleMatches(r *Rule, line []byte) bool {
	if _, err := compiledRules(); err != nil {
		return false
	}
	i := -1
	for k := range rules {
		if rules[k].Name == r.Name {
			i = k
		}
	}
	if i < 0 {
		return false
	}
	mask := matcher.scan(line)
	noise := noiseMatch.scan(line)
	mask.or(&noise)
	if !mask.has(i) && !(rules[i].Numbered && isNumberedItem(line)) {
		return false
	}
	return rules[i].re == nil || rules[i].re.Match(line)
}

// Table of lines and the rule the whole knowledge base picks for them.
func TestClassify(t *testing.T) {
	rs, err := compiledRules()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line, rule string
	}{
		{"ModuleNotFoundError: No module named 'yaml'", "python.import-error"},
		{"E   AssertionError: assert 1 == 0", "python.pytest-failed"},
		{"AssertionError: Missing expected exception.", "python.exception"},
		{"--- FAIL: TestParseHeader (0.00s)", "go.test-failed"},
		{"SyntaxError: Unexpected token )", "js.syntax-error"},
		{"SyntaxError: invalid syntax", "python.syntax-error"},
		{"error: boom", "tool.error"},
		{"sh: 0: Can't open deploy.sh", "shell.no-such-file"},
		{"SKIP Bug #70943 fopen() can't open a file if path is 259 characters long [ext/standard/tests/file/windows_mb_path/test_long_path_bug70943.phpt]", "generic.failed"},
		{"[error] /home/travis/build/twitter/finagle/finagle-exp/src/test/scala/com/twitter/finagle/exp/ConcurrencyEndToEndTest.scala:33:20: not found: value StringServer", "java.compile"},
		{"/bin/sh: 1: yarn: not found", "shell.command-not-found"},
		{"Error: testthat unit tests failed", "tool.error-message"},
		{"Error: Cannot find module 'fast-deep-equal'", "js.error"},
		{"    Error: fails due to sort", "js.error"},
		{"Make sure that type Any is in your classpath and check for conflicting dependencies with `-Ylog-classpath`.", ""},
		{"error[E0425]: cannot find value `x` in this scope", "rust.compile"},
		{"##[error]The job running on runner GitHub Actions 2 has exceeded the maximum execution time of 360 minutes.", "runner.job-timeout"},
		{"    parser_test.go:41: ParseHeader(\"a: b\") = \"a\", want \"b\"", ""},
		{"pkg/x.go:12:3: undefined: Foo", "go.build-error"},
		// Since Go 1.16 a missing requirement is reported at the import,
		// with the file's position first: still a module problem.
		{"example.go:3:8: no required module provides package golang.org/x/net/html; to add it:", "go.module"},
		{"main.go:27:2: missing go.sum entry for module providing package github.com/acme/lib (imported by example.com/app); to add:", "go.module"},
		// RSpec's summary says "example" only of one; the same word in
		// prose is no summary.
		{"1 example, 1 failure", "ruby.rspec"},
		{"42 examples, 3 failures, 1 pending", "ruby.rspec"},
		{"Enter the GitLab instance URL (for example, https://gitlab.com/):", ""},
		{"npm ERR! code ERESOLVE", "js.npm-resolve"},
		{"make: *** [Makefile:12: all] Error 2", "c.make"},
		{"Killed process 4242 (java) total-vm:123kB", "infra.oom-killed"},
		{"write /var/lib/docker/tmp/x: no space left on device", "infra.no-space"},
		{"npm WARN deprecated request@2.88.2: request has been deprecated", ""},
		{"Ran 12 tests, 0 failures, 0 errors", ""},
		{"<testsuite name=\"x\" failures=\"0\" errors=\"0\">", ""},
		{"ERROR: Job failed: exit code 1", "runner.exit-code"},
		{"denied: requested access to the resource is denied", "supply.registry-auth"},
		{"Error: no matching signatures: none of the expected identities matched", "supply.cosign"},
		{"  1) Inflector_helper_test::test_plural", "test.numbered-failure"},
		{"all good here", ""},
		// Real lines (see testdata/README.md, "Rule examples").
		{"** TEST BUILD FAILED **", "xcode.summary"},
		{"Failing due to -Werror.", "generic.warnings-as-errors"},
		{"\x1b[91mbuild finished with problems, 1 warning (with warnings treated as errors).\x1b[39;49;00m", "generic.warnings-as-errors"},
		{"[info] - Single client and rejecting server results in both sides TLS connections at 0 *** FAILED ***", "java.surefire"},
		{"not ok 6 no errors", "generic.tap"},
		{"/usr/bin/bash: line 152:   812 Killed                  pip install -e . --no-build-isolation", "infra.killed"},
		{"The conflict is caused by:", "python.pip-conflict"},
		{"    The user requested pydantic==1.10.19", "python.pip-conflict"},
		{"    pydantic-settings 2.7.0 depends on pydantic>=2.7.0", "python.pip-conflict"},
	}
	for _, tt := range tests {
		m := classify(rs, []byte(CleanLine([]byte(tt.line))))
		got := ""
		if m.rule != nil {
			got = m.rule.Name
		}
		if got != tt.rule {
			t.Errorf("classify(%q) = %q, want %q", tt.line, got, tt.rule)
		}
	}
}

// The keyword syntax: "^" binds to the start of the line after indentation,
// `\b` to a word boundary, "!-" and "!." away from a '-' before and a
// '.' and a letter after; case is ignored; a keyword is found wherever it
// is, whichever of its bytes anchor the prefilter.
func TestKeywordSyntax(t *testing.T) {
	tests := []struct {
		kw, line string
		want     bool
	}{
		{"error", "an ERROR here", true},
		{"error", "TypeError: x", true},
		{`\berror`, "TypeError: x", false},
		{`\berror`, "[error] x", true},
		{`\bfail`, "test_fail_case", false},
		{`\bfail`, "it failed", true},
		{`issues\b`, "3 issues found", true},
		{`issues\b`, "issuesx", false},
		{"^ok ", "ok 1 - parses", true},
		{"^ok ", "\t  ok 1 - parses", true},
		{"^ok ", "not ok 1 - parses", false},
		{"^e\t", "E\tAssertionError", true},
		{"connection refused", "dial tcp: Connection Refused.", true},
		{"connection refused", "connection refuse", false},
		{"● ", "  ● Suite › test", true},
		{"no space left on device", strings.Repeat("x", 37) + "no space left on device", true},
		// "!-": not right after a '-', where the word is part of a name.
		{"!-unknown", "installed toolchain 'stable-x86_64-unknown-linux-gnu'", false},
		{"!-unknown", "error: Unknown option --frobnicate", true},
		{"!-unknown", "isUnknown(x) returned false", true},
		{"!-fail", "cargo test --no-fail-fast", false},
		{"!-fail", "--- FAIL: TestX", true},
		{"!-fail", "x-fail-fast -- it failed", true},
		// "!.": not right before a '.' and a letter, where the word is
		// part of a file name.
		{"error!.", "Linting 'Error.swift' (11/53)", false},
		{"error!.", "CXX      util/libbitcoin_util_a-error.o", false},
		{"error!.", "src/error.c:12:3: error: expected ';'", true},
		{"error!.", "Build error.", true},
		{"error!.", "TypeError: x.y is undefined", true},
		{"error!.", "error.1", true},
	}
	for _, tt := range tests {
		for _, minLen := range []int{3, 4} {
			k, err := parseKeyword(tt.kw, 0, minLen)
			if err != nil {
				t.Fatalf("parseKeyword(%q): %v", tt.kw, err)
			}
			km := newKeywordMatcher([]keyword{k}, minLen)
			m := km.scan([]byte(tt.line))
			if got := m.has(0); got != tt.want {
				t.Errorf("keyword %q (stride %d) on %q = %v, want %v", tt.kw, minLen-2, tt.line, got, tt.want)
			}
		}
	}
	for _, bad := range []string{"Error", "ab", ""} {
		if _, err := parseKeyword(bad, 0, 4); err == nil {
			t.Errorf("parseKeyword(%q) accepted", bad)
		}
	}
}

// Every rule's keywords are found at every offset of a line, whatever
// bytes surround them: the prefilter never misses.
func TestKeywordsFoundAnywhere(t *testing.T) {
	if _, err := compiledRules(); err != nil {
		t.Fatal(err)
	}
	for _, km := range []*keywordMatcher{matcher, noiseMatch} {
		for _, k := range km.kws {
			if k.lineStart {
				continue
			}
			for pad := 0; pad < 10; pad++ {
				line := []byte(strings.Repeat("#", pad) + strings.ToUpper(k.text) + " #")
				m := km.scan(line)
				if !m.has(k.rule) {
					name := "warningWord"
					if k.rule < len(rules) {
						name = rules[k.rule].Name
					}
					t.Errorf("keyword %q of %s not found in %q", k.text, name, line)
				}
			}
		}
	}
}

// A pattern compiled in parts (anchored alternatives, literal-led ones,
// the rest) matches exactly the lines the whole expression matches, on every
// line of the test logs that the rule's keywords let through.
func TestPatternSplitAgrees(t *testing.T) {
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
		lines = append(lines, []byte(CleanLine([]byte(r.Example))))
	}
	for i, r := range rs {
		if r.Pattern == "" {
			continue
		}
		whole := regexp.MustCompile(r.Pattern)
		for _, l := range lines {
			mask, noise := matcher.scan(l), noiseMatch.scan(l)
			if !mask.has(i) && !noise.has(i) && !(r.Numbered && isNumberedItem(l)) {
				continue // the keywords keep the line from the pattern
			}
			if got, want := r.re.Match(l), whole.Match(l); got != want {
				t.Errorf("rule %s on %q: split %v, whole %v", r.Name, l, got, want)
			}
		}
	}
}

// A strong message that its tool labels as a warning weighs less than the
// same message given as an error, so that the error names the cause.
func TestWarningLabelWeighsLess(t *testing.T) {
	rs, err := compiledRules()
	if err != nil {
		t.Fatal(err)
	}
	// Both lines are from the runner's image-pull failure (commands/scenarios_test.go).
	warn := classify(rs, []byte(`WARNING: Failed to pull image with policy "always": Error response from daemon: manifest for registry.example.com/acme/ci/postgres:16-postgis not found: manifest unknown: manifest unknown (manager.go:250:0s)`))
	fail := classify(rs, []byte(`ERROR: Job failed (system failure): failed to pull image "registry.example.com/acme/ci/postgres:16-postgis" with specified policies [always]: Error response from daemon: manifest for registry.example.com/acme/ci/postgres:16-postgis not found: manifest unknown: manifest unknown (manager.go:250:0s)`))
	if warn.rule == nil || fail.rule == nil {
		t.Fatalf("rules: warning %v, error %v", warn.rule, fail.rule)
	}
	if warn.weight != warningWeight || fail.weight <= warn.weight+highlightSlack {
		t.Errorf("weights: warning %d, error %d", warn.weight, fail.weight)
	}
	for line, want := range map[string]bool{
		"WARNING: x": true, "warning: x": true, "  [WARN] x": true, "WARN x": true, "warn": false,
		"Warnings: 3": false, "warned: x": false, "": false, "ERROR: x": false,
	} {
		if got := isWarningLine([]byte(line)); got != want {
			t.Errorf("isWarningLine(%q) = %v, want %v", line, got, want)
		}
	}
}

// TestRulePatternsCompile compiles every expression now: the engine
// compiles them lazily, where a broken one would only match nothing.
func TestRulePatternsCompile(t *testing.T) {
	for _, r := range Rules() {
		if r.Pattern == "" {
			continue
		}
		if _, err := compilePattern(r.Pattern); err != nil {
			t.Errorf("rule %s: %v", r.Name, err)
		}
	}
}

// classifyInOrder is the choice classify makes, spelled out: every rule
// whose keywords the line holds is tried in the knowledge base's order; a
// rule of an ecosystem beats the generic ones, then the heavier wins, then
// the first.
func classifyInOrder(rs []Rule, line []byte) *Rule {
	mask := matcher.scan(line)
	if isNumberedItem(line) {
		mask.or(&numberedRules)
	}
	var best *Rule
	for i := range mask.indexes(len(rs)) {
		r := &rs[i]
		if r.Weight <= 0 || r.re != nil && !r.re.Match(line) {
			continue
		}
		switch {
		case best == nil,
			best.Generic && !r.Generic,
			best.Generic == r.Generic && r.Weight > best.Weight:
			best = r
		}
	}
	return best
}

// classify tries the rules heaviest first and stops at the first match:
// it picks the rule that trying them all in order picks, on every line of
// the test logs and every rule's example.
func TestClassifyOrderAgrees(t *testing.T) {
	rs, err := compiledRules()
	if err != nil {
		t.Fatal(err)
	}
	lines := testLines(t)
	for _, r := range rs {
		lines = append(lines, []byte(CleanLine([]byte(r.Example))))
	}
	picked := 0
	for _, l := range lines {
		want := classifyInOrder(rs, l)
		got := classifyMask(rs, l, matcher.scan(l))
		if got.noise {
			continue // a noise rule cleared the choice
		}
		if got.rule != want {
			t.Errorf("%q: classify picks %v, trying every rule picks %v", l, ruleName(got.rule), ruleName(want))
		}
		if want != nil {
			picked++
		}
	}
	if picked < 100 {
		t.Errorf("only %d lines matched a rule", picked)
	}
}

func ruleName(r *Rule) string {
	if r == nil {
		return "none"
	}
	return r.Name
}

// rulesWithoutRealLine lists the rules that testdata/rule_lines.txt has no
// real log line for yet: their Example was written from the tool's message
// format.
var rulesWithoutRealLine = map[string]bool{}

// Each rule matches a real log line, copied from a real job's log, named in
// testdata/rule_lines.txt with where it comes from; the rules with none
// yet are listed in rulesWithoutRealLine.
func TestRulesOnRealLines(t *testing.T) {
	rs, err := compiledRules()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "rule_lines.txt"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, row := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if strings.HasPrefix(row, "#") {
			continue
		}
		f := strings.Split(row, "\t")
		if len(f) != 3 || f[1] == "" {
			t.Fatalf("rule_lines.txt:%d: want rule, source and line separated by tabs: %q", i+1, row)
		}
		line, err := strconv.Unquote(f[2])
		if err != nil {
			t.Fatalf("rule_lines.txt:%d: %v", i+1, err)
		}
		r := ruleByName(f[0])
		if r == nil {
			t.Errorf("rule_lines.txt:%d: no rule %s", i+1, f[0])
			continue
		}
		seen[r.Name] = true
		if !ruleMatches(r, []byte(line)) {
			t.Errorf("rule %s does not match its real line %q (%s)", r.Name, line, f[1])
		}
	}
	for _, r := range rs {
		switch {
		case !seen[r.Name] && !rulesWithoutRealLine[r.Name]:
			t.Errorf("rule %s has no real line in testdata/rule_lines.txt", r.Name)
		case seen[r.Name] && rulesWithoutRealLine[r.Name]:
			t.Errorf("rule %s has a real line now: take it out of rulesWithoutRealLine", r.Name)
		}
	}
}

// A target triple, a command-line option or a file name holds "unknown",
// "fail" or "error" as part of a name: the line is no failure for that
// (real lines from LogChunks: a ripgrep build, 524440676; realm-cocoa,
// 552057535; phoenix, 566184515).
func TestNamesAreNoFailure(t *testing.T) {
	rs, err := compiledRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"Status: Downloaded newer image for japaric/i686-unknown-linux-musl:v0.1.14",
		"     Running `rustc --crate-name cfg_if /cargo/registry/src/github.com-1ecc6299db9ec823/cfg-if-0.1.7/src/lib.rs --color always --crate-type lib --emit=dep-info,link -C debuginfo=2 -C metadata=8b4b9d99419c373f -C extra-filename=-8b4b9d99419c373f --out-dir /target/i686-unknown-linux-musl/debug/deps --target i686-unknown-linux-musl -L dependency=/target/i686-unknown-linux-musl/debug/deps -L dependency=/target/debug/deps --cap-lints allow`",
		"$ cargo test --no-fail-fast",
		"Linting 'Error.swift' (11/53)",
		"  lib/plug/conn/wrapper_error.ex:23",
	} {
		if m := classify(rs, []byte(line)); m.rule != nil {
			t.Errorf("classify(%q) = %s", line, m.rule.Name)
		}
	}
	if m := classify(rs, []byte("error: unknown target triple 'i686-foo'")); m.rule == nil {
		t.Error("an unknown target is still a failure")
	}
}

// isNumberedItem reads "1) " after up to 8 spaces, the way RSpec and
// minitest number their failures.
func TestIsNumberedItem(t *testing.T) {
	for line, want := range map[string]bool{
		"1) x": true, "  12) Foo#bar fails": true, "        1234) x": true, "       9) x": true,
		"         1) x": false, "12345) x": false, "1)x": false, "1)": false, ") x": false, "": false,
		"a1) x": false, " \t1) x": false, "1. x": false, "  7)": false, "  7) ": true,
	} {
		if got := isNumberedItem([]byte(line)); got != want {
			t.Errorf("isNumberedItem(%q) = %v, want %v", line, got, want)
		}
	}
}
