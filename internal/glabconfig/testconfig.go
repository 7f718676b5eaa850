package glabconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
	"go.yaml.in/yaml/v3"
)

// TestHost describes one host entry for WriteTestConfig, covering the ways
// glab stores a login.
type TestHost struct {
	// Name is the key under hosts:, with a port when glab would keep one.
	Name string
	// Token is the personal or OAuth access token.
	Token string
	// OAuth writes is_oauth2: "true" (and a refresh token placeholder).
	OAuth bool
	// OAuthExpiry is written as oauth2_expiry_date when not zero: RFC3339 as
	// newer glab writes it, or RFC822 as v1.79 does when ExpiryRFC822 is set.
	OAuthExpiry  time.Time
	ExpiryRFC822 bool
	// JobToken is written as job_token (glab auth login --job-token).
	JobToken string
	// Keyring stores the secrets the way newer glab does: use_keyring:
	// "true" in the file, the token under glab:<host>:token and the job token
	// under glab:<host>:job_token.
	Keyring bool
	// LegacyKeyring stores the token the way v1.79's --use-keyring does:
	// under glab:<host>, with no entry in the file at all.
	LegacyKeyring bool
	APIHost       string
	APIProtocol   string
	GitProtocol   string
	Subfolder     string
	SSHHost       string
	User          string
	CACert        string
	ClientCert    string
	ClientKey     string
	SkipTLSVerify bool
	Proxy         string
	// CustomHeaders are written as {name, value} or, when FromEnv is set,
	// {name, valueFromEnv}.
	CustomHeaders []Header
}

// TestConfig is a glab config dir written by WriteTestConfig.
type TestConfig struct {
	// Dir is the directory to use as GLAB_CONFIG_DIR.
	Dir string
	// Path is Dir/config.yml.
	Path string
	// Keyring holds the secrets of keyring-backed hosts.
	Keyring *FakeKeyring
}

// WriteTestConfig writes config.yml (mode 0600) and aliases.yml into dir
// in glab's exact format, for end-to-end tests that point GLAB_CONFIG_DIR at
// dir. defaultHost is the top-level host key ("" writes gitlab.com, as
// glab's seed does).
func WriteTestConfig(dir, defaultHost string, hosts ...TestHost) (*TestConfig, error) {
	if defaultHost == "" {
		defaultHost = "gitlab.com"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("creating glab config dir: %w", err)
	}
	kr := NewFakeKeyring()
	var b strings.Builder
	fmt.Fprintf(&b, "git_protocol: ssh\neditor:\nbrowser:\nglamour_style: dark\ncheck_update: false\n")
	fmt.Fprintf(&b, "last_update_check_timestamp:\ndisplay_hyperlinks: false\nhost: %s\nno_prompt: true\ntelemetry: false\n",
		yamlScalar(defaultHost))
	b.WriteString("hosts:\n")
	for _, h := range hosts {
		if h.Name == "" {
			return nil, fmt.Errorf("writing glab test config: a host has no name")
		}
		if h.LegacyKeyring {
			kr.Set("glab:"+h.Name, "", h.Token)
			continue
		}
		fmt.Fprintf(&b, "    %s:\n", yamlScalar(h.Name))
		kv := func(k, v string) {
			if v != "" {
				fmt.Fprintf(&b, "        %s: %s\n", k, yamlScalar(v))
			}
		}
		if h.Keyring {
			kv("use_keyring", "true")
		}
		kv("api_protocol", h.APIProtocol)
		kv("api_host", h.APIHost)
		kv("git_protocol", h.GitProtocol)
		kv("subfolder", h.Subfolder)
		kv("ssh_host", h.SSHHost)
		kv("user", h.User)
		kv("ca_cert", h.CACert)
		kv("client_cert", h.ClientCert)
		kv("client_key", h.ClientKey)
		if h.SkipTLSVerify {
			kv("skip_tls_verify", "true")
		}
		kv("proxy", h.Proxy)
		if h.OAuth {
			kv("is_oauth2", "true")
			kv("client_id", "pipeline-doctor-test-client")
			if !h.OAuthExpiry.IsZero() {
				layout := time.RFC3339
				if h.ExpiryRFC822 {
					layout = time.RFC822
				}
				kv("oauth2_expiry_date", h.OAuthExpiry.UTC().Format(layout))
			}
		}
		if h.Keyring {
			if h.Token != "" {
				kr.Set("glab:"+h.Name+":token", "", h.Token)
			}
			if h.JobToken != "" {
				kr.Set("glab:"+h.Name+":job_token", "", h.JobToken)
			}
			if h.OAuth {
				kr.Set("glab:"+h.Name+":oauth2_refresh_token", "", "refresh-not-used")
			}
		} else {
			if h.OAuth {
				kv("oauth2_refresh_token", "refresh-not-used")
			}
			if h.Token != "" {
				kv("token", h.Token)
			} else {
				b.WriteString("        token:\n")
			}
			kv("job_token", h.JobToken)
		}
		if len(h.CustomHeaders) == 0 {
			b.WriteString("        custom_headers: []\n")
		} else {
			b.WriteString("        custom_headers:\n")
			for _, ch := range h.CustomHeaders {
				fmt.Fprintf(&b, "            - name: %s\n", yamlScalar(ch.Name))
				if ch.FromEnv != "" {
					fmt.Fprintf(&b, "              valueFromEnv: %s\n", yamlScalar(ch.FromEnv))
				} else {
					fmt.Fprintf(&b, "              value: %s\n", yamlScalar(ch.Value.Reveal()))
				}
			}
		}
	}
	path := filepath.Join(dir, configFileName)
	if err := writeFile0600(path, b.String()); err != nil {
		return nil, err
	}
	if err := writeFile0600(filepath.Join(dir, "aliases.yml"), "ci: pipeline ci\nco: mr checkout\n"); err != nil {
		return nil, err
	}
	return &TestConfig{Dir: dir, Path: path, Keyring: kr}, nil
}

// Env returns an Env for tests over this config: GLAB_CONFIG_DIR set to Dir
// plus vars, the fake keyring, real git in workDir, no glab on PATH, no
// system ssh_config.
func (tc *TestConfig) Env(home, workDir string, vars map[string]string) Env {
	m := map[string]string{"GLAB_CONFIG_DIR": tc.Dir}
	for k, v := range vars {
		m[k] = v
	}
	return Env{
		Getenv:         MapEnv(m),
		HomeDir:        home,
		WorkDir:        workDir,
		Keyring:        tc.Keyring.Get,
		LookPath:       func(string) (string, error) { return "", fmt.Errorf("glab: %w", os.ErrNotExist) },
		SSHConfigFiles: []string{},
	}
}

func writeFile0600(path, content string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// WriteFile's mode is filtered by the umask; glab's files are exactly 0600.
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("setting the mode of %s: %w", path, err)
	}
	return nil
}

// yamlScalar renders a string as glab's YAML writer would (quoted when
// plain text would read as another type, e.g. "true").
func yamlScalar(v string) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", v)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// FakeKeyring is an in-memory keyring with go-keyring's semantics, for
// Env.Keyring in tests.
type FakeKeyring struct {
	mu      sync.Mutex
	secrets map[string]string
	// Err, when set, is returned by every Get (a locked or absent keyring).
	Err   error
	calls []string
}

// NewFakeKeyring returns an empty keyring.
func NewFakeKeyring() *FakeKeyring { return &FakeKeyring{secrets: map[string]string{}} }

// Set stores a secret.
func (k *FakeKeyring) Set(service, user, secret string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.secrets[service+"\x00"+user] = secret
}

// Get reads a secret; a missing one is keyring.ErrNotFound.
func (k *FakeKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, service)
	if k.Err != nil {
		return "", k.Err
	}
	v, ok := k.secrets[service+"\x00"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

// Services lists the stored services, sorted.
func (k *FakeKeyring) Services() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for s := range k.secrets {
		out = append(out, strings.SplitN(s, "\x00", 2)[0])
	}
	sort.Strings(out)
	return out
}

// Calls lists the services asked for, in order.
func (k *FakeKeyring) Calls() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.calls...)
}
