package glabconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const knownHostsConfig = `host: gitlab.com
hosts:
    gitlab.com:
        token:
    gitlab.example.com:
        token: t
    127.0.0.1:8929:
        api_protocol: http
        token: t
    legacy.example:
        api_host: legacy.example:8080
        token: t
    sub.example:
        subfolder: gitlab
        token: t
    ssh-mapped.example:
        ssh_host: ssh.gitlab.example
        token: t
`

func TestResolveRepoFromRemotes(t *testing.T) {
	tests := []struct {
		name    string
		remotes [][2]string
		gitcfg  map[string]string
		vars    map[string]string
		want    Repo
		wantErr string
	}{
		{name: "origin, scp-like",
			remotes: [][2]string{{"origin", "git@gitlab.example.com:group/proj.git"}},
			want:    Repo{Host: "gitlab.example.com", FullPath: "group/proj", Remote: "origin"}},
		{name: "subgroups",
			remotes: [][2]string{{"origin", "https://gitlab.example.com/group/sub/deeper/proj.git"}},
			want:    Repo{Host: "gitlab.example.com", FullPath: "group/sub/deeper/proj", Remote: "origin"}},
		{name: "upstream beats gitlab beats origin beats others",
			remotes: [][2]string{{"aaa", "git@gitlab.example.com:a/a.git"}, {"origin", "git@gitlab.example.com:o/o.git"},
				{"gitlab", "git@gitlab.example.com:g/g.git"}, {"upstream", "git@gitlab.example.com:u/u.git"}},
			want: Repo{Host: "gitlab.example.com", FullPath: "u/u", Remote: "upstream"}},
		{name: "gitlab beats origin",
			remotes: [][2]string{{"origin", "git@gitlab.example.com:o/o.git"}, {"gitlab", "git@gitlab.example.com:g/g.git"}},
			want:    Repo{Host: "gitlab.example.com", FullPath: "g/g", Remote: "gitlab"}},
		{name: "unknown hosts are skipped",
			remotes: [][2]string{{"upstream", "git@github.com:x/y.git"}, {"origin", "https://gitlab.com/o/p"}},
			want:    Repo{Host: "gitlab.com", FullPath: "o/p", Remote: "origin"}},
		{name: "the first known host fixes the host",
			remotes: [][2]string{{"upstream", "git@gitlab.com:u/u.git"}, {"origin", "git@gitlab.example.com:o/o.git"}},
			gitcfg:  map[string]string{"remote.origin.glab-resolved": "base"},
			want:    Repo{Host: "gitlab.com", FullPath: "u/u", Remote: "upstream"}},
		{name: "glab-resolved base wins over rank",
			remotes: [][2]string{{"upstream", "git@gitlab.example.com:u/u.git"}, {"origin", "git@gitlab.example.com:o/o.git"}},
			gitcfg:  map[string]string{"remote.origin.glab-resolved": "base"},
			want:    Repo{Host: "gitlab.example.com", FullPath: "o/o", Remote: "origin"}},
		{name: "glab-resolved base:<path>",
			remotes: [][2]string{{"origin", "git@gitlab.example.com:me/fork.git"}},
			gitcfg:  map[string]string{"remote.origin.glab-resolved": "base:parent/group/proj"},
			want:    Repo{Host: "gitlab.example.com", FullPath: "parent/group/proj", Remote: "origin"}},
		{name: "http remote: host:port first",
			remotes: [][2]string{{"origin", "http://127.0.0.1:8929/group/sub/proj.git"}},
			want:    Repo{Host: "127.0.0.1:8929", FullPath: "group/sub/proj", Remote: "origin"}},
		{name: "http remote: then the bare host (v1.79 key)",
			remotes: [][2]string{{"origin", "http://legacy.example:8080/g/p.git"}},
			want:    Repo{Host: "legacy.example", FullPath: "g/p", Remote: "origin"}},
		{name: "ssh remote: port dropped",
			remotes: [][2]string{{"origin", "ssh://git@gitlab.example.com:2222/g/p.git"}},
			want:    Repo{Host: "gitlab.example.com", FullPath: "g/p", Remote: "origin"}},
		{name: "git+ssh",
			remotes: [][2]string{{"origin", "git+ssh://git@gitlab.example.com/g/p.git"}},
			want:    Repo{Host: "gitlab.example.com", FullPath: "g/p", Remote: "origin"}},
		{name: "subfolder instance",
			remotes: [][2]string{{"origin", "https://sub.example/gitlab/group/proj.git"}},
			want:    Repo{Host: "sub.example", FullPath: "group/proj", Remote: "origin"}},
		{name: "ssh_host maps back to its host",
			remotes: [][2]string{{"origin", "git@ssh.gitlab.example:g/p.git"}},
			want:    Repo{Host: "ssh-mapped.example", FullPath: "g/p", Remote: "origin"}},
		{name: "CI checkout URL with a job token",
			remotes: [][2]string{{"origin", "https://gitlab-ci-token:secret-job-token@gitlab.example.com/g/p.git"}},
			want:    Repo{Host: "gitlab.example.com", FullPath: "g/p", Remote: "origin"}},
		{name: "GITLAB_HOST filters the remotes",
			remotes: [][2]string{{"upstream", "git@gitlab.com:u/u.git"}, {"origin", "git@gitlab.example.com:o/o.git"}},
			vars:    map[string]string{"GITLAB_HOST": "gitlab.example.com"},
			want:    Repo{Host: "gitlab.example.com", FullPath: "o/o", Remote: "origin"}},
		{name: "GITLAB_HOST=gitlab.com does not filter",
			remotes: [][2]string{{"upstream", "git@gitlab.example.com:u/u.git"}},
			vars:    map[string]string{"GITLAB_HOST": "gitlab.com"},
			want:    Repo{Host: "gitlab.example.com", FullPath: "u/u", Remote: "upstream"}},
		{name: "GITLAB_HOST with no matching remote",
			remotes: [][2]string{{"origin", "git@gitlab.com:o/o.git"}},
			vars:    map[string]string{"GITLAB_HOST": "gitlab.example.com"},
			wantErr: "correspond to GITLAB_HOST (gitlab.example.com)"},
		{name: "GITLAB_HOST makes its host known",
			remotes: [][2]string{{"origin", "git@new.example:o/o.git"}},
			vars:    map[string]string{"GITLAB_HOST": "new.example"},
			want:    Repo{Host: "new.example", FullPath: "o/o", Remote: "origin"}},
		{name: "no known host",
			remotes: [][2]string{{"origin", "git@github.com:o/o.git"}, {"local", "/srv/repo.git"}},
			wantErr: "none of the git remotes configured for this repository point to a known GitLab host; configured remotes: github.com, local (/srv/repo.git)"},
		{name: "no remotes",
			wantErr: "has no remotes"},
		{name: "GITLAB_REPO beats the remotes",
			remotes: [][2]string{{"origin", "git@gitlab.example.com:o/o.git"}},
			vars:    map[string]string{"GITLAB_REPO": "other/proj"},
			want:    Repo{Host: "gitlab.example.com", FullPath: "other/proj"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repoDir := gitRepo(t, tt.remotes, tt.gitcfg)
			env, _ := rawEnv(t, writeConfig(t, knownHostsConfig), tt.vars)
			env.WorkDir = repoDir
			cfg := mustLoad(t, env)
			got, err := ResolveRepo(env, cfg, "")
			if tt.wantErr != "" {
				var re *RepoError
				if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want *RepoError with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("repo = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestResolveRepoNotACheckout(t *testing.T) {
	env, _ := rawEnv(t, writeConfig(t, knownHostsConfig), nil)
	_, err := ResolveRepo(env, mustLoad(t, env), "")
	var re *RepoError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "-R GROUP/PROJECT") {
		t.Fatalf("err = %v", err)
	}
}

func TestRemoteErrorHidesPassword(t *testing.T) {
	repoDir := gitRepo(t, [][2]string{{"origin", "https://gitlab-ci-token:secret-job-token@unknown.example/g/p.git"},
		{"weird", "ftp://u:secret-job-token@x/y"}}, nil)
	env, _ := rawEnv(t, writeConfig(t, knownHostsConfig), nil)
	env.WorkDir = repoDir
	_, err := ResolveRepo(env, mustLoad(t, env), "")
	if err == nil || strings.Contains(err.Error(), "secret-job-token") {
		t.Fatalf("err = %v", err)
	}
}

func TestSSHConfigAlias(t *testing.T) {
	home := t.TempDir()
	sshDir := filepath.Join(home, ".ssh")
	if err := os.MkdirAll(filepath.Join(sshDir, "conf.d"), 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"config": "# personal\nInclude conf.d/*.conf\nHost work !nowork\n    HostName gitlab.example.com\n    User git\n" +
			"Host *.alias\n    HostName %h.example.com\nMatch host x\n    HostName ignored.example\n",
		"conf.d/a.conf": "Host inc\n  HostName=gitlab.example.com\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(sshDir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sys := filepath.Join(t.TempDir(), "ssh_config")
	if err := os.WriteFile(sys, []byte("Host sysalias\n  HostName gitlab.example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		remote string
		want   string
	}{
		{"git@work:g/p.git", "gitlab.example.com"},
		{"git@inc:g/p.git", "gitlab.example.com"},
		{"git@sysalias:g/p.git", "gitlab.example.com"},
		{"ssh://git@work/g/p.git", "gitlab.example.com"},
		{"git@nowork:g/p.git", ""},
		{"https://work/g/p.git", ""}, // aliases apply to ssh only
	}
	for _, tt := range tests {
		t.Run(tt.remote, func(t *testing.T) {
			repoDir := gitRepo(t, [][2]string{{"origin", tt.remote}}, nil)
			env, _ := rawEnv(t, writeConfig(t, knownHostsConfig), nil)
			env.WorkDir, env.HomeDir, env.SSHConfigFiles = repoDir, home, []string{sys}
			got, err := ResolveRepo(env, mustLoad(t, env), "")
			if tt.want == "" {
				if err == nil {
					t.Fatalf("got %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Host != tt.want || got.FullPath != "g/p" {
				t.Errorf("repo = %+v", got)
			}
		})
	}
	c := loadSSHConfig(Env{HomeDir: home, SSHConfigFiles: []string{}})
	if got := c.hostName("x.alias"); got != "x.alias.example.com" {
		t.Errorf("%%h expansion = %q", got)
	}
}

func TestRepoFlagGrammar(t *testing.T) {
	repoDir := gitRepo(t, [][2]string{{"origin", "git@gitlab.example.com:o/o.git"}}, nil)
	tests := []struct {
		name    string
		flag    string
		vars    map[string]string
		inRepo  bool
		want    Repo
		wantErr bool
	}{
		{name: "OWNER/REPO on the default host", flag: "owner/repo", want: Repo{Host: "gitlab.com", FullPath: "owner/repo"}},
		{name: "OWNER/REPO on GITLAB_HOST", flag: "owner/repo", vars: map[string]string{"GITLAB_HOST": "gitlab.example.com"},
			want: Repo{Host: "gitlab.example.com", FullPath: "owner/repo"}},
		{name: "OWNER/REPO on the checkout's host", flag: "owner/repo", inRepo: true,
			want: Repo{Host: "gitlab.example.com", FullPath: "owner/repo"}},
		{name: "GROUP/SUB/REPO", flag: "group/sub/repo", want: Repo{Host: "gitlab.com", FullPath: "group/sub/repo"}},
		{name: "gitlab.com/OWNER/REPO", flag: "gitlab.com/owner/repo", inRepo: true, want: Repo{Host: "gitlab.com", FullPath: "owner/repo"}},
		{name: "configured host with a dot", flag: "gitlab.example.com/g/sub/repo", want: Repo{Host: "gitlab.example.com", FullPath: "g/sub/repo"}},
		{name: "default host without a dot", flag: "localhost/g/repo", vars: map[string]string{"GITLAB_HOST": "localhost"},
			want: Repo{Host: "localhost", FullPath: "g/repo"}},
		{name: "dotted first segment that is not a host", flag: "my.group/sub/repo", want: Repo{Host: "gitlab.com", FullPath: "my.group/sub/repo"}},
		{name: "v1.79 verified: 127.0.0.1/other/group/repo", flag: "127.0.0.1/other/group/repo",
			want: Repo{Host: "127.0.0.1", FullPath: "other/group/repo"}},
		{name: "https URL", flag: "https://gitlab.example.com/g/sub/repo", want: Repo{Host: "gitlab.example.com", FullPath: "g/sub/repo"}},
		{name: "git URL", flag: "git@gitlab.example.com:g/repo.git", want: Repo{Host: "gitlab.example.com", FullPath: "g/repo"}},
		{name: "URL with port of a configured host", flag: "http://127.0.0.1:8929/g/repo", want: Repo{Host: "127.0.0.1:8929", FullPath: "g/repo"}},
		{name: "URL on a subfolder instance", flag: "https://sub.example/gitlab/g/repo", want: Repo{Host: "sub.example", FullPath: "g/repo"}},
		{name: "trailing .git and slash", flag: "owner/repo.git/", want: Repo{Host: "gitlab.com", FullPath: "owner/repo"}},
		{name: "one segment", flag: "repo", wantErr: true},
		{name: "empty segment", flag: "a//b", wantErr: true},
		{name: "host:port form is invalid", flag: "127.0.0.1:8929/g/repo", wantErr: true},
		{name: "URL without a namespace", flag: "https://gitlab.com/repo", wantErr: true},
		{name: "dot segments", flag: "a/../b", wantErr: true},
	}
	const cfgBody = "host: gitlab.com\nhosts:\n    gitlab.example.com:\n        token: t\n    127.0.0.1:8929:\n        token: t\n    127.0.0.1:\n        token: t\n    sub.example:\n        subfolder: gitlab\n        token: t\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := rawEnv(t, writeConfig(t, cfgBody), tt.vars)
			if tt.inRepo {
				env.WorkDir = repoDir
			}
			got, err := ResolveRepo(env, mustLoad(t, env), tt.flag)
			if tt.wantErr {
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("got %+v, %v; want *InputError", got, err)
				}
				if !strings.Contains(err.Error(), "-R") {
					t.Errorf("error %q should name -R", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("repo = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRepoMethods(t *testing.T) {
	r := Repo{Host: "h", FullPath: "group/sub/proj"}
	if r.ProjectID() != "group%2Fsub%2Fproj" || r.Namespace() != "group/sub" || r.Name() != "proj" || r.String() != "h/group/sub/proj" {
		t.Errorf("%q %q %q %q", r.ProjectID(), r.Namespace(), r.Name(), r.String())
	}
	if got := (Repo{FullPath: "a b/c+d"}).ProjectID(); got != "a%20b%2Fc+d" {
		t.Errorf("ProjectID = %q", got)
	}
}

func TestParseRemotes(t *testing.T) {
	out := "origin\thttps://h/g/p.git (fetch)\norigin\tgit@h:g/p.git (push)\npushonly\tgit@h:x/y.git (push)\n" +
		"spaced\t/path with spaces/repo (fetch)\ngarbage line\n"
	got := parseRemotes(out)
	if len(got) != 3 {
		t.Fatalf("remotes = %+v", got)
	}
	if got[0].URL() != "https://h/g/p.git" || got[0].PushURL != "git@h:g/p.git" {
		t.Errorf("origin = %+v", got[0])
	}
	if got[1].URL() != "git@h:x/y.git" {
		t.Errorf("push-only remote = %+v", got[1])
	}
	if got[2].FetchURL != "/path with spaces/repo" {
		t.Errorf("spaced = %+v", got[2])
	}
}
