package fakegitlab

import (
	"net/http"
	"strings"
)

// lintJSON is the answer of GET /projects/:id/ci/lint
// (Entities::Ci::Lint::Result).
type lintJSON struct {
	Valid      bool     `json:"valid"`
	Errors     []string `json:"errors"`
	Warnings   []string `json:"warnings"`
	MergedYAML *string  `json:"merged_yaml"`
	Includes   []any    `json:"includes"`
}

// ciLint answers GET /projects/:id/ci/lint as GitLab does for a static
// check: the configuration at content_ref (or the deprecated sha; both is a
// 400), which must name the default branch, a pipeline's ref or a
// pipeline's commit (7 or more leading hex digits) of the project, else 404
// "Commit Not Found". The configuration is the project's CIConfig for every
// commit, served as merged_yaml. dry_run, include_jobs and
// ref/dry_run_ref are accepted and ignored.
func (c *call) ciLint() {
	p := c.projectParam()
	if p == nil {
		return
	}
	q := c.r.URL.Query()
	if q.Has("sha") && q.Has("content_ref") {
		c.badRequest("sha, content_ref are mutually exclusive")
		return
	}
	if q.Has("ref") && q.Has("dry_run_ref") {
		c.badRequest("ref, dry_run_ref are mutually exclusive")
		return
	}
	content := q.Get("content_ref")
	if content == "" {
		content = q.Get("sha")
	}
	if content != "" && !c.knownCommit(p, content) {
		c.notFound("Commit Not Found")
		return
	}
	if p.CIConfig == "" {
		c.json(http.StatusOK, lintJSON{
			Errors: []string{"Please provide content of .gitlab-ci.yml"}, Warnings: []string{}, Includes: []any{},
		})
		return
	}
	merged := p.CIConfig
	c.json(http.StatusOK, lintJSON{Valid: true, Errors: []string{}, Warnings: []string{}, MergedYAML: &merged, Includes: []any{}})
}

// knownCommit tells whether ref names the project's default branch, or the
// ref or commit of one of its pipelines.
func (c *call) knownCommit(p *Project, ref string) bool {
	if ref == orDefault(p.DefaultBranch, "main") {
		return true
	}
	for _, pl := range c.s.ix.sc.Pipelines {
		if pl.ProjectID != p.ID {
			continue
		}
		if pl.Ref == ref || pl.SHA == ref || len(ref) >= 7 && strings.HasPrefix(pl.SHA, ref) {
			return true
		}
	}
	return false
}
