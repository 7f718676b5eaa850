package gitlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"
)

// MaxRawFileBytes is the largest repository file RawFile reads.
const MaxRawFileBytes = 16 << 20

// errTooLarge stops the copy of an answer over MaxRawFileBytes.
var errTooLarge = errors.New("file too large")

// RawFile returns the content of a repository file as it is at ref (a
// commit SHA, branch or tag): GET /projects/:id/repository/files/:file_path/raw?ref=
// with the whole path escaped as one segment ("docs%2F%2Egitlab-ci%2Eyml").
// path is relative to the root of the repository; a leading "/" is
// dropped. A missing file or ref wraps ErrNotFound. The content is read
// whole, at most MaxRawFileBytes, within the request timeout. The caller
// must Close the result.
func (c *Client) RawFile(ctx context.Context, project, path, ref string) (io.ReadCloser, error) {
	path = strings.TrimLeft(path, "/")
	if path == "" {
		return nil, fmt.Errorf("repository file in %s: empty path", project)
	}
	what := "file " + path
	if ref = strings.TrimSpace(ref); ref == "" {
		return nil, fmt.Errorf("%s in %s: no ref given", what, project)
	}
	what += " at " + shortSHA(ref)
	ctx, cancel := c.reqCtx(ctx)
	defer cancel()
	p := fmt.Sprintf("projects/%s/repository/files/%s/raw", projectPath(project), projectPath(path))
	req, err := c.api.NewRequest(http.MethodGet, p, &gl.GetRawFileOptions{Ref: gl.Ptr(ref)},
		[]gl.RequestOptionFunc{gl.WithContext(ctx)})
	if err != nil {
		return nil, c.wrapErr(err, what, project)
	}
	req.Header.Set("Accept", "*/*")
	w := &cappedBuffer{max: MaxRawFileBytes}
	if _, err := c.api.Do(req, w); err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, fmt.Errorf("%s in %s: larger than %d MiB", what, project, MaxRawFileBytes>>20)
		}
		return nil, c.wrapErr(err, what, project)
	}
	return io.NopCloser(bytes.NewReader(w.buf.Bytes())), nil
}

// cappedBuffer collects at most max bytes and fails the write past them.
type cappedBuffer struct {
	buf bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.max {
		return 0, errTooLarge
	}
	return b.buf.Write(p)
}
