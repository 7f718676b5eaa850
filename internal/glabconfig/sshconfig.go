package glabconfig

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// sshConfig is the part of ssh_config glab reads: Host blocks and their
// HostName, to translate host aliases in remote URLs.
type sshConfig struct {
	blocks []sshBlock
}

type sshBlock struct {
	patterns []string
	hostName string
}

// maxSSHInclude bounds Include nesting.
const maxSSHInclude = 8

// loadSSHConfig reads ~/.ssh/config, then the system files. Unreadable
// files are skipped.
func loadSSHConfig(env Env) *sshConfig {
	c := &sshConfig{}
	if env.HomeDir != "" {
		dir := filepath.Join(env.HomeDir, ".ssh")
		c.readFile(filepath.Join(dir, "config"), dir, 0)
	}
	for _, f := range env.SSHConfigFiles {
		c.readFile(f, filepath.Dir(f), 0)
	}
	return c
}

func (c *sshConfig) readFile(name, base string, depth int) {
	if depth > maxSSHInclude {
		return
	}
	f, err := os.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	// Lines before the first Host apply to every host.
	cur := &sshBlock{patterns: []string{"*"}}
	c.blocks = append(c.blocks, sshBlock{})
	idx := len(c.blocks) - 1
	flush := func() { c.blocks[idx] = *cur }
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val := splitSSHLine(line)
		switch strings.ToLower(key) {
		case "host":
			flush()
			cur = &sshBlock{patterns: strings.Fields(val)}
			c.blocks = append(c.blocks, sshBlock{})
			idx = len(c.blocks) - 1
		case "match":
			// Match conditions are not evaluated: the block never applies.
			flush()
			cur = &sshBlock{}
			c.blocks = append(c.blocks, sshBlock{})
			idx = len(c.blocks) - 1
		case "hostname":
			if cur.hostName == "" {
				cur.hostName = strings.Trim(val, `"`)
			}
		case "include":
			flush()
			for _, pat := range strings.Fields(val) {
				if strings.HasPrefix(pat, "~/") {
					pat = filepath.Join(filepath.Dir(base), pat[2:])
				} else if !filepath.IsAbs(pat) {
					pat = filepath.Join(base, pat)
				}
				matches, _ := filepath.Glob(pat)
				for _, m := range matches {
					c.readFile(m, base, depth+1)
				}
			}
			// Lines after an Include continue the current block.
			c.blocks = append(c.blocks, sshBlock{})
			idx = len(c.blocks) - 1
		}
	}
	flush()
}

// splitSSHLine splits "Key value" or "Key=value".
func splitSSHLine(line string) (string, string) {
	i := strings.IndexAny(line, " \t=")
	if i < 0 {
		return line, ""
	}
	key := line[:i]
	val := strings.TrimLeft(line[i:], " \t=")
	return key, strings.TrimSpace(val)
}

// hostName is the HostName ssh would use for alias, or "".
func (c *sshConfig) hostName(alias string) string {
	for _, b := range c.blocks {
		if b.hostName == "" || !matchSSHPatterns(b.patterns, alias) {
			continue
		}
		return strings.ReplaceAll(b.hostName, "%h", alias)
	}
	return ""
}

// matchSSHPatterns applies ssh's pattern list: any positive match and no
// negated match.
func matchSSHPatterns(patterns []string, host string) bool {
	matched := false
	host = strings.ToLower(host)
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.ToLower(strings.TrimPrefix(p, "!"))
		ok, err := path.Match(p, host)
		if err != nil || !ok {
			continue
		}
		if neg {
			return false
		}
		matched = true
	}
	return matched
}
