package junit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	gojunit "github.com/joshdk/go-junit"
)

// FuzzParse feeds arbitrary bytes to Parse: it must not panic, must return
// a report, and the report's counts must add up.
//
//	go test ./junit -run '^$' -fuzz FuzzParse -fuzztime 30s
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"edge-cases", "nextest", "surefire", "pytest", "jest-junit", "gotestsum", "phpunit", "bazel"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil && len(data) < 16<<10 {
				f.Add(data)
			}
		}
	}
	if data, err := os.ReadFile("testdata/gitlab/junit.xml.gz"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("<testsuites><testcase name=\"x\"><failure>\x1b&#27;</failure></testcase>"))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"latin1\"?><testsuite><testcase name=\"\xe9\"/></testsuite>"))
	f.Add([]byte("\xff\xfe<\x00t\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{{MaxBodyBytes: 16}, {KeepPassing: true, KeepSkipped: true, MaxFileBytes: 4096}} {
			rep, _ := Parse(bytes.NewReader(data), opts)
			if rep == nil {
				t.Fatal("nil report")
			}
			checkTotals(t, rep)
		}
		// The scanner and encoding/xml must agree on well-formed input.
		if _, err := stdTokens(data); err == nil && bytes.HasPrefix(data, []byte("<")) {
			a, aerr := Parse(bytes.NewReader(data), Options{KeepPassing: true, KeepSkipped: true})
			b, berr := Parse(bytes.NewReader(data), Options{KeepPassing: true, KeepSkipped: true, stdDecoder: true})
			if aerr == nil && berr == nil {
				if da, db := dump(a, nil), dump(b, nil); da != db {
					t.Fatalf("scanner and encoding/xml disagree\n--- scanner\n%s\n--- encoding/xml\n%s", da, db)
				}
			}
		}
	})
}

func checkTotals(t *testing.T, rep *Report) {
	t.Helper()
	tot := rep.Totals
	if tot.Tests != tot.Passed+tot.Failed+tot.Error+tot.Skipped || tot.Tests < 0 || tot.Passed < 0 || tot.Failed < 0 || tot.Error < 0 {
		t.Fatalf("totals do not add up: %+v", tot)
	}
	if rep.Flaky < 0 || rep.Flaky > tot.Passed {
		t.Fatalf("flaky %d of %d passed", rep.Flaky, tot.Passed)
	}
	var sum gojunit.Totals
	for _, s := range rep.Suites {
		addTotals(&sum, s.Totals)
	}
	if sum != tot {
		t.Fatalf("suites add up to %+v, report says %+v", sum, tot)
	}
	if kept := len(rep.Cases()); kept > tot.Tests {
		t.Fatalf("%d tests kept of %d", kept, tot.Tests)
	}
	files := 0
	for _, f := range rep.Files {
		files += f.Tests
	}
	if files < tot.Tests {
		t.Fatalf("files saw %d test cases, totals %d", files, tot.Tests)
	}
}
