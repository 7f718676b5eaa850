package junit

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	gojunit "github.com/joshdk/go-junit"
)

var update = flag.Bool("update", false, "rewrite golden files")

const maxDumpTests = 8

// dump renders a report as stable text for golden files. Long texts are
// shortened so the files stay readable; property: entries are counted.
func dump(rep *Report, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dialect: %q\n", rep.Dialect)
	fmt.Fprintf(&b, "totals: tests=%d passed=%d failed=%d error=%d skipped=%d flaky=%d duration=%s\n",
		rep.Totals.Tests, rep.Totals.Passed, rep.Totals.Failed, rep.Totals.Error, rep.Totals.Skipped, rep.Flaky, rep.Totals.Duration)
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
	}
	for _, f := range rep.Files {
		fmt.Fprintf(&b, "file: %s dialect=%q bytes=%d tests=%d suites=%d", f.Name, f.Dialect, f.Bytes, f.Tests, f.Suites)
		if f.Err != nil {
			fmt.Fprintf(&b, " err=%q", f.Err.Error())
		}
		b.WriteString("\n")
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for i := range rep.Suites {
		dumpSuite(&b, &rep.Suites[i], "")
	}
	return b.String()
}

func dumpSuite(b *strings.Builder, s *gojunit.Suite, indent string) {
	t := s.Totals
	fmt.Fprintf(b, "%ssuite %q package=%q tests=%d passed=%d failed=%d error=%d skipped=%d duration=%s\n",
		indent, s.Name, s.Package, t.Tests, t.Passed, t.Failed, t.Error, t.Skipped, t.Duration)
	dumpProps(b, s.Properties, indent+"  ")
	if s.SystemOut != "" {
		fmt.Fprintf(b, "%s  system-out: %s\n", indent, short(s.SystemOut))
	}
	if s.SystemErr != "" {
		fmt.Fprintf(b, "%s  system-err: %s\n", indent, short(s.SystemErr))
	}
	for i := range s.Tests {
		if i == maxDumpTests {
			fmt.Fprintf(b, "%s  … %d more tests\n", indent, len(s.Tests)-i)
			break
		}
		tc := &s.Tests[i]
		in := Info(*tc)
		fmt.Fprintf(b, "%s  test %q classname=%q status=%s outcome=%s attempts=%d duration=%s file=%q line=%d\n",
			indent, tc.Name, tc.Classname, tc.Status, in.Outcome, in.Attempts, tc.Duration, in.File, in.Line)
		fmt.Fprintf(b, "%s    headline: %q\n", indent, Headline(*tc))
		if e, ok := tc.Error.(gojunit.Error); ok {
			fmt.Fprintf(b, "%s    error: message=%s type=%q\n", indent, short(e.Message), e.Type)
			fmt.Fprintf(b, "%s    body: %s\n", indent, short(e.Body))
		}
		if tc.SystemOut != "" {
			fmt.Fprintf(b, "%s    system-out: %s\n", indent, short(tc.SystemOut))
		}
		if tc.SystemErr != "" {
			fmt.Fprintf(b, "%s    system-err: %s\n", indent, short(tc.SystemErr))
		}
		dumpProps(b, tc.Properties, indent+"    ")
	}
	for i := range s.Suites {
		dumpSuite(b, &s.Suites[i], indent+"  ")
	}
}

func dumpProps(b *strings.Builder, props map[string]string, indent string) {
	all := make([]string, 0, len(props))
	for k := range props {
		all = append(all, k)
	}
	sort.Strings(all)
	nprop := 0
	for _, k := range all {
		if strings.HasPrefix(k, PropertyPrefix) {
			nprop++
			if nprop > 3 {
				continue
			}
		}
		v := props[k]
		if k == KeyRerunSystemOut || k == KeyRerunSystemErr {
			fmt.Fprintf(b, "%s%s = %s\n", indent, k, short(v))
			continue
		}
		fmt.Fprintf(b, "%s%s = %q\n", indent, k, v)
	}
	if nprop > 3 {
		fmt.Fprintf(b, "%s(%d properties in all)\n", indent, nprop)
	}
}

func short(s string) string {
	const max = 160
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q…[%d bytes]…%q", s[:max/2], len(s), s[len(s)-max/2:])
}

// golden compares got with testdata/golden/<name>.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with: go test ./junit -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s mismatch (go test ./junit -run %s -update to accept)\n--- want\n%s\n--- got\n%s", path, t.Name(), want, got)
	}
}
