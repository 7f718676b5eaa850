package glabconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// configFileName is glab's config file name inside its config dir.
const configFileName = "config.yml"

// maxConfigSize bounds what is read from a config file.
const maxConfigSize = 4 << 20

// configCandidates lists the config files glab would read, in its search
// order. When GLAB_CONFIG_DIR is set it is the only candidate: glab does not
// fall through to the other locations even if the file is missing there.
func configCandidates(env Env) (candidates []string, explicit bool) {
	if dir := env.Getenv("GLAB_CONFIG_DIR"); dir != "" {
		return []string{filepath.Join(dir, configFileName)}, true
	}
	var out []string
	add := func(p string) {
		if p == "" {
			return
		}
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	if env.HomeDir != "" {
		add(filepath.Join(env.HomeDir, ".config", "glab-cli", configFileName))
	}
	if h := xdgConfigHome(env); h != "" {
		add(filepath.Join(h, "glab-cli", configFileName))
	}
	for _, d := range xdgConfigDirs(env) {
		add(filepath.Join(d, "glab-cli", configFileName))
	}
	return out, false
}

// ConfigDir is the directory glab writes its config to: GLAB_CONFIG_DIR, or
// the legacy ~/.config/glab-cli when its config.yml exists, or the XDG config
// home's glab-cli. It is reported in messages; nothing is written there.
func ConfigDir(env Env) string {
	env = env.withDefaults()
	if dir := env.Getenv("GLAB_CONFIG_DIR"); dir != "" {
		return dir
	}
	if env.HomeDir != "" {
		legacy := filepath.Join(env.HomeDir, ".config", "glab-cli")
		if _, err := os.Stat(filepath.Join(legacy, configFileName)); err == nil {
			return legacy
		}
	}
	return filepath.Join(xdgConfigHome(env), "glab-cli")
}

// xdgConfigHome follows adrg/xdg, the library glab uses: $XDG_CONFIG_HOME,
// else the platform default.
func xdgConfigHome(env Env) string {
	if v := env.Getenv("XDG_CONFIG_HOME"); v != "" {
		return v
	}
	switch env.GOOS {
	case "darwin", "ios":
		if env.HomeDir == "" {
			return ""
		}
		return filepath.Join(env.HomeDir, "Library", "Application Support")
	case "windows":
		if v := env.Getenv("APPDATA"); v != "" {
			return v
		}
		if env.HomeDir == "" {
			return ""
		}
		return filepath.Join(env.HomeDir, "AppData", "Roaming")
	default:
		if env.HomeDir == "" {
			return ""
		}
		return filepath.Join(env.HomeDir, ".config")
	}
}

// xdgConfigDirs is $XDG_CONFIG_DIRS, else the platform default.
func xdgConfigDirs(env Env) []string {
	sep := ":"
	if env.GOOS == "windows" {
		sep = ";"
	}
	if v := env.Getenv("XDG_CONFIG_DIRS"); v != "" {
		var out []string
		for _, d := range strings.Split(v, sep) {
			if d != "" {
				out = append(out, d)
			}
		}
		return out
	}
	switch env.GOOS {
	case "darwin", "ios":
		var out []string
		if env.HomeDir != "" {
			out = append(out, filepath.Join(env.HomeDir, "Library", "Preferences"))
		}
		return append(out, "/Library/Application Support", "/Library/Preferences")
	case "windows":
		if v := env.Getenv("PROGRAMDATA"); v != "" {
			return []string{v}
		}
		return nil
	default:
		return []string{"/etc/xdg"}
	}
}

// findConfigFile returns the first existing candidate ("" when none) and a
// warning when more than one exists, as glab prints.
func findConfigFile(env Env) (path string, warning string) {
	candidates, _ := configCandidates(env)
	var found []string
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return "", ""
	}
	if len(found) > 1 {
		warning = fmt.Sprintf("multiple glab config files found (%s); only the first one is used, as glab does",
			strings.Join(found, ", "))
	}
	return found[0], warning
}

// readConfigFile reads and parses one glab config file. A missing file is
// not an error (nil mapping). A file whose mode is not exactly 0600 is
// refused, as glab refuses it.
func readConfigFile(env Env, path string) (*yaml.Node, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &AuthError{File: path, Msg: "reading glab config " + path, Err: err}
	}
	if fi.IsDir() {
		return nil, &AuthError{File: path, Msg: "glab config " + path + " is a directory"}
	}
	if env.GOOS != "windows" {
		if perm := fi.Mode().Perm(); perm != 0o600 {
			return nil, &AuthError{
				File: path,
				Msg:  fmt.Sprintf("%s has the permissions %o, but glab requires 600", path, perm),
				Fix:  "run `chmod 600 " + path + "`",
			}
		}
	}
	if fi.Size() > maxConfigSize {
		return nil, &AuthError{File: path, Msg: fmt.Sprintf("glab config %s is too large (%d bytes)", path, fi.Size())}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &AuthError{File: path, Msg: "reading glab config " + path, Err: err}
	}
	root, err := parseYAML(data)
	if err != nil {
		return nil, &AuthError{File: path, Msg: "parsing glab config " + path, Err: err,
			Fix: "fix the file, or move it away and run `glab auth login`"}
	}
	return root, nil
}

// localConfigPath is <git-dir>/glab-cli/config.yml of the checkout at
// env.WorkDir, or "" outside a checkout.
func localConfigPath(env Env) string {
	if env.WorkDir == "" {
		return ""
	}
	out, err := env.Git(env.WorkDir, "rev-parse", "--git-dir")
	if err != nil {
		return ""
	}
	dir := strings.TrimSpace(out)
	if dir == "" {
		return ""
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(env.WorkDir, dir)
	}
	return filepath.Join(dir, "glab-cli", configFileName)
}
