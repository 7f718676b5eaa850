package joblog

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/joblog/testlog"
)

// benchTrace builds a realistic trace of about size bytes: the real GitLab
// traces from testdata (ANSI colour, section markers, '\r' redraws), the
// timestamped synthetic job and a real failed job from the CI log corpus,
// repeated.
func benchTrace(tb testing.TB, size int) []byte {
	tb.Helper()
	var parts [][]byte
	for _, name := range []string{"traces/sample_trace", "traces/runner-log-1", "traces/failed_job_timestamped.log", "traces/runner-log-4"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			tb.Fatalf("reading %s: %v", name, err)
		}
		parts = append(parts, b)
	}
	var buf bytes.Buffer
	for buf.Len() < size {
		for _, p := range parts {
			buf.Write(p)
		}
	}
	return buf.Bytes()
}

func BenchmarkAnalyze(b *testing.B) { benchAnalyze(b, benchTrace(b, 8<<20)) }

// BenchmarkAnalyzeQuiet measures Analyze on the lines of the benchmark
// trace that no rule's keywords are in and that are no numbered failure,
// repeated: the output of a job that is going well, which makes most of a
// long log.
func BenchmarkAnalyzeQuiet(b *testing.B) {
	quiet := quietLines(b)
	benchAnalyze(b, bytes.Repeat(quiet, (8<<20)/len(quiet)+1))
}

// BenchmarkAnalyzeLongJob measures Analyze on a long job that fails at the
// end: about 8 MB of passing output (as BenchmarkAnalyzeQuiet), then the
// real traces of the benchmark trace, each once.
func BenchmarkAnalyzeLongJob(b *testing.B) {
	quiet := quietLines(b)
	failures := benchTrace(b, 1)
	data := append(bytes.Repeat(quiet, (8<<20-len(failures))/len(quiet)+1), failures...)
	benchAnalyze(b, data)
}

// BenchmarkAnalyzeTimestamped measures Analyze on the long job as newer
// runners write it: every line after the runner's 32-byte timestamp
// header.
func BenchmarkAnalyzeTimestamped(b *testing.B) {
	quiet := quietLines(b)
	failures := benchTrace(b, 1)
	data := append(bytes.Repeat(quiet, (8<<20-len(failures))/len(quiet)+1), failures...)
	benchAnalyze(b, withTimestamps(data))
}

// withTimestamps puts the runner's timestamp header before each line of
// data that has none, 37 microseconds apart.
func withTimestamps(data []byte) []byte {
	var out []byte
	t := time.Date(2025, 5, 14, 11, 19, 20, 0, time.UTC)
	for line := range bytes.Lines(data) {
		if !hasTimestampHeader(line) {
			t = t.Add(37 * time.Microsecond)
			out = t.AppendFormat(out, "2006-01-02T15:04:05.000000Z 00O ")
		}
		out = append(out, line...)
	}
	return out
}

// quietLines returns the lines of the benchmark trace that hold no rule's
// keyword and no numbered failure, in their order.
func quietLines(tb testing.TB) []byte {
	if _, err := compiledRules(); err != nil {
		tb.Fatal(err)
	}
	var quiet []byte
	var c cleaner
	for _, raw := range bytes.SplitAfter(benchTrace(tb, 1<<20), []byte("\n")) {
		line := bytes.TrimSuffix(raw, []byte("\n"))
		if hasTimestampHeader(line) {
			line = line[timestampHeader:]
		}
		text := c.clean(line)
		m := matcher.scan(text)
		m[warningWord>>6] &^= 1 << (warningWord & 63) // "warning" is passing output too
		if m.isZero() && !isNumberedItem(text) {
			quiet = append(quiet, raw...)
		}
	}
	return quiet
}

// BenchmarkAnalyzeWithCollector measures the pass the doctor makes over a
// job's log: Analyze with the failing-test block collector as its sink, on
// the dense trace and on the long job.
func BenchmarkAnalyzeWithCollector(b *testing.B) {
	quiet := quietLines(b)
	failures := benchTrace(b, 1)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"dense", benchTrace(b, 8<<20)},
		{"long-job", append(bytes.Repeat(quiet, (8<<20-len(failures))/len(quiet)+1), failures...)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				col := testlog.NewCollector(testlog.DefaultLimits)
				if _, err := Analyze(bytes.NewReader(tc.data), Options{Sinks: []LineSink{col}}); err != nil {
					b.Fatal(err)
				}
				col.Blocks()
			}
		})
	}
}

func benchAnalyze(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Analyze(bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScan measures the keyword prefilter alone on the cleaned lines
// of the benchmark trace.
func BenchmarkScan(b *testing.B) { benchScan(b, func() *keywordMatcher { return matcher }) }

// BenchmarkScanNoise measures the noise keywords' prefilter, which runs on
// the lines that matched a rule, on every cleaned line of the trace.
func BenchmarkScanNoise(b *testing.B) { benchScan(b, func() *keywordMatcher { return noiseMatch }) }

// benchScan runs one keyword matcher (read after the knowledge base is
// built) over the cleaned lines of the benchmark trace, held one after the
// other in one buffer as Analyze's lines are (in a chunk, or in the
// cleaner's buffer).
func benchScan(b *testing.B, m func() *keywordMatcher) {
	if _, err := compiledRules(); err != nil {
		b.Fatal(err)
	}
	km := m()
	var c cleaner
	var buf []byte
	var ends []int
	size := 0
	for _, raw := range bytes.Split(benchTrace(b, 1<<20), []byte("\n")) {
		buf = append(append(buf, c.clean(raw)...), '\n')
		ends = append(ends, len(buf)-1)
		size += len(raw) + 1
	}
	var lines [][]byte
	for i, e := range ends {
		s := 0
		if i > 0 {
			s = ends[i-1] + 1
		}
		lines = append(lines, buf[s:e])
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			km.scan(l)
		}
	}
}

// BenchmarkClean measures cleaning alone (ANSI, section markers, '\r'
// redraws) on the raw lines of the benchmark trace.
func BenchmarkClean(b *testing.B) {
	raw := bytes.Split(benchTrace(b, 1<<20), []byte("\n"))
	size := 0
	for _, l := range raw {
		size += len(l) + 1
	}
	var c cleaner
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range raw {
			c.clean(l)
		}
	}
}

// BenchmarkCompilePatterns measures compiling every rule's expression, which
// a run of the command pays for each rule a log reaches.
func BenchmarkCompilePatterns(b *testing.B) {
	if _, err := compiledRules(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, r := range rules {
			if r.Pattern == "" {
				continue
			}
			if _, err := compilePattern(r.Pattern); err != nil {
				b.Fatal(err)
			}
		}
	}
}
