package junit

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	gojunit "github.com/joshdk/go-junit"
)

// benchReport builds the benchmark input of docs/junit-dialects.md §1.5:
// 100 suites of 1,000 test cases with name, classname, file, line and time;
// every 100th fails with a ~2 KB entity-escaped Java stack trace.
func benchReport(suites, perSuite int) []byte {
	var trace strings.Builder
	trace.WriteString("java.lang.AssertionError: expected:&lt;1&gt; but was:&lt;2&gt;\n")
	for i := 0; trace.Len() < 2000; i++ {
		fmt.Fprintf(&trace, "\tat com.example.app.service.Handler%d.process(Handler%d.java:%d)\n", i, i, 100+i)
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<testsuites>\n")
	n := 0
	for s := 0; s < suites; s++ {
		fmt.Fprintf(&b, "  <testsuite name=\"com.example.app.Suite%d\" tests=\"%d\" time=\"12.5\">\n", s, perSuite)
		for c := 0; c < perSuite; c++ {
			n++
			fmt.Fprintf(&b, `    <testcase name="testCase%d" classname="com.example.app.Suite%d" file="src/test/java/com/example/app/Suite%d.java" line="%d" time="0.012"`, c, s, s, c+10)
			if n%100 == 0 {
				fmt.Fprintf(&b, ">\n      <failure message=\"expected:&lt;1&gt; but was:&lt;2&gt;\" type=\"java.lang.AssertionError\">%s</failure>\n    </testcase>\n", trace.String())
			} else {
				b.WriteString("/>\n")
			}
		}
		b.WriteString("  </testsuite>\n")
	}
	b.WriteString("</testsuites>\n")
	return b.Bytes()
}

var benchData = sync.OnceValue(func() []byte { return benchReport(100, 1000) })

func BenchmarkParse(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := Parse(bytes.NewReader(data), Options{})
		if err != nil || rep.Totals.Tests != 100000 || rep.Totals.Failed != 1000 {
			b.Fatalf("parse: %v, totals %+v", err, rep.Totals)
		}
	}
}

func BenchmarkGoJUnitIngest(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		suites, err := gojunit.IngestReader(bytes.NewReader(data))
		if err != nil || len(suites) != 100 {
			b.Fatalf("ingest: %v, %d suites", err, len(suites))
		}
	}
}

// BenchmarkSanitizer measures the input layer alone.
func BenchmarkSanitizer(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := io.Copy(io.Discard, newSanitizer(bytes.NewReader(data))); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMeasureFile parses the file named by $JUNIT_MEASURE_FILE once, with
// Parse or (with $JUNIT_MEASURE_GOJUNIT set) go-junit, so that peak RSS can
// be read from outside. $JUNIT_MEASURE_WRITE writes the benchmark input to
// that path first. Without those variables it does nothing.
//
//	go test -c -o /tmp/junit.test ./junit
//	JUNIT_MEASURE_WRITE=/tmp/bench.xml /tmp/junit.test -test.run TestMeasureFile
//	JUNIT_MEASURE_FILE=/tmp/bench.xml /usr/bin/time -v /tmp/junit.test -test.run TestMeasureFile
func TestMeasureFile(t *testing.T) {
	if path := os.Getenv("JUNIT_MEASURE_WRITE"); path != "" {
		if err := os.WriteFile(path, benchReport(100, 1000), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := os.Getenv("JUNIT_MEASURE_FILE")
	if path == "" {
		t.Skip("set JUNIT_MEASURE_FILE")
	}
	if os.Getenv("JUNIT_MEASURE_GOJUNIT") != "" {
		suites, err := gojunit.IngestFile(path)
		t.Logf("go-junit: %d suites, err %v", len(suites), err)
		return
	}
	rep, err := IngestFile(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("totals %+v", rep.Totals)
}
