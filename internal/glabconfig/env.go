package glabconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// Env is every access to the operating system this package makes. The zero
// value of a field means "the real thing" (see System), except Getenv, which
// must be set.
type Env struct {
	// Getenv reads an environment variable; "" means unset.
	Getenv func(string) string
	// HomeDir is the user's home directory.
	HomeDir string
	// WorkDir is the directory whose git checkout names the project.
	WorkDir string
	// GOOS selects the platform rules (config dirs, file modes); "" is runtime.GOOS.
	GOOS string
	// Keyring reads a secret; it returns keyring.ErrNotFound when there is none.
	Keyring func(service, user string) (string, error)
	// Git runs git with args in dir and returns its standard output.
	Git func(dir string, args ...string) (string, error)
	// LookPath finds an executable on PATH.
	LookPath func(string) (string, error)
	// RunGlab runs glab with args (used for `glab auth status`, which
	// refreshes an expired OAuth token). Nil disables it.
	RunGlab func(args ...string) error
	// GlabOutput runs glab with args and returns its standard output (used
	// for `glab auth credential-helper`). That output holds a token: it is
	// never put in an error or a message. Nil disables it.
	GlabOutput func(args ...string) ([]byte, error)
	// Now is the clock, for OAuth expiry.
	Now func() time.Time
	// SSHConfigFiles are the system-wide ssh_config files read after
	// ~/.ssh/config; nil means /etc/ssh/ssh_config and /etc/ssh_config.
	SSHConfigFiles []string
}

// System returns the Env of the running process.
func System() Env {
	home, _ := os.UserHomeDir()
	wd, _ := os.Getwd()
	return Env{
		Getenv:     os.Getenv,
		HomeDir:    home,
		WorkDir:    wd,
		GOOS:       runtime.GOOS,
		Keyring:    keyring.Get,
		Git:        runGit,
		LookPath:   exec.LookPath,
		RunGlab:    runGlab,
		GlabOutput: glabOutput,
		Now:        time.Now,
	}
}

// withDefaults fills the unset fields with the real implementations.
func (e Env) withDefaults() Env {
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.GOOS == "" {
		e.GOOS = runtime.GOOS
	}
	if e.Keyring == nil {
		e.Keyring = keyring.Get
	}
	if e.Git == nil {
		e.Git = runGit
	}
	if e.LookPath == nil {
		e.LookPath = exec.LookPath
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.SSHConfigFiles == nil {
		e.SSHConfigFiles = []string{"/etc/ssh/ssh_config", "/etc/ssh_config"}
	}
	return e
}

// MapEnv returns a Getenv over a fixed map, for tests and for callers that
// build the environment themselves.
func MapEnv(vars map[string]string) func(string) string {
	m := make(map[string]string, len(vars))
	for k, v := range vars {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// runGit runs git in dir and returns its standard output.
func runGit(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return stdout.String(), fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, firstLine(msg))
		}
		return stdout.String(), fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return stdout.String(), nil
}

// glabEnviron is the environment glab runs in: no prompts, update checks,
// telemetry or colour.
func glabEnviron() []string {
	return append(os.Environ(),
		"GLAB_CHECK_UPDATE=false", "GLAB_SEND_TELEMETRY=false", "GLAB_NO_PROMPT=true", "NO_COLOR=1")
}

// glabError is the error of a failed glab run: the arguments, the cause and
// the first line of its standard error.
func glabError(args []string, err error, stderr *bytes.Buffer) error {
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		return fmt.Errorf("glab %s: %w: %s", strings.Join(args, " "), err, firstLine(msg))
	}
	return fmt.Errorf("glab %s: %w", strings.Join(args, " "), err)
}

// runGlab runs glab with its output discarded: it is only run for its side
// effect on glab's config.
func runGlab(args ...string) error {
	cmd := exec.Command("glab", args...)
	cmd.Env = glabEnviron()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return glabError(args, err, &stderr)
	}
	return nil
}

// glabOutputTimeout bounds a glab run whose output is read.
const glabOutputTimeout = 10 * time.Second

// glabOutput runs glab without standard input and returns its standard
// output. On failure the output is dropped (it may hold a secret) and the
// error carries the first line of standard error only.
func glabOutput(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), glabOutputTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "glab", args...)
	cmd.Env = glabEnviron()
	cmd.Stdin = nil // the null device
	// A child of glab that keeps the pipes open must not outlive the timeout.
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("no answer after %s: %w", glabOutputTimeout, err)
		}
		return nil, glabError(args, err, &stderr)
	}
	return stdout.Bytes(), nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}
