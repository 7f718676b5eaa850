package glabconfig

import (
	"net/url"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Config is glab's configuration as this process sees it: the config file,
// the checkout's local config, the environment and the keyring (read on
// demand). It is never written.
type Config struct {
	// Path is the config file read, "" when there is none.
	Path string
	// LocalPath is the checkout's .git/glab-cli/config.yml when it exists.
	LocalPath string
	// Warnings are things worth one line on stderr (several config files,
	// an unreadable expiry date).
	Warnings []string

	env    Env
	global *yaml.Node // top-level mapping of Path
	local  *yaml.Node // top-level mapping of LocalPath

	mu        sync.Mutex
	refreshed map[string]bool       // hosts for which glab was run to refresh OAuth
	helper    map[string]*helperRun // glab auth credential-helper runs, by host/project
}

// Load finds and reads glab's config the way glab does (see ConfigDir and
// the search order in docs/glab-compat.md §1). A missing file is fine: the
// environment and the keyring may still give credentials.
func Load(env Env) (*Config, error) {
	env = env.withDefaults()
	c := &Config{env: env, refreshed: map[string]bool{}}
	path, warning := findConfigFile(env)
	if warning != "" {
		c.Warnings = append(c.Warnings, warning)
	}
	if path != "" {
		root, err := readConfigFile(env, path)
		if err != nil {
			return nil, err
		}
		c.Path, c.global = path, root
	}
	if lp := localConfigPath(env); lp != "" {
		root, err := readConfigFile(env, lp)
		if err != nil {
			return nil, err
		}
		if root != nil {
			c.LocalPath, c.local = lp, root
		}
	}
	return c, nil
}

// envKeys are the environment variables that override a key for every
// host, in precedence order (glab's EnvKeyEquivalence; keys not listed use
// the upper-cased key name).
var envKeys = map[string][]string{
	"token":        {"GITLAB_TOKEN", "GITLAB_ACCESS_TOKEN", "OAUTH_TOKEN"},
	"host":         {"GITLAB_HOST", "GITLAB_URI", "GL_HOST"},
	"api_host":     {"GITLAB_API_HOST"},
	"client_id":    {"GITLAB_CLIENT_ID"},
	"subfolder":    {"GITLAB_SUBFOLDER"},
	"ssh_host":     {"GITLAB_SSH_HOST"},
	"is_oauth2":    {"GLAB_IS_OAUTH2", "IS_OAUTH2"},
	"no_prompt":    {"GLAB_NO_PROMPT", "NO_PROMPT", "PROMPT_DISABLED"},
	"remote_alias": {"REMOTE_ALIAS", "GIT_REMOTE_URL_VAR"},
	// Read from the file only: the upper-cased names would be unrelated
	// variables (USER) or the transport's own (HTTPS_PROXY is honoured there).
	"user":           nil,
	"proxy":          nil,
	"custom_headers": nil,
}

// envNames returns the variables that override key.
func envNames(key string) []string {
	if names, ok := envKeys[key]; ok {
		return names
	}
	return []string{strings.ToUpper(key)}
}

// defaults are glab's defaultFor values.
var defaults = map[string]string{
	"git_protocol":  "ssh",
	"api_protocol":  "https",
	"glamour_style": "dark",
}

// Source names where a value came from, for messages. It never holds the
// value.
type source struct {
	kind string // "env", "host", "local", "global", "ci", "default", "keyring", ""
	name string // variable name, file path or keyring service
}

func (s source) String() string {
	switch s.kind {
	case "env":
		return "the " + s.name + " environment variable"
	case "host", "local", "global":
		return s.name
	case "ci":
		return s.name + " (CI auto-login)"
	case "keyring":
		return "the OS keyring (" + s.name + ")"
	case "default":
		return "glab's default"
	}
	return ""
}

// Get returns the value of key for host with glab's precedence:
// environment, hosts.<host>.<key>, the checkout's local config, the
// top-level key, CI auto-login, then glab's default. The keyring is not
// consulted here (see Credentials). An empty value counts as unset.
func (c *Config) Get(host, key string) string {
	v, _ := c.get(host, key)
	return v
}

func (c *Config) get(host, key string) (string, source) {
	for _, name := range envNames(key) {
		if v := c.env.Getenv(name); v != "" {
			return v, source{"env", name}
		}
	}
	if v := c.fileHostValue(host, key); v != "" {
		return v, source{"host", c.Path}
	}
	if v := scalar(lookup(c.local, key)); v != "" {
		return v, source{"local", c.LocalPath}
	}
	if v := scalar(lookup(c.global, key)); v != "" {
		return v, source{"global", c.Path}
	}
	if v, name := c.ciValue(host, key); v != "" {
		return v, source{"ci", name}
	}
	if v := defaults[key]; v != "" {
		return v, source{"default", ""}
	}
	return "", source{}
}

// hostNode returns the hosts.<host> mapping, matching the key exactly, then
// ignoring case (host names are case-insensitive).
func (c *Config) hostNode(host string) *yaml.Node {
	if host == "" {
		return nil
	}
	hosts := lookup(c.global, "hosts")
	var fold *yaml.Node
	for _, p := range pairs(hosts) {
		if p.key == host {
			return p.value
		}
		if fold == nil && strings.EqualFold(p.key, host) {
			fold = p.value
		}
	}
	return fold
}

func (c *Config) fileHostValue(host, key string) string {
	return scalar(lookup(c.hostNode(host), key))
}

// HasHost tells whether hosts.<host> exists in the config file.
func (c *Config) HasHost(host string) bool { return c.hostNode(host) != nil }

// Hosts lists the hosts of the config file in file order.
func (c *Config) Hosts() []string {
	var out []string
	for _, p := range pairs(lookup(c.global, "hosts")) {
		out = append(out, p.key)
	}
	return out
}

// KnownHosts are the hosts a git remote may point at: gitlab.com, every
// configured host, the default host, and the CI server with CI auto-login.
func (c *Config) KnownHosts() []string {
	out := []string{"gitlab.com"}
	add := func(h string) {
		if h == "" {
			return
		}
		for _, k := range out {
			if strings.EqualFold(k, h) {
				return
			}
		}
		out = append(out, h)
	}
	for _, h := range c.Hosts() {
		add(h)
	}
	add(c.DefaultHost())
	if c.ciAutoLogin() {
		add(normalizeHost(c.env.Getenv("CI_SERVER_FQDN")))
	}
	return out
}

// isKnownHost tells whether h is one of KnownHosts.
func (c *Config) isKnownHost(h string) (string, bool) {
	for _, k := range c.KnownHosts() {
		if strings.EqualFold(k, h) {
			return k, true
		}
	}
	return "", false
}

// DefaultHost is the host used outside a checkout and for OWNER/REPO:
// GITLAB_HOST (or GITLAB_URI, GL_HOST), the local then global `host` key,
// the CI server with CI auto-login, else gitlab.com.
func (c *Config) DefaultHost() string {
	if v, _ := c.get("", "host"); v != "" {
		if h := normalizeHost(v); h != "" {
			return h
		}
	}
	return "gitlab.com"
}

// envDefaultHost is the host named by GITLAB_HOST, GITLAB_URI or GL_HOST.
func (c *Config) envDefaultHost() string {
	for _, name := range envNames("host") {
		if v := c.env.Getenv(name); v != "" {
			return normalizeHost(v)
		}
	}
	return ""
}

// normalizeHost turns "https://h:8443/x/" or "h:8443" into "h:8443".
func normalizeHost(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if strings.Contains(v, "://") {
		if u, err := url.Parse(v); err == nil && u.Host != "" {
			return u.Host
		}
	}
	if i := strings.IndexByte(v, '/'); i >= 0 {
		v = v[:i]
	}
	return v
}

// ciAutoLogin tells whether glab's CI auto-login is on.
func (c *Config) ciAutoLogin() bool {
	return c.env.Getenv("GLAB_ENABLE_CI_AUTOLOGIN") == "true" && c.env.Getenv("GITLAB_CI") == "true"
}

// ciValue is the lowest-priority CI auto-login value of key. Per-host values
// are given only for the CI server's own host, so a job token never goes to
// another host.
func (c *Config) ciValue(host, key string) (string, string) {
	if !c.ciAutoLogin() {
		return "", ""
	}
	fqdn := normalizeHost(c.env.Getenv("CI_SERVER_FQDN"))
	if key == "host" {
		return fqdn, "CI_SERVER_FQDN"
	}
	if fqdn == "" || !strings.EqualFold(host, fqdn) {
		return "", ""
	}
	var name string
	switch key {
	case "api_host":
		name = "CI_SERVER_FQDN"
	case "api_protocol":
		name = "CI_SERVER_PROTOCOL"
	case "job_token":
		name = "CI_JOB_TOKEN"
	case "ca_cert":
		name = "CI_SERVER_TLS_CA_FILE"
	case "client_cert":
		name = "CI_SERVER_TLS_CERT_FILE"
	case "client_key":
		name = "CI_SERVER_TLS_KEY_FILE"
	case "ssh_host":
		name = "CI_SERVER_SHELL_SSH_HOST"
	case "subfolder":
		u, err := url.Parse(c.env.Getenv("CI_SERVER_URL"))
		if err != nil {
			return "", ""
		}
		return strings.Trim(u.Path, "/"), "CI_SERVER_URL"
	default:
		return "", ""
	}
	if key == "api_host" {
		return fqdn, name
	}
	return c.env.Getenv(name), name
}
