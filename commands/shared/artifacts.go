package shared

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"

	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/ciconfig"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/diagnose"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/internal/gitlab"
	"gitlab.com/pipeline-doctor/glab-pipeline-doctor/junit"
)

// Limits of reading JUnit files out of job artifacts.
const (
	// DefaultMaxArtifactSize is the default --max-artifact-size: the largest
	// artifacts archive downloaded to look for JUnit files.
	DefaultMaxArtifactSize = 50 << 20
	// MaxJUnitBytes bounds the XML read from one job's artifacts, all files
	// together, after decompression (GitLab's limit for a job's JUnit
	// reports is 100 MB). Each file is also bounded by junit's 30 MB.
	MaxJUnitBytes = 100 << 20
	// MaxJUnitFiles bounds the report files read from one job's archive.
	MaxJUnitFiles = 200
)

// junitBudget and junitFileCap are MaxJUnitBytes and junit's per-file
// limit; tests lower them.
var (
	junitBudget  int64 = MaxJUnitBytes
	junitFileCap int64 = junit.DefaultMaxFileBytes
)

// ArtifactClient is the part of the GitLab client that reading CI
// configurations and job artifacts needs; *gitlab.Client implements it.
type ArtifactClient interface {
	MergedCIConfig(ctx context.Context, project, sha string) (string, error)
	RawFile(ctx context.Context, project, path, ref string) (io.ReadCloser, error)
	JobArtifactFile(ctx context.Context, project string, jobID int64, path string) (io.ReadCloser, error)
	JobArtifactsArchive(ctx context.Context, project string, jobID int64) (io.ReadCloser, int64, error)
}

// FetchConfigs reads the merged CI configuration of project at sha with one
// lint call and returns the definition of each of jobs found in it, keyed by
// job id. jobs must come from pipelines built from that configuration file:
// a root pipeline or a multi-project downstream pipeline, not a child
// pipeline (whose jobs come from the files its trigger includes, which the
// lint API does not return; FetchGraphConfigs reads those). Jobs of
// another project or commit are skipped. What could not be read becomes a
// warning; a 403 on the lint API is one of them.
func FetchConfigs(ctx context.Context, client ArtifactClient, project, sha string, jobs []gitlab.Job) (map[int64]*diagnose.JobConfig, []string) {
	out := map[int64]*diagnose.JobConfig{}
	if len(jobs) == 0 {
		return out, nil
	}
	cfg, warnings := fetchMerged(ctx, client, project, sha)
	if cfg == nil {
		return out, warnings
	}
	out, more := ConfigsFor(cfg, project, sha, jobs)
	return out, append(warnings, more...)
}

// fetchMerged reads and parses the merged CI configuration of project at
// sha; it returns nil when it could not, with the warning saying why.
func fetchMerged(ctx context.Context, client ArtifactClient, project, sha string) (*ciconfig.Config, []string) {
	merged, err := client.MergedCIConfig(ctx, project, sha)
	if err != nil {
		return nil, []string{fmt.Sprintf("%v; job definitions (needs, JUnit files, local reproduction) are left out", err)}
	}
	cfg, err := ciconfig.Parse(strings.NewReader(merged))
	if err != nil {
		return nil, []string{fmt.Sprintf("ci configuration of %s at %s: %v", project, short(sha), err)}
	}
	var warnings []string
	for _, w := range cfg.Warnings {
		warnings = append(warnings, fmt.Sprintf("ci configuration of %s at %s: %s", project, short(sha), w))
	}
	return cfg, warnings
}

// ConfigsFor looks jobs up in a parsed configuration, as FetchConfigs does;
// use it with a configuration read from a local checkout whose HEAD is sha.
func ConfigsFor(cfg *ciconfig.Config, project, sha string, jobs []gitlab.Job) (map[int64]*diagnose.JobConfig, []string) {
	return configsIn([]*ciconfig.Config{cfg}, "ci configuration of "+project+" at "+short(sha), project, sha, jobs)
}

// configsIn looks jobs up in the first of cfgs that defines them; what
// names the configuration in the warning about the jobs none defines.
func configsIn(cfgs []*ciconfig.Config, what, project, sha string, jobs []gitlab.Job) (map[int64]*diagnose.JobConfig, []string) {
	out := map[int64]*diagnose.JobConfig{}
	var missing []string
	for _, j := range jobs {
		if !sameProject(j, project) || (j.SHA != "" && sha != "" && j.SHA != sha) {
			continue
		}
		found := false
		for _, cfg := range cfgs {
			if jc, ok := cfg.Job(j.Name); ok {
				out[j.ID] = jc
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, j.Name)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	return out, []string{fmt.Sprintf("%s defines no job named %s", what, quoteList(missing))}
}

// FetchGraphConfigs reads the job definitions of every failed job of a
// pipeline graph: one lint call per project and commit of the root and of
// each multi-project downstream pipeline. A child pipeline's jobs are
// defined by the local files its parent's bridge job includes
// (trigger:include) and, nested, the local files those include, merged as
// GitLab merges them (ciconfig's Config.Child); each file is read at the
// child's commit with the repository files API, one request per file however
// often it is included across the graph. Includes of other kinds
// (project:, remote:, template:, component:, artifact:) are not read, each
// with a warning; the jobs of a child pipeline whose bridge includes no
// local file get no definition, which a warning says. What could not be read
// becomes a warning.
func FetchGraphConfigs(ctx context.Context, client ArtifactClient, g *gitlab.Graph) (map[int64]*diagnose.JobConfig, []string) {
	out := map[int64]*diagnose.JobConfig{}
	if g == nil {
		return out, nil
	}
	r := &graphConfigs{ctx: ctx, client: client, g: g,
		merged: map[source]*ciconfig.Config{}, raw: map[fileKey]rawFile{}, children: map[childKey]*ciconfig.Config{},
		byID: map[int64]*gitlab.Pipeline{}, ofPipeline: map[int64]*ciconfig.Config{}, whatOf: map[int64]string{},
		busy: map[int64]bool{}}
	for i := range g.Pipelines {
		r.byID[g.Pipelines[i].ID] = &g.Pipelines[i]
	}
	byPipeline := map[int64][]gitlab.Job{}
	for _, j := range append(append([]gitlab.Job(nil), g.FailedJobs...), g.AllowedFailures...) {
		byPipeline[j.PipelineID] = append(byPipeline[j.PipelineID], j)
	}
	var order []source
	groups := map[source][]gitlab.Job{}
	for _, p := range g.Pipelines {
		jobs := byPipeline[p.ID]
		if len(jobs) == 0 {
			continue
		}
		if p.Kind == gitlab.KindChild {
			cfg, what := r.pipelineConfig(&p, 0)
			if cfg == nil {
				continue
			}
			found, w := configsIn([]*ciconfig.Config{cfg}, what, projectOf(&p), p.SHA, jobs)
			for id, c := range found {
				out[id] = c
			}
			r.warnings = append(r.warnings, w...)
			continue
		}
		s := source{projectOf(&p), p.SHA}
		if _, ok := groups[s]; !ok {
			order = append(order, s)
		}
		groups[s] = append(groups[s], jobs...)
	}
	for _, s := range order {
		cfg := r.mergedConfig(s)
		if cfg == nil {
			continue
		}
		found, w := ConfigsFor(cfg, s.project, s.sha, groups[s])
		for id, c := range found {
			out[id] = c
		}
		r.warnings = append(r.warnings, w...)
	}
	return out, r.warnings
}

// source is a project's configuration file at a commit.
type source struct{ project, sha string }

// fileKey is a repository file at a commit.
type fileKey struct{ project, sha, path string }

// rawFile is a repository file as read, or why it could not be.
type rawFile struct {
	data []byte
	err  error
}

// childKey is the configuration of the child pipelines a bridge job of a
// parent configuration triggers at a commit.
type childKey struct {
	parent       *ciconfig.Config
	bridge       string
	project, sha string
}

// maxChildDepth bounds the parent chain followed for nested child
// pipelines (GitLab allows two levels below the root).
const maxChildDepth = 4

// graphConfigs reads each configuration of a graph once.
type graphConfigs struct {
	ctx        context.Context
	client     ArtifactClient
	g          *gitlab.Graph
	byID       map[int64]*gitlab.Pipeline
	merged     map[source]*ciconfig.Config   // nil: could not be read
	raw        map[fileKey]rawFile           // repository files read
	children   map[childKey]*ciconfig.Config // nil: no file could be read
	ofPipeline map[int64]*ciconfig.Config    // child pipelines
	whatOf     map[int64]string              // child pipelines
	busy       map[int64]bool
	warnings   []string
}

// mergedConfig returns the merged configuration of s, read once.
func (r *graphConfigs) mergedConfig(s source) *ciconfig.Config {
	if cfg, ok := r.merged[s]; ok {
		return cfg
	}
	cfg, w := fetchMerged(r.ctx, r.client, s.project, s.sha)
	r.merged[s] = cfg
	r.warnings = append(r.warnings, w...)
	return cfg
}

// pipelineConfig returns the configuration a pipeline's jobs are defined
// in, and how to name it in a warning: the merged configuration for a root
// or multi-project pipeline, the one built from the files its bridge
// includes for a child pipeline; nil when it could not be read.
func (r *graphConfigs) pipelineConfig(p *gitlab.Pipeline, depth int) (*ciconfig.Config, string) {
	proj := projectOf(p)
	if p.Kind != gitlab.KindChild {
		s := source{proj, p.SHA}
		if cfg := r.mergedConfig(s); cfg != nil {
			return cfg, "ci configuration of " + proj + " at " + short(p.SHA)
		}
		return nil, ""
	}
	if cfg, ok := r.ofPipeline[p.ID]; ok {
		return cfg, r.whatOf[p.ID]
	}
	if r.busy[p.ID] || depth > maxChildDepth {
		return nil, ""
	}
	r.busy[p.ID] = true
	defer delete(r.busy, p.ID)
	parent := r.byID[p.ParentID]
	if parent == nil || p.BridgeName == "" {
		r.warnings = append(r.warnings, fmt.Sprintf("child pipeline %d: its parent pipeline or trigger job is unknown; its jobs' definitions are left out", p.ID))
		r.ofPipeline[p.ID] = nil
		return nil, ""
	}
	parentCfg, _ := r.pipelineConfig(parent, depth+1)
	if parentCfg == nil {
		// The parent's configuration could not be read: already warned.
		r.ofPipeline[p.ID] = nil
		return nil, ""
	}
	paths := parentCfg.TriggerIncludes(p.BridgeName)
	if len(paths) == 0 {
		r.warnings = append(r.warnings, fmt.Sprintf("child pipeline %d: trigger job %q includes no file of the project (only local includes are read); its jobs' definitions are left out",
			p.ID, p.BridgeName))
		r.ofPipeline[p.ID] = nil
		return nil, ""
	}
	what := fmt.Sprintf("ci configuration %s of %s at %s", strings.Join(paths, ", "), proj, short(p.SHA))
	cfg := r.child(childKey{parentCfg, p.BridgeName, proj, p.SHA}, what)
	r.ofPipeline[p.ID], r.whatOf[p.ID] = cfg, what
	return cfg, what
}

// child builds the configuration a bridge's trigger:include makes, once;
// what names it in its warnings.
func (r *graphConfigs) child(k childKey, what string) *ciconfig.Config {
	if cfg, ok := r.children[k]; ok {
		return cfg
	}
	cfg := k.parent.Child(k.bridge, func(path string) (io.ReadCloser, error) {
		return r.file(fileKey{k.project, k.sha, path})
	})
	if cfg == nil {
		r.children[k] = nil
		return nil
	}
	for _, w := range cfg.Warnings {
		r.warnings = append(r.warnings, what+": "+w)
	}
	if len(cfg.Files()) == 0 {
		cfg = nil
	}
	r.children[k] = cfg
	return cfg
}

// file reads one repository file, once for the whole graph.
func (r *graphConfigs) file(k fileKey) (io.ReadCloser, error) {
	f, ok := r.raw[k]
	if !ok {
		f = r.fetch(k)
		r.raw[k] = f
	}
	if f.err != nil {
		return nil, f.err
	}
	return io.NopCloser(bytes.NewReader(f.data)), nil
}

func (r *graphConfigs) fetch(k fileKey) rawFile {
	rc, err := r.client.RawFile(r.ctx, k.project, k.path, k.sha)
	if err != nil {
		return rawFile{err: err}
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, ciconfig.MaxBytes+1))
	if err != nil {
		return rawFile{err: fmt.Errorf("file %s in %s: %w", k.path, k.project, err)}
	}
	return rawFile{data: data}
}

func projectOf(p *gitlab.Pipeline) string {
	if p.ProjectPath != "" {
		return p.ProjectPath
	}
	return strconv.FormatInt(p.ProjectID, 10)
}

func sameProject(j gitlab.Job, project string) bool {
	if id, err := strconv.ParseInt(project, 10, 64); err == nil {
		return j.ProjectID == 0 || j.ProjectID == id
	}
	return j.ProjectPath == "" || strings.EqualFold(j.ProjectPath, project)
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// FetchJUnit reads the JUnit files a failed job's definition names in
// artifacts:reports:junit out of its artifacts, for what the API's test
// report drops (message and type attributes, file, line, reruns). Exact
// paths are fetched one by one; when a path is a glob the archive is
// downloaded to a temporary file (zip needs random access) if it is at most
// maxArchive bytes (0: DefaultMaxArtifactSize) and its entries are matched.
// The raw XML is only in the archive when the job also lists it under
// artifacts:paths. What could not be read becomes a warning.
func FetchJUnit(ctx context.Context, client ArtifactClient, project string, job gitlab.Job, cfg *diagnose.JobConfig, maxArchive int64) ([]diagnose.TestCase, []string) {
	if cfg == nil || len(cfg.JUnit) == 0 || job.Bridge {
		return nil, nil
	}
	if maxArchive == 0 {
		maxArchive = DefaultMaxArtifactSize
	}
	r := &junitReader{ctx: ctx, client: client, project: project, job: job, budget: junitBudget, seen: map[string]bool{}}
	var exact, globs []string
	for _, p := range cfg.JUnit {
		pat, ok := artifactPattern(p, job)
		if !ok {
			r.warn("JUnit path %q is outside the project directory", p)
			continue
		}
		if isGlob(pat) {
			globs = append(globs, pat)
		} else {
			exact = append(exact, pat)
		}
	}
	if len(exact)+len(globs) == 0 {
		return nil, r.warnings
	}
	archiveSize, hasArchive := archiveOf(job)
	if !hasArchive && len(job.Artifacts) > 0 {
		r.warn("JUnit report %s is not in an artifacts archive (list it under artifacts:paths too); messages, files and lines come from the test report only",
			strings.Join(cfg.JUnit, ", "))
		return nil, r.warnings
	}
	if len(globs) == 0 {
		for _, p := range exact {
			r.file(p)
		}
		return r.tests, r.warnings
	}
	if maxArchive < 0 {
		r.warn("JUnit files %s need the artifacts archive, which --max-artifact-size 0 does not download",
			strings.Join(globs, ", "))
		for _, p := range exact {
			r.file(p)
		}
		return r.tests, r.warnings
	}
	if hasArchive && archiveSize > maxArchive {
		r.warn("artifacts archive is %s, over the %s limit (--max-artifact-size); JUnit files %s not read",
			mib(archiveSize), mib(maxArchive), strings.Join(cfg.JUnit, ", "))
		return nil, r.warnings
	}
	r.archive(append(exact, globs...), maxArchive)
	return r.tests, r.warnings
}

type junitReader struct {
	ctx      context.Context
	client   ArtifactClient
	project  string
	job      gitlab.Job
	budget   int64
	files    int
	seen     map[string]bool
	tests    []diagnose.TestCase
	warnings []string
}

func (r *junitReader) warn(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf("job %s (%d): ", r.job.Name, r.job.ID)+fmt.Sprintf(format, args...))
}

// file fetches and reads one exact path.
func (r *junitReader) file(p string) {
	rc, err := r.client.JobArtifactFile(r.ctx, r.project, r.job.ID, p)
	if err != nil {
		if errors.Is(err, gitlab.ErrNotFound) {
			r.warn("JUnit file %s is not in the artifacts archive (list it under artifacts:paths too)", p)
			return
		}
		r.warn("JUnit file %s not read: %v", p, err)
		return
	}
	defer rc.Close()
	r.parse(rc, p)
}

// archive downloads the archive under the cap and reads every entry that
// matches one of patterns.
func (r *junitReader) archive(patterns []string, maxArchive int64) {
	rc, size, err := r.client.JobArtifactsArchive(r.ctx, r.project, r.job.ID)
	if err != nil {
		if errors.Is(err, gitlab.ErrNotFound) {
			r.warn("no artifacts archive; JUnit files %s not read", strings.Join(patterns, ", "))
			return
		}
		r.warn("artifacts archive not read: %v", err)
		return
	}
	defer rc.Close()
	if size > maxArchive {
		r.warn("artifacts archive is %s, over the %s limit (--max-artifact-size); JUnit files %s not read",
			mib(size), mib(maxArchive), strings.Join(patterns, ", "))
		return
	}
	tmp, err := os.CreateTemp("", "pipeline-doctor-artifacts-*.zip")
	if err != nil {
		r.warn("artifacts archive not read: %v", err)
		return
	}
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	n, err := io.Copy(tmp, io.LimitReader(rc, maxArchive+1))
	if err != nil {
		r.warn("artifacts archive not read: downloading: %v", err)
		return
	}
	if n > maxArchive {
		r.warn("artifacts archive is over the %s limit (--max-artifact-size); JUnit files %s not read",
			mib(maxArchive), strings.Join(patterns, ", "))
		return
	}
	_ = rc.Close()
	zr, err := zip.NewReader(tmp, n)
	if err != nil {
		r.warn("artifacts archive not read: %v", err)
		return
	}
	matched := make([]bool, len(patterns))
	for _, f := range zr.File {
		if !f.Mode().IsRegular() {
			continue
		}
		name := cleanEntry(f.Name)
		hit := false
		for i, p := range patterns {
			if matchGlob(p, name) {
				matched[i], hit = true, true
			}
		}
		if !hit {
			continue
		}
		if r.files >= MaxJUnitFiles {
			r.warn("more than %d JUnit files in the artifacts archive; the rest were not read", MaxJUnitFiles)
			break
		}
		if r.budget <= 0 {
			r.warn("JUnit files over %s in all; the rest were not read", mib(junitBudget))
			break
		}
		r.files++
		// The declared size may lie; the budget and junit's own cap
		// bound what is really read.
		size := int64(min(f.UncompressedSize64, 1<<62))
		switch {
		case size > junitFileCap:
			r.warn("JUnit file %s is %s uncompressed, over the %s a file may have; not read",
				name, mib(size), mib(junitFileCap))
			continue
		case size > r.budget:
			r.warn("JUnit file %s is %s uncompressed, over the %s left of the %s all JUnit files of a job may have; not read",
				name, mib(size), mib(r.budget), mib(junitBudget))
			continue
		}
		e, err := f.Open()
		if err != nil {
			r.warn("JUnit file %s not read: %v", name, err)
			continue
		}
		r.parse(e, name)
		_ = e.Close()
	}
	for i, p := range patterns {
		if !matched[i] {
			r.warn("no file in the artifacts archive matches the JUnit path %s", p)
		}
	}
}

// errBudget is the error of a read past the JUnit bytes budget.
var errBudget = errors.New("junit files too large in all")

// budgetReader fails once the shared budget is spent.
type budgetReader struct {
	r      io.Reader
	budget *int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if *b.budget <= 0 {
		var one [1]byte
		if k, _ := b.r.Read(one[:]); k > 0 {
			return 0, errBudget
		}
		return 0, io.EOF
	}
	if int64(len(p)) > *b.budget {
		p = p[:*b.budget]
	}
	n, err := b.r.Read(p)
	*b.budget -= int64(n)
	return n, err
}

// parse reads one report file, gunzipping it first when it is gzip, so
// that what counts against the budget is the XML it expands to.
func (r *junitReader) parse(src io.Reader, name string) {
	br := newPeeker(src)
	var head [2]byte
	k, _ := io.ReadFull(br, head[:])
	br.unread(head[:k])
	var in io.Reader = &budgetReader{r: br, budget: &r.budget}
	if k == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			r.warn("JUnit file %s not read: %v", name, err)
			return
		}
		defer zr.Close()
		in = &budgetReader{r: zr, budget: &r.budget}
	}
	rep, err := junit.Parse(in, junit.Options{Name: name, MaxFileBytes: junitFileCap})
	cases := TestsFromJUnit(rep, []int64{r.job.ID})
	for _, c := range cases {
		k := c.Classname + "\x00" + c.Name + "\x00" + c.File
		if r.seen[k] {
			continue
		}
		r.seen[k] = true
		r.tests = append(r.tests, c)
	}
	switch {
	case err != nil && r.budget <= 0:
		r.warn("JUnit files over %s in all; %s read in part", mib(junitBudget), name)
	case err != nil:
		r.warn("JUnit file %s read in part: %v", name, err)
	}
}

// peeker is a reader that can push back the bytes it peeked.
type peeker struct {
	r    io.Reader
	back []byte
}

func newPeeker(r io.Reader) *peeker { return &peeker{r: r} }

func (p *peeker) unread(b []byte) { p.back = append(append([]byte(nil), b...), p.back...) }

func (p *peeker) Read(b []byte) (int, error) {
	if len(p.back) > 0 {
		n := copy(b, p.back)
		p.back = p.back[n:]
		return n, nil
	}
	return p.r.Read(b)
}

func archiveOf(j gitlab.Job) (int64, bool) {
	for _, a := range j.Artifacts {
		if a.FileType == "archive" {
			return a.Size, true
		}
	}
	return 0, false
}

func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", (n+1023)>>10)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

var ciVar = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)

// artifactPattern turns an artifacts:reports:junit entry into a path or
// glob relative to the archive root: "./" and $CI_PROJECT_DIR are dropped,
// the job's own predefined variables are expanded and any other variable
// becomes "*". It is false for a path outside the project directory.
func artifactPattern(p string, j gitlab.Job) (string, bool) {
	p = strings.TrimSpace(p)
	for _, pre := range []string{"$CI_PROJECT_DIR/", "${CI_PROJECT_DIR}/"} {
		p = strings.TrimPrefix(p, pre)
	}
	index, total := nodeIndex(j.Name)
	vars := map[string]string{
		"CI_JOB_NAME":         j.Name,
		"CI_JOB_ID":           strconv.FormatInt(j.ID, 10),
		"CI_JOB_STAGE":        j.Stage,
		"CI_PIPELINE_ID":      strconv.FormatInt(j.PipelineID, 10),
		"CI_COMMIT_SHA":       j.SHA,
		"CI_COMMIT_SHORT_SHA": short8(j.SHA),
		"CI_COMMIT_REF_NAME":  j.Ref,
		"CI_NODE_INDEX":       index,
		"CI_NODE_TOTAL":       total,
	}
	p = ciVar.ReplaceAllStringFunc(p, func(m string) string {
		name := ciVar.FindStringSubmatch(m)[1]
		if v := vars[name]; v != "" {
			return v
		}
		return "*"
	})
	if strings.HasPrefix(p, "/") {
		return "", false
	}
	p = path.Clean(p)
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}

func short8(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

var nodeName = regexp.MustCompile(` ([1-9][0-9]*)/([1-9][0-9]*)$`)

// nodeIndex returns CI_NODE_INDEX and CI_NODE_TOTAL of a parallel job
// ("pytest 2/4"), or "1", "1".
func nodeIndex(name string) (string, string) {
	if m := nodeName.FindStringSubmatch(name); m != nil {
		return m[1], m[2]
	}
	return "1", "1"
}

func isGlob(p string) bool { return strings.ContainsAny(p, "*?[{") }

func cleanEntry(name string) string {
	name = strings.TrimLeft(path.Clean("/"+name), "/")
	return name
}

// matchGlob matches an archive entry against a glob as the runner does for
// artifact paths: "*", "?" and "[...]" within one path element, "**" for
// any number of elements (none included), and "{a,b}" alternatives.
func matchGlob(pattern, name string) bool {
	for _, p := range expandBraces(pattern, 0) {
		if matchParts(strings.Split(p, "/"), strings.Split(name, "/")) {
			return true
		}
	}
	return false
}

func matchParts(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			// Collapse repeated "**" and try every split.
			for len(pat) > 1 && pat[1] == "**" {
				pat = pat[1:]
			}
			rest := pat[1:]
			for i := 0; i <= len(name); i++ {
				if matchParts(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// expandBraces expands "{a,b}" alternatives, at most 64 results.
func expandBraces(p string, depth int) []string {
	open := strings.IndexByte(p, '{')
	if open < 0 || depth > 8 {
		return []string{p}
	}
	level, end := 0, -1
	var commas []int
	for i := open; i < len(p) && end < 0; i++ {
		switch p[i] {
		case '{':
			level++
		case '}':
			level--
			if level == 0 {
				end = i
			}
		case ',':
			if level == 1 {
				commas = append(commas, i)
			}
		}
	}
	if end < 0 {
		return []string{p}
	}
	var alts []string
	start := open + 1
	for _, c := range append(commas, end) {
		alts = append(alts, p[start:c])
		start = c + 1
	}
	var out []string
	for _, a := range alts {
		for _, e := range expandBraces(p[:open]+a+p[end+1:], depth+1) {
			if len(out) >= 64 {
				return out
			}
			out = append(out, e)
		}
	}
	return out
}

// MergeTests merges one pipeline's test cases from GitLab's test report
// with those read from JUnit files in job artifacts into one list: a JUnit
// case replaces the test-report cases of the same job, classname and name
// (it carries the message, type, file, line and reruns the API drops);
// test-report cases with no JUnit counterpart, among them every case of the
// jobs without JUnit files, are kept. JUnit cases of one job repeated
// across files are kept once. The order is the test report's, with each
// replacement in the place of what it replaces, then the JUnit cases that
// replaced nothing.
func MergeTests(fromReport, fromJUnit []diagnose.TestCase) []diagnose.TestCase {
	type key struct {
		job             int64
		classname, name string
	}
	index := map[key]int{} // into junit
	var junitCases []diagnose.TestCase
	seen := map[string]bool{}
	for _, c := range fromJUnit {
		id := fmt.Sprint(c.JobIDs) + "\x00" + c.Classname + "\x00" + c.Name + "\x00" + c.File
		if seen[id] {
			continue
		}
		seen[id] = true
		junitCases = append(junitCases, c)
		for _, j := range c.JobIDs {
			k := key{j, c.Classname, c.Name}
			if _, ok := index[k]; !ok {
				index[k] = len(junitCases) - 1
			}
		}
	}
	used := make([]bool, len(junitCases))
	out := make([]diagnose.TestCase, 0, len(fromReport)+len(junitCases))
	for _, c := range fromReport {
		replaced := false
		for _, j := range c.JobIDs {
			i, ok := index[key{j, c.Classname, c.Name}]
			if !ok {
				continue
			}
			replaced = true
			if !used[i] {
				used[i] = true
				out = append(out, junitCases[i])
			}
		}
		if !replaced {
			out = append(out, c)
		}
	}
	for i, c := range junitCases {
		if !used[i] {
			out = append(out, c)
		}
	}
	return out
}
