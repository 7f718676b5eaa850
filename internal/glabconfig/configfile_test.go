package glabconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigSearchOrder(t *testing.T) {
	const body = "hosts:\n    h.example:\n        token: t\n"
	type layout struct {
		files []string // relative to a temp root: home/..., xdg/..., sys1/..., cfgdir/...
		vars  map[string]string
		goos  string
	}
	tests := []struct {
		name     string
		layout   layout
		want     string // relative path of the file read, "" for none
		wantWarn bool
	}{
		{
			name:   "GLAB_CONFIG_DIR wins",
			layout: layout{files: []string{"cfgdir/config.yml", "home/.config/glab-cli/config.yml"}, vars: map[string]string{"GLAB_CONFIG_DIR": "cfgdir"}},
			want:   "cfgdir/config.yml",
		},
		{
			name:   "GLAB_CONFIG_DIR set but empty: no fall through",
			layout: layout{files: []string{"home/.config/glab-cli/config.yml"}, vars: map[string]string{"GLAB_CONFIG_DIR": "cfgdir"}},
			want:   "",
		},
		{
			name:   "legacy ~/.config/glab-cli",
			layout: layout{files: []string{"home/.config/glab-cli/config.yml"}},
			want:   "home/.config/glab-cli/config.yml",
		},
		{
			name:     "legacy before XDG_CONFIG_HOME, with a warning",
			layout:   layout{files: []string{"home/.config/glab-cli/config.yml", "xdg/glab-cli/config.yml"}, vars: map[string]string{"XDG_CONFIG_HOME": "xdg"}},
			want:     "home/.config/glab-cli/config.yml",
			wantWarn: true,
		},
		{
			name:   "XDG_CONFIG_HOME",
			layout: layout{files: []string{"xdg/glab-cli/config.yml"}, vars: map[string]string{"XDG_CONFIG_HOME": "xdg"}},
			want:   "xdg/glab-cli/config.yml",
		},
		{
			name:     "XDG_CONFIG_DIRS in order",
			layout:   layout{files: []string{"sys2/glab-cli/config.yml", "sys1/glab-cli/config.yml"}, vars: map[string]string{"XDG_CONFIG_DIRS": "sys1:sys2"}},
			want:     "sys1/glab-cli/config.yml",
			wantWarn: true,
		},
		{
			name:   "macOS config home",
			layout: layout{files: []string{"home/Library/Application Support/glab-cli/config.yml"}, goos: "darwin"},
			want:   "home/Library/Application Support/glab-cli/config.yml",
		},
		{
			name:   "nothing anywhere",
			layout: layout{},
			want:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			abs := func(p string) string { return filepath.Join(root, p) }
			for _, f := range tt.layout.files {
				if err := os.MkdirAll(filepath.Dir(abs(f)), 0o750); err != nil {
					t.Fatal(err)
				}
				if err := writeFile0600(abs(f), body); err != nil {
					t.Fatal(err)
				}
			}
			vars := map[string]string{"XDG_CONFIG_DIRS": abs("none")}
			for k, v := range tt.layout.vars {
				if k == "XDG_CONFIG_DIRS" {
					parts := strings.Split(v, ":")
					for i := range parts {
						parts[i] = abs(parts[i])
					}
					v = strings.Join(parts, ":")
				} else {
					v = abs(v)
				}
				vars[k] = v
			}
			env := Env{Getenv: MapEnv(vars), HomeDir: abs("home"), WorkDir: root, GOOS: tt.layout.goos,
				Keyring: NewFakeKeyring().Get, SSHConfigFiles: []string{}}
			cfg := mustLoad(t, env)
			want := ""
			if tt.want != "" {
				want = abs(tt.want)
			}
			if cfg.Path != want {
				t.Errorf("Path = %q, want %q", cfg.Path, want)
			}
			if got := len(cfg.Warnings) > 0; got != tt.wantWarn {
				t.Errorf("warnings = %q, want warning %v", cfg.Warnings, tt.wantWarn)
			}
		})
	}
}

func TestConfigDir(t *testing.T) {
	home := t.TempDir()
	env := Env{Getenv: MapEnv(nil), HomeDir: home, GOOS: "linux"}
	if got, want := ConfigDir(env), filepath.Join(home, ".config", "glab-cli"); got != want {
		t.Errorf("ConfigDir = %q, want %q", got, want)
	}
	env.Getenv = MapEnv(map[string]string{"XDG_CONFIG_HOME": "/x"})
	if got, want := ConfigDir(env), filepath.Join("/x", "glab-cli"); got != want {
		t.Errorf("ConfigDir with XDG_CONFIG_HOME = %q, want %q", got, want)
	}
	env.Getenv = MapEnv(map[string]string{"GLAB_CONFIG_DIR": "/g", "XDG_CONFIG_HOME": "/x"})
	if got := ConfigDir(env); got != "/g" {
		t.Errorf("ConfigDir with GLAB_CONFIG_DIR = %q", got)
	}
}

func TestConfigFileMode(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o400, 0o700} {
		dir := writeConfig(t, "hosts: {}\n")
		path := filepath.Join(dir, "config.yml")
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		env, _ := rawEnv(t, dir, nil)
		_, err := Load(env)
		var ae *AuthError
		if !errors.As(err, &ae) {
			t.Fatalf("mode %o: err = %v, want *AuthError", mode, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, path) || !strings.Contains(msg, "chmod 600 "+path) || strings.Contains(msg, "\n") {
			t.Errorf("mode %o: message %q should be one line naming the file and the chmod", mode, msg)
		}
		if ae.File != path {
			t.Errorf("File = %q", ae.File)
		}
		// Windows has no Unix modes: the same file is accepted there.
		env.GOOS = "windows"
		if _, err := Load(env); err != nil {
			t.Errorf("mode %o on windows: %v", mode, err)
		}
	}
}

func TestConfigFileBadContent(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    bool
	}{
		{"empty", "", false},
		{"null document", "~\n", false},
		{"comments only", "# nothing\n", false},
		{"not yaml", "hosts: [\n", true},
		{"list at top", "- a\n- b\n", true},
		{"scalar at top", "hello\n", true},
		{"hosts is a list", "hosts:\n  - a\n", false},
		{"tab indentation", "hosts:\n\th: 1\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := rawEnv(t, writeConfig(t, tt.body), nil)
			cfg, err := Load(env)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				var ae *AuthError
				if !errors.As(err, &ae) || !strings.Contains(err.Error(), "config.yml") {
					t.Errorf("err = %v, want an *AuthError naming the file", err)
				}
				return
			}
			// A config without hosts still answers.
			if _, err := cfg.Credentials("h.example"); err == nil {
				t.Error("want a missing-token error")
			}
		})
	}
}

func TestYAMLAnchorsAndMerges(t *testing.T) {
	const body = `
defaults: &defaults
    api_protocol: http
    api_host: shared.example:8080
    token: from-anchor
hosts:
    a.example:
        <<: *defaults
        token: own-token
    b.example: *defaults
    c.example:
        <<: [*defaults]
        api_protocol: https
`
	env, _ := rawEnv(t, writeConfig(t, body), nil)
	cfg := mustLoad(t, env)
	tests := []struct {
		host, key, want string
	}{
		{"a.example", "token", "own-token"},
		{"a.example", "api_protocol", "http"},
		{"a.example", "api_host", "shared.example:8080"},
		{"b.example", "token", "from-anchor"},
		{"c.example", "api_protocol", "https"},
		{"c.example", "api_host", "shared.example:8080"},
	}
	for _, tt := range tests {
		if got := cfg.Get(tt.host, tt.key); got != tt.want {
			t.Errorf("Get(%s, %s) = %q, want %q", tt.host, tt.key, got, tt.want)
		}
	}
	if got := cfg.Hosts(); strings.Join(got, ",") != "a.example,b.example,c.example" {
		t.Errorf("Hosts = %v", got)
	}
}

func TestLocalConfig(t *testing.T) {
	repo := gitRepo(t, [][2]string{{"origin", "git@gitlab.example.com:g/p.git"}}, nil)
	localDir := filepath.Join(repo, ".git", "glab-cli")
	if err := os.MkdirAll(localDir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := writeFile0600(filepath.Join(localDir, "config.yml"), "host: gitlab.example.com\napi_protocol: http\n"); err != nil {
		t.Fatal(err)
	}
	dir := writeConfig(t, "host: gitlab.com\napi_protocol: https\nhosts:\n    gitlab.example.com:\n        token: t\n    other.example:\n        api_protocol: https\n        token: t\n")
	env, _ := rawEnv(t, dir, nil)
	env.WorkDir = filepath.Join(repo)
	cfg := mustLoad(t, env)
	if cfg.LocalPath != filepath.Join(localDir, "config.yml") {
		t.Errorf("LocalPath = %q", cfg.LocalPath)
	}
	// Local beats the top-level key...
	if got := cfg.DefaultHost(); got != "gitlab.example.com" {
		t.Errorf("DefaultHost = %q, want the local host", got)
	}
	if got := cfg.Get("gitlab.example.com", "api_protocol"); got != "http" {
		t.Errorf("api_protocol = %q, want local http", got)
	}
	// ...but not the per-host key.
	if got := cfg.Get("other.example", "api_protocol"); got != "https" {
		t.Errorf("api_protocol of other.example = %q, want per-host https", got)
	}
	// A local file glab would refuse is refused too.
	if err := os.Chmod(filepath.Join(localDir, "config.yml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(env); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("err = %v, want the chmod hint", err)
	}
}

func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(knownHostsConfig))
	f.Add([]byte("a: &a [*a]\nhosts:\n    h: *a\n"))
	f.Add([]byte("hosts:\n    h:\n        <<: [*x]\n"))
	f.Add([]byte("hosts:\n    h:\n        custom_headers: {name: x}\n        token: [1]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := writeFile0600(filepath.Join(dir, "config.yml"), string(data)); err != nil {
			t.Fatal(err)
		}
		kr := NewFakeKeyring()
		env := Env{Getenv: MapEnv(map[string]string{"GLAB_CONFIG_DIR": dir}), Keyring: kr.Get, Now: nowFunc,
			Git: func(string, ...string) (string, error) { return "", os.ErrNotExist }, SSHConfigFiles: []string{}}
		cfg, err := Load(env)
		if err != nil {
			return
		}
		for _, h := range append(cfg.Hosts(), "", "gitlab.com") {
			if cr, err := cfg.Credentials(h); err == nil {
				_ = cr.String()
			}
		}
	})
}
