package joblog

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden is the part of a Result the golden files pin down.
type golden struct {
	Lines              int
	Bytes              int64
	Sections           []Section `json:",omitempty"`
	FailedSection      string    `json:",omitempty"`
	FailingCommand     string    `json:",omitempty"`
	FailingCommandLine int       `json:",omitempty"`
	ExitCode           int       `json:",omitempty"`
	HasExitCode        bool      `json:",omitempty"`
	Image              string    `json:",omitempty"`
	RunnerError        string    `json:",omitempty"`
	TimedOut           bool      `json:",omitempty"`
	Truncated          bool      `json:",omitempty"`
	Category           Category
	Hint               string
	Rule               string
	Excerpts           []Excerpt
}

func toGolden(r *Result) golden {
	return golden{r.Lines, r.Bytes, r.Sections, r.FailedSection, r.FailingCommand, r.FailingCommandLine,
		r.ExitCode, r.HasExitCode, r.Image, r.RunnerError, r.TimedOut, r.Truncated, r.Category, r.Hint, r.Rule, r.Excerpts}
}

// TestGolden analyses every trace and log in testdata and compares the
// result with testdata/golden/<dir>/<name>.json. Run with -update to
// rewrite them after a deliberate change.
func TestGolden(t *testing.T) {
	for _, dir := range []string{"traces", "logs"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no files in testdata/%s", dir)
		}
		for _, f := range files {
			t.Run(dir+"/"+filepath.Base(f), func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Analyze(bytes.NewReader(data), Options{})
				if err != nil {
					t.Fatalf("Analyze: %v", err)
				}
				got, err := json.MarshalIndent(toGolden(res), "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
				path := filepath.Join("testdata", "golden", dir, filepath.Base(f)+".json")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("reading golden file (run with -update to create it): %v", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("result differs from %s (run with -update after checking the change):\n%s", path, firstDiff(string(want), string(got)))
				}
			})
		}
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\n  want: " + a + "\n  got:  " + b
		}
	}
	return ""
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func analyzeString(t *testing.T, log string) *Result {
	t.Helper()
	res, err := Analyze(strings.NewReader(log), Options{})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return res
}

// The plain and the timestamped synthetic job hold the same writes: the
// facts must agree.
func TestSyntheticFacts(t *testing.T) {
	for _, name := range []string{"failed_job_plain.log", "failed_job_timestamped.log"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "traces", name))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Analyze(bytes.NewReader(data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.FailingCommand != "go run gotest.tools/gotestsum --junitfile report.xml --raw-command -- cat test.log" {
				t.Errorf("FailingCommand = %q", res.FailingCommand)
			}
			if !res.HasExitCode || res.ExitCode != 1 {
				t.Errorf("exit code = %d (%v), want 1", res.ExitCode, res.HasExitCode)
			}
			if res.Image != "golang:1.23" {
				t.Errorf("Image = %q", res.Image)
			}
			if res.FailedSection != "step_script" {
				t.Errorf("FailedSection = %q", res.FailedSection)
			}
			if res.Category != CategoryTest || res.Rule != "go.test-failed" {
				t.Errorf("category %q rule %q, want test / go.test-failed", res.Category, res.Rule)
			}
			var names []string
			for _, s := range res.Sections {
				names = append(names, s.Name)
				if s.Name == "step_script" && s.Duration != 9*time.Second {
					t.Errorf("step_script duration = %v, want 9s", s.Duration)
				}
			}
			want := "prepare_executor prepare_script get_sources step_script upload_artifacts_on_failure cleanup_file_variables"
			if got := strings.Join(names, " "); got != want {
				t.Errorf("sections = %s\nwant %s", got, want)
			}
			if len(res.Excerpts) == 0 {
				t.Fatal("no excerpt")
			}
			first := strings.Join(res.Excerpts[0].Lines, "\n")
			if !strings.Contains(first, "--- FAIL: TestParseHeader") {
				t.Errorf("first excerpt does not show the first failing test:\n%s", first)
			}
			// The excerpt's line numbers point into the raw log.
			raw := strings.Split(string(data), "\n")
			ex := res.Excerpts[0]
			for i, l := range ex.Lines {
				if l != "" && !strings.Contains(raw[ex.StartLine-1+i], l) {
					t.Errorf("excerpt line %d %q is not raw line %d %q", i, l, ex.StartLine+i, raw[ex.StartLine-1+i])
				}
			}
		})
	}
}

func TestFacts(t *testing.T) {
	const red = "\x1b[31;1m"
	const reset = "\x1b[0;m"
	tests := []struct {
		name  string
		log   string
		check func(t *testing.T, r *Result)
	}{
		{"empty", "", func(t *testing.T, r *Result) {
			if r.Lines != 0 || r.Bytes != 0 || len(r.Excerpts) != 0 || r.Category != CategoryUnknown {
				t.Errorf("got %+v", r)
			}
		}},
		{"no final newline", "a\nb\nerror: boom", func(t *testing.T, r *Result) {
			if r.Lines != 3 {
				t.Errorf("Lines = %d, want 3", r.Lines)
			}
			if len(r.Excerpts) == 0 || r.Excerpts[0].EndLine != 3 {
				t.Errorf("excerpts = %+v", r.Excerpts)
			}
		}},
		{"CR-only line ends are one line", "one\rtwo\rthree\r", func(t *testing.T, r *Result) {
			if r.Lines != 1 {
				t.Errorf("Lines = %d, want 1", r.Lines)
			}
		}},
		{"system failure", "Running with gitlab-runner 17.0.0\n" + red + "ERROR: Job failed (system failure): Error response from daemon: no such container" + reset + "\n",
			func(t *testing.T, r *Result) {
				if !strings.HasPrefix(r.RunnerError, "ERROR: Job failed (system failure): Error response") || r.Category != CategoryInfra || r.Rule != "runner.system-failure" {
					t.Errorf("RunnerError %q category %q rule %q", r.RunnerError, r.Category, r.Rule)
				}
			}},
		{"timeout", "\x1b[32;1m$ sleep 7200\x1b[0;m\n" + red + "ERROR: Job failed: execution took longer than 1h0m0s seconds" + reset + "\n",
			func(t *testing.T, r *Result) {
				if !r.TimedOut || r.Category != CategoryTimeout || r.FailingCommand != "sleep 7200" || r.FailingCommandLine != 1 {
					t.Errorf("TimedOut %v category %q command %q at %d", r.TimedOut, r.Category, r.FailingCommand, r.FailingCommandLine)
				}
			}},
		{"exit 137 is an out-of-memory kill", "\x1b[32;1m$ make -j16\x1b[0;m\ncc1plus: some output\n" + red + "ERROR: Job failed: exit code 137" + reset + "\n",
			func(t *testing.T, r *Result) {
				if r.ExitCode != 137 || r.Category != CategoryInfra || r.Rule != "infra.oom-killed" {
					t.Errorf("exit %d category %q rule %q", r.ExitCode, r.Category, r.Rule)
				}
			}},
		{"k8s exit code", "$ false\nERROR: Job failed: command terminated with exit code 3\n", func(t *testing.T, r *Result) {
			if !r.HasExitCode || r.ExitCode != 3 {
				t.Errorf("exit %d %v", r.ExitCode, r.HasExitCode)
			}
		}},
		{"truncated", "line\n\n\x1b[33;1mJob's log exceeded limit of 4194304 bytes.\nJob execution will continue but no more output will be collected.\x1b[0;m\n",
			func(t *testing.T, r *Result) {
				if !r.Truncated {
					t.Error("Truncated = false")
				}
			}},
		{"image from the executor line", "\x1b[0KUsing Kubernetes executor with image alpine:3.4 ...\x1b[0;m\n", func(t *testing.T, r *Result) {
			if r.Image != "alpine:3.4" {
				t.Errorf("Image = %q", r.Image)
			}
		}},
		{"command not found on alpine", "$ curl -sSf https://example.com/install.sh | sh\n/bin/sh: eval: line 123: curl: not found\nERROR: Job failed: exit code 127\n",
			func(t *testing.T, r *Result) {
				if r.Category != CategoryScript || r.Rule != "shell.command-not-found" || r.ExitCode != 127 {
					t.Errorf("category %q rule %q exit %d", r.Category, r.Rule, r.ExitCode)
				}
				if len(r.Excerpts) == 0 || r.Excerpts[0].StartLine > 2 || r.Excerpts[0].EndLine < 2 {
					t.Errorf("excerpts = %+v", r.Excerpts)
				}
			}},
		{"first error before the cascade", strings.Join([]string{
			"section_start:1:step_script\r\x1b[0K\x1b[32;1m$ make\x1b[0;m",
			"src/a.c:3:1: error: unknown type name 'foo'",
			"src/a.c:9:5: error: 'x' undeclared (first use in this function)",
			"make: *** [Makefile:4: a.o] Error 1",
			"section_end:2:step_script\r\x1b[0Ksection_start:2:after_script\r\x1b[0K\x1b[32;1m$ ./notify.sh\x1b[0;m",
			"npm WARN deprecated left-pad@1.0.0",
			"curl: (6) Could not resolve host: hooks.example.com",
			"section_end:3:after_script\r\x1b[0K\x1b[31;1mERROR: Job failed: exit code 2\x1b[0;m",
		}, "\n"), func(t *testing.T, r *Result) {
			if len(r.Excerpts) == 0 || r.Excerpts[0].StartLine > 2 || r.Excerpts[0].EndLine < 2 {
				t.Fatalf("excerpts = %+v", r.Excerpts)
			}
			if r.Rule != "c.compile" || r.Category != CategoryBuild {
				t.Errorf("rule %q category %q", r.Rule, r.Category)
			}
			if r.FailingCommand != "make" || r.FailedSection != "step_script" {
				t.Errorf("command %q section %q", r.FailingCommand, r.FailedSection)
			}
			for _, e := range r.Excerpts {
				for _, h := range e.Highlight {
					if h == 6 {
						t.Errorf("a warning was highlighted: %+v", e)
					}
				}
			}
		}},
		{"noise is not an excerpt", "tests: 12 passed, 0 failures, 0 errors\n<testsuite failures=\"0\" errors=\"0\">\nnpm WARN deprecated request@2.88.2\n",
			func(t *testing.T, r *Result) {
				for _, e := range r.Excerpts {
					if e.Rule != "tail" {
						t.Errorf("noise excerpt %+v", e)
					}
				}
			}},
		{"travis failure line", "$ rake\nrake aborted!\nNo Rakefile found (looking for: rakefile, Rakefile, rakefile.rb, Rakefile.rb)\n\x1b[31;1mThe command \"rake\" exited with 1.\x1b[0m\n",
			func(t *testing.T, r *Result) {
				if r.FailingCommand != "rake" || r.ExitCode != 1 || r.Rule != "shell.rake-aborted" {
					t.Errorf("command %q exit %d rule %q", r.FailingCommand, r.ExitCode, r.Rule)
				}
			}},
		{"lead-up before a long after_script", func() string {
			lines := []string{
				"section_start:1:step_script\r\x1b[0K\x1b[32;1m$ ./run.sh\x1b[0;m",
				"step one",
				"step two",
				"the last words",
				"section_end:2:step_script\r\x1b[0Ksection_start:2:after_script\r\x1b[0K\x1b[32;1m$ ./notify.sh\x1b[0;m",
			}
			for i := range 3 * ringSize {
				lines = append(lines, fmt.Sprintf("notifying channel %d", i))
			}
			lines = append(lines, "section_end:3:after_script\r\x1b[0K\x1b[31;1mERROR: Job failed: exit code 3\x1b[0;m")
			return strings.Join(lines, "\n")
		}(), func(t *testing.T, r *Result) {
			want := Excerpt{StartLine: 1, EndLine: 4, Lines: []string{"$ ./run.sh", "step one", "step two", "the last words"}, Rule: "lead-up"}
			if len(r.Excerpts) == 0 || !reflect.DeepEqual(r.Excerpts[0], want) {
				t.Errorf("excerpts = %+v, want first %+v", r.Excerpts, want)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, analyzeString(t, tt.log)) })
	}
}

type recordSink struct {
	n     []int
	lines []string
}

func (s *recordSink) Line(n int, text []byte) {
	s.n = append(s.n, n)
	s.lines = append(s.lines, string(text))
}

func TestSinksSeeEveryCleanedLine(t *testing.T) {
	log := "section_start:1:step_script\r\x1b[0K\x1b[32;1m$ go test\x1b[0;m\r\nok\n\nprogress 10%\rprogress 100%\nlast"
	a, b := &recordSink{}, &recordSink{}
	res, err := Analyze(strings.NewReader(log), Options{Sinks: []LineSink{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"$ go test", "ok", "", "progress 100%", "last"}
	if strings.Join(a.lines, "|") != strings.Join(want, "|") {
		t.Errorf("lines = %q, want %q", a.lines, want)
	}
	for i, n := range a.n {
		if n != i+1 {
			t.Errorf("line numbers = %v", a.n)
			break
		}
	}
	if strings.Join(b.lines, "|") != strings.Join(a.lines, "|") {
		t.Error("the second sink saw other lines")
	}
	if res.Lines != 5 {
		t.Errorf("Lines = %d", res.Lines)
	}
}

func TestReadErrorKeepsWhatWasRead(t *testing.T) {
	boom := errors.New("connection reset")
	r := iotest.DataErrReader(iotestReader("$ make\nsrc/x.c:1:1: error: boom\n", boom))
	res, err := Analyze(r, Options{})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
	if res == nil || res.Lines != 2 || len(res.Excerpts) == 0 {
		t.Fatalf("partial result = %+v", res)
	}
}

// iotestReader returns data and then err.
func iotestReader(data string, err error) *errAfter { return &errAfter{data: data, err: err} }

type errAfter struct {
	data string
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestMaxExcerpts(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 20; i++ {
		b.WriteString("ok\nok\nok\nok\nok\nerror: thing ")
		b.WriteString(itoa(i))
		b.WriteString(" broke\n")
	}
	res, err := Analyze(strings.NewReader(b.String()), Options{MaxExcerpts: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Excerpts) != 2 {
		t.Errorf("%d excerpts, want 2", len(res.Excerpts))
	}
}

// Analyses reuse each other's buffers (scratch): a result holds none of
// them, so it stays as it was while other logs are read, at once or one
// after the other.
func TestResultsOutliveScratch(t *testing.T) {
	data := blockTestData(t)
	first := make([]*Result, len(data))
	for i, d := range data {
		res, err := Analyze(bytes.NewReader(d), Options{})
		if err != nil {
			t.Fatal(err)
		}
		first[i] = res
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(data); i += 4 {
				Analyze(bytes.NewReader(data[(i+1)%len(data)]), Options{})
			}
		}()
	}
	wg.Wait()
	for i, d := range data {
		again, err := Analyze(bytes.NewReader(d), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first[i], again) {
			t.Fatalf("log %d: the first result changed, or differs from a second reading:\n%+v\n%+v", i, first[i], again)
		}
	}
}
