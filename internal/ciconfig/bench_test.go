package ciconfig

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// bigConfig is a monorepo-sized configuration: n jobs extending shared
// templates, with anchors and !reference tags.
func bigConfig(n int) string {
	var b strings.Builder
	b.WriteString("default:\n  image: golang:1.26\n  before_script: [go env]\nvariables:\n  GOFLAGS: -mod=readonly\n")
	b.WriteString(".cache: &cache\n  cache: {key: go, paths: [.go/]}\n.test:\n  <<: *cache\n  script: [go test ./...]\n  artifacts: {reports: {junit: report.xml}}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "test:svc%d:\n  extends: .test\n  variables: {SVC: svc%d}\n  needs: [\"build:svc%d\"]\n  script:\n    - cd svc%d\n    - !reference [.test, script]\n", i, i, i, i)
		fmt.Fprintf(&b, "build:svc%d:\n  <<: *cache\n  parallel: 3\n  script: go build ./svc%d/...\n", i, i)
	}
	return b.String()
}

func BenchmarkParse(b *testing.B) {
	small, err := os.ReadFile("testdata/python-service.yml")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		in   string
	}{{"python-service", string(small)}, {"1000-jobs", bigConfig(500)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				c, err := Parse(strings.NewReader(bc.in))
				if err != nil || len(c.Jobs()) == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestBigConfig(t *testing.T) {
	c, err := Parse(strings.NewReader(bigConfig(50)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Jobs()); n != 100 {
		t.Errorf("%d jobs", n)
	}
	j, ok := c.Job("test:svc7")
	if !ok || strings.Join(j.Script, "|") != "cd svc7|go test ./..." || strings.Join(j.JUnit, "|") != "report.xml" ||
		strings.Join(j.Needs, "|") != "build:svc7" || strings.Join(j.Variables, "|") != "GOFLAGS|SVC" || j.Image != "golang:1.26" {
		t.Errorf("test:svc7 = %+v", j)
	}
	if _, ok := c.Job("build:svc7 3/3"); !ok {
		t.Error("build:svc7 3/3 not found")
	}
}
