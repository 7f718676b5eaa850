package gitlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	gl "gitlab.com/gitlab-org/api/client-go"
)

// MergedCIConfig returns the project's CI configuration as it was at sha,
// with every include: expanded and extends: applied: the merged_yaml of
// GET /projects/:id/ci/lint?content_ref=<sha> (a static check, no dry run).
//
// The answer covers the project's own configuration file only; the
// configuration of a child pipeline (trigger:include) is not part of it.
// GitLab before 16.10 ignores content_ref and lints the default branch.
//
// A 403 wraps ErrForbidden: the lint API needs more access than reading
// pipelines (read access to the code, Developer on older GitLab), so the
// caller should turn it into a warning.
func (c *Client) MergedCIConfig(ctx context.Context, project, sha string) (string, error) {
	if strings.TrimSpace(sha) == "" {
		return "", fmt.Errorf("ci configuration of %s: no commit given", project)
	}
	what := "ci configuration at " + shortSHA(sha)
	ctx, cancel := c.reqCtx(ctx)
	defer cancel()
	res, _, err := c.api.Validate.ProjectLint(project, &gl.ProjectLintOptions{
		ContentRef: gl.Ptr(sha),
	}, gl.WithContext(ctx))
	if err != nil {
		err = c.wrapErr(err, what, project)
		var ae *APIError
		if errors.As(err, &ae) && errors.Is(ae, ErrForbidden) && ae.Scope == "" {
			ae.Hint = "reading the merged CI configuration (ci/lint) needs read access to the repository (Developer on older GitLab)"
		}
		return "", err
	}
	if res == nil {
		return "", fmt.Errorf("%s in %s: empty answer", what, project)
	}
	if strings.TrimSpace(res.MergedYaml) == "" {
		if !res.Valid && len(res.Errors) > 0 {
			return "", fmt.Errorf("%s in %s is invalid: %s", what, project, c.redact(shorten(res.Errors[0], 300)))
		}
		return "", fmt.Errorf("%s in %s: gitlab returned no merged configuration", what, project)
	}
	return res.MergedYaml, nil
}

func shortSHA(sha string) string {
	if len(sha) > 12 && isHex(sha) {
		return sha[:12]
	}
	return sha
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// JobArtifactsArchive streams a job's artifacts archive, a zip
// (GET /projects/:id/jobs/:job_id/artifacts), with its size in bytes from
// Content-Length, or -1 when the server does not say. GitLab may redirect to
// object storage; the redirected request carries no credentials. Nothing of
// the body is read before the caller reads, so a caller that finds the size
// too large can Close at once. The caller must Close the result.
func (c *Client) JobArtifactsArchive(ctx context.Context, project string, jobID int64) (io.ReadCloser, int64, error) {
	p := fmt.Sprintf("projects/%s/jobs/%d/artifacts", projectPath(project), jobID)
	what := fmt.Sprintf("artifacts archive of job %d", jobID)

	sctx, cancel := context.WithCancel(ctx)
	hctx, hcancel := context.WithCancelCause(sctx)
	sizes := make(chan int64, 1)
	onResponse := func(r *retryablehttp.Request) error {
		r.SetResponseHandler(func(resp *http.Response) error {
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				select {
				case sizes <- resp.ContentLength:
				default:
				}
			}
			return nil
		})
		return nil
	}
	req, err := c.api.NewRequest(http.MethodGet, p, nil, []gl.RequestOptionFunc{gl.WithContext(hctx), onResponse})
	if err != nil {
		hcancel(nil)
		cancel()
		return nil, 0, c.wrapErr(err, what, project)
	}
	req.Header.Set("Accept", "*/*")
	pr, pw := io.Pipe()
	done := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		defer close(done)
		_, err := c.api.Do(req, pw)
		result <- err
		_ = pw.CloseWithError(err)
	}()
	s := &stream{r: pr, cancel: func() { hcancel(nil); cancel() }, done: done}

	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	select {
	case n := <-sizes:
		return s, n, nil
	case err := <-result:
		if err != nil {
			_ = s.Close()
			return nil, 0, c.wrapErr(err, what, project)
		}
		// A success whose (empty) body was already copied.
		n := int64(-1)
		select {
		case n = <-sizes:
		default:
		}
		return s, n, nil
	case <-timer.C:
		hcancel(fmt.Errorf("no answer within %s: %w", c.timeout, context.DeadlineExceeded))
		<-done
		err := <-result
		_ = s.Close()
		if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, 0, fmt.Errorf("%s in %s: no answer within %s: %w", what, project, c.timeout, context.DeadlineExceeded)
		}
		return nil, 0, c.wrapErr(err, what, project)
	}
}
