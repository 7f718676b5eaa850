package glabconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// credCase is one precedence rule of docs/glab-compat.md §14.
type credCase struct {
	name    string
	config  string            // config.yml body; "" for no file
	vars    map[string]string // environment
	keyring map[string]string // service → secret
	krErr   error             // every keyring read fails
	host    string

	wantToken  string
	wantKind   AuthKind
	wantSource string // substring of Source
	wantHeader string
	wantErr    string // substring of the error; the error must be an *AuthError
}

func runCredCase(t *testing.T, tt credCase) {
	t.Helper()
	dir := t.TempDir()
	if tt.config != "" {
		dir = writeConfig(t, tt.config)
	}
	env, kr := rawEnv(t, dir, tt.vars)
	for svc, v := range tt.keyring {
		kr.Set(svc, "", v)
	}
	kr.Err = tt.krErr
	cfg := mustLoad(t, env)
	cr, err := cfg.Credentials(tt.host)
	if tt.wantErr != "" {
		var ae *AuthError
		if !errors.As(err, &ae) {
			t.Fatalf("err = %v, want *AuthError containing %q", err, tt.wantErr)
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Fatalf("err = %q, want it to contain %q", err, tt.wantErr)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Credentials: %v", err)
	}
	if cr.Token.Reveal() != tt.wantToken {
		t.Errorf("token = %q, want %q", cr.Token.Reveal(), tt.wantToken)
	}
	if cr.Kind != tt.wantKind {
		t.Errorf("kind = %q, want %q", cr.Kind, tt.wantKind)
	}
	if !strings.Contains(cr.Source, tt.wantSource) {
		t.Errorf("source = %q, want it to contain %q", cr.Source, tt.wantSource)
	}
	if tt.wantHeader != "" && cr.HeaderName() != tt.wantHeader {
		t.Errorf("header = %q, want %q", cr.HeaderName(), tt.wantHeader)
	}
}

const patHost = `hosts:
    gitlab.example.com:
        api_protocol: https
        token: file-token
`

func TestTokenPrecedence(t *testing.T) {
	tests := []credCase{
		{name: "file token", config: patHost, host: "gitlab.example.com",
			wantToken: "file-token", wantKind: AuthPrivate, wantSource: "config.yml", wantHeader: "PRIVATE-TOKEN"},
		{name: "GITLAB_TOKEN beats the file", config: patHost, host: "gitlab.example.com",
			vars:      map[string]string{"GITLAB_TOKEN": "env1", "GITLAB_ACCESS_TOKEN": "env2", "OAUTH_TOKEN": "env3"},
			wantToken: "env1", wantKind: AuthPrivate, wantSource: "GITLAB_TOKEN"},
		{name: "GITLAB_ACCESS_TOKEN beats OAUTH_TOKEN", config: patHost, host: "gitlab.example.com",
			vars:      map[string]string{"GITLAB_ACCESS_TOKEN": "env2", "OAUTH_TOKEN": "env3"},
			wantToken: "env2", wantKind: AuthPrivate, wantSource: "GITLAB_ACCESS_TOKEN"},
		{name: "OAUTH_TOKEN beats the file", config: patHost, host: "gitlab.example.com",
			vars:      map[string]string{"OAUTH_TOKEN": "env3"},
			wantToken: "env3", wantKind: AuthPrivate, wantSource: "OAUTH_TOKEN"},
		{name: "GLAB_TOKEN is not read", config: patHost, host: "gitlab.example.com",
			vars:      map[string]string{"GLAB_TOKEN": "nope"},
			wantToken: "file-token", wantKind: AuthPrivate},
		{name: "env token applies to every host, even unconfigured", host: "unknown.example",
			vars:      map[string]string{"GITLAB_TOKEN": "env1"},
			wantToken: "env1", wantKind: AuthPrivate},
		{name: "env beats the keyring", host: "gitlab.example.com",
			config:    "hosts:\n    gitlab.example.com:\n        use_keyring: \"true\"\n",
			keyring:   map[string]string{"glab:gitlab.example.com:token": "kr"},
			vars:      map[string]string{"GITLAB_TOKEN": "env1"},
			wantToken: "env1", wantKind: AuthPrivate},
		{name: "use_keyring reads glab:<host>:token first", host: "gitlab.example.com",
			config:    "hosts:\n    gitlab.example.com:\n        use_keyring: \"true\"\n        token: stale\n",
			keyring:   map[string]string{"glab:gitlab.example.com:token": "kr-new", "glab:gitlab.example.com": "kr-legacy"},
			wantToken: "kr-new", wantKind: AuthPrivate, wantSource: "glab:gitlab.example.com:token"},
		{name: "use_keyring falls back to the legacy glab:<host>", host: "gitlab.example.com",
			config:    "hosts:\n    gitlab.example.com:\n        use_keyring: \"true\"\n",
			keyring:   map[string]string{"glab:gitlab.example.com": "kr-legacy"},
			wantToken: "kr-legacy", wantKind: AuthPrivate, wantSource: "OS keyring (glab:gitlab.example.com)"},
		{name: "use_keyring unquoted true", host: "gitlab.example.com",
			config:    "hosts:\n    gitlab.example.com:\n        use_keyring: true\n",
			keyring:   map[string]string{"glab:gitlab.example.com:token": "kr"},
			wantToken: "kr", wantKind: AuthPrivate},
		{name: "use_keyring with nothing in the keyring uses the file token", host: "gitlab.example.com",
			config:    "hosts:\n    gitlab.example.com:\n        use_keyring: \"true\"\n        token: file\n",
			wantToken: "file", wantKind: AuthPrivate},
		{name: "file token beats the keyring without use_keyring", config: patHost, host: "gitlab.example.com",
			keyring:   map[string]string{"glab:gitlab.example.com": "kr"},
			wantToken: "file-token", wantKind: AuthPrivate},
		{name: "empty token reads the keyring (v1.79)", host: "gitlab.example.com",
			config:    "hosts:\n    gitlab.example.com:\n        token:\n",
			keyring:   map[string]string{"glab:gitlab.example.com": "kr-legacy"},
			wantToken: "kr-legacy", wantKind: AuthPrivate},
		{name: "host missing from the file: keyring login of v1.79", host: "kr.example",
			config:    patHost,
			keyring:   map[string]string{"glab:kr.example": "kr-legacy"},
			wantToken: "kr-legacy", wantKind: AuthPrivate},
		{name: "no config file at all: keyring still read", host: "kr.example",
			keyring:   map[string]string{"glab:kr.example:token": "kr"},
			wantToken: "kr", wantKind: AuthPrivate},
		{name: "keyring failure with use_keyring is an error", host: "gitlab.example.com",
			config:  "hosts:\n    gitlab.example.com:\n        use_keyring: \"true\"\n",
			krErr:   errors.New(`exec: "dbus-launch": executable file not found in $PATH`),
			wantErr: "dbus-launch"},
		{name: "keyring failure without use_keyring falls through", config: patHost, host: "gitlab.example.com",
			krErr:     errors.New("no dbus"),
			wantToken: "file-token", wantKind: AuthPrivate},
		{name: "keyring failure is named when no token is found", host: "gitlab.example.com",
			config:  "hosts:\n    gitlab.example.com:\n        token:\n",
			krErr:   errors.New("no dbus"),
			wantErr: "the keyring could not be read: keyring glab:gitlab.example.com:token: no dbus"},
		{name: "host key matched case-insensitively", config: patHost, host: "GitLab.Example.com",
			wantToken: "file-token", wantKind: AuthPrivate},
		{name: "host with port is its own key", host: "127.0.0.1:8929",
			config:    "hosts:\n    127.0.0.1:8929:\n        token: port-token\n        api_protocol: http\n    127.0.0.1:\n        token: bare-token\n",
			wantToken: "port-token", wantKind: AuthPrivate},
		{name: "default host when none is given", host: "",
			config:    "host: gitlab.example.com\n" + patHost,
			wantToken: "file-token", wantKind: AuthPrivate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runCredCase(t, tt) })
	}
}

func TestAuthKindOrder(t *testing.T) {
	future := fixedNow.Add(time.Hour).Format(time.RFC3339)
	oauthHost := "hosts:\n    gl.example:\n        is_oauth2: \"true\"\n        oauth2_expiry_date: " + future + "\n        token: oauth-access\n        job_token: job\n"
	tests := []credCase{
		{name: "is_oauth2 first: Bearer", config: oauthHost, host: "gl.example",
			wantToken: "oauth-access", wantKind: AuthOAuth, wantHeader: "Authorization"},
		{name: "token before job_token", host: "gl.example",
			config:    "hosts:\n    gl.example:\n        token: pat\n        job_token: job\n",
			wantToken: "pat", wantKind: AuthPrivate, wantHeader: "PRIVATE-TOKEN"},
		{name: "job_token alone: JOB-TOKEN", host: "gl.example",
			config:    "hosts:\n    gl.example:\n        token:\n        job_token: job\n",
			wantToken: "job", wantKind: AuthJob, wantHeader: "JOB-TOKEN", wantSource: "config.yml"},
		{name: "JOB_TOKEN variable", host: "gl.example",
			config:    "hosts:\n    gl.example:\n        api_protocol: https\n",
			vars:      map[string]string{"JOB_TOKEN": "envjob"},
			wantToken: "envjob", wantKind: AuthJob, wantSource: "JOB_TOKEN"},
		{name: "job token in the keyring", host: "gl.example",
			config:    "hosts:\n    gl.example:\n        use_keyring: \"true\"\n",
			keyring:   map[string]string{"glab:gl.example:job_token": "krjob"},
			wantToken: "krjob", wantKind: AuthJob},
		{name: "GITLAB_TOKEN forces a PAT on an OAuth host", config: oauthHost, host: "gl.example",
			vars:      map[string]string{"GITLAB_TOKEN": "pat"},
			wantToken: "pat", wantKind: AuthPrivate, wantHeader: "PRIVATE-TOKEN"},
		{name: "GITLAB_ACCESS_TOKEN forces a PAT on an OAuth host", config: oauthHost, host: "gl.example",
			vars:      map[string]string{"GITLAB_ACCESS_TOKEN": "pat"},
			wantToken: "pat", wantKind: AuthPrivate},
		{name: "GLAB_IS_OAUTH2 keeps OAuth with GITLAB_TOKEN", config: oauthHost, host: "gl.example",
			vars:      map[string]string{"GITLAB_TOKEN": "oauth-from-env", "GLAB_IS_OAUTH2": "true"},
			wantToken: "oauth-from-env", wantKind: AuthOAuth},
		{name: "OAUTH_TOKEN on an OAuth host is OAuth", config: oauthHost, host: "gl.example",
			vars:      map[string]string{"OAUTH_TOKEN": "oauth-env"},
			wantToken: "oauth-env", wantKind: AuthOAuth},
		{name: "IS_OAUTH2 variable makes a PAT host OAuth", host: "gl.example",
			config:    "hosts:\n    gl.example:\n        token: t\n",
			vars:      map[string]string{"IS_OAUTH2": "true"},
			wantToken: "t", wantKind: AuthOAuth},
		{name: "OAuth host without a token", host: "gl.example",
			config:  "hosts:\n    gl.example:\n        is_oauth2: \"true\"\n        token:\n",
			wantErr: "no OAuth token for gl.example"},
		{name: "nothing at all", host: "gl.example",
			config:  "hosts:\n    gl.example:\n        api_protocol: https\n",
			wantErr: "no token for gl.example in the environment, the OS keyring or "},
		{name: "missing host names the login command", host: "new.example", config: patHost,
			wantErr: "(no hosts.new.example entry); run `glab auth login --hostname new.example` or set GITLAB_TOKEN"},
		{name: "host with a port: GITLAB_HOST login command", host: "127.0.0.1:8929", config: patHost,
			wantErr: "run `GITLAB_HOST=127.0.0.1:8929 glab auth login`"},
		{name: "no config file names glab's config dir", host: "x.example",
			wantErr: "a glab config file (none found;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runCredCase(t, tt) })
	}
}

func TestCIAutoLogin(t *testing.T) {
	ci := map[string]string{
		"GLAB_ENABLE_CI_AUTOLOGIN": "true", "GITLAB_CI": "true",
		"CI_SERVER_FQDN": "ci.example:8443", "CI_SERVER_PROTOCOL": "https",
		"CI_SERVER_URL": "https://ci.example:8443/gitlab", "CI_JOB_TOKEN": "cijob",
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range ci {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []credCase{
		{name: "job token of the CI server", host: "", vars: ci,
			wantToken: "cijob", wantKind: AuthJob, wantSource: "CI_JOB_TOKEN (CI auto-login)"},
		{name: "GITLAB_TOKEN beats CI_JOB_TOKEN", host: "", vars: with(map[string]string{"GITLAB_TOKEN": "pat"}),
			wantToken: "pat", wantKind: AuthPrivate},
		{name: "file token beats CI_JOB_TOKEN", host: "ci.example:8443", vars: ci,
			config:    "hosts:\n    ci.example:8443:\n        token: file\n",
			wantToken: "file", wantKind: AuthPrivate},
		{name: "CI_JOB_TOKEN never goes to another host", host: "other.example", vars: ci,
			wantErr: "no token for other.example"},
		{name: "needs GITLAB_CI", host: "ci.example:8443", vars: with(map[string]string{"GITLAB_CI": ""}),
			wantErr: "no token for ci.example:8443"},
		{name: "needs GLAB_ENABLE_CI_AUTOLOGIN=true", host: "ci.example:8443",
			vars:    with(map[string]string{"GLAB_ENABLE_CI_AUTOLOGIN": "1"}),
			wantErr: "no token for ci.example:8443"},
		{name: "CI_JOB_TOKEN alone does nothing", host: "ci.example:8443",
			vars:    map[string]string{"CI_JOB_TOKEN": "cijob", "GITLAB_CI": "true"},
			wantErr: "no token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runCredCase(t, tt) })
	}

	env, _ := rawEnv(t, t.TempDir(), ci)
	cfg := mustLoad(t, env)
	if got := cfg.DefaultHost(); got != "ci.example:8443" {
		t.Errorf("DefaultHost = %q", got)
	}
	cr, err := cfg.Credentials("")
	if err != nil {
		t.Fatal(err)
	}
	if cr.APIBaseURL != "https://ci.example:8443/gitlab/api/v4" {
		t.Errorf("APIBaseURL = %q", cr.APIBaseURL)
	}
	// GITLAB_HOST beats the CI server as default host.
	env.Getenv = MapEnv(with(map[string]string{"GITLAB_HOST": "https://mine.example/"}))
	if got := mustLoad(t, env).DefaultHost(); got != "mine.example" {
		t.Errorf("DefaultHost with GITLAB_HOST = %q", got)
	}
}

func TestDefaultHost(t *testing.T) {
	tests := []struct {
		name   string
		config string
		vars   map[string]string
		want   string
	}{
		{"nothing", "", nil, "gitlab.com"},
		{"config host", "host: gl.example\n", nil, "gl.example"},
		{"GITLAB_HOST beats config", "host: gl.example\n", map[string]string{"GITLAB_HOST": "env.example"}, "env.example"},
		{"GITLAB_HOST beats GITLAB_URI beats GL_HOST", "", map[string]string{"GITLAB_URI": "uri.example", "GL_HOST": "gl.example", "GITLAB_HOST": "h.example"}, "h.example"},
		{"GITLAB_URI beats GL_HOST", "", map[string]string{"GITLAB_URI": "uri.example", "GL_HOST": "gl.example"}, "uri.example"},
		{"GL_HOST", "", map[string]string{"GL_HOST": "gl.example"}, "gl.example"},
		{"URL form stripped", "", map[string]string{"GITLAB_HOST": "http://127.0.0.1:8929/"}, "127.0.0.1:8929"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.config != "" {
				dir = writeConfig(t, tt.config)
			}
			env, _ := rawEnv(t, dir, tt.vars)
			if got := mustLoad(t, env).DefaultHost(); got != tt.want {
				t.Errorf("DefaultHost = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		config   string
		vars     map[string]string
		host     string
		wantAPI  string
		wantWeb  string
		wantErr  string
		wantHost string
	}{
		{name: "gitlab.com is hard-coded", host: "gitlab.com",
			config:  "hosts:\n    gitlab.com:\n        api_protocol: http\n        api_host: elsewhere\n        token: t\n",
			wantAPI: "https://gitlab.com/api/v4", wantWeb: "https://gitlab.com"},
		{name: "defaults to https and the host", host: "gl.example",
			config:  "hosts:\n    gl.example:\n        token: t\n",
			wantAPI: "https://gl.example/api/v4"},
		{name: "host key with a port", host: "127.0.0.1:8929",
			config:  "hosts:\n    127.0.0.1:8929:\n        api_protocol: http\n        token: t\n",
			wantAPI: "http://127.0.0.1:8929/api/v4", wantHost: "127.0.0.1:8929"},
		{name: "v1.79 port-less key with the port in api_host", host: "127.0.0.1",
			config:  "hosts:\n    127.0.0.1:\n        api_host: 127.0.0.1:8929\n        api_protocol: http\n        token: t\n",
			wantAPI: "http://127.0.0.1:8929/api/v4", wantHost: "127.0.0.1:8929"},
		{name: "subfolder", host: "h.example:8443",
			config:  "hosts:\n    h.example:8443:\n        subfolder: /sub/\n        token: t\n",
			wantAPI: "https://h.example:8443/sub/api/v4", wantWeb: "https://h.example:8443/sub"},
		{name: "old-style api_host with a path", host: "h.example",
			config:  "hosts:\n    h.example:\n        api_host: h.example/gitlab\n        token: t\n",
			wantAPI: "https://h.example/gitlab/api/v4"},
		{name: "GITLAB_API_HOST overrides api_host", host: "h.example",
			config:  "hosts:\n    h.example:\n        api_host: a.example\n        token: t\n",
			vars:    map[string]string{"GITLAB_API_HOST": "b.example:444"},
			wantAPI: "https://b.example:444/api/v4"},
		{name: "API_PROTOCOL overrides api_protocol", host: "h.example",
			config:  "hosts:\n    h.example:\n        api_protocol: https\n        token: t\n",
			vars:    map[string]string{"API_PROTOCOL": "http"},
			wantAPI: "http://h.example/api/v4"},
		{name: "GITLAB_SUBFOLDER", host: "h.example",
			config:  "hosts:\n    h.example:\n        token: t\n",
			vars:    map[string]string{"GITLAB_SUBFOLDER": "gl"},
			wantAPI: "https://h.example/gl/api/v4"},
		{name: "bad protocol", host: "h.example",
			config:  "hosts:\n    h.example:\n        api_protocol: ftp\n        token: t\n",
			wantErr: `api_protocol of h.example is "ftp"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := rawEnv(t, writeConfig(t, tt.config), tt.vars)
			cr, err := mustLoad(t, env).Credentials(tt.host)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cr.APIBaseURL != tt.wantAPI {
				t.Errorf("APIBaseURL = %q, want %q", cr.APIBaseURL, tt.wantAPI)
			}
			if tt.wantWeb != "" && cr.WebURL != tt.wantWeb {
				t.Errorf("WebURL = %q, want %q", cr.WebURL, tt.wantWeb)
			}
			if tt.wantHost != "" && cr.APIHost != tt.wantHost {
				t.Errorf("APIHost = %q, want %q", cr.APIHost, tt.wantHost)
			}
		})
	}
}

func TestTLSAndHeadersSettings(t *testing.T) {
	const body = `hosts:
    h.example:
        token: t
        ca_cert: /ca.pem
        client_cert: /c.pem
        client_key: /k.pem
        skip_tls_verify: "true"
        proxy: http://proxy.example:3128
        custom_headers:
            - name: X-Static
              value: static-value
            - name: X-From-Env
              valueFromEnv: HDR_SECRET
            - value: no-name-ignored
    half.example:
        token: t
        client_cert: /c.pem
    one.example:
        token: t
        skip_tls_verify: 1
    no.example:
        token: t
        skip_tls_verify: "false"
`
	env, _ := rawEnv(t, writeConfig(t, body), map[string]string{"HDR_SECRET": "from-env"})
	cfg := mustLoad(t, env)
	cr, err := cfg.Credentials("h.example")
	if err != nil {
		t.Fatal(err)
	}
	want := TLSSettings{CACert: "/ca.pem", ClientCert: "/c.pem", ClientKey: "/k.pem", SkipVerify: true}
	if cr.TLS != want {
		t.Errorf("TLS = %+v, want %+v", cr.TLS, want)
	}
	if cr.Proxy != "http://proxy.example:3128" {
		t.Errorf("Proxy = %q", cr.Proxy)
	}
	if len(cr.CustomHeaders) != 2 || cr.CustomHeaders[0].Name != "X-Static" || cr.CustomHeaders[0].Value.Reveal() != "static-value" ||
		cr.CustomHeaders[1].Value.Reveal() != "from-env" || cr.CustomHeaders[1].FromEnv != "HDR_SECRET" {
		t.Errorf("CustomHeaders = %+v", cr.CustomHeaders)
	}
	if _, err := cfg.Credentials("half.example"); err == nil || !strings.Contains(err.Error(), "must be set together") {
		t.Errorf("half mTLS: err = %v", err)
	}
	if cr, _ := cfg.Credentials("one.example"); !cr.TLS.SkipVerify {
		t.Error("skip_tls_verify: 1 should skip")
	}
	if cr, _ := cfg.Credentials("no.example"); cr.TLS.SkipVerify {
		t.Error(`skip_tls_verify: "false" should verify`)
	}
	// CA_CERT and SKIP_TLS_VERIFY apply to every host.
	env.Getenv = MapEnv(map[string]string{"GLAB_CONFIG_DIR": strings.TrimSuffix(cfg.Path, "/config.yml"), "CA_CERT": "/env-ca.pem", "SKIP_TLS_VERIFY": "true"})
	cr, err = mustLoad(t, env).Credentials("no.example")
	if err != nil {
		t.Fatal(err)
	}
	if cr.TLS.CACert != "/env-ca.pem" || !cr.TLS.SkipVerify {
		t.Errorf("env TLS = %+v", cr.TLS)
	}
}

func TestParseExpiry(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"28 Nov 26 14:44 UTC", time.Date(2026, 11, 28, 14, 44, 0, 0, time.UTC), true},
		{"2026-11-28T14:44:00Z", time.Date(2026, 11, 28, 14, 44, 0, 0, time.UTC), true},
		{"2026-11-28T15:44:00+01:00", time.Date(2026, 11, 28, 14, 44, 0, 0, time.UTC), true},
		{"28 Nov 26 15:44 +0100", time.Date(2026, 11, 28, 14, 44, 0, 0, time.UTC), true},
		{"2026-11-28T14:44:00.123456789Z", time.Date(2026, 11, 28, 14, 44, 0, 123456789, time.UTC), true},
		{"tomorrow", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseExpiry(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseExpiry(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// oauthEnv writes an OAuth host expiring at exp and returns its env.
func oauthEnv(t *testing.T, exp time.Time, rfc822 bool) (Env, *TestConfig) {
	t.Helper()
	tc, err := WriteTestConfig(t.TempDir(), "", TestHost{Name: "oauth.example", Token: "oauth-old", OAuth: true,
		OAuthExpiry: exp, ExpiryRFC822: rfc822})
	if err != nil {
		t.Fatal(err)
	}
	env := tc.Env(t.TempDir(), t.TempDir(), nil)
	env.Now = nowFunc
	return env, tc
}

func TestOAuthExpiry(t *testing.T) {
	for _, rfc822 := range []bool{false, true} {
		t.Run(fmt.Sprintf("rfc822=%v", rfc822), func(t *testing.T) {
			// Valid for an hour more.
			env, _ := oauthEnv(t, fixedNow.Add(time.Hour), rfc822)
			cr, err := mustLoad(t, env).Credentials("oauth.example")
			if err != nil {
				t.Fatal(err)
			}
			if cr.Kind != AuthOAuth || cr.HeaderValue() != "Bearer oauth-old" {
				t.Errorf("kind %q value %q", cr.Kind, cr.HeaderValue())
			}
			if !cr.OAuthExpiry.Equal(fixedNow.Add(time.Hour)) {
				t.Errorf("OAuthExpiry = %v", cr.OAuthExpiry)
			}

			// Expired, glab not on PATH: an AuthError naming the command.
			env, _ = oauthEnv(t, fixedNow.Add(-time.Minute), rfc822)
			ran := 0
			env.RunGlab = func(args ...string) error { ran++; return nil }
			_, err = mustLoad(t, env).Credentials("oauth.example")
			var ae *AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *AuthError", err)
			}
			for _, want := range []string{"OAuth token for oauth.example expired at 2026-06-01 11:59 UTC",
				"not refreshed here", "single-use", "`glab auth status --hostname oauth.example`"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %q, want it to contain %q", err, want)
				}
			}
			if ran != 0 {
				t.Errorf("glab ran %d times without being on PATH", ran)
			}
		})
	}
}

func TestOAuthExpiryWithinSkew(t *testing.T) {
	env, _ := oauthEnv(t, fixedNow.Add(5*time.Second), false)
	if _, err := mustLoad(t, env).Credentials("oauth.example"); err == nil {
		t.Error("a token expiring in 5s should count as expired")
	}
}

func TestOAuthRefreshByGlab(t *testing.T) {
	tests := []struct {
		name      string
		refreshes bool // the fake glab rewrites the config
		glabErr   error
		wantErr   bool
	}{
		{"glab refreshes", true, nil, false},
		{"glab refreshes but exits 1", true, errors.New("exit status 1"), false},
		{"glab cannot refresh", false, errors.New("exit status 1"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, tc := oauthEnv(t, fixedNow.Add(-time.Hour), true)
			var calls [][]string
			env.LookPath = func(string) (string, error) { return "/usr/bin/glab", nil }
			env.RunGlab = func(args ...string) error {
				calls = append(calls, args)
				if tt.refreshes {
					if _, err := WriteTestConfig(tc.Dir, "", TestHost{Name: "oauth.example", Token: "oauth-new", OAuth: true,
						OAuthExpiry: fixedNow.Add(2 * time.Hour), ExpiryRFC822: true}); err != nil {
						t.Fatal(err)
					}
				}
				return tt.glabErr
			}
			cfg := mustLoad(t, env)
			cr, err := cfg.Credentials("oauth.example")
			if len(calls) != 1 || strings.Join(calls[0], " ") != "auth status --hostname oauth.example" {
				t.Errorf("glab calls = %q", calls)
			}
			if tt.wantErr {
				var ae *AuthError
				if !errors.As(err, &ae) {
					t.Fatalf("err = %v, want *AuthError", err)
				}
				// glab is run once per host, not on every call.
				if _, err := cfg.Credentials("oauth.example"); err == nil || len(calls) != 1 {
					t.Errorf("second call: err %v, %d glab runs", err, len(calls))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cr.Token.Reveal() != "oauth-new" {
				t.Errorf("token after refresh = %q", cr.Token.Reveal())
			}
		})
	}
}

func TestOAuthEnvTokenSkipsExpiry(t *testing.T) {
	env, tc := oauthEnv(t, fixedNow.Add(-time.Hour), false)
	env = tc.Env(env.HomeDir, env.WorkDir, map[string]string{"OAUTH_TOKEN": "fresh-from-env"})
	env.Now = nowFunc
	cr, err := mustLoad(t, env).Credentials("oauth.example")
	if err != nil {
		t.Fatal(err)
	}
	if cr.Kind != AuthOAuth || cr.Token.Reveal() != "fresh-from-env" {
		t.Errorf("got %s", cr)
	}
}

func TestOAuthUnreadableExpiryWarns(t *testing.T) {
	const body = "hosts:\n    o.example:\n        is_oauth2: \"true\"\n        oauth2_expiry_date: someday\n        token: x\n"
	env, _ := rawEnv(t, writeConfig(t, body), nil)
	cfg := mustLoad(t, env)
	if _, err := cfg.Credentials("o.example"); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], `"someday"`) {
		t.Errorf("Warnings = %q", cfg.Warnings)
	}
}

func TestStatusArgsForPortHost(t *testing.T) {
	if got := strings.Join(statusArgs("127.0.0.1:8929"), " "); got != "auth status" {
		t.Errorf("statusArgs = %q: glab's --hostname rejects ports", got)
	}
}

// addRenderings adds every way credentials print: the fmt verbs on the
// pointer and the value, the token itself, String and JSON.
func addRenderings(t *testing.T, add func(what, s string), what string, cr *Credentials) {
	t.Helper()
	add(what+" %v", fmt.Sprintf("%v", cr))
	add(what+" %+v", fmt.Sprintf("%+v", cr))
	add(what+" %#v", fmt.Sprintf("%#v", cr))
	add(what+" %+v value", fmt.Sprintf("%+v", *cr))
	add(what+" %#v value", fmt.Sprintf("%#v", *cr))
	add(what+" token", fmt.Sprintf("%s %v %q %x %d", cr.Token, cr.Token, cr.Token, cr.Token, cr.Token))
	add(what+" String", cr.String())
	j, err := json.Marshal(cr)
	if err != nil {
		t.Fatal(err)
	}
	add(what+" json", string(j))
}

// TestTokenNeverPrinted drives every path that formats credentials or
// errors and checks that no token appears.
func TestTokenNeverPrinted(t *testing.T) {
	const secret = "glpat-SECRET-do-not-print"
	var outputs []string
	add := func(what string, s string) { outputs = append(outputs, what+": "+s) }

	tc, err := WriteTestConfig(t.TempDir(), "", TestHost{Name: "pat.example", Token: secret,
		CustomHeaders: []Header{{Name: "X-Auth", Value: Secret(secret)}}},
		TestHost{Name: "oauth.example", Token: secret, OAuth: true, OAuthExpiry: fixedNow.Add(-time.Hour)},
		TestHost{Name: "kr.example", Token: secret, Keyring: true},
		TestHost{Name: "bad.example", Token: secret, APIProtocol: "gopher"},
		TestHost{Name: "mtls.example", Token: secret, ClientCert: "/nonexistent/" + "c.pem", ClientKey: "/nonexistent/k.pem"},
	)
	if err != nil {
		t.Fatal(err)
	}
	env := tc.Env(t.TempDir(), t.TempDir(), map[string]string{"GITLAB_REPO": "https://user:" + secret + "@h.example/onlyone"})
	env.Now = nowFunc
	cfg := mustLoad(t, env)
	for _, h := range []string{"pat.example", "oauth.example", "kr.example", "bad.example", "mtls.example", "none.example"} {
		cr, err := cfg.Credentials(h)
		if err != nil {
			add(h+" error", err.Error())
			add(h+" error %+v", fmt.Sprintf("%+v", err))
			continue
		}
		addRenderings(t, add, h, cr)
		if _, err := cr.HTTPClient(); err != nil {
			add(h+" client error", err.Error())
		}
	}
	// A keyring failure, a broken -R value carrying a token.
	tc.Keyring.Err = errors.New("locked")
	if _, err := cfg.Credentials("kr.example"); err != nil {
		add("keyring error", err.Error())
	} else {
		t.Error("want a keyring error")
	}
	if _, err := ResolveRepo(env, cfg, ""); err != nil {
		add("repo error", err.Error())
	} else {
		t.Error("want a GITLAB_REPO error")
	}
	if _, err := ParseTarget("https://u:" + secret + "@h.example/nothing"); err != nil {
		add("target error", err.Error())
	} else {
		t.Error("want a target error")
	}
	if len(outputs) < 10 {
		t.Fatalf("only %d outputs checked", len(outputs))
	}
	for _, o := range outputs {
		if strings.Contains(o, secret) || strings.Contains(o, fmt.Sprintf("%x", secret)) {
			t.Errorf("token printed in %s", o)
		}
	}
}

func TestSecret(t *testing.T) {
	s := Secret("abc")
	if s.Reveal() != "abc" || s.String() != redacted || fmt.Sprint(s) != redacted {
		t.Errorf("Secret formatting leaks or breaks: %q %q", s.Reveal(), fmt.Sprint(s))
	}
	if Secret("").String() != "" {
		t.Error("an empty secret prints as empty")
	}
}

func TestRefusedError(t *testing.T) {
	tests := []struct {
		name   string
		host   TestHost
		vars   map[string]string
		status int
		want   string
	}{
		{"file PAT 401", TestHost{Token: "t"}, nil, 401,
			"h.example refused the access token from " /* path */},
		{"env PAT 401", TestHost{Token: "t"}, map[string]string{"GITLAB_TOKEN": "e"}, 401,
			"h.example refused the access token from the GITLAB_TOKEN environment variable (HTTP 401); check or unset GITLAB_TOKEN"},
		{"OAuth 401", TestHost{Token: "t", OAuth: true}, nil, 401,
			"(HTTP 401); run `glab auth status --hostname h.example` to let glab refresh it"},
		{"job token 403", TestHost{JobToken: "j"}, nil, 403,
			"refused the CI job token from "},
		{"PAT 403", TestHost{Token: "t", Keyring: true}, nil, 403,
			"refused the access token from the OS keyring (glab:h.example:token) (HTTP 403); the token needs the read_api scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.host.Name = "h.example"
			tc, err := WriteTestConfig(t.TempDir(), "", tt.host)
			if err != nil {
				t.Fatal(err)
			}
			cr, err := mustLoad(t, tc.Env(t.TempDir(), t.TempDir(), tt.vars)).Credentials("h.example")
			if err != nil {
				t.Fatal(err)
			}
			e := cr.RefusedError(tt.status)
			if !strings.Contains(e.Error(), tt.want) || strings.Contains(e.Error(), "\n") {
				t.Errorf("got %q, want it to contain %q", e.Error(), tt.want)
			}
			if e.Host != "h.example" {
				t.Errorf("Host = %q", e.Host)
			}
		})
	}
}
