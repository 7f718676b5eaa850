package glabconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeGlab stands in for glab's output: it records the calls and answers
// out, err.
type fakeGlab struct {
	mu    sync.Mutex
	out   []byte
	err   error
	calls [][]string
}

func (f *fakeGlab) output(args ...string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, args)
	return f.out, f.err
}

func (f *fakeGlab) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// helperJSON is an answer of `glab auth credential-helper`; an empty
// expiry is left out.
func helperJSON(instance, typ, token, expiry string) []byte {
	tok := map[string]string{"type": typ, "token": token}
	if expiry != "" {
		tok["expiry_timestamp"] = expiry
	}
	b, err := json.Marshal(map[string]any{"type": "success", "instance_url": instance, "token": tok})
	if err != nil {
		panic(err)
	}
	return b
}

// helperHost is the configured host of the credential helper tests: a
// port, a subfolder, and connection settings that must survive the helper.
var helperHost = TestHost{Name: "h.example:8443", Subfolder: "gitlab", Token: "config-token",
	CACert: "/ca.pem", Proxy: "http://proxy.example:3128",
	CustomHeaders: []Header{{Name: "X-Static", Value: Secret("static")}}}

// helperRepo is the project asked for.
var helperRepo = Repo{Host: "h.example:8443", FullPath: "group/sub/project"}

const helperWantArgs = "auth credential-helper -R h.example:8443/group/sub/project"

// helperEnv writes the hosts and returns an Env whose glab is fake; onPath
// tells whether LookPath finds glab.
func helperEnv(t *testing.T, fake *fakeGlab, onPath bool, hosts ...TestHost) (Env, *TestConfig) {
	t.Helper()
	tc, err := WriteTestConfig(t.TempDir(), "", hosts...)
	if err != nil {
		t.Fatal(err)
	}
	env := tc.Env(t.TempDir(), t.TempDir(), nil)
	env.Now = nowFunc
	env.GlabOutput = fake.output
	if onPath {
		env.LookPath = func(string) (string, error) { return "/usr/bin/glab", nil }
	}
	return env, tc
}

func TestCredentialsForRepoHelper(t *testing.T) {
	const inst = "https://h.example:8443/gitlab"
	future := fixedNow.Add(time.Hour).Format(time.RFC3339)
	tests := []struct {
		name   string
		out    string
		err    error
		noGlab bool // glab is not on PATH

		wantToken  string // "" means the config's token
		wantKind   AuthKind
		wantExpiry string // RFC3339 or ""
	}{
		{name: "personal token", out: string(helperJSON(inst, "pat", "helper-pat", "")),
			wantToken: "helper-pat", wantKind: AuthPrivate},
		{name: "OAuth token with its expiry", out: string(helperJSON(inst, "oauth2", "helper-oauth", future)),
			wantToken: "helper-oauth", wantKind: AuthOAuth, wantExpiry: future},
		{name: "job token", out: string(helperJSON(inst, "job-token", "helper-job", "")),
			wantToken: "helper-job", wantKind: AuthJob},
		{name: "personal token with an expiry", out: string(helperJSON(inst, "pat", "helper-pat", future)),
			wantToken: "helper-pat", wantKind: AuthPrivate, wantExpiry: future},
		{name: "upper-case host, trailing slash", out: string(helperJSON("https://H.Example:8443/gitlab/", "pat", "helper-pat", "")),
			wantToken: "helper-pat", wantKind: AuthPrivate},
		{name: "trailing newline", out: string(helperJSON(inst, "pat", "helper-pat", "")) + "\n",
			wantToken: "helper-pat", wantKind: AuthPrivate},

		{name: "another host", out: string(helperJSON("https://evil.example:8443/gitlab", "pat", "helper-pat", ""))},
		{name: "another port", out: string(helperJSON("https://h.example/gitlab", "pat", "helper-pat", ""))},
		{name: "another scheme", out: string(helperJSON("http://h.example:8443/gitlab", "pat", "helper-pat", ""))},
		{name: "another subfolder", out: string(helperJSON("https://h.example:8443/other", "pat", "helper-pat", ""))},
		{name: "no subfolder", out: string(helperJSON("https://h.example:8443", "pat", "helper-pat", ""))},
		{name: "deeper subfolder", out: string(helperJSON("https://h.example:8443/gitlab/x", "pat", "helper-pat", ""))},
		{name: "user info in the URL", out: string(helperJSON("https://u@h.example:8443/gitlab", "pat", "helper-pat", ""))},
		{name: "host as a suffix", out: string(helperJSON("https://h.example:8443.evil.example/gitlab", "pat", "helper-pat", ""))},
		{name: "no instance URL", out: string(helperJSON("", "pat", "helper-pat", ""))},

		{name: "type error", out: `{"type":"error","message":"not logged in to h.example:8443"}`},
		{name: "type error with a token", out: strings.Replace(string(helperJSON(inst, "pat", "helper-pat", "")), "success", "error", 1)},
		{name: "no type", out: strings.Replace(string(helperJSON(inst, "pat", "helper-pat", "")), `"type":"success"`, `"kind":"success"`, 1)},
		{name: "old glab: non-zero exit", err: errors.New(`glab auth credential-helper: exit status 1: unknown command "credential-helper" for "glab auth"`)},
		{name: "non-zero exit with a success on stdout", out: string(helperJSON(inst, "pat", "helper-pat", "")),
			err: errors.New("exit status 2")},
		{name: "malformed JSON", out: `{"type":"success","instance_url":`},
		{name: "not JSON", out: "Usage: glab auth <command>"},
		{name: "token not a string", out: `{"type":"success","instance_url":"` + inst + `","token":{"type":"pat","token":42}}`},
		{name: "empty token", out: string(helperJSON(inst, "pat", "", ""))},
		{name: "token with a newline", out: string(helperJSON(inst, "pat", "helper\npat", ""))},
		{name: "unknown token type", out: string(helperJSON(inst, "deploy-token", "helper-pat", ""))},
		{name: "expired", out: string(helperJSON(inst, "oauth2", "helper-oauth", fixedNow.Add(-time.Minute).Format(time.RFC3339)))},
		{name: "expiring within the skew", out: string(helperJSON(inst, "oauth2", "helper-oauth", fixedNow.Add(5*time.Second).Format(time.RFC3339)))},
		{name: "unreadable expiry", out: string(helperJSON(inst, "oauth2", "helper-oauth", "01 Jun 26 13:00 UTC"))},

		{name: "glab not on PATH", out: string(helperJSON(inst, "pat", "helper-pat", "")), noGlab: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeGlab{out: []byte(tt.out), err: tt.err}
			env, _ := helperEnv(t, fake, !tt.noGlab, helperHost)
			cfg := mustLoad(t, env)
			cr, err := cfg.CredentialsForRepo(helperRepo)
			if err != nil {
				t.Fatalf("CredentialsForRepo: %v", err)
			}

			wantRuns := 1
			if tt.noGlab {
				wantRuns = 0
			}
			if fake.count() != wantRuns {
				t.Fatalf("helper ran %d times, want %d", fake.count(), wantRuns)
			}
			if wantRuns == 1 && strings.Join(fake.calls[0], " ") != helperWantArgs {
				t.Errorf("args = %q, want %q", fake.calls[0], helperWantArgs)
			}

			// The connection always comes from the config.
			fromConfig, err := cfg.Credentials(helperRepo.Host)
			if err != nil {
				t.Fatal(err)
			}
			if cr.APIBaseURL != "https://h.example:8443/gitlab/api/v4" || cr.WebURL != fromConfig.WebURL ||
				cr.TLS != fromConfig.TLS || cr.Proxy != fromConfig.Proxy || cr.ConfigFile != fromConfig.ConfigFile ||
				len(cr.CustomHeaders) != 1 || cr.CustomHeaders[0].Value.Reveal() != "static" {
				t.Errorf("connection settings differ from the config's:\n got %+v\nwant %+v", *cr, *fromConfig)
			}

			if tt.wantToken == "" {
				if cr.Token.Reveal() != "config-token" || cr.Kind != AuthPrivate || cr.Source == helperSource {
					t.Errorf("got %s with token %q, want the config's token", cr, cr.Token.Reveal())
				}
				return
			}
			if cr.Token.Reveal() != tt.wantToken || cr.Kind != tt.wantKind || cr.Source != helperSource {
				t.Errorf("got %s with token %q, want %s %q from %s", cr, cr.Token.Reveal(), tt.wantKind, tt.wantToken, helperSource)
			}
			var wantExpiry time.Time
			if tt.wantExpiry != "" {
				wantExpiry, _ = time.Parse(time.RFC3339, tt.wantExpiry)
			}
			if !cr.OAuthExpiry.Equal(wantExpiry) {
				t.Errorf("OAuthExpiry = %v, want %v", cr.OAuthExpiry, wantExpiry)
			}
		})
	}
}

func TestCredentialsForRepoHelperHosts(t *testing.T) {
	tests := []struct {
		name     string
		host     TestHost
		repo     Repo
		vars     map[string]string
		instance string
		wantArgs string
		wantUsed bool
	}{
		{name: "default port written out", host: TestHost{Name: "gl.example", Token: "config-token"},
			repo: Repo{Host: "gl.example", FullPath: "g/p"}, instance: "https://gl.example:443/",
			wantArgs: "auth credential-helper -R gl.example/g/p", wantUsed: true},
		{name: "http with its default port", host: TestHost{Name: "127.0.0.1", APIProtocol: "http", Token: "config-token"},
			repo: Repo{Host: "127.0.0.1", FullPath: "g/p"}, instance: "http://127.0.0.1:80",
			wantArgs: "auth credential-helper -R 127.0.0.1/g/p", wantUsed: true},
		{name: "gitlab.com", host: TestHost{Name: "gitlab.com", Token: "config-token"},
			repo: Repo{Host: "gitlab.com", FullPath: "a/b/c/d"}, instance: "https://gitlab.com",
			wantArgs: "auth credential-helper -R gitlab.com/a/b/c/d", wantUsed: true},
		{name: "api_host elsewhere: the API host is the instance", host: TestHost{Name: "gl.example", APIHost: "api.example", Token: "config-token"},
			repo: Repo{Host: "gl.example", FullPath: "g/p"}, instance: "https://gl.example",
			wantArgs: "auth credential-helper -R gl.example/g/p"},
		{name: "no host: the default host", host: TestHost{Name: "gl.example", Token: "config-token"},
			vars: map[string]string{"GITLAB_HOST": "gl.example"},
			repo: Repo{FullPath: "g/p"}, instance: "https://gl.example",
			wantArgs: "auth credential-helper -R gl.example/g/p", wantUsed: true},
		{name: "host without a config entry", host: TestHost{Name: "other.example", Token: "other-token"},
			vars: map[string]string{"GITLAB_TOKEN": "config-token"},
			repo: Repo{Host: "new.example", FullPath: "g/p"}, instance: "https://new.example",
			wantArgs: "auth credential-helper -R new.example/g/p", wantUsed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeGlab{out: helperJSON(tt.instance, "pat", "helper-pat", "")}
			env, tc := helperEnv(t, fake, true, tt.host)
			if tt.vars != nil {
				env.Getenv = tc.Env("", "", tt.vars).Getenv
			}
			cr, err := mustLoad(t, env).CredentialsForRepo(tt.repo)
			if err != nil {
				t.Fatal(err)
			}
			if fake.count() != 1 || strings.Join(fake.calls[0], " ") != tt.wantArgs {
				t.Errorf("calls = %q, want one %q", fake.calls, tt.wantArgs)
			}
			want := "config-token"
			if tt.wantUsed {
				want = "helper-pat"
			}
			if cr.Token.Reveal() != want {
				t.Errorf("token = %q, want %q (%s)", cr.Token.Reveal(), want, cr)
			}
		})
	}
}

func TestCredentialsForRepoHelperNotRun(t *testing.T) {
	tests := []struct {
		name string
		env  func(Env) Env
		repo Repo
	}{
		{name: "no GlabOutput", env: func(e Env) Env { e.GlabOutput = nil; return e }, repo: helperRepo},
		{name: "no project path", env: func(e Env) Env { return e }, repo: Repo{Host: helperRepo.Host}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeGlab{out: helperJSON("https://h.example:8443/gitlab", "pat", "helper-pat", "")}
			env, _ := helperEnv(t, fake, true, helperHost)
			cr, err := mustLoad(t, tt.env(env)).CredentialsForRepo(tt.repo)
			if err != nil {
				t.Fatal(err)
			}
			if fake.count() != 0 || cr.Token.Reveal() != "config-token" {
				t.Errorf("%d runs, token %q", fake.count(), cr.Token.Reveal())
			}
		})
	}
}

// TestCredentialsForRepoHelperOnce: the helper runs once per Config and
// project, whether it succeeded or not, even under concurrent calls.
func TestCredentialsForRepoHelperOnce(t *testing.T) {
	tests := []struct {
		name string
		out  []byte
		err  error
		want string
	}{
		{"success", helperJSON("https://h.example:8443/gitlab", "pat", "helper-pat", ""), nil, "helper-pat"},
		{"old glab", nil, errors.New("exit status 1"), "config-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeGlab{out: tt.out, err: tt.err}
			env, _ := helperEnv(t, fake, true, helperHost)
			cfg := mustLoad(t, env)
			for i := 0; i < 2; i++ {
				cr, err := cfg.CredentialsForRepo(helperRepo)
				if err != nil {
					t.Fatal(err)
				}
				if cr.Token.Reveal() != tt.want {
					t.Errorf("call %d: token %q, want %q", i+1, cr.Token.Reveal(), tt.want)
				}
			}
			var wg sync.WaitGroup
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := cfg.CredentialsForRepo(helperRepo); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if fake.count() != 1 {
				t.Errorf("helper ran %d times for one project, want 1", fake.count())
			}
			// Another project runs it again; a fresh Config too.
			if _, err := cfg.CredentialsForRepo(Repo{Host: helperRepo.Host, FullPath: "group/other"}); err != nil {
				t.Fatal(err)
			}
			if _, err := mustLoad(t, env).CredentialsForRepo(helperRepo); err != nil {
				t.Fatal(err)
			}
			if fake.count() != 3 {
				t.Errorf("helper ran %d times for two projects and two configs, want 3", fake.count())
			}
		})
	}
}

// TestCredentialsForRepoHelperExpiredOAuth: when the helper's token has
// expired, the config is read as before, and an expired OAuth token there is
// still refreshed by `glab auth status`.
func TestCredentialsForRepoHelperExpiredOAuth(t *testing.T) {
	tests := []struct {
		name      string
		refreshes bool
		wantErr   bool
	}{
		{"glab auth status refreshes", true, false},
		{"glab auth status cannot refresh", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := TestHost{Name: "oauth.example", Token: "oauth-old", OAuth: true, OAuthExpiry: fixedNow.Add(-time.Hour)}
			fake := &fakeGlab{out: helperJSON("https://oauth.example", "oauth2", "helper-expired", fixedNow.Add(-time.Hour).Format(time.RFC3339))}
			env, tc := helperEnv(t, fake, true, host)
			var status [][]string
			env.RunGlab = func(args ...string) error {
				status = append(status, args)
				if tt.refreshes {
					fresh := host
					fresh.Token, fresh.OAuthExpiry = "oauth-new", fixedNow.Add(2*time.Hour)
					if _, err := WriteTestConfig(tc.Dir, "", fresh); err != nil {
						t.Fatal(err)
					}
				}
				return nil
			}
			cr, err := mustLoad(t, env).CredentialsForRepo(Repo{Host: "oauth.example", FullPath: "g/p"})
			if fake.count() != 1 || strings.Join(fake.calls[0], " ") != "auth credential-helper -R oauth.example/g/p" {
				t.Errorf("helper calls = %q", fake.calls)
			}
			if len(status) != 1 || strings.Join(status[0], " ") != "auth status --hostname oauth.example" {
				t.Errorf("glab auth status calls = %q", status)
			}
			if tt.wantErr {
				var ae *AuthError
				if !errors.As(err, &ae) || !strings.Contains(err.Error(), "OAuth token for oauth.example expired") {
					t.Fatalf("err = %v, want the expired *AuthError", err)
				}
				if strings.Contains(err.Error(), "helper-expired") {
					t.Errorf("the helper's token is in the error: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cr.Token.Reveal() != "oauth-new" || cr.Kind != AuthOAuth {
				t.Errorf("got %s with token %q, want the refreshed config token", cr, cr.Token.Reveal())
			}
		})
	}
}

// TestCredentialsForRepoHelperTokenNeverPrinted checks that the helper's
// token shows in no error, String or JSON.
func TestCredentialsForRepoHelperTokenNeverPrinted(t *testing.T) {
	const secret = "glpat-HELPER-do-not-print"
	var outputs []string
	add := func(what string, s string) { outputs = append(outputs, what+": "+s) }

	hosts := []TestHost{helperHost, {Name: "empty.example", APIProtocol: "https"}}
	answers := map[string][]byte{
		"used":               helperJSON("https://h.example:8443/gitlab", "oauth2", secret, fixedNow.Add(time.Hour).Format(time.RFC3339)),
		"another host":       helperJSON("https://evil.example", "pat", secret, ""),
		"bad type":           helperJSON("https://h.example:8443/gitlab", "secret-type", secret, ""),
		"expired":            helperJSON("https://h.example:8443/gitlab", "pat", secret, "2000-01-01T00:00:00Z"),
		"bad expiry":         helperJSON("https://h.example:8443/gitlab", "pat", secret, "yesterday "+secret),
		"malformed":          []byte(`{"type":"success","token":{"token":"` + secret + `"`),
		"error with message": []byte(`{"type":"error","message":"` + secret + `"}`),
	}
	for name, out := range answers {
		for _, repo := range []Repo{helperRepo, {Host: "empty.example", FullPath: "g/p"}} {
			fake := &fakeGlab{out: out}
			env, _ := helperEnv(t, fake, true, hosts...)
			cfg := mustLoad(t, env)
			what := name + " " + repo.Host
			cr, err := cfg.CredentialsForRepo(repo)
			if err != nil {
				add(what+" error", err.Error())
				add(what+" error %+v", fmt.Sprintf("%+v", err))
				continue
			}
			addRenderings(t, add, what, cr)
			add(what+" refused", cr.RefusedError(401).Error())
			add(what+" warnings", strings.Join(cfg.Warnings, "|"))
		}
	}
	// The helper failing with the token on stdout and in its error.
	fake := &fakeGlab{out: []byte(secret), err: errors.New("exit status 1")}
	env, _ := helperEnv(t, fake, true, hosts...)
	if _, err := mustLoad(t, env).CredentialsForRepo(Repo{Host: "empty.example", FullPath: "g/p"}); err != nil {
		add("failing helper error", err.Error())
	} else {
		t.Error("want a no-token error for empty.example")
	}
	if len(outputs) < 20 {
		t.Fatalf("only %d outputs checked", len(outputs))
	}
	for _, o := range outputs {
		if strings.Contains(o, secret) || strings.Contains(o, fmt.Sprintf("%x", secret)) {
			t.Errorf("token printed in %s", o)
		}
	}
}

func TestSameInstance(t *testing.T) {
	tests := []struct {
		printed, web string
		want         bool
	}{
		{"https://h.example", "https://h.example", true},
		{"https://h.example/", "https://h.example", true},
		{"HTTPS://H.EXAMPLE", "https://h.example", true},
		{"https://h.example:443", "https://h.example", true},
		{"http://h.example:80/", "http://h.example", true},
		{"https://h.example:8443/sub/", "https://h.example:8443/sub", true},
		{"https://h.example/a%20b", "https://h.example/a%20b", true},
		{"https://[::1]:8443/", "https://[::1]:8443", true},
		{"https://h.example/Sub", "https://h.example/sub", false},
		{"https://h.example:80", "https://h.example", false},
		{"http://h.example:443", "https://h.example", false},
		{"https://h.example.", "https://h.example", false},
		{"https://h.example?x=1", "https://h.example", false},
		{"https://h.example#x", "https://h.example", false},
		{"https://user:pw@h.example", "https://h.example", false},
		{"ftp://h.example", "ftp://h.example", false},
		{"h.example", "h.example", false},
		{"", "", false},
		{"https://", "https://", false},
		{"https://h.example/%zz", "https://h.example/%zz", false},
	}
	for _, tt := range tests {
		if got := sameInstance(tt.printed, tt.web); got != tt.want {
			t.Errorf("sameInstance(%q, %q) = %v, want %v", tt.printed, tt.web, got, tt.want)
		}
	}
}

func TestSystemRunsGlabForOutput(t *testing.T) {
	if System().GlabOutput == nil {
		t.Error("System() has no GlabOutput: the credential helper would never run")
	}
	tc, err := WriteTestConfig(t.TempDir(), "", TestHost{Name: "h.example", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if tc.Env(t.TempDir(), t.TempDir(), nil).GlabOutput != nil {
		t.Error("a test Env runs glab")
	}
}

// TestGlabOutput runs glabOutput on a stand-in glab script: stdout is
// returned on success, and on failure the error has the first line of
// stderr and nothing of stdout.
func TestGlabOutput(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in glab is a shell script")
	}
	dir := t.TempDir()
	script := `#!/bin/sh
if [ "$1" = fail ]; then
	echo "stdout-SECRET"
	echo 'unknown command "credential-helper" for "glab auth"' >&2
	echo 'second line' >&2
	exit 1
fi
printf '%s %s %s %s|' "$GLAB_CHECK_UPDATE" "$GLAB_SEND_TELEMETRY" "$GLAB_NO_PROMPT" "$NO_COLOR"
cat
echo "$@"
`
	if err := os.WriteFile(filepath.Join(dir, "glab"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))

	out, err := glabOutput("auth", "credential-helper", "-R", "h/g/p")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "false false true 1|auth credential-helper -R h/g/p\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}

	out, err = glabOutput("fail")
	if err == nil {
		t.Fatal("want an error")
	}
	if out != nil {
		t.Errorf("stdout returned on failure: %q", out)
	}
	want := `glab fail: exit status 1: unknown command "credential-helper" for "glab auth"`
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "second line") {
		t.Errorf("err has stdout or more than stderr's first line: %q", err)
	}
}
