package ciconfig

import (
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// MaxIncludes is GitLab's default limit on the includes of one pipeline's
// configuration, nested ones and repeated ones counted (the instance
// setting ci_max_includes). Child stops following includes past it.
const MaxIncludes = 150

// ReadFile returns the content of a file of the repository, at the commit
// the configuration is read at. path is relative to the root of the
// repository, without a leading "/". The caller of Child supplies it; what
// its error says is repeated in a warning.
type ReadFile func(path string) (io.ReadCloser, error)

// Child returns the configuration of the child pipeline that the bridge job
// named bridge triggers, built as GitLab builds it from trigger:include:
// each local file is read with read and its own include: is followed,
// nested, the same way. The files a document includes are merged in order,
// then the document's own keys on top of them (a deep merge of mappings;
// anything else is replaced by what comes later), so that extends:,
// default:, hidden templates and !reference resolve across files.
//
// Included files are local files of the same repository at the same commit:
// "include: path", "include: [path, ...]" and "include: {local: path}" or a
// list of them, each path relative to the root of the repository whether
// or not it starts with "/". A file included more than once is read once
// and merged at each place it is included, as GitLab does. Each of these
// becomes one warning and is left out: an include of another kind
// (project:, remote: or a URL, template:, component:, artifact:), a path
// with a wildcard or a variable, a file that includes itself through its
// own includes (GitLab refuses the cycle), a file that could not be read or
// parsed, and everything past MaxIncludes. An include with rules: is read
// as if its rules matched, with a warning.
//
// Child returns nil when bridge is not a job of c with trigger:include.
// Files lists the files the result was built from; none when no file
// could be read.
func (c *Config) Child(bridge string, read ReadFile) *Config {
	if c == nil {
		return nil
	}
	j, ok := c.jobs[bridge]
	if !ok || j.triggerInclude == nil {
		return nil
	}
	cp := &composer{read: read, parsed: map[string]*omap{}, failed: map[string]bool{}, warned: map[string]bool{}}
	top := cp.includes(j.triggerInclude, fmt.Sprintf("trigger job %q", bridge))
	if len(cp.files) == 0 {
		top = nil
	}
	out := build(top)
	out.Warnings = append(cp.warnings, out.Warnings...)
	out.files = cp.files
	return out
}

// Files returns the repository files a configuration built by Child was
// built from, in the order they were first read; nil for one from Parse.
func (c *Config) Files() []string {
	if c == nil {
		return nil
	}
	return slices.Clone(c.files)
}

// composer expands the includes of one configuration.
type composer struct {
	read   ReadFile
	parsed map[string]*omap // top level of each file read; nil: empty
	failed map[string]bool  // could not be read or parsed
	files  []string         // read and parsed, in order
	// stack holds the files being expanded, to find cycles.
	stack    []string
	count    int // includes met so far, as GitLab counts them
	warnings []string
	warned   map[string]bool
}

func (cp *composer) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if cp.warned[msg] {
		return
	}
	cp.warned[msg] = true
	cp.warnings = append(cp.warnings, msg)
}

// includes returns what the include: value inc of the document named by
// includer contributes: each included file, expanded, merged in order.
func (cp *composer) includes(inc any, includer string) *omap {
	acc := newOmap(0)
	for _, e := range asList(inc) {
		if e == nil {
			continue
		}
		if cp.count >= MaxIncludes {
			cp.warn("more than %d includes (GitLab's default limit); the rest, from %s on, are not read", MaxIncludes, includer)
			break
		}
		cp.count++
		in := includeOf(e)
		if in.rules {
			cp.warn("%s includes %s with rules:, which are not evaluated; it is read as if they matched", includer, in.what)
		}
		if in.local == "" {
			cp.warn("%s includes %s, which is not read (%s); the jobs and templates it defines are left out", includer, in.what, in.why)
			continue
		}
		if slices.Contains(cp.stack, in.local) {
			cp.warn("%s includes %s, which includes %s back; GitLab refuses such a cycle, and it is not followed", includer, in.local, includer)
			continue
		}
		if m := cp.file(in.local, includer); m != nil {
			acc, _ = deepMerge(acc, m).(*omap)
		}
	}
	return acc
}

// file returns the top level of the local file p with its own includes
// merged in, or nil when it could not be read.
func (cp *composer) file(p, includer string) *omap {
	top, ok := cp.load(p, includer)
	if !ok || top == nil {
		return nil
	}
	inc, has := top.get("include")
	if !has {
		return top
	}
	cp.stack = append(cp.stack, p)
	base := cp.includes(inc, p)
	cp.stack = cp.stack[:len(cp.stack)-1]
	own := newOmap(top.len())
	for _, k := range top.keys {
		if k != "include" {
			own.set(k, top.vals[k])
		}
	}
	m, _ := deepMerge(base, own).(*omap)
	return m
}

// load reads and parses p once.
func (cp *composer) load(p, includer string) (*omap, bool) {
	if cp.failed[p] {
		return nil, false
	}
	if top, ok := cp.parsed[p]; ok {
		return top, true
	}
	rc, err := cp.read(p)
	if err != nil {
		cp.failed[p] = true
		cp.warn("%s includes %s, which could not be read (%v); the jobs and templates it defines are left out", includer, p, err)
		return nil, false
	}
	top, err := readTop(rc)
	_ = rc.Close()
	if err != nil {
		cp.failed[p] = true
		cp.warn("%s includes %s: %v; the jobs and templates it defines are left out", includer, p, err)
		return nil, false
	}
	cp.parsed[p] = top
	cp.files = append(cp.files, p)
	return top, true
}

// include is one entry of an include: list.
type include struct {
	local string // the path of a local file from the repository root; "" when not read
	what  string // what a warning names
	why   string // why it is not read, when local is ""
	rules bool   // it has rules:
}

// includeOf reads one entry of an include: list the way GitLab does: a
// string is a remote file when it is a URL and a local file otherwise; a
// mapping has one of local:, project: (with file:), remote:, template:,
// component: or artifact: (with job:).
func includeOf(e any) include {
	switch x := e.(type) {
	case string:
		if isURL(x) {
			return include{what: "the remote file " + strings.TrimSpace(x), why: "remote files are not fetched"}
		}
		return localInclude(x)
	case *omap:
		in := includeMap(x)
		_, in.rules = x.get("rules")
		return in
	}
	return include{what: "an entry that is neither a path nor a mapping", why: "not a valid include"}
}

func includeMap(m *omap) include {
	str := func(k string) string {
		s, _ := scalar(m.vals[k])
		return strings.TrimSpace(s)
	}
	switch {
	case has(m, "local"):
		if s, ok := scalar(m.vals["local"]); ok {
			return localInclude(s)
		}
		return include{what: "a local: that is not a path", why: "not a valid include"}
	case has(m, "project"):
		var files []string
		for _, f := range asList(m.vals["file"]) {
			if s, ok := scalar(f); ok {
				files = append(files, s)
			}
		}
		what := fmt.Sprintf("%s of the project %s", strings.Join(files, ", "), str("project"))
		if ref := str("ref"); ref != "" {
			what += " at " + ref
		}
		return include{what: what, why: "files of other projects are not read"}
	case has(m, "remote"):
		return include{what: "the remote file " + str("remote"), why: "remote files are not fetched"}
	case has(m, "template"):
		return include{what: "GitLab's template " + str("template"), why: "GitLab's templates are not read"}
	case has(m, "component"):
		return include{what: "the component " + str("component"), why: "CI/CD components are not read"}
	case has(m, "artifact"):
		what := "the artifact " + str("artifact")
		if job := str("job"); job != "" {
			what += " of the job " + job
		}
		return include{what: what, why: "job artifacts are not read"}
	}
	return include{what: "an include with the keys " + strings.Join(m.keys, ", "), why: "an unknown kind of include"}
}

func has(m *omap, k string) bool {
	_, ok := m.get(k)
	return ok
}

func isURL(s string) bool {
	s = strings.TrimSpace(s)
	return strings.Contains(s, "://")
}

// localInclude reads the path of a local include: relative to the root of
// the repository, whether or not it starts with "/". Paths with a wildcard
// or a variable are not read.
func localInclude(p string) include {
	p = strings.TrimSpace(p)
	in := include{what: "the file " + p}
	switch {
	case p == "":
		in.what, in.why = "an empty path", "not a valid include"
	case isURL(p):
		in.what, in.why = "the remote file "+p, "remote files are not fetched"
	case strings.Contains(p, "*"):
		in.what, in.why = "the files matching "+p, "wildcard paths are not expanded"
	case strings.Contains(p, "$"):
		in.why = "variables in include paths are not expanded"
	default:
		clean := strings.TrimLeft(path.Clean("/"+p), "/")
		if clean == "" || clean == "." {
			in.why = "not a file"
			break
		}
		in.local = clean
	}
	return in
}
