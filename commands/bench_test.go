package commands

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/shared"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
)

const (
	benchJobs      = 40
	benchTraceSize = 5 << 20
)

// benchTrace is a 5 MB job log in runner 18.8's timestamped format: real
// test output (go test, rspec, pytest) repeated inside collapsible
// sections, with colour, between the runner's framing and the failure.
func benchTrace(tb testing.TB) []byte {
	unit := readLog(tb, "go-ethereum-downloader.log") + readLog(tb, "rspec-discourse-mutex.log") +
		readLog(tb, "pytest-session-header.log") + readLog(tb, "pytest-connrefused-block.log")
	const marker = "BODY-GOES-HERE"
	framed := timestamped(runnerLog{image: "python:3.12-slim", project: "acme/big/monorepo", ref: "main",
		sha: "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e", start: 1772446000,
		script: "$ make test\n" + marker + "\n", final: "ERROR: Job failed: exit code 1"}.bytes(), 0)
	i := bytes.Index(framed, []byte(marker))
	head := framed[:bytes.LastIndexByte(framed[:i], '\n')+1]
	foot := framed[i+len(marker)+1:]
	out := bytes.NewBuffer(make([]byte, 0, benchTraceSize))
	out.Write(head)
	room := benchTraceSize - len(head) - len(foot)
	const header = 32 // timestamp, stream, type and continuation flag
	for n := 0; ; n++ {
		var sec strings.Builder
		fmt.Fprintf(&sec, "section_start:%d:shard_%d[collapsed=true]\r\x1b[0K\x1b[36;1mshard %d\x1b[0;m\n", 1772446100+n, n, n)
		sec.WriteString(unit)
		fmt.Fprintf(&sec, "section_end:%d:shard_%d\r\x1b[0K\n", 1772446101+n, n)
		lines := bytes.SplitAfter(timestamped([]byte(sec.String()), 1000+n*400), []byte("\n"))
		full := false
		for _, l := range lines {
			if room-len(l) < header+2 {
				full = true
				break
			}
			out.Write(l)
			room -= len(l)
		}
		if full {
			break
		}
	}
	fmt.Fprintf(out, "2026-03-02T10:10:00.000000Z 01O %s\n", strings.Repeat(".", room-header-1))
	out.Write(foot)
	return out.Bytes()
}

// timestamped rewrites a plain log in FF_TIMESTAMPS format: a 32-byte
// header per line; a section marker ending in \r\e[0K is its own entry and
// what follows it on the line continues with "+".
func timestamped(raw []byte, seq int) []byte {
	var out bytes.Buffer
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, line := range bytes.SplitAfter(raw, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		seq++
		ts := t0.Add(time.Duration(seq) * 3 * time.Millisecond).Format("2006-01-02T15:04:05.000000Z")
		for bytes.HasPrefix(line, []byte("section_")) {
			j := bytes.Index(line, []byte("\r\x1b[0K"))
			if j < 0 || j+5 == len(line)-1 {
				break
			}
			fmt.Fprintf(&out, "%s 00O %s\n", ts, line[:j+5])
			line = line[j+5:]
			fmt.Fprintf(&out, "%s 00O+", ts)
			out.Write(line)
			line = nil
		}
		if line != nil {
			fmt.Fprintf(&out, "%s 01O ", ts)
			out.Write(line)
		}
	}
	return out.Bytes()
}

// bigScenario is one pipeline with benchJobs failed jobs sharing one trace.
func bigScenario(trace []byte) *fakegitlab.Scenario {
	sc := newScenario(5200, "acme/big/monorepo", fakegitlab.Pipeline{ID: 66001, SHA: "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e", Ref: "main"})
	for i := 0; i < benchJobs; i++ {
		sc.AddJob(fakegitlab.Job{ID: 7600100 + int64(i), PipelineID: 66001, Name: fmt.Sprintf("test %d/%d", i+1, benchJobs),
			Stage: "test", Status: "failed", Duration: f64(600)}, trace)
	}
	return sc
}

// BenchmarkFetch40x5MB measures shared.Collect (graph, 40 traces of 5 MB
// streamed and analysed, report built) against the fake GitLab answering
// every request after 50 ms.
//
//	go test ./commands -run '^$' -bench Fetch40x5MB -benchtime=1x
func BenchmarkFetch40x5MB(b *testing.B) {
	trace := benchTrace(b)
	if len(trace) != benchTraceSize {
		b.Fatalf("trace is %d bytes", len(trace))
	}
	srv := fakegitlab.NewTB(b, bigScenario(trace), fakegitlab.Options{Latency: 50 * time.Millisecond})
	for _, conc := range []int{16, 1} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			client, err := gitlab.New(gitlab.Config{BaseURL: srv.APIURL(), Token: scenarioToken, Kind: gitlab.AuthPrivate, Concurrency: conc})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(benchJobs * benchTraceSize)
			b.ReportAllocs()
			var rep *diagnose.Report
			for b.Loop() {
				rep, err = shared.Collect(context.Background(), client, "acme/big/monorepo", 66001, shared.CollectOptions{
					Project: diagnose.Project{ID: 5200, Path: "acme/big/monorepo", Host: "gitlab.example.com"},
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			if len(rep.Jobs) != benchJobs {
				b.Fatalf("%d jobs in the report, want %d", len(rep.Jobs), benchJobs)
			}
			for _, j := range rep.Jobs {
				if j.LogBytes != benchTraceSize {
					b.Fatalf("job %s: %d log bytes read, want %d", j.Name, j.LogBytes, benchTraceSize)
				}
			}
		})
	}
}

// TestBenchTraceShape checks the benchmark's log: exactly 5 MB, every line
// under a timestamp header, the failure at the end, and that the log
// engine reads it as a failed job.
func TestBenchTraceShape(t *testing.T) {
	trace := benchTrace(t)
	if len(trace) != benchTraceSize {
		t.Fatalf("%d bytes, want %d", len(trace), benchTraceSize)
	}
	head := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z [0-9a-f]{2}[OE][ +]`)
	lines := bytes.Split(bytes.TrimSuffix(trace, []byte("\n")), []byte("\n"))
	for i, l := range lines {
		if !head.Match(l) {
			t.Fatalf("line %d has no timestamp header: %q", i+1, l)
		}
	}
	if last := string(lines[len(lines)-1]); !strings.Contains(last, "ERROR: Job failed: exit code 1") {
		t.Errorf("last line %q", last)
	}
	facts := shared.ReadLog(bytes.NewReader(trace))
	if facts.Err != nil || facts.Result == nil {
		t.Fatalf("reading the log: %v", facts.Err)
	}
	if !facts.Result.HasExitCode || facts.Result.ExitCode != 1 || facts.Result.Bytes != benchTraceSize {
		t.Errorf("exit code %v %d, %d bytes", facts.Result.HasExitCode, facts.Result.ExitCode, facts.Result.Bytes)
	}
}
