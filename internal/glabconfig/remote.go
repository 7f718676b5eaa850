package glabconfig

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Repo is a GitLab project on a host.
type Repo struct {
	// Host is the host as glab names it (a key under hosts:, port included
	// when the key has one).
	Host string
	// FullPath is the project's full path, subgroups included.
	FullPath string
	// Remote is the git remote it came from; "" for -R, GITLAB_REPO or a URL.
	Remote string
}

// ProjectID is the URL-encoded full path used as :id in the API
// (group%2Fsub%2Fproject).
func (r Repo) ProjectID() string { return url.PathEscape(r.FullPath) }

// Namespace is everything before the last path segment.
func (r Repo) Namespace() string {
	if i := strings.LastIndexByte(r.FullPath, '/'); i >= 0 {
		return r.FullPath[:i]
	}
	return ""
}

// Name is the last path segment.
func (r Repo) Name() string { return r.FullPath[strings.LastIndexByte(r.FullPath, '/')+1:] }

// String is host/full/path.
func (r Repo) String() string { return r.Host + "/" + r.FullPath }

// Remote is one git remote of the checkout.
type Remote struct {
	Name     string
	FetchURL string
	PushURL  string
	// Resolved is remote.<name>.glab-resolved: "base" or "base:<path>".
	Resolved string
}

// URL is the fetch URL, else the push URL.
func (r Remote) URL() string {
	if r.FetchURL != "" {
		return r.FetchURL
	}
	return r.PushURL
}

var remoteLine = regexp.MustCompile(`^(\S+)\s+(.+)\s+\((push|fetch)\)\s*$`)

// Remotes lists the checkout's remotes in `git remote -v` order, with their
// glab-resolved settings.
func Remotes(env Env) ([]Remote, error) {
	env = env.withDefaults()
	out, err := env.Git(env.WorkDir, "remote", "-v")
	if err != nil {
		return nil, &RepoError{Msg: "not in a git checkout (" + env.WorkDir + ")", Err: err,
			Fix: "run inside a checkout, or name the project with -R GROUP/PROJECT or a pipeline URL"}
	}
	remotes := parseRemotes(out)
	// `git config --get-regexp` exits 1 when nothing matches.
	resolved, _ := env.Git(env.WorkDir, "config", "--get-regexp", `^remote\..*\.glab-resolved$`)
	for _, line := range strings.Split(resolved, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(f[0], "remote."), ".glab-resolved")
		for i := range remotes {
			if remotes[i].Name == name {
				remotes[i].Resolved = f[1]
			}
		}
	}
	return remotes, nil
}

// parseRemotes parses `git remote -v`.
func parseRemotes(out string) []Remote {
	var remotes []Remote
	index := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		m := remoteLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		i, ok := index[m[1]]
		if !ok {
			i = len(remotes)
			index[m[1]] = i
			remotes = append(remotes, Remote{Name: m[1]})
		}
		u := strings.TrimSpace(m[2])
		if m[3] == "fetch" {
			remotes[i].FetchURL = u
		} else {
			remotes[i].PushURL = u
		}
	}
	return remotes
}

// remoteRank is glab's ranking of remote names.
func remoteRank(name string) int {
	switch name {
	case "upstream":
		return 3
	case "gitlab":
		return 2
	case "origin":
		return 1
	}
	return 0
}

var scpLike = regexp.MustCompile(`^(?:([^@/:]+)@)?([^@/:]+):(.*)$`)

// parseGitURL parses a remote URL the way glab normalises it: scp-like
// user@host:path becomes ssh://user@host/path, git+ssh becomes ssh, and
// the port of an ssh URL is dropped.
func parseGitURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("empty URL")
	}
	if !strings.Contains(raw, "://") {
		m := scpLike.FindStringSubmatch(raw)
		if m == nil || len(m[2]) == 1 /* C:\path */ {
			return nil, fmt.Errorf("%q is not a URL", redactURL(raw))
		}
		raw = "ssh://" + raw[:len(raw)-len(m[3])-1] + "/" + strings.TrimPrefix(m[3], "/")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing %q: %w", redactURL(raw), err)
	}
	switch strings.ToLower(u.Scheme) {
	case "git+ssh", "ssh+git":
		u.Scheme = "ssh"
	case "ssh", "git", "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	default:
		return nil, fmt.Errorf("%q is not a GitLab remote URL", redactURL(raw))
	}
	if u.Scheme == "ssh" {
		u.Host = u.Hostname()
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", redactURL(raw))
	}
	return u, nil
}

// redactURL removes a password from a URL (CI checkouts carry the job token
// in the remote URL).
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return raw
}

// projectPath is the URL path minus slashes and .git, or "" when it has no
// namespace.
func projectPath(p string) string {
	p = strings.Trim(p, "/")
	p = strings.TrimSuffix(p, ".git")
	p = strings.TrimSuffix(p, "/")
	if !strings.Contains(p, "/") {
		return ""
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return ""
		}
	}
	return p
}

// hostForURL maps a remote URL to a known glab host: host:port first (newer
// glab keeps the port), then the bare host (v1.79 drops it), then a host
// whose ssh_host is this host, then the ssh_config alias's HostName.
func (c *Config) hostForURL(u *url.URL, ssh *sshConfig) (string, bool) {
	candidates := []string{}
	if u.Port() != "" {
		candidates = append(candidates, u.Host)
	}
	candidates = append(candidates, u.Hostname())
	for _, h := range candidates {
		if k, ok := c.isKnownHost(h); ok {
			return k, true
		}
	}
	for _, h := range c.Hosts() {
		if sh := c.Get(h, "ssh_host"); sh != "" && strings.EqualFold(normalizeHost(sh), u.Hostname()) {
			return h, true
		}
	}
	if u.Scheme == "ssh" && ssh != nil {
		if real := ssh.hostName(u.Hostname()); real != "" && !strings.EqualFold(real, u.Hostname()) {
			if k, ok := c.isKnownHost(real); ok {
				return k, true
			}
		}
	}
	return "", false
}

// stripSubfolder removes the host's instance subfolder from a project path
// taken from a URL.
func (c *Config) stripSubfolder(host, p string) string {
	sub := strings.Trim(c.Get(host, "subfolder"), "/")
	if sub == "" {
		ah := c.Get(host, "api_host")
		if i := strings.Index(ah, "://"); i >= 0 {
			ah = ah[i+3:]
		}
		if i := strings.IndexByte(ah, '/'); i >= 0 {
			sub = strings.Trim(ah[i+1:], "/")
		}
	}
	if sub != "" && strings.HasPrefix(p, sub+"/") && strings.Count(p[len(sub)+1:], "/") >= 1 {
		return p[len(sub)+1:]
	}
	return p
}

// repoFromURL turns a project URL into a Repo. known tells whether the host
// is a known glab host; an unknown host is kept as written (with its port
// for http(s)).
func (c *Config) repoFromURL(u *url.URL, ssh *sshConfig) (Repo, bool) {
	host, known := c.hostForURL(u, ssh)
	if !known {
		host = u.Host
	}
	p := projectPath(u.Path)
	if p == "" {
		return Repo{}, false
	}
	return Repo{Host: host, FullPath: c.stripSubfolder(host, p)}, known
}

// ResolveRepo finds the project as glab does: repoFlag (-R), else
// GITLAB_REPO, else the checkout's remotes ranked upstream > gitlab >
// origin > others, kept only on known hosts (only GITLAB_HOST's host when
// that is set to a host other than gitlab.com), with a remote marked
// remote.<name>.glab-resolved winning. With several candidates and no
// glab-resolved mark the first is used, as glab does without a prompt.
func ResolveRepo(env Env, cfg *Config, repoFlag string) (Repo, error) {
	env = env.withDefaults()
	if repoFlag != "" {
		return parseRepoFlag(env, cfg, repoFlag, "-R")
	}
	if v := env.Getenv("GITLAB_REPO"); v != "" {
		return parseRepoFlag(env, cfg, v, "GITLAB_REPO")
	}
	return repoFromRemotes(env, cfg)
}

func repoFromRemotes(env Env, cfg *Config) (Repo, error) {
	remotes, err := Remotes(env)
	if err != nil {
		return Repo{}, err
	}
	if len(remotes) == 0 {
		return Repo{}, &RepoError{Msg: "the git checkout in " + env.WorkDir + " has no remotes",
			Fix: "add one, or name the project with -R GROUP/PROJECT"}
	}
	sort.SliceStable(remotes, func(i, j int) bool { return remoteRank(remotes[i].Name) > remoteRank(remotes[j].Name) })
	ssh := loadSSHConfig(env)
	only := cfg.envDefaultHost()
	if strings.EqualFold(only, "gitlab.com") {
		only = ""
	}
	type candidate struct {
		remote Remote
		repo   Repo
	}
	var kept []candidate
	var seen []string
	for _, r := range remotes {
		u, err := parseGitURL(r.URL())
		if err != nil {
			seen = append(seen, r.Name+" ("+redactURL(r.URL())+")")
			continue
		}
		repo, known := cfg.repoFromURL(u, ssh)
		seen = append(seen, u.Host)
		if !known || repo.FullPath == "" {
			continue
		}
		if only != "" && !strings.EqualFold(repo.Host, only) {
			continue
		}
		if len(kept) > 0 && !strings.EqualFold(kept[0].repo.Host, repo.Host) {
			continue // the first known host fixes the host
		}
		repo.Remote = r.Name
		kept = append(kept, candidate{r, repo})
	}
	if len(kept) == 0 {
		msg := "none of the git remotes configured for this repository point to a known GitLab host"
		if only != "" {
			msg = "none of the git remotes configured for this repository correspond to GITLAB_HOST (" + only + ")"
		}
		return Repo{}, &RepoError{
			Msg: msg + "; configured remotes: " + strings.Join(seen, ", "),
			Fix: "run `glab auth login --hostname HOST` for the remote's host, or use -R",
		}
	}
	for _, k := range kept {
		switch {
		case k.remote.Resolved == "base":
			return k.repo, nil
		case strings.HasPrefix(k.remote.Resolved, "base:"):
			if p := strings.Trim(strings.TrimPrefix(k.remote.Resolved, "base:"), "/"); strings.Contains(p, "/") {
				return Repo{Host: k.repo.Host, FullPath: p, Remote: k.remote.Name}, nil
			}
		}
	}
	return kept[0].repo, nil
}

// parseRepoFlag reads -R or GITLAB_REPO with glab's grammar: a URL or git
// URL; OWNER/REPO on the default host; HOST/OWNER/REPO when the first
// segment is gitlab.com, the default host, or a configured host with a dot;
// otherwise GROUP/SUB/…/REPO on the default host.
func parseRepoFlag(env Env, cfg *Config, s, what string) (Repo, error) {
	s = strings.TrimSpace(s)
	bad := func(err error) error {
		return &InputError{Msg: fmt.Sprintf("invalid %s value %q: expected OWNER/REPO, GROUP/NAMESPACE/REPO, HOST/OWNER/REPO or a URL",
			what, redactURL(s)), Err: err}
	}
	if strings.Contains(s, "://") || strings.HasPrefix(s, "git@") || (strings.Contains(s, ":") && scpLike.MatchString(s) && strings.Contains(s, "@")) {
		u, err := parseGitURL(s)
		if err != nil {
			return Repo{}, bad(err)
		}
		repo, _ := cfg.repoFromURL(u, loadSSHConfig(env))
		if repo.FullPath == "" {
			return Repo{}, bad(nil)
		}
		return repo, nil
	}
	s = strings.TrimSuffix(strings.Trim(s, "/"), ".git")
	parts := strings.Split(s, "/")
	if len(parts) < 2 {
		return Repo{}, bad(nil)
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || strings.ContainsAny(p, " :?#\\") {
			return Repo{}, bad(nil)
		}
	}
	def := defaultRepoHost(env, cfg)
	if len(parts) >= 3 {
		first := parts[0]
		isHost := strings.EqualFold(first, "gitlab.com") || strings.EqualFold(first, def)
		if !isHost && strings.Contains(first, ".") && cfg.HasHost(first) {
			isHost = true
		}
		if isHost {
			host := first
			if k, ok := cfg.isKnownHost(first); ok {
				host = k
			}
			return Repo{Host: host, FullPath: strings.Join(parts[1:], "/")}, nil
		}
	}
	return Repo{Host: def, FullPath: s}, nil
}

// defaultRepoHost is the host for OWNER/REPO: GITLAB_HOST, else the host of
// the checkout's remote, else the default host.
func defaultRepoHost(env Env, cfg *Config) string {
	if h := cfg.envDefaultHost(); h != "" {
		return h
	}
	if env.WorkDir != "" {
		if repo, err := repoFromRemotes(env, cfg); err == nil {
			return repo.Host
		}
	}
	return cfg.DefaultHost()
}
