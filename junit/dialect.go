package junit

import (
	"encoding/xml"
	"strings"
)

// Dialects: the tools whose reports Parse recognises. The guess only
// labels the report (for repro commands and display); parsing does not
// depend on it, except that pytest's 0-based "line" is shifted.
const (
	DialectPytest        = "pytest"
	DialectUnittestXML   = "unittest-xml-reporting"
	DialectJest          = "jest-junit"
	DialectMocha         = "mocha-junit-reporter"
	DialectSurefire      = "surefire"
	DialectGradle        = "gradle"
	DialectAnt           = "ant"
	DialectGoJUnitReport = "go-junit-report"
	DialectGotestsum     = "gotestsum"
	DialectRSpec         = "rspec"
	DialectPHPUnit       = "phpunit"
	DialectNextest       = "nextest"
	DialectDotnet        = "dotnet-junit"
	DialectBazel         = "bazel"
	DialectGoogleTest    = "googletest"
	// DialectMixed is Report.Dialect when files of one input disagree.
	DialectMixed = "mixed"
)

// sniffer collects the marks each tool leaves in its reports.
type sniffer struct {
	suitesName   string // name of the outermost <testsuites>
	suitesUUID   bool
	rootSuite    bool // the root element is a <testsuite>
	suiteNames   []string
	firstSuite   []string // attribute names of the first <testsuite>, in order
	suiteAttrs   map[string]bool
	props        map[string]bool // property-name marks
	caseAttrs    map[string]bool
	statusRun    bool
	noClassname  bool
	emptyType    bool // <failure type=""> (gotestsum)
	rerun        bool
	stackTrace   bool
	suiteOutput  bool
	pytest       bool
	seenSuites   int
	cases        int
	seenSuitesEl bool
}

func (s *sniffer) onSuites(attrs []xml.Attr, root bool) {
	if s.seenSuitesEl {
		return
	}
	s.seenSuitesEl = true
	for _, a := range attrs {
		switch a.Name.Local {
		case "name":
			s.suitesName = a.Value
		case "uuid":
			s.suitesUUID = true
		}
	}
}

func (s *sniffer) onSuite(attrs []xml.Attr, root bool) {
	s.seenSuites++
	if s.seenSuites > 8 {
		return
	}
	if root && s.seenSuites == 1 {
		s.rootSuite = true
	}
	if s.suiteAttrs == nil {
		s.suiteAttrs = map[string]bool{}
	}
	for _, a := range attrs {
		local := a.Name.Local
		if s.seenSuites == 1 {
			s.firstSuite = append(s.firstSuite, local)
		}
		switch local {
		case "name":
			s.suiteNames = append(s.suiteNames, a.Value)
			if a.Value == "pytest" {
				s.pytest = true
			}
		case "package":
			if strings.HasSuffix(strings.ToLower(a.Value), ".dll") {
				s.suiteAttrs["package.dll"] = true
			}
		case "noNamespaceSchemaLocation":
			if strings.Contains(a.Value, "surefire") {
				s.suiteAttrs["surefire-schema"] = true
			}
		}
		s.suiteAttrs[local] = true
	}
}

func (s *sniffer) onProperty(name, _ string) {
	if s.props == nil {
		s.props = map[string]bool{}
	}
	switch {
	case name == "go.version":
		s.props["go"] = true
	case strings.HasPrefix(name, "surefire."):
		s.props["surefire"] = true
	case strings.HasPrefix(name, "ant."):
		s.props["ant"] = true
	case strings.HasPrefix(name, "java."):
		s.props["java"] = true
	}
}

func (s *sniffer) onCase(attrs []xml.Attr) {
	s.cases++
	if s.cases > 64 {
		return
	}
	if s.caseAttrs == nil {
		s.caseAttrs = map[string]bool{}
	}
	hasClass := false
	for _, a := range attrs {
		switch a.Name.Local {
		case "assertions", "class", "file", "line", "timestamp":
			s.caseAttrs[a.Name.Local] = true
		case "classname":
			hasClass = true
		case "status":
			if a.Value == "run" {
				s.statusRun = true
			}
		}
	}
	if !hasClass {
		s.noClassname = true
	}
}

func (s *sniffer) onResult(attrs []xml.Attr) {
	for _, a := range attrs {
		if a.Name.Local == "type" && a.Value == "" {
			s.emptyType = true
		}
	}
}

func (s *sniffer) anySuiteName(f func(string) bool) bool {
	for _, n := range s.suiteNames {
		if f(n) {
			return true
		}
	}
	return false
}

// gradleAttrs is the attribute order of Gradle's <testsuite>.
var gradleAttrs = []string{"name", "tests", "skipped", "failures", "errors", "timestamp", "hostname", "time"}

func (s *sniffer) dialect() string {
	switch {
	case s.seenSuites == 0 && !s.seenSuitesEl:
		return ""
	case s.suitesName == "nextest-run" || s.suitesUUID || s.suiteAttrs["disabled"]:
		return DialectNextest
	case s.pytest:
		return DialectPytest
	case s.suitesName == "jest tests":
		return DialectJest
	case s.suitesName == "Mocha Tests" || s.anySuiteName(func(n string) bool { return n == "Root Suite" }):
		return DialectMocha
	case s.props["go"] && s.suiteAttrs["id"]:
		return DialectGoJUnitReport
	case s.props["go"] || s.emptyType:
		return DialectGotestsum
	case s.suiteAttrs["surefire-schema"] || s.props["surefire"] || s.stackTrace ||
		(s.suiteAttrs["version"] && s.props["java"]):
		return DialectSurefire
	case s.props["ant"]:
		return DialectAnt
	case s.statusRun && s.noClassname:
		return DialectBazel
	case s.statusRun:
		return DialectGoogleTest
	case s.caseAttrs["assertions"] || s.caseAttrs["class"]:
		return DialectPHPUnit
	case s.suiteAttrs["package.dll"]:
		return DialectDotnet
	case s.rootSuite && s.anySuiteName(func(n string) bool { return strings.HasPrefix(n, "rspec") }):
		return DialectRSpec
	case s.caseAttrs["timestamp"] && s.caseAttrs["file"] && s.caseAttrs["line"] ||
		s.anySuiteName(isXMLRunnerSuite):
		return DialectUnittestXML
	case equalStrings(s.firstSuite, gradleAttrs):
		return DialectGradle
	case s.props["java"]:
		return DialectSurefire
	}
	return ""
}

// isXMLRunnerSuite matches xmlrunner's "Class-YYYYMMDDhhmmss" suite names.
func isXMLRunnerSuite(n string) bool {
	i := strings.LastIndexByte(n, '-')
	if i <= 0 || len(n)-i-1 != 14 {
		return false
	}
	for _, c := range n[i+1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
