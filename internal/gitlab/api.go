package gitlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"
)

// Project returns a project by full path (group/sub/project) or numeric id.
func (c *Client) Project(ctx context.Context, project string) (*Project, error) {
	ctx, cancel := c.reqCtx(ctx)
	defer cancel()
	p, _, err := c.api.Projects.GetProject(project, nil, gl.WithContext(ctx))
	if err != nil {
		return nil, c.wrapErr(err, "project "+project, "")
	}
	return &Project{
		ID:            p.ID,
		Path:          p.PathWithNamespace,
		Name:          p.Name,
		DefaultBranch: p.DefaultBranch,
		WebURL:        p.WebURL,
	}, nil
}

// Pipeline returns one pipeline of a project.
func (c *Client) Pipeline(ctx context.Context, project string, id int64) (*Pipeline, error) {
	ctx, cancel := c.reqCtx(ctx)
	defer cancel()
	p, _, err := c.api.Pipelines.GetPipeline(project, id, gl.WithContext(ctx))
	if err != nil {
		return nil, c.wrapErr(err, fmt.Sprintf("pipeline %d", id), project)
	}
	out := c.pipelineFrom(p)
	if !isNumeric(project) {
		out.ProjectPath = project
	}
	return &out, nil
}

// LatestPipeline returns the latest pipeline of the newest commit on ref;
// an empty ref means the default branch.
func (c *Client) LatestPipeline(ctx context.Context, project, ref string) (*Pipeline, error) {
	ctx, cancel := c.reqCtx(ctx)
	defer cancel()
	var opt *gl.GetLatestPipelineOptions
	if ref != "" {
		opt = &gl.GetLatestPipelineOptions{Ref: &ref}
	}
	p, _, err := c.api.Pipelines.GetLatestPipeline(project, opt, gl.WithContext(ctx))
	if err != nil {
		what := "latest pipeline of the default branch"
		if ref != "" {
			what = fmt.Sprintf("latest pipeline of %q", ref)
		}
		werr := c.wrapErr(err, what, project)
		var ae *APIError
		if errors.As(werr, &ae) && ae.Status == http.StatusForbidden && ae.Scope == "" {
			// GitLab answers 403 when the newest commit has no pipeline.
			ae.kind = ErrNotFound
			ae.Hint = "the newest commit of the ref has no pipeline (GitLab answers 403 for that), or the token lacks access"
		}
		return nil, werr
	}
	out := c.pipelineFrom(p)
	if !isNumeric(project) {
		out.ProjectPath = project
	}
	return &out, nil
}

// MergeRequest returns one merge request with its head pipeline.
func (c *Client) MergeRequest(ctx context.Context, project string, iid int64) (*MergeRequest, error) {
	ctx, cancel := c.reqCtx(ctx)
	defer cancel()
	mr, _, err := c.api.MergeRequests.GetMergeRequest(project, iid, nil, gl.WithContext(ctx))
	if err != nil {
		return nil, c.wrapErr(err, fmt.Sprintf("merge request !%d", iid), project)
	}
	out := mergeRequestFrom(&mr.BasicMergeRequest)
	if mr.HeadPipeline != nil && mr.HeadPipeline.ID != 0 {
		hp := c.pipelineFrom(mr.HeadPipeline)
		out.HeadPipeline = &hp
	}
	return &out, nil
}

// MergeRequestsForBranch returns the open merge requests whose source branch
// is branch, newest first. List results carry no head pipeline.
func (c *Client) MergeRequestsForBranch(ctx context.Context, project, branch string) ([]MergeRequest, error) {
	opt := &gl.ListProjectMergeRequestsOptions{
		SourceBranch: &branch,
		State:        gl.Ptr("opened"),
		ListOptions:  gl.ListOptions{PerPage: 100},
	}
	var out []MergeRequest
	err := c.eachPage(ctx, func(ctx context.Context, page gl.RequestOptionFunc) (*gl.Response, error) {
		mrs, resp, err := c.api.MergeRequests.ListProjectMergeRequests(project, opt, gl.WithContext(ctx), page)
		for _, mr := range mrs {
			if mr != nil {
				out = append(out, mergeRequestFrom(mr))
			}
		}
		return resp, err
	})
	if err != nil {
		return out, c.wrapErr(err, fmt.Sprintf("merge requests of branch %q", branch), project)
	}
	return out, nil
}

// MergeRequestNotes returns the notes of a merge request, most recently
// updated first, all pages.
func (c *Client) MergeRequestNotes(ctx context.Context, project string, iid int64) ([]Note, error) {
	opt := &gl.ListMergeRequestNotesOptions{
		ListOptions: gl.ListOptions{PerPage: 100},
		OrderBy:     gl.Ptr("updated_at"),
		Sort:        gl.Ptr("desc"),
	}
	var out []Note
	err := c.eachPage(ctx, func(ctx context.Context, page gl.RequestOptionFunc) (*gl.Response, error) {
		notes, resp, err := c.api.Notes.ListMergeRequestNotes(project, iid, opt, gl.WithContext(ctx), page)
		for _, n := range notes {
			if n != nil {
				out = append(out, noteFrom(n))
			}
		}
		return resp, err
	})
	if err != nil {
		return out, c.wrapErr(err, fmt.Sprintf("notes of merge request !%d", iid), project)
	}
	return out, nil
}

// CreateNote adds a note to a merge request.
func (c *Client) CreateNote(ctx context.Context, project string, iid int64, body string) (*Note, error) {
	ctx, cancel := c.reqCtx(ctx)
	defer cancel()
	n, _, err := c.api.Notes.CreateMergeRequestNote(project, iid,
		&gl.CreateMergeRequestNoteOptions{Body: &body}, gl.WithContext(ctx), gl.WithRequestRetry(noRetryUnlessRateLimited))
	if err != nil {
		return nil, c.wrapErr(err, fmt.Sprintf("creating a note on merge request !%d", iid), project)
	}
	out := noteFrom(n)
	return &out, nil
}

// UpdateNote replaces the body of a merge request note.
func (c *Client) UpdateNote(ctx context.Context, project string, iid, noteID int64, body string) (*Note, error) {
	ctx, cancel := c.reqCtx(ctx)
	defer cancel()
	n, _, err := c.api.Notes.UpdateMergeRequestNote(project, iid, noteID,
		&gl.UpdateMergeRequestNoteOptions{Body: &body}, gl.WithContext(ctx))
	if err != nil {
		return nil, c.wrapErr(err, fmt.Sprintf("note %d of merge request !%d", noteID, iid), project)
	}
	out := noteFrom(n)
	return &out, nil
}

// noRetryUnlessRateLimited retries a note creation only on 429: a 5xx may
// come after the note was stored, and a retry would post it twice.
func noRetryUnlessRateLimited(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	return err == nil && resp != nil && resp.StatusCode == http.StatusTooManyRequests, nil
}

// JobArtifactFile streams one file out of a job's artifacts archive
// (GET /projects/:id/jobs/:job_id/artifacts/*path). GitLab may redirect to
// object storage; the redirected request carries no credentials. The caller
// must Close the result.
func (c *Client) JobArtifactFile(ctx context.Context, project string, jobID int64, path string) (io.ReadCloser, error) {
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return nil, fmt.Errorf("artifact of job %d in %s: empty path", jobID, project)
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	p := fmt.Sprintf("projects/%s/jobs/%d/artifacts/%s", projectPath(project), jobID, strings.Join(segs, "/"))
	r, err := c.openStream(ctx, p)
	if err != nil {
		return nil, c.wrapErr(err, fmt.Sprintf("artifact %s of job %d", path, jobID), project)
	}
	return r, nil
}

// eachPage calls f for page 1, then for every next page GitLab announces
// with a non-empty X-Next-Page or a rel="next" link, never trusting totals.
func (c *Client) eachPage(ctx context.Context, f func(ctx context.Context, page gl.RequestOptionFunc) (*gl.Response, error)) error {
	var page gl.RequestOptionFunc
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if n >= maxPages {
			return fmt.Errorf("stopped after %d pages", maxPages)
		}
		rctx, cancel := c.reqCtx(ctx)
		resp, err := f(rctx, page)
		cancel()
		if err != nil {
			return err
		}
		next, ok := gl.WithNext(resp)
		if !ok {
			return nil
		}
		page = next
	}
}

// maxPages bounds a listing, against a server that always announces a next page.
const maxPages = 1000

func isNumeric(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func (c *Client) pipelineFrom(p *gl.Pipeline) Pipeline {
	out := Pipeline{
		ID:         p.ID,
		IID:        p.IID,
		ProjectID:  p.ProjectID,
		Name:       p.Name,
		Ref:        p.Ref,
		SHA:        p.SHA,
		Status:     p.Status,
		Source:     string(p.Source),
		WebURL:     p.WebURL,
		CreatedAt:  p.CreatedAt,
		StartedAt:  p.StartedAt,
		FinishedAt: p.FinishedAt,
		Duration:   time.Duration(p.Duration) * time.Second,
		YAMLErrors: p.YamlErrors,
		Detailed:   true,
	}
	if p.DetailedStatus != nil {
		out.StatusGroup = p.DetailedStatus.Group
	}
	out.ProjectPath = c.projectFromWebURL(p.WebURL)
	return out
}

func (c *Client) pipelineFromInfo(p *gl.PipelineInfo) Pipeline {
	return Pipeline{
		ID:          p.ID,
		IID:         p.IID,
		ProjectID:   p.ProjectID,
		ProjectPath: c.projectFromWebURL(p.WebURL),
		Name:        p.Name,
		Ref:         p.Ref,
		SHA:         p.SHA,
		Status:      p.Status,
		Source:      p.Source,
		WebURL:      p.WebURL,
		CreatedAt:   p.CreatedAt,
	}
}

// projectFromWebURL reads the project's full path out of a web URL such as
// https://host/group/proj/-/pipelines/5 (the instance may sit in a
// subfolder). It returns "" when the URL does not have that shape.
func (c *Client) projectFromWebURL(web string) string {
	if web == "" {
		return ""
	}
	u, err := url.Parse(web)
	if err != nil {
		return ""
	}
	p := u.Path
	if !strings.HasPrefix(p, c.webRoot) {
		return ""
	}
	p = strings.TrimPrefix(p, c.webRoot)
	if i := strings.Index(p, "/-/"); i > 0 {
		return p[:i]
	}
	// Old GitLab versions had no "/-/" scope: group/proj/pipelines/5.
	for _, kind := range []string{"/pipelines/", "/jobs/", "/merge_requests/"} {
		if i := strings.LastIndex(p, kind); i > 0 && isNumeric(strings.Trim(p[i+len(kind):], "/")) {
			return p[:i]
		}
	}
	return ""
}

func (c *Client) jobFrom(j *gl.Job, pipelineID, projectID int64, projectPath string) Job {
	out := Job{
		ID:            j.ID,
		Name:          j.Name,
		Stage:         j.Stage,
		Status:        j.Status,
		FailureReason: j.FailureReason,
		AllowFailure:  j.AllowFailure,
		PipelineID:    pipelineID,
		ProjectID:     projectID,
		ProjectPath:   projectPath,
		Ref:           j.Ref,
		SHA:           j.Pipeline.Sha,
		Duration:      seconds(j.Duration),
		QueuedFor:     seconds(j.QueuedDuration),
		WebURL:        j.WebURL,
		CreatedAt:     j.CreatedAt,
		StartedAt:     j.StartedAt,
		FinishedAt:    j.FinishedAt,
		RunnerTags:    j.TagList,
	}
	if j.Pipeline.ID != 0 {
		out.PipelineID = j.Pipeline.ID
	}
	if out.SHA == "" && j.Commit != nil {
		out.SHA = j.Commit.ID
	}
	for _, a := range j.Artifacts {
		out.Artifacts = append(out.Artifacts, Artifact{
			FileType: a.FileType, Filename: a.Filename, Size: a.Size, FileFormat: a.FileFormat,
		})
	}
	return out
}

func (c *Client) bridgeJobFrom(b *gl.Bridge, pipelineID, projectID int64, projectPath string) Job {
	return Job{
		ID:            b.ID,
		Name:          b.Name,
		Stage:         b.Stage,
		Status:        b.Status,
		FailureReason: b.FailureReason,
		AllowFailure:  b.AllowFailure,
		PipelineID:    pipelineID,
		ProjectID:     projectID,
		ProjectPath:   projectPath,
		Ref:           b.Ref,
		SHA:           b.Pipeline.SHA,
		Duration:      seconds(b.Duration),
		QueuedFor:     seconds(b.QueuedDuration),
		WebURL:        b.WebURL,
		CreatedAt:     b.CreatedAt,
		StartedAt:     b.StartedAt,
		FinishedAt:    b.FinishedAt,
		Bridge:        true,
	}
}

func seconds(f float64) time.Duration {
	if f <= 0 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

func mergeRequestFrom(mr *gl.BasicMergeRequest) MergeRequest {
	return MergeRequest{
		ID:              mr.ID,
		IID:             mr.IID,
		ProjectID:       mr.ProjectID,
		SourceProjectID: mr.SourceProjectID,
		TargetProjectID: mr.TargetProjectID,
		Title:           mr.Title,
		State:           mr.State,
		SourceBranch:    mr.SourceBranch,
		TargetBranch:    mr.TargetBranch,
		SHA:             mr.SHA,
		WebURL:          mr.WebURL,
	}
}

func noteFrom(n *gl.Note) Note {
	return Note{
		ID:        n.ID,
		Body:      n.Body,
		Author:    n.Author.Username,
		System:    n.System,
		CreatedAt: n.CreatedAt,
		UpdatedAt: n.UpdatedAt,
	}
}
