package diagnose

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
)

// dialectFrameworks maps the junit package's dialect names to frameworks.
var dialectFrameworks = map[string]string{
	"pytest":                 testlog.Pytest,
	"unittest-xml-reporting": testlog.Unittest,
	"jest-junit":             testlog.Jest,
	"mocha-junit-reporter":   testlog.Mocha,
	"surefire":               testlog.Maven,
	"ant":                    testlog.Maven,
	"gradle":                 testlog.Gradle,
	"go-junit-report":        testlog.Go,
	"gotestsum":              testlog.Go,
	"rspec":                  testlog.RSpec,
	"phpunit":                testlog.PHPUnit,
	"nextest":                testlog.Nextest,
	"dotnet-junit":           testlog.Dotnet,
}

var knownFrameworks = map[string]bool{
	testlog.Pytest: true, testlog.Unittest: true, testlog.Go: true, testlog.Jest: true, testlog.Mocha: true,
	testlog.Maven: true, testlog.Gradle: true, testlog.RSpec: true, testlog.PHPUnit: true, testlog.Cargo: true,
	testlog.Nextest: true, testlog.Dotnet: true,
}

var (
	reGoImportPath = regexp.MustCompile(`^[\w.-]+(/[\w.~-]+)*$`)
	reJavaClass    = regexp.MustCompile(`^([a-z_][\w]*\.)+[A-Z][\w$]*$`)
)

// DetectFramework names the test framework that ran a test, from (best
// first) the report's dialect, the framework of the log block that reports
// it, the job's failing command, the file's extension, and the shape of
// the classname and suite name. It returns "" when nothing fits.
func DetectFramework(tc *TestCase, blockFramework, command string) string {
	if fw, ok := dialectFrameworks[tc.Dialect]; ok {
		if fw == testlog.Maven && strings.Contains(command, "gradle") {
			return testlog.Gradle
		}
		return fw
	}
	if knownFrameworks[tc.Dialect] {
		return tc.Dialect
	}
	if blockFramework != "" {
		return blockFramework
	}
	cmd := " " + command + " "
	switch {
	case strings.Contains(cmd, "pytest"):
		return testlog.Pytest
	case strings.Contains(cmd, " unittest") || strings.Contains(cmd, "nosetests"):
		return testlog.Unittest
	case strings.Contains(cmd, "go test") || strings.Contains(cmd, "gotestsum"):
		return testlog.Go
	case strings.Contains(cmd, "jest"):
		return testlog.Jest
	case strings.Contains(cmd, "mocha"):
		return testlog.Mocha
	case strings.Contains(cmd, "gradle"):
		return testlog.Gradle
	case strings.Contains(cmd, "mvn ") || strings.Contains(cmd, "mvnw"):
		return testlog.Maven
	case strings.Contains(cmd, "rspec"):
		return testlog.RSpec
	case strings.Contains(cmd, "phpunit"):
		return testlog.PHPUnit
	case strings.Contains(cmd, "nextest"):
		return testlog.Nextest
	case strings.Contains(cmd, "cargo test"):
		return testlog.Cargo
	case strings.Contains(cmd, "dotnet test"):
		return testlog.Dotnet
	}
	file := strings.ToLower(tc.File)
	switch {
	case strings.HasSuffix(file, "_spec.rb"):
		return testlog.RSpec
	case strings.HasSuffix(file, ".py"):
		return testlog.Pytest
	case strings.HasSuffix(file, "_test.go"):
		return testlog.Go
	case hasAnySuffix(file, ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"):
		return testlog.Jest
	case strings.HasSuffix(file, ".php") || strings.HasSuffix(file, ".phpt"):
		return testlog.PHPUnit
	case strings.HasSuffix(file, ".rs"):
		return testlog.Cargo
	case strings.HasSuffix(file, ".cs"):
		return testlog.Dotnet
	case hasAnySuffix(file, ".java", ".kt", ".scala", ".groovy"):
		return testlog.Maven
	}
	suite := strings.ToLower(tc.Suite)
	switch {
	case suite == "pytest":
		return testlog.Pytest
	case strings.HasPrefix(suite, "rspec"):
		return testlog.RSpec
	case suite == "jest tests" || strings.Contains(tc.Classname, " › "):
		return testlog.Jest
	case suite == "mocha tests":
		return testlog.Mocha
	case suite == "nextest-run":
		return testlog.Nextest
	}
	switch {
	case strings.HasPrefix(tc.Name, "Test") && tc.Classname != "" && strings.Contains(tc.Classname, "/") && reGoImportPath.MatchString(tc.Classname):
		return testlog.Go
	case strings.HasPrefix(tc.Classname, "spec."):
		return testlog.RSpec
	case strings.Contains(tc.Classname, "::"):
		return testlog.Nextest
	case strings.HasPrefix(tc.Name, "test_") && strings.Contains(tc.Classname, "."):
		return testlog.Pytest
	case strings.Contains(tc.Name, " with data set "):
		return testlog.PHPUnit
	case reJavaClass.MatchString(tc.Classname):
		return testlog.Maven
	}
	return ""
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// ShellQuote quotes s for a POSIX shell: as it is when it holds only safe
// characters, else in single quotes, so that no test name can inject a
// command.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./:=@%+,^", r)) {
			safe = false
			break
		}
	}
	if safe && s[0] != '-' {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// TestSelector is the command that reruns the given failing tests with
// their framework's own selector; several tests become one command. It
// returns "" when the framework is unknown or no test can be selected.
func TestSelector(framework string, tests []TestCase) string {
	if len(tests) == 0 {
		return ""
	}
	switch framework {
	case testlog.Pytest:
		return joinCmd("pytest", uniq(mapTests(tests, pytestNodeID)))
	case testlog.Unittest:
		return joinCmd("python -m unittest", uniq(mapTests(tests, func(tc *TestCase) string { return dotJoin(tc.Classname, tc.Name) })))
	case testlog.Go:
		return goSelector(tests)
	case testlog.Jest:
		return jsSelector("npx jest", "-t", tests)
	case testlog.Mocha:
		return jsSelector("npx mocha", "--grep", tests)
	case testlog.Maven:
		return mavenSelector(tests)
	case testlog.Gradle:
		var args []string
		for _, f := range uniq(mapTests(tests, gradleFilter)) {
			args = append(args, "--tests "+ShellQuote(f))
		}
		return withArgs("gradle test", args)
	case testlog.RSpec:
		return rspecSelector(tests)
	case testlog.PHPUnit:
		return phpunitSelector(tests)
	case testlog.Cargo:
		names := uniq(mapTests(tests, func(tc *TestCase) string { return tc.Name }))
		if len(names) == 1 {
			return "cargo test " + ShellQuote(names[0]) + " -- --exact"
		}
		return joinCmd("cargo test -- --exact", names)
	case testlog.Nextest:
		var exprs []string
		for _, n := range uniq(mapTests(tests, func(tc *TestCase) string { return tc.Name })) {
			exprs = append(exprs, "test(="+n+")")
		}
		if len(exprs) == 0 {
			return ""
		}
		return "cargo nextest run -E " + ShellQuote(strings.Join(exprs, " | "))
	case testlog.Dotnet:
		var parts []string
		for _, n := range uniq(mapTests(tests, func(tc *TestCase) string { return dotJoin(stripArgs(tc.Classname), stripArgs(tc.Name)) })) {
			parts = append(parts, "FullyQualifiedName="+dotnetFilterEscape(n))
		}
		if len(parts) == 0 {
			return ""
		}
		return "dotnet test --filter " + ShellQuote(strings.Join(parts, "|"))
	}
	return ""
}

func mapTests(tests []TestCase, f func(*TestCase) string) []string {
	out := make([]string, 0, len(tests))
	for i := range tests {
		if s := f(&tests[i]); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// uniq sorts and dedupes.
func uniq(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// maxArgsOnOneLine is how many test selectors a command takes on one
// line. With more, every selector goes on a line of its own, continued
// with " \\": the command stays exact, and a reader can see, copy or
// remove one selector.
const maxArgsOnOneLine = 8

// argSep separates the words of a command written one selector per line.
const argSep = " \\\n  "

func joinCmd(cmd string, args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = ShellQuote(a)
	}
	return withArgs(cmd, q)
}

// withArgs appends shell words (already quoted) to cmd: on one line, or
// one per line when there are more than maxArgsOnOneLine.
func withArgs(cmd string, args []string) string {
	if len(args) == 0 {
		return ""
	}
	if len(args) > maxArgsOnOneLine {
		return cmd + argSep + strings.Join(args, argSep)
	}
	return cmd + " " + strings.Join(args, " ")
}

// continued tells whether every line break of a command is a line
// continuation (a backslash right before it), so that the command is one
// simple command written on several lines.
func continued(c string) bool {
	for i := 0; i < len(c); i++ {
		if c[i] == '\n' && (i == 0 || c[i-1] != '\\') || c[i] == '\r' {
			return false
		}
	}
	return !strings.Contains(c, "<<")
}

func dotJoin(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "." + b
}

// pytestNodeID builds "path/to/test_x.py::Class::test_y[param]" from the
// file (xunit1) or from the dotted classname (xunit2: "pkg.test_x.Class").
func pytestNodeID(tc *TestCase) string {
	if tc.Name == "" {
		return ""
	}
	parts := strings.Split(tc.Classname, ".")
	// The module path ends at the first part that looks like a class.
	mod, cls := parts, []string(nil)
	for i, p := range parts {
		if p != "" && p[0] >= 'A' && p[0] <= 'Z' {
			mod, cls = parts[:i], parts[i:]
			break
		}
	}
	file := tc.File
	if file == "" || !strings.HasSuffix(file, ".py") || len(mod) > 0 && !strings.HasSuffix(strings.TrimSuffix(file, ".py"), mod[len(mod)-1]) {
		// The file attribute may name a base class's file; the classname
		// names the test's own module.
		if len(mod) == 0 {
			if file == "" {
				return tc.Name
			}
		} else {
			file = strings.Join(mod, "/") + ".py"
		}
	}
	id := file
	for _, c := range cls {
		id += "::" + c
	}
	return id + "::" + tc.Name
}

// goSelector builds "go test <pkgs> -run '^(A|B)$/^(sub)$'".
func goSelector(tests []TestCase) string {
	var pkgs []string
	levels := []map[string]bool{}
	hasSub := map[string]bool{}
	for i := range tests {
		if strings.Contains(tests[i].Name, "/") {
			hasSub[strings.SplitN(tests[i].Name, "/", 2)[0]] = true
		}
	}
	for i := range tests {
		tc := &tests[i]
		name := tc.Name
		if name == "" || strings.HasPrefix(name, "[") || name == "TestMain" {
			// "[build failed]", "[setup failed]", a TestMain failure:
			// the package as a whole.
			name = ""
		}
		if name != "" && !strings.Contains(name, "/") && hasSub[name] {
			continue // a parent that failed because its subtests did
		}
		if tc.Classname != "" {
			pkgs = append(pkgs, tc.Classname)
		} else if tc.File != "" {
			pkgs = append(pkgs, "./"+strings.TrimSuffix(tc.File, "/"+lastPathPart(tc.File)))
		}
		if name == "" {
			continue
		}
		for d, part := range strings.Split(name, "/") {
			for len(levels) <= d {
				levels = append(levels, map[string]bool{})
			}
			levels[d][part] = true
		}
	}
	pkgs = uniq(pkgs)
	if len(pkgs) == 0 {
		pkgs = []string{"./..."}
	}
	cmd := joinCmd("go test", pkgs)
	if len(levels) == 0 {
		return cmd
	}
	var pats []string
	for _, lv := range levels {
		var names []string
		for n := range lv {
			names = append(names, regexp.QuoteMeta(n))
		}
		names = uniq(names)
		if len(names) == 1 {
			pats = append(pats, "^"+names[0]+"$")
		} else {
			pats = append(pats, "^("+strings.Join(names, "|")+")$")
		}
	}
	return cmd + " -run " + ShellQuote(strings.Join(pats, "/"))
}

func lastPathPart(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// jsSelector builds "npx jest <files> -t '<pattern>'": the pattern
// matches the test's full title (describe blocks and name, joined by
// spaces).
func jsSelector(cmd, flag string, tests []TestCase) string {
	var files, titles []string
	for i := range tests {
		tc := &tests[i]
		if tc.File != "" {
			files = append(files, tc.File)
		}
		title := tc.Name
		cls := strings.ReplaceAll(tc.Classname, " › ", " ")
		if cls != "" && cls != tc.Name && !strings.HasPrefix(title, cls) {
			title = cls + " " + title
		}
		if title != "" {
			titles = append(titles, regexp.QuoteMeta(title))
		}
	}
	files, titles = uniq(files), uniq(titles)
	var args []string
	for _, f := range files {
		args = append(args, ShellQuote(f))
	}
	switch len(titles) {
	case 0:
	case 1:
		args = append(args, flag+" "+ShellQuote(titles[0]))
	default:
		args = append(args, flag+" "+ShellQuote("^("+strings.Join(titles, "|")+")$"))
	}
	return withArgs(cmd, args)
}

// javaMethod drops JUnit 5's "()" and a parameterised test's arguments.
func javaMethod(name string) string {
	return stripArgs(name)
}

// gradleFilter is the --tests filter of one test: Class.method, or the
// class alone for a parameterised test's display name ("[1] 1, 2, 3").
func gradleFilter(tc *TestCase) string {
	m := javaMethod(tc.Name)
	if m == "" || strings.HasPrefix(m, "[") {
		return tc.Classname
	}
	return dotJoin(tc.Classname, m)
}

// mavenSelector builds "mvn -Dtest='Class#m1+m2,Other#m3' test".
func mavenSelector(tests []TestCase) string {
	methods := map[string][]string{}
	var classes []string
	for i := range tests {
		tc := &tests[i]
		cls := tc.Classname
		if cls == "" {
			continue
		}
		if _, ok := methods[cls]; !ok {
			classes = append(classes, cls)
			methods[cls] = nil
		}
		m := javaMethod(tc.Name)
		// A display name ("[1] 1, 2, 3") cannot be selected: run the class.
		if m == "" || strings.ContainsAny(m, " []") {
			methods[cls] = append(methods[cls], "*")
			continue
		}
		methods[cls] = append(methods[cls], m)
	}
	if len(classes) == 0 {
		return ""
	}
	sort.Strings(classes)
	var specs []string
	for _, c := range classes {
		ms := uniq(methods[c])
		if len(ms) == 0 || ms[0] == "*" {
			specs = append(specs, c)
			continue
		}
		specs = append(specs, c+"#"+strings.Join(ms, "+"))
	}
	return "mvn " + ShellQuote("-Dtest="+strings.Join(specs, ",")) + " test"
}

// rspecSelector builds "bundle exec rspec path:line …", or selects by
// description when the line is unknown.
func rspecSelector(tests []TestCase) string {
	var locs, descs, files []string
	for i := range tests {
		tc := &tests[i]
		switch {
		case tc.File != "" && tc.Line > 0:
			locs = append(locs, tc.File+":"+strconv.Itoa(tc.Line))
		case tc.Name != "":
			descs = append(descs, tc.Name)
			if tc.File != "" {
				files = append(files, tc.File)
			}
		}
	}
	locs, descs, files = groupLocations(locs), uniq(descs), uniq(files)
	if len(locs) == 0 && len(descs) == 0 {
		return ""
	}
	var args []string
	for _, l := range locs {
		args = append(args, ShellQuote(l))
	}
	if len(descs) > 0 {
		for _, f := range files {
			args = append(args, ShellQuote(f))
		}
		for _, d := range descs {
			args = append(args, "-e "+ShellQuote(d))
		}
	}
	return withArgs("bundle exec rspec", args)
}

// groupLocations writes the "file:line" locations of one file as one
// argument, "file:12:40", which RSpec reads as both locations; files in
// order, lines in increasing order.
func groupLocations(locs []string) []string {
	lines := map[string][]int{}
	var files []string
	for _, l := range locs {
		i := strings.LastIndexByte(l, ':')
		n, err := strconv.Atoi(l[i+1:])
		if i <= 0 || err != nil {
			continue
		}
		f := l[:i]
		if _, ok := lines[f]; !ok {
			files = append(files, f)
		}
		lines[f] = append(lines[f], n)
	}
	sort.Strings(files)
	out := make([]string, 0, len(files))
	for _, f := range files {
		ns := lines[f]
		sort.Ints(ns)
		var b strings.Builder
		b.WriteString(f)
		for k, n := range ns {
			if k > 0 && n == ns[k-1] {
				continue
			}
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(n))
		}
		out = append(out, b.String())
	}
	return out
}

// phpunitSelector builds "phpunit --filter '/^(?:A::m|B::n)( with data set .*)?$/'".
func phpunitSelector(tests []TestCase) string {
	var names, phpt []string
	for i := range tests {
		tc := &tests[i]
		if strings.HasSuffix(tc.File, ".phpt") {
			// A .phpt test has no class or method: run its file.
			phpt = append(phpt, tc.File)
			continue
		}
		m := tc.Name
		if j := strings.Index(m, " with data set "); j > 0 {
			m = m[:j]
		}
		if m == "" {
			continue
		}
		cls := strings.ReplaceAll(tc.Classname, ".", `\`)
		if cls != "" {
			m = cls + "::" + m
		}
		names = append(names, pcreQuote(m))
	}
	names, phpt = uniq(names), uniq(phpt)
	var cmds []string
	if len(names) > 0 {
		cmds = append(cmds, "phpunit --filter "+ShellQuote("/^(?:"+strings.Join(names, "|")+")(?: with data set .*)?$/"))
	}
	for _, f := range phpt {
		cmds = append(cmds, "phpunit "+ShellQuote(f))
	}
	return strings.Join(cmds, " && ")
}

// pcreQuote escapes a literal for a PCRE pattern delimited by '/'.
func pcreQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\^$.|?*+()[]{}/#-`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dotnetFilterEscape escapes the characters `dotnet test --filter` gives
// a meaning to.
func dotnetFilterEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\()&|=!~`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
