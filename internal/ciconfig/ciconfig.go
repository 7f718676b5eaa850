// Package ciconfig reads a GitLab CI configuration (.gitlab-ci.yml, or the
// merged_yaml of the CI lint API) into per-job definitions: image, services,
// before_script, script, variable names, needs and JUnit report paths.
//
// It applies the rules GitLab applies when it builds jobs: default: and the
// legacy top-level image:/services:/before_script:, inherit:, hidden jobs
// (".name") as templates, extends: (one or a list, merged deeply, nested),
// YAML anchors, aliases and merge keys, !reference tags, and the names of
// parallel jobs ("name 1/N".."name N/N" and "name: [v1, v2]" for
// parallel:matrix). Variable values are never kept.
//
// Parse reads one document and does not follow include: the lint API's
// merged_yaml already has every include in it. Child builds the
// configuration of a child pipeline from its trigger job's trigger:include,
// following the local includes of those files, nested, and merging them as
// GitLab does (see Child). Parse does no I/O besides reading the io.Reader
// it is given, and Child none besides the ReadFile it is given.
package ciconfig

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
)

// MaxBytes is the largest configuration Parse reads.
const MaxBytes = 16 << 20

// maxLines bounds the script lines kept per keyword of one job.
const maxLines = 10_000

// maxExtendsDepth is GitLab's limit on nested extends.
const maxExtendsDepth = 11

// maxRefDepth is GitLab's limit on nested !reference tags.
const maxRefDepth = 10

// reserved are the top-level keywords that are not jobs.
var reserved = map[string]bool{
	"default": true, "include": true, "stages": true, "types": true, "variables": true,
	"workflow": true, "image": true, "services": true, "before_script": true,
	"after_script": true, "cache": true, "spec": true,
}

// Config is a parsed CI configuration.
type Config struct {
	jobs  map[string]*job
	names []string
	// Warnings name what could not be read the way GitLab would (an
	// unknown extends target, a circular extends, a dangling !reference);
	// the jobs concerned are still there with what could be read. For a
	// configuration built by Child they also name the includes that were
	// not read.
	Warnings []string
	// files are the repository files Child built the configuration from.
	files []string
}

type job struct {
	cfg      diagnose.JobConfig
	parallel int  // parallel: N
	matrix   bool // parallel: matrix:
	// triggerIncludes are the local files a trigger:include names.
	triggerIncludes []string
	// triggerInclude is the value of trigger:include; nil when none.
	triggerInclude any
}

// Parse reads a CI configuration. A YAML syntax error, a top level that is
// not a mapping or an input over MaxBytes is an error; GitLab rule problems
// become Warnings.
func Parse(r io.Reader) (*Config, error) {
	top, err := readTop(r)
	if err != nil {
		return nil, err
	}
	return build(top), nil
}

// readTop reads one configuration document into its top-level mapping;
// nil for an empty document.
func readTop(r io.Reader) (*omap, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading ci configuration: %w", err)
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("reading ci configuration: larger than %d MiB", MaxBytes>>20)
	}
	root, err := document(data)
	if err != nil || root == nil {
		return nil, err
	}
	return convertTop(root)
}

// build applies GitLab's rules to a top-level mapping (nil: no jobs).
func build(top *omap) *Config {
	c := &Config{jobs: map[string]*job{}}
	if top == nil {
		return c
	}
	b := &builder{top: top, cfg: c, resolved: map[string]*omap{}, busy: map[string]bool{}, refMemo: map[any]bool{}}
	b.build()
	return c
}

// document returns the mapping node holding the configuration: the only
// document, or the one after a "spec:" header document.
func document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var docs []*yaml.Node
	for len(docs) < 3 {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parsing ci configuration: %w", err)
		}
		docs = append(docs, &n)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	doc := docs[0]
	if len(docs) > 1 && isSpecHeader(docs[0]) {
		doc = docs[1]
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	n := doc.Content[0]
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parsing ci configuration: line %d: the top level must be a mapping of keywords and jobs", n.Line)
	}
	return n, nil
}

func isSpecHeader(doc *yaml.Node) bool {
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return false
	}
	m := doc.Content[0]
	return len(m.Content) == 2 && m.Content[0].Value == "spec"
}

func convertTop(n *yaml.Node) (*omap, error) {
	c := &converter{memo: map[*yaml.Node]any{}, busy: map[*yaml.Node]bool{}}
	// Ruby-written merged_yaml has symbol keys everywhere (":script:").
	symbols := len(n.Content) > 0
	for i := 0; i < len(n.Content); i += 2 {
		if !strings.HasPrefix(n.Content[i].Value, ":") {
			symbols = false
			break
		}
	}
	c.symbolKeys = symbols
	v, err := c.convert(n, 0)
	if err != nil {
		return nil, fmt.Errorf("parsing ci configuration: %w", err)
	}
	m, ok := v.(*omap)
	if !ok {
		return nil, errors.New("parsing ci configuration: the top level must be a mapping")
	}
	return m, nil
}

// builder applies GitLab's rules to the converted top level.
type builder struct {
	top      *omap
	cfg      *Config
	resolved map[string]*omap // after extends
	busy     map[string]bool
	warned   map[string]bool
	// steps counts the values visited after conversion; shared values
	// (aliases) could otherwise make a small document expensive to walk.
	steps   int
	refMemo map[any]bool
}

// maxSteps bounds the values visited while applying the rules.
const maxSteps = 5_000_000

// step counts one visited value and tells whether the walk may go on.
func (b *builder) step() bool {
	b.steps++
	if b.steps == maxSteps+1 {
		b.warn("configuration too complex: stopped after visiting %d values", maxSteps)
	}
	return b.steps <= maxSteps
}

// strings flattens a value that GitLab accepts as a string or a list of
// strings, nested lists included (script:), keeping at most limit entries.
func (b *builder) strings(v any, depth int, out []string, limit int) []string {
	if depth > 16 || len(out) >= limit || !b.step() {
		return out
	}
	switch x := v.(type) {
	case string:
		return append(out, x)
	case []any:
		for _, e := range x {
			out = b.strings(e, depth+1, out, limit)
			if len(out) >= limit {
				break
			}
		}
	}
	return out
}

func (b *builder) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if b.warned == nil {
		b.warned = map[string]bool{}
	}
	if b.warned[msg] {
		return
	}
	b.warned[msg] = true
	b.cfg.Warnings = append(b.cfg.Warnings, msg)
}

func (b *builder) build() {
	defaults, _ := b.top.get("default")
	dm, _ := b.resolveRefs(defaults, 0).(*omap)
	globalVars := varNames(b.resolveRefs(b.topValue("variables"), 0))
	for _, name := range b.top.keys {
		if reserved[name] || strings.HasPrefix(name, ".") {
			continue
		}
		m := b.extended(name, 0)
		if m == nil {
			continue
		}
		full, _ := b.resolveRefs(m, 0).(*omap)
		if full == nil {
			continue
		}
		j := b.job(name, full, dm, globalVars)
		b.cfg.jobs[name] = j
		b.cfg.names = append(b.cfg.names, name)
	}
}

func (b *builder) topValue(k string) any {
	v, _ := b.top.get(k)
	return v
}

// extended returns a job or template with its extends: applied, or nil
// when it is not a mapping.
func (b *builder) extended(name string, depth int) *omap {
	if m, ok := b.resolved[name]; ok {
		return m
	}
	raw, ok := b.top.get(name)
	if !ok {
		return nil
	}
	own, ok := raw.(*omap)
	if !ok {
		return nil
	}
	ext, hasExt := own.get("extends")
	if !hasExt {
		b.resolved[name] = own
		return own
	}
	var parents []string
	switch x := ext.(type) {
	case string:
		parents = []string{x}
	case []any:
		for _, e := range x {
			if s, ok := scalar(e); ok {
				parents = append(parents, s)
			}
		}
	}
	if depth >= maxExtendsDepth {
		b.warn("%s: extends nested deeper than %d levels", name, maxExtendsDepth)
		parents = nil
	}
	b.busy[name] = true
	var base any = newOmap(0)
	for _, p := range parents {
		switch {
		case b.busy[p]:
			b.warn("%s: circular extends through %s", name, p)
			continue
		case reserved[p]:
			b.warn("%s: extends the keyword %s", name, p)
			continue
		}
		pm := b.extended(p, depth+1)
		if pm == nil {
			b.warn("%s: extends unknown job or template %s", name, p)
			continue
		}
		base = deepMerge(base, pm)
	}
	delete(b.busy, name)
	child := newOmap(own.len())
	for _, k := range own.keys {
		if k != "extends" {
			child.set(k, own.vals[k])
		}
	}
	merged, _ := deepMerge(base, child).(*omap)
	b.resolved[name] = merged
	return merged
}

// resolveRefs replaces every !reference in v by what it points to, after
// extends. A sequence element that is a reference to a sequence stays a
// nested sequence (GitLab flattens script: lists).
func (b *builder) resolveRefs(v any, depth int) any {
	if !b.step() {
		return v
	}
	switch x := v.(type) {
	case ref:
		if depth >= maxRefDepth {
			b.warn("!reference [%s] nested deeper than %d levels", strings.Join(x.path, ", "), maxRefDepth)
			return nil
		}
		target, ok := b.lookup(x.path)
		if !ok {
			b.warn("!reference [%s] points to nothing", strings.Join(x.path, ", "))
			return nil
		}
		return b.resolveRefs(target, depth+1)
	case *omap:
		if !b.hasRef(x, 0) {
			return x
		}
		out := newOmap(x.len())
		for _, k := range x.keys {
			out.set(k, b.resolveRefs(x.vals[k], depth))
		}
		return out
	case []any:
		if !b.hasRef(x, 0) {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = b.resolveRefs(e, depth)
		}
		return out
	}
	return v
}

// hasRef tells whether v holds a !reference, looking a bounded depth down.
func (b *builder) hasRef(v any, depth int) bool {
	if depth > 32 {
		return true
	}
	if !b.step() {
		return false
	}
	var key any
	switch x := v.(type) {
	case ref:
		return true
	case *omap:
		key = x
	case []any:
		if len(x) == 0 {
			return false
		}
		key = &x[0]
	default:
		return false
	}
	// Shared values (aliases) are looked at once.
	if r, ok := b.refMemo[key]; ok {
		return r
	}
	found := false
	switch x := v.(type) {
	case *omap:
		for _, k := range x.keys {
			if b.hasRef(x.vals[k], depth+1) {
				found = true
				break
			}
		}
	case []any:
		for _, e := range x {
			if b.hasRef(e, depth+1) {
				found = true
				break
			}
		}
	}
	b.refMemo[key] = found
	return found
}

func (b *builder) lookup(path []string) (any, bool) {
	var cur any
	if m := b.extended(path[0], 0); m != nil {
		cur = m
	} else if v, ok := b.top.get(path[0]); ok {
		cur = v
	} else {
		return nil, false
	}
	for _, k := range path[1:] {
		m, ok := cur.(*omap)
		if !ok {
			return nil, false
		}
		if cur, ok = m.get(k); !ok {
			return nil, false
		}
	}
	return cur, true
}

// job builds one job's definition.
func (b *builder) job(name string, m, defaults *omap, globalVars []string) *job {
	j := &job{}
	inheritDefault, inheritVars := inheritance(m)
	fromDefault := func(k string) (any, bool) {
		if !inheritDefault(k) {
			return nil, false
		}
		if v, ok := defaults.get(k); ok {
			return v, true
		}
		// Legacy top-level keywords, the ancestors of default:.
		switch k {
		case "image", "services", "before_script":
			if v, ok := b.top.get(k); ok {
				return b.resolveRefs(v, 0), true
			}
		}
		return nil, false
	}
	pick := func(k string) any {
		if v, ok := m.get(k); ok {
			return v
		}
		v, _ := fromDefault(k)
		return v
	}
	j.cfg.Image = imageName(pick("image"))
	for _, s := range asList(pick("services")) {
		if n := imageName(s); n != "" {
			j.cfg.Services = append(j.cfg.Services, n)
		}
	}
	j.cfg.BeforeScript = b.strings(pick("before_script"), 0, nil, maxLines)
	j.cfg.Script = b.strings(pick("script"), 0, nil, maxLines)

	var vars []string
	for _, v := range globalVars {
		if inheritVars(v) {
			vars = append(vars, v)
		}
	}
	jobVars, _ := m.get("variables")
	vars = append(vars, varNames(jobVars)...)
	switch p := pickParallel(m).(type) {
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil && n > 0 {
			j.parallel = n
		}
	case *omap:
		if mx, ok := p.get("matrix"); ok {
			j.matrix = true
			for _, e := range asList(mx) {
				if em, ok := e.(*omap); ok {
					vars = append(vars, em.keys...)
				}
			}
		}
	}
	j.cfg.Variables = sortedUnique(vars)

	for _, n := range asList(pickNeeds(m)) {
		switch x := n.(type) {
		case string:
			j.cfg.Needs = append(j.cfg.Needs, x)
		case *omap:
			// needs:project and needs:pipeline name jobs of other pipelines.
			if _, ok := x.get("project"); ok {
				continue
			}
			if _, ok := x.get("pipeline"); ok {
				continue
			}
			if s, ok := scalar(x.vals["job"]); ok && s != "" {
				j.cfg.Needs = append(j.cfg.Needs, s)
			}
		}
	}
	if art, ok := pick("artifacts").(*omap); ok {
		if rep, ok := art.vals["reports"].(*omap); ok {
			j.cfg.JUnit = b.strings(rep.vals["junit"], 0, nil, 1000)
		}
	}
	if tr, ok := m.get("trigger"); ok {
		j.triggerIncludes = triggerIncludes(tr)
		if tm, ok := tr.(*omap); ok {
			j.triggerInclude, _ = tm.get("include")
		}
	}
	return j
}

// triggerIncludes returns the local files of a trigger: value: the string
// or the local: of each entry of include:. Other kinds of include
// (project:, remote:, template:, component:, artifact:), URLs, wildcard
// paths and paths with variables are left out.
func triggerIncludes(tr any) []string {
	tm, ok := tr.(*omap)
	if !ok {
		return nil // trigger: group/project, a multi-project pipeline
	}
	inc, ok := tm.get("include")
	if !ok {
		return nil
	}
	var out []string
	for _, e := range asList(inc) {
		if len(out) >= 100 {
			break
		}
		if p := includeOf(e).local; p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func pickParallel(m *omap) any { v, _ := m.get("parallel"); return v }

func pickNeeds(m *omap) any { v, _ := m.get("needs"); return v }

// inheritance reads inherit:default and inherit:variables: true (the
// default), false, or a list of the keywords or variables to inherit.
func inheritance(m *omap) (def func(string) bool, vars func(string) bool) {
	all := func(string) bool { return true }
	def, vars = all, all
	inh, ok := m.get("inherit")
	if !ok {
		return def, vars
	}
	im, ok := inh.(*omap)
	if !ok {
		return def, vars
	}
	rule := func(v any) func(string) bool {
		switch x := v.(type) {
		case string:
			if b, err := strconv.ParseBool(x); err == nil && !b {
				return func(string) bool { return false }
			}
		case []any:
			set := map[string]bool{}
			for _, e := range x {
				if s, ok := scalar(e); ok {
					set[s] = true
				}
			}
			return func(k string) bool { return set[k] }
		}
		return all
	}
	if v, ok := im.get("default"); ok {
		def = rule(v)
	}
	if v, ok := im.get("variables"); ok {
		vars = rule(v)
	}
	return def, vars
}

func imageName(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case *omap:
		if s, ok := scalar(x.vals["name"]); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// varNames returns the names a variables: mapping defines.
func varNames(v any) []string {
	m, ok := v.(*omap)
	if !ok {
		return nil
	}
	return append([]string(nil), m.keys...)
}

func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	return slices.Compact(out)
}

// Jobs returns the names of the jobs the configuration defines (templates
// and keywords left out), in document order. Parallel jobs appear once,
// under the name written in the file.
func (c *Config) Jobs() []string { return append([]string(nil), c.names...) }

var (
	parallelName = regexp.MustCompile(`^(.+) ([1-9][0-9]*)/([1-9][0-9]*)$`)
	matrixName   = regexp.MustCompile(`^(.+): \[.*\]$`)
)

// TriggerIncludes returns the repository files, relative to its root,
// that the trigger:include of the bridge job named bridge builds a child
// pipeline from: "include: path", "include: [path, ...]" and
// "include: {local: path}" or a list of them, each once. Includes of other
// kinds (project:, remote:, template:, component:, artifact:), URLs,
// wildcard paths and paths with variables are left out, and so are the
// includes of those files: Child follows them.
// It returns nil for a job that is not a bridge, a multi-project trigger,
// or an unknown job.
func (c *Config) TriggerIncludes(bridge string) []string {
	if c == nil {
		return nil
	}
	j, ok := c.jobs[bridge]
	if !ok {
		return nil
	}
	return slices.Clone(j.triggerIncludes)
}

// Job returns the definition of the job that GitLab names name: a job
// written with that name, or one of the jobs a parallel: N
// ("pytest 2/4") or parallel:matrix ("deploy: [aws, eu-west-1]") keyword
// creates. The result is a copy.
func (c *Config) Job(name string) (*diagnose.JobConfig, bool) {
	if c == nil {
		return nil, false
	}
	if j, ok := c.jobs[name]; ok {
		return clone(&j.cfg), true
	}
	if m := parallelName.FindStringSubmatch(name); m != nil {
		idx, _ := strconv.Atoi(m[2])
		total, _ := strconv.Atoi(m[3])
		if j, ok := c.jobs[m[1]]; ok && j.parallel == total && idx <= total {
			return clone(&j.cfg), true
		}
	}
	if m := matrixName.FindStringSubmatch(name); m != nil {
		if j, ok := c.jobs[m[1]]; ok && j.matrix {
			return clone(&j.cfg), true
		}
	}
	return nil, false
}

func clone(c *diagnose.JobConfig) *diagnose.JobConfig {
	out := *c
	out.Services = slices.Clone(c.Services)
	out.BeforeScript = slices.Clone(c.BeforeScript)
	out.Script = slices.Clone(c.Script)
	out.Variables = slices.Clone(c.Variables)
	out.Needs = slices.Clone(c.Needs)
	out.JUnit = slices.Clone(c.JUnit)
	return &out
}
