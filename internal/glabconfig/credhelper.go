package glabconfig

import (
	"encoding/json"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// helperSource is the Source of credentials glab's credential helper gave.
const helperSource = "glab auth credential-helper"

// helperKinds maps the helper's token types to auth kinds. Any other type
// is not used.
var helperKinds = map[string]AuthKind{
	"pat":       AuthPrivate,
	"oauth2":    AuthOAuth,
	"job-token": AuthJob,
}

// helperAnswer is what `glab auth credential-helper` prints:
// {"type":"success","instance_url":"https://host[/subfolder]",
// "token":{"type":"pat|oauth2|job-token","token":"…","expiry_timestamp":"…"}}
// or {"type":"error","message":"…"}.
type helperAnswer struct {
	Type        string      `json:"type"`
	InstanceURL string      `json:"instance_url"`
	Token       helperToken `json:"token"`
}

type helperToken struct {
	Type   string `json:"type"`
	Token  Secret `json:"token"`
	Expiry string `json:"expiry_timestamp"`
}

// helperRun is the one run of the helper for a project.
type helperRun struct {
	once sync.Once
	ans  *helperAnswer // nil when glab is missing, failed or did not succeed
}

// CredentialsForRepo resolves the credentials for r's project ("" as host
// is DefaultHost).
//
// When glab has `glab auth credential-helper` (newer than v1.79), its
// answer for the project comes first: glab resolves the token from its
// keyring, the environment and its config, refreshing an OAuth token itself.
// The answer is used only when it succeeded with a non-empty token of a
// known type, not expired, for exactly the instance the config gives for the
// host (scheme, host, port and subfolder); a token never goes to another
// host. The endpoint, TLS, proxy and custom headers still come from the
// config. Otherwise the result is Credentials(r.Host). The helper runs at
// most once per Config and project, and its output is never printed.
func (c *Config) CredentialsForRepo(r Repo) (*Credentials, error) {
	host := r.Host
	if host == "" {
		host = c.DefaultHost()
	}
	if cr := c.helperCredentials(host, r.FullPath); cr != nil {
		return cr, nil
	}
	return c.Credentials(host)
}

// helperCredentials returns the credentials glab's credential helper gives
// for the project, or nil when they cannot be used.
func (c *Config) helperCredentials(host, fullPath string) *Credentials {
	ans := c.credentialHelper(host, fullPath)
	if ans == nil {
		return nil
	}
	kind, ok := helperKinds[ans.Token.Type]
	if !ok {
		return nil
	}
	c.mu.Lock()
	cr, err := c.connection(host)
	c.mu.Unlock()
	if err != nil {
		return nil // Credentials reports it
	}
	if !sameInstance(ans.InstanceURL, cr.WebURL) {
		return nil
	}
	if ans.Token.Expiry != "" {
		t, err := time.Parse(time.RFC3339, ans.Token.Expiry)
		if err != nil || !c.env.Now().Add(oauthSkew).Before(t) {
			return nil
		}
		cr.OAuthExpiry = t
	}
	cr.Token, cr.Kind, cr.Source = ans.Token.Token, kind, helperSource
	return cr
}

// credentialHelper runs `glab auth credential-helper -R host/full/path` once
// per project when glab is on PATH, and returns its successful answer.
func (c *Config) credentialHelper(host, fullPath string) *helperAnswer {
	if c.env.GlabOutput == nil || host == "" || fullPath == "" {
		return nil
	}
	repo := host + "/" + fullPath
	c.mu.Lock()
	if c.helper == nil {
		c.helper = map[string]*helperRun{}
	}
	run := c.helper[repo]
	if run == nil {
		run = &helperRun{}
		c.helper[repo] = run
	}
	c.mu.Unlock()
	run.once.Do(func() {
		if _, err := c.env.LookPath("glab"); err != nil {
			return
		}
		// An error means an older glab (unknown command), no login or a
		// timeout: the config is read instead. Neither the error nor the
		// output is shown.
		out, err := c.env.GlabOutput("auth", "credential-helper", "-R", repo)
		if err != nil {
			return
		}
		var a helperAnswer
		if json.Unmarshal(out, &a) != nil || a.Type != "success" || !usableToken(a.Token.Token.Reveal()) {
			return
		}
		run.ans = &a
	})
	return run.ans
}

// usableToken tells whether a token can go in a header: not empty, no
// spaces or control characters.
func usableToken(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] == 0x7f {
			return false
		}
	}
	return true
}

// sameInstance tells whether the URL glab printed is the instance whose web
// root is webURL: same scheme, host, port and subfolder, ignoring the case
// of the host, default ports and trailing slashes.
func sameInstance(printed, webURL string) bool {
	a, ok := instanceKey(printed)
	if !ok {
		return false
	}
	b, ok := instanceKey(webURL)
	return ok && a == b
}

// instanceKey is the normalised form of an instance URL, scheme://host:port/path.
func instanceKey(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", false
	}
	var port string
	switch u.Scheme { // url.Parse lower-cases it
	case "https":
		port = "443"
	case "http":
		port = "80"
	default:
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", false
	}
	if p := u.Port(); p != "" {
		port = p
	}
	return u.Scheme + "://" + net.JoinHostPort(host, port) + strings.TrimRight(u.EscapedPath(), "/"), true
}
