package glabconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// allKinds is one host of each kind WriteTestConfig supports.
func allKinds() []TestHost {
	exp := time.Date(2026, 11, 28, 14, 44, 0, 0, time.UTC)
	return []TestHost{
		{Name: "pat.example", Token: "glpat-personal", APIProtocol: "https", GitProtocol: "ssh"},
		{Name: "oauth.example", Token: "oauth-access", OAuth: true, OAuthExpiry: exp, User: "alice"},
		{Name: "oauth822.example", Token: "oauth-access", OAuth: true, OAuthExpiry: exp, ExpiryRFC822: true},
		{Name: "job.example", JobToken: "job-token"},
		{Name: "keyring.example", Token: "kr-token", Keyring: true, Subfolder: "gitlab"},
		{Name: "legacy-keyring.example", Token: "legacy-kr-token", LegacyKeyring: true},
		{Name: "127.0.0.1:8929", Token: "port-token", APIProtocol: "http"},
		{Name: "127.0.0.1", Token: "bare-token", APIHost: "127.0.0.1:8929", APIProtocol: "http", SkipTLSVerify: true, CACert: "/path/to/ca.pem"},
		{Name: "headers.example", Token: "t", CustomHeaders: []Header{{Name: "X-A", Value: "a"}, {Name: "X-B", FromEnv: "HDR_B"}}},
	}
}

func TestWriteTestConfigGolden(t *testing.T) {
	dir := t.TempDir()
	tc, err := WriteTestConfig(dir, "", allKinds()...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(tc.Path)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, got, "testconfig")
	for _, name := range []string{"config.yml", "aliases.yml"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %o, want 600", name, fi.Mode().Perm())
		}
	}
	if got := strings.Join(tc.Keyring.Services(), ","); got != "glab:keyring.example:token,glab:legacy-keyring.example" {
		t.Errorf("keyring services = %s", got)
	}
}

// TestWriteTestConfigRoundTrip reads every kind of host back through Load
// and Credentials.
func TestWriteTestConfigRoundTrip(t *testing.T) {
	tc, err := WriteTestConfig(t.TempDir(), "pat.example", allKinds()...)
	if err != nil {
		t.Fatal(err)
	}
	env := tc.Env(t.TempDir(), t.TempDir(), map[string]string{"HDR_B": "b"})
	env.Now = func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }
	cfg := mustLoad(t, env)
	if cfg.DefaultHost() != "pat.example" {
		t.Errorf("DefaultHost = %q", cfg.DefaultHost())
	}
	tests := []struct {
		host, token, api string
		kind             AuthKind
	}{
		{"pat.example", "glpat-personal", "https://pat.example/api/v4", AuthPrivate},
		{"oauth.example", "oauth-access", "https://oauth.example/api/v4", AuthOAuth},
		{"oauth822.example", "oauth-access", "https://oauth822.example/api/v4", AuthOAuth},
		{"job.example", "job-token", "https://job.example/api/v4", AuthJob},
		{"keyring.example", "kr-token", "https://keyring.example/gitlab/api/v4", AuthPrivate},
		{"legacy-keyring.example", "legacy-kr-token", "https://legacy-keyring.example/api/v4", AuthPrivate},
		{"127.0.0.1:8929", "port-token", "http://127.0.0.1:8929/api/v4", AuthPrivate},
		{"127.0.0.1", "bare-token", "http://127.0.0.1:8929/api/v4", AuthPrivate},
		{"headers.example", "t", "https://headers.example/api/v4", AuthPrivate},
	}
	for _, tt := range tests {
		cr, err := cfg.Credentials(tt.host)
		if err != nil {
			t.Errorf("%s: %v", tt.host, err)
			continue
		}
		if cr.Token.Reveal() != tt.token || cr.Kind != tt.kind || cr.APIBaseURL != tt.api {
			t.Errorf("%s: got %s token %q", tt.host, cr, cr.Token.Reveal())
		}
	}
	cr, _ := cfg.Credentials("headers.example")
	if len(cr.CustomHeaders) != 2 || cr.CustomHeaders[1].Value.Reveal() != "b" {
		t.Errorf("headers = %+v", cr.CustomHeaders)
	}
	cr, _ = cfg.Credentials("127.0.0.1")
	if !cr.TLS.SkipVerify || cr.TLS.CACert != "/path/to/ca.pem" {
		t.Errorf("TLS = %+v", cr.TLS)
	}
	if _, err := WriteTestConfig(t.TempDir(), "", TestHost{}); err == nil {
		t.Error("a host without a name should be refused")
	}
}

func BenchmarkLoadAndCredentials(b *testing.B) {
	tc, err := WriteTestConfig(b.TempDir(), "", allKinds()...)
	if err != nil {
		b.Fatal(err)
	}
	env := tc.Env(b.TempDir(), b.TempDir(), nil)
	env.Git = func(string, ...string) (string, error) { return "", os.ErrNotExist }
	env.Now = nowFunc
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		cfg, err := Load(env)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cfg.Credentials("keyring.example"); err != nil {
			b.Fatal(err)
		}
	}
}
