package glabconfig

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
	"go.yaml.in/yaml/v3"
)

// AuthKind is how a token is sent.
type AuthKind string

// Auth kinds.
const (
	AuthPrivate AuthKind = "private-token" // personal, project or group access token: PRIVATE-TOKEN
	AuthOAuth   AuthKind = "oauth2"        // OAuth2 access token: Authorization: Bearer
	AuthJob     AuthKind = "job-token"     // CI job token: JOB-TOKEN
)

// Secret is a credential. It prints as "[redacted]" in every fmt verb and
// in JSON; Reveal gives the value.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String hides the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString hides the value from %#v.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format hides the value from every verb, %x and %q included.
func (s Secret) Format(f fmt.State, verb rune) {
	_, _ = f.Write([]byte(s.String()))
}

// MarshalJSON hides the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.String())), nil }

// MarshalText hides the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Header is one custom header glab sends with every request to a host.
type Header struct {
	Name  string
	Value Secret // may carry a credential, so it is a Secret
	// FromEnv is the variable the value was read from (valueFromEnv), if any.
	FromEnv string
}

// TLSSettings are a host's TLS options.
type TLSSettings struct {
	CACert     string // PEM file appended to the system pool
	ClientCert string // PEM client certificate (mutual TLS); with ClientKey
	ClientKey  string
	SkipVerify bool
}

// Credentials are everything needed to talk to one GitLab host.
type Credentials struct {
	// Host is the host as glab names it (the key under hosts:), with a port
	// when it has one.
	Host string
	// APIHost is host[:port] of the API server.
	APIHost string
	// Protocol is "https" or "http".
	Protocol string
	// Subfolder is the path the instance is served under, "" at the root.
	Subfolder string
	// APIBaseURL is e.g. https://h:8443/sub/api/v4 (no trailing slash).
	APIBaseURL string
	// WebURL is the instance's web root, e.g. https://h:8443/sub.
	WebURL string
	// Token is the token sent in the header HeaderName names.
	Token Secret
	Kind  AuthKind
	// Source tells where the token came from, for messages.
	Source string
	// OAuthExpiry is when an OAuth token expires; zero when unknown.
	OAuthExpiry time.Time
	TLS         TLSSettings
	// Proxy is the host's proxy URL ("" means the environment's).
	Proxy         string
	CustomHeaders []Header
	// ConfigFile is the glab config file the host came from, if any.
	ConfigFile string
}

// HeaderName is the header the token goes in.
func (c *Credentials) HeaderName() string {
	switch c.Kind {
	case AuthOAuth:
		return "Authorization"
	case AuthJob:
		return "JOB-TOKEN"
	}
	return "PRIVATE-TOKEN"
}

// HeaderValue is the value of that header (the token, with "Bearer " for
// OAuth). It is a secret: never print it.
func (c *Credentials) HeaderValue() string {
	if c.Kind == AuthOAuth {
		return "Bearer " + c.Token.Reveal()
	}
	return c.Token.Reveal()
}

// String describes the credentials without the token.
func (c *Credentials) String() string {
	if c == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("%s %s token from %s (%s)", c.Host, c.Kind, c.Source, c.APIBaseURL)
	if !c.OAuthExpiry.IsZero() {
		s += ", expires " + c.OAuthExpiry.UTC().Format(time.RFC3339)
	}
	return s
}

// GoString describes the credentials without the token.
func (c *Credentials) GoString() string { return "glabconfig.Credentials{" + c.String() + "}" }

// loginFix is the glab command that logs in to host.
func loginFix(host string) string {
	if strings.ContainsAny(host, ":/") {
		// glab's --hostname refuses ports; GITLAB_HOST accepts them.
		return "run `GITLAB_HOST=" + host + " glab auth login` or set GITLAB_TOKEN"
	}
	return "run `glab auth login --hostname " + host + "` or set GITLAB_TOKEN"
}

// statusCommand is the glab command that refreshes host's OAuth token.
func statusArgs(host string) []string {
	if strings.ContainsAny(host, ":/") {
		return []string{"auth", "status"}
	}
	return []string{"auth", "status", "--hostname", host}
}

// Credentials resolves the credentials for hostname ("" is DefaultHost)
// as glab does: the token from GITLAB_TOKEN, GITLAB_ACCESS_TOKEN or
// OAUTH_TOKEN, else the host's token (in the keyring first when use_keyring
// is "true"), else the keyring entries glab:<host>:token and glab:<host>;
// then the auth kind in newer glab's order (is_oauth2, token, job_token),
// except that a token from GITLAB_TOKEN or GITLAB_ACCESS_TOKEN is a personal
// token unless GLAB_IS_OAUTH2 is set.
//
// An expired OAuth token is never refreshed here (refresh tokens are
// single-use: refreshing would log glab out). When glab is on PATH,
// `glab auth status --hostname <host>` is run once so glab refreshes it, and
// the config is read again; otherwise the *AuthError names the command.
func (c *Config) Credentials(hostname string) (*Credentials, error) {
	if hostname == "" {
		hostname = c.DefaultHost()
	}
	cr, expired, err := c.resolve(hostname)
	if err != nil || !expired {
		return cr, err
	}
	if c.tryRefresh(hostname) {
		fresh, err := Load(c.env)
		if err != nil {
			return nil, fmt.Errorf("reading glab config after `glab auth status`: %w", err)
		}
		cr, expired, err = fresh.resolve(hostname)
		if err != nil {
			return nil, err
		}
		if !expired {
			c.adopt(fresh)
			return cr, nil
		}
	}
	return nil, &AuthError{
		Host: hostname,
		File: cr.ConfigFile,
		Msg: fmt.Sprintf("OAuth token for %s expired at %s and is not refreshed here (glab's refresh token is single-use)",
			hostname, cr.OAuthExpiry.UTC().Format("2006-01-02 15:04 MST")),
		Fix: "run `glab " + strings.Join(statusArgs(hostname), " ") + "` to let glab refresh it, or `glab auth login`",
	}
}

// tryRefresh runs `glab auth status` once per host when glab is on PATH,
// and tells whether it ran.
func (c *Config) tryRefresh(host string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refreshed[host] || c.env.RunGlab == nil {
		return false
	}
	if _, err := c.env.LookPath("glab"); err != nil {
		return false
	}
	c.refreshed[host] = true
	// Its exit status is not trusted: it fails when any host is logged out.
	// Reading the config again tells whether the token was refreshed.
	_ = c.env.RunGlab(statusArgs(host)...)
	return true
}

// adopt takes the freshly read files of another Config.
func (c *Config) adopt(fresh *Config) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Path, c.LocalPath, c.global, c.local = fresh.Path, fresh.LocalPath, fresh.global, fresh.local
}

// oauthSkew treats a token about to expire as expired.
const oauthSkew = 10 * time.Second

// resolve builds the credentials of host; expired reports an expired OAuth
// token (cr is then filled in, for the message).
func (c *Config) resolve(host string) (cr *Credentials, expired bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cr, err = c.connection(host)
	if err != nil {
		return nil, false, err
	}

	useKeyring := isTrue(c.fileHostValue(host, "use_keyring"))
	token, tokSrc, keyringNote, err := c.token(host, useKeyring)
	if err != nil {
		return nil, false, err
	}
	forcedPAT := tokSrc.kind == "env" && (tokSrc.name == "GITLAB_TOKEN" || tokSrc.name == "GITLAB_ACCESS_TOKEN") &&
		c.env.Getenv("GLAB_IS_OAUTH2") == ""
	isOAuth := isTrue(c.Get(host, "is_oauth2"))

	switch {
	case token != "" && forcedPAT:
		cr.Token, cr.Kind, cr.Source = Secret(token), AuthPrivate, tokSrc.String()
	case isOAuth:
		if token == "" {
			return nil, false, c.noTokenError(host, "no OAuth token for "+host, keyringNote)
		}
		cr.Token, cr.Kind, cr.Source = Secret(token), AuthOAuth, tokSrc.String()
		if tokSrc.kind == "env" {
			break // the expiry date in the file is about the stored token
		}
		raw := c.Get(host, "oauth2_expiry_date")
		if raw == "" {
			break
		}
		t, ok := parseExpiry(raw)
		if !ok {
			c.Warnings = append(c.Warnings, fmt.Sprintf("cannot read oauth2_expiry_date %q of %s in %s", raw, host, c.Path))
			break
		}
		cr.OAuthExpiry = t
		if !c.env.Now().Add(oauthSkew).Before(t) {
			return cr, true, nil
		}
	case token != "":
		cr.Token, cr.Kind, cr.Source = Secret(token), AuthPrivate, tokSrc.String()
	default:
		job, jobSrc, err := c.jobToken(host, useKeyring)
		if err != nil {
			return nil, false, err
		}
		if job == "" {
			return nil, false, c.noTokenError(host, "no token for "+host, keyringNote)
		}
		cr.Token, cr.Kind, cr.Source = Secret(job), AuthJob, jobSrc.String()
	}
	return cr, false, nil
}

// connection builds the credentials of host without the token: endpoint,
// TLS, proxy and custom headers. The caller holds c.mu.
func (c *Config) connection(host string) (*Credentials, error) {
	cr := &Credentials{Host: host, ConfigFile: c.Path}
	if err := c.fillEndpoint(cr); err != nil {
		return nil, err
	}
	if err := c.fillTLS(cr); err != nil {
		return nil, err
	}
	cr.Proxy = c.fileHostValue(host, "proxy")
	cr.CustomHeaders = c.customHeaders(host)
	return cr, nil
}

// noTokenError is the one-line error for a host without a usable token.
func (c *Config) noTokenError(host, msg, keyringNote string) error {
	where := "in the environment, the OS keyring"
	if c.Path != "" {
		if c.HasHost(host) {
			where += " or " + c.Path
		} else {
			where += " or " + c.Path + " (no hosts." + host + " entry)"
		}
	} else {
		where += " or a glab config file (none found; " + ConfigDir(c.env) + " is glab's config dir)"
	}
	msg += " " + where
	if keyringNote != "" {
		msg += "; the keyring could not be read: " + keyringNote
	}
	return &AuthError{Host: host, File: c.Path, Msg: msg, Fix: loginFix(host)}
}

// token finds the token of host. keyringNote describes a keyring failure
// that was tolerated because the host does not claim to use the keyring.
func (c *Config) token(host string, useKeyring bool) (token string, src source, keyringNote string, err error) {
	for _, name := range envNames("token") {
		if v := c.env.Getenv(name); v != "" {
			return v, source{"env", name}, "", nil
		}
	}
	if useKeyring {
		v, svc, err := c.keyringGet(host, "token", true)
		if err != nil {
			return "", source{}, "", &AuthError{Host: host, File: c.Path,
				Msg: "reading the token of " + host + " from the OS keyring (use_keyring is set in " + c.Path + ")",
				Err: err, Fix: "unlock the keyring, or set GITLAB_TOKEN"}
		}
		if v != "" {
			return v, source{"keyring", svc}, "", nil
		}
	}
	if v := c.fileHostValue(host, "token"); v != "" {
		return v, source{"host", c.Path}, "", nil
	}
	if !useKeyring {
		// glab v1.79 reads the keyring when the file has no token: its
		// --use-keyring login writes nothing to the file.
		v, svc, err := c.keyringGet(host, "token", true)
		if err != nil {
			keyringNote = firstLine(err.Error())
		} else if v != "" {
			return v, source{"keyring", svc}, "", nil
		}
	}
	if v := scalar(lookup(c.local, "token")); v != "" {
		return v, source{"local", c.LocalPath}, keyringNote, nil
	}
	if v := scalar(lookup(c.global, "token")); v != "" {
		return v, source{"global", c.Path}, keyringNote, nil
	}
	return "", source{}, keyringNote, nil
}

// jobToken finds the job token of host: JOB_TOKEN, the file (the keyring
// first with use_keyring), then CI auto-login's CI_JOB_TOKEN.
func (c *Config) jobToken(host string, useKeyring bool) (string, source, error) {
	if v := c.env.Getenv("JOB_TOKEN"); v != "" {
		return v, source{"env", "JOB_TOKEN"}, nil
	}
	if useKeyring {
		v, svc, err := c.keyringGet(host, "job_token", false)
		if err != nil {
			return "", source{}, &AuthError{Host: host, File: c.Path,
				Msg: "reading the job token of " + host + " from the OS keyring", Err: err,
				Fix: "unlock the keyring, or set GITLAB_TOKEN"}
		}
		if v != "" {
			return v, source{"keyring", svc}, nil
		}
	}
	v, src := c.get(host, "job_token")
	return v, src, nil
}

// keyringGet reads glab:<host>:<key>, then (for the token) the legacy
// glab:<host>, both with user "". Not found is ("", "", nil).
func (c *Config) keyringGet(host, key string, legacy bool) (string, string, error) {
	services := []string{"glab:" + host + ":" + key}
	if legacy {
		services = append(services, "glab:"+host)
	}
	for _, svc := range services {
		v, err := c.env.Keyring(svc, "")
		if errors.Is(err, keyring.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("keyring %s: %w", svc, err)
		}
		if v != "" {
			return v, svc, nil
		}
	}
	return "", "", nil
}

// fillEndpoint sets the protocol, API host, subfolder and URLs.
func (c *Config) fillEndpoint(cr *Credentials) error {
	host := cr.Host
	proto := strings.ToLower(c.Get(host, "api_protocol"))
	if proto != "http" && proto != "https" {
		return &AuthError{Host: host, File: c.Path,
			Msg: fmt.Sprintf("api_protocol of %s is %q; glab accepts https or http", host, proto),
			Fix: "run `glab config set --host " + host + " api_protocol https`"}
	}
	apiHost := c.Get(host, "api_host")
	subfolder := strings.Trim(c.Get(host, "subfolder"), "/")
	if apiHost == "" {
		apiHost = host
	}
	if i := strings.Index(apiHost, "://"); i >= 0 {
		apiHost = apiHost[i+3:]
	}
	if i := strings.IndexByte(apiHost, '/'); i >= 0 {
		// Old-style subfolder: api_host: host/path.
		if subfolder == "" {
			subfolder = strings.Trim(apiHost[i+1:], "/")
		}
		apiHost = apiHost[:i]
	}
	if strings.EqualFold(host, "gitlab.com") {
		// glab hard-codes gitlab.com's API.
		proto, apiHost, subfolder = "https", "gitlab.com", ""
	}
	web := &url.URL{Scheme: proto, Host: apiHost}
	if subfolder != "" {
		web.Path = "/" + subfolder
	}
	if _, err := url.Parse(web.String()); err != nil || apiHost == "" {
		return &AuthError{Host: host, File: c.Path, Msg: fmt.Sprintf("invalid API host %q for %s", apiHost, host)}
	}
	cr.Protocol, cr.APIHost, cr.Subfolder = proto, apiHost, subfolder
	cr.WebURL = web.String()
	cr.APIBaseURL = cr.WebURL + "/api/v4"
	return nil
}

// fillTLS reads ca_cert, client_cert, client_key and skip_tls_verify.
func (c *Config) fillTLS(cr *Credentials) error {
	host := cr.Host
	cr.TLS = TLSSettings{
		CACert:     c.Get(host, "ca_cert"),
		ClientCert: c.Get(host, "client_cert"),
		ClientKey:  c.Get(host, "client_key"),
	}
	switch strings.ToLower(c.Get(host, "skip_tls_verify")) {
	case "true", "1":
		cr.TLS.SkipVerify = true
	}
	if (cr.TLS.ClientCert == "") != (cr.TLS.ClientKey == "") {
		return &AuthError{Host: host, File: c.Path,
			Msg: "client_cert and client_key of " + host + " must be set together",
			Fix: "set both with `glab config set --host " + host + "`"}
	}
	return nil
}

// customHeaders reads hosts.<host>.custom_headers: a list of {name, value}
// or {name, valueFromEnv}.
func (c *Config) customHeaders(host string) []Header {
	n := deref(lookup(c.hostNode(host), "custom_headers"))
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []Header
	for _, item := range n.Content {
		name := scalar(lookup(item, "name"))
		if name == "" {
			continue
		}
		h := Header{Name: name}
		if env := scalar(lookup(item, "valueFromEnv")); env != "" {
			h.FromEnv = env
			h.Value = Secret(c.env.Getenv(env))
		} else {
			h.Value = Secret(scalar(lookup(item, "value")))
		}
		out = append(out, h)
	}
	return out
}

// isTrue reads glab's boolean strings.
func isTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// expiryLayouts are the forms of oauth2_expiry_date glab has written:
// RFC3339 (newer), RFC822 (v1.79) and RFC822Z.
var expiryLayouts = []string{time.RFC3339Nano, time.RFC3339, time.RFC822, time.RFC822Z, time.RFC1123, time.RFC1123Z}

// parseExpiry parses oauth2_expiry_date.
func parseExpiry(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range expiryLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// RefusedError is the one-line *AuthError for a request the server refused
// with status (401 or 403), with the fix that fits where the token came from.
func (c *Credentials) RefusedError(status int) *AuthError {
	e := &AuthError{Host: c.Host, File: c.ConfigFile,
		Msg: fmt.Sprintf("%s refused the %s from %s (HTTP %d)", c.Host, kindNoun(c.Kind), c.Source, status)}
	envVar := ""
	for _, name := range envNames("token") {
		if c.Source == (source{"env", name}).String() {
			envVar = name
		}
	}
	switch {
	case c.Kind == AuthJob:
		e.Fix = "a CI job token cannot read job logs or test reports; set GITLAB_TOKEN to a token with the read_api scope"
	case envVar != "":
		e.Fix = "check or unset " + envVar
	case c.Kind == AuthOAuth:
		e.Fix = "run `glab " + strings.Join(statusArgs(c.Host), " ") + "` to let glab refresh it, or `glab auth login`"
	case status == 403:
		e.Fix = "the token needs the read_api scope and access to the project; " + loginFix(c.Host)
	default:
		e.Fix = loginFix(c.Host)
	}
	return e
}

func kindNoun(k AuthKind) string {
	switch k {
	case AuthOAuth:
		return "OAuth token"
	case AuthJob:
		return "CI job token"
	}
	return "access token"
}
