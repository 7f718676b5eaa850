package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/commands/cmdutil"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/fakegitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/glabconfig"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden")

// terminal describes the streams the command runs with.
type terminal struct {
	stdoutTTY, stderrTTY, color bool
	width                       int
	browser                     func(string) error
}

// runTerminal runs the root command like runCLI, with the given terminal.
func runTerminal(t *testing.T, env glabconfig.Env, term terminal, args ...string) cliResult {
	t.Helper()
	ios, _, stdout, stderr := cmdutil.Test()
	ios.SetStdoutTTY(term.stdoutTTY)
	ios.SetStderrTTY(term.stderrTTY)
	ios.SetColorEnabled(term.color)
	if term.width > 0 {
		ios.SetTerminalWidth(term.width)
	}
	browser := term.browser
	if browser == nil {
		browser = func(url string) error {
			t.Errorf("unexpected browser call for %s", url)
			return nil
		}
	}
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    env.Getenv,
		Now:       func() time.Time { return scenarioClock },
		WorkDir:   env.WorkDir,
		GlabEnv:   func() glabconfig.Env { return env },
		Browser:   browser,
	}
	code := run(context.Background(), f, args)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// serveScenario starts the fake GitLab for sc and writes a glab config
// whose host is gitlab.example.com with its API on the fake server, so
// that every web link in the report is stable.
func serveScenario(t *testing.T, s scenario, opts fakegitlab.Options) (*fakegitlab.Server, glabconfig.Env) {
	t.Helper()
	srv := fakegitlab.NewTB(t, s.build(t), opts)
	env, _ := glabEnv(t, glabconfig.TestHost{Name: "gitlab.example.com", Token: scenarioToken,
		APIProtocol: "http", APIHost: srv.Host()}, nil)
	return srv, env
}

// assertGolden compares got with testdata/golden/name, or rewrites it
// with -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
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
		t.Fatalf("%v (create it with: go test ./commands -run Golden -update)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (go test ./commands -run Golden -update to accept)\n%s", path, firstDiff(want, got))
	}
}

// firstDiff shows the first differing line of two outputs.
func firstDiff(want, got []byte) string {
	w := strings.Split(string(want), "\n")
	g := strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + itoa(i+1) + ":\n--- want\n" + quoteLine(wl) + "\n+++ got\n" + quoteLine(gl)
		}
	}
	return ""
}

func quoteLine(s string) string { return strings.ReplaceAll(s, "\x1b", `\e`) }

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// maskHost replaces the fake server's random address, which the report
// shows as the project's web address when glab's api_host differs from
// the host (see the report of this suite), with a fixed name.
func maskHost(s string, srv *fakegitlab.Server) string {
	return strings.ReplaceAll(s, srv.Host(), "api-host.invalid")
}

// goldenFormats are the renderings of every scenario.
var goldenFormats = []struct {
	suffix string
	term   terminal
	args   []string
}{
	{suffix: "text.golden", term: terminal{}},
	{suffix: "tty.golden", term: terminal{stdoutTTY: true, color: true, width: 100}},
	{suffix: "json.golden", args: []string{"--output", "json"}},
	{suffix: "md.golden", args: []string{"--output", "markdown"}},
}

// TestGoldenReports renders every scenario in every format through the
// real root command against the fake GitLab.
func TestGoldenReports(t *testing.T) {
	for _, s := range goldenScenarios() {
		t.Run(s.name, func(t *testing.T) {
			srv, env := serveScenario(t, s, fakegitlab.Options{})
			for _, f := range goldenFormats {
				t.Run(f.suffix, func(t *testing.T) {
					args := append([]string{s.pipelineURL()}, f.args...)
					res := runTerminal(t, env, f.term, args...)
					if res.code != 0 {
						t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
					}
					if res.stderr != "" {
						t.Errorf("stderr is not empty: %q", res.stderr)
					}
					if strings.HasSuffix(f.suffix, "json.golden") && !json.Valid([]byte(res.stdout)) {
						t.Errorf("not JSON:\n%s", res.stdout)
					}
					assertGolden(t, s.name+"."+f.suffix, []byte(maskHost(res.stdout, srv)))
				})
			}
		})
	}
}

// TestGoldenReportsAreStable runs one scenario several times: concurrent
// fetching must not change the report.
func TestGoldenReportsAreStable(t *testing.T) {
	for _, s := range goldenScenarios()[1:3] {
		_, env := serveScenario(t, s, fakegitlab.Options{})
		first := runTerminal(t, env, terminal{}, s.pipelineURL(), "--output", "json")
		for i := 0; i < 3; i++ {
			again := runTerminal(t, env, terminal{}, s.pipelineURL(), "--output", "json", "--concurrency", "4")
			if again.stdout != first.stdout {
				t.Fatalf("%s: report differs between runs\n%s", s.name, firstDiff([]byte(first.stdout), []byte(again.stdout)))
			}
		}
	}
}
