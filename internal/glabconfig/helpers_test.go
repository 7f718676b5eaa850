package glabconfig

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/golden"
)

func assertGolden(t *testing.T, got []byte, name string) {
	t.Helper()
	golden.Assert(t, got, name)
}

// fixedNow is the clock of every test.
var fixedNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func nowFunc() time.Time { return fixedNow }

// writeConfig writes a raw config.yml with mode 0600 into a new dir.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := writeFile0600(filepath.Join(dir, "config.yml"), content); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawEnv is an Env over a raw config dir with no keyring entries, no git
// checkout and no glab on PATH.
func rawEnv(t *testing.T, dir string, vars map[string]string) (Env, *FakeKeyring) {
	t.Helper()
	kr := NewFakeKeyring()
	m := map[string]string{"GLAB_CONFIG_DIR": dir}
	for k, v := range vars {
		m[k] = v
	}
	return Env{
		Getenv:         MapEnv(m),
		HomeDir:        t.TempDir(),
		WorkDir:        t.TempDir(),
		Keyring:        kr.Get,
		LookPath:       func(string) (string, error) { return "", exec.ErrNotFound },
		Now:            nowFunc,
		SSHConfigFiles: []string{},
	}, kr
}

// gitRepo makes a git repository with the given remotes ("name url" pairs)
// and git config entries, and returns its directory.
func gitRepo(t *testing.T, remotes [][2]string, config map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("init", "-q", "-b", "feature/x")
	for _, r := range remotes {
		run("remote", "add", r[0], r[1])
	}
	for k, v := range config {
		run("config", k, v)
	}
	return dir
}

// mustLoad loads a config or fails.
func mustLoad(t *testing.T, env Env) *Config {
	t.Helper()
	c, err := Load(env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}
