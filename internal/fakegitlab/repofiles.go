package fakegitlab

import (
	"net/http"
	"path"
	"strings"
)

// rawFile answers GET /projects/:id/repository/files/:file_path/raw as
// GitLab does: the file's bytes as text/plain at ref (default: the default
// branch), which must be a commit, branch or tag the project knows (else
// 404 "Commit Not Found"); a file the project does not have is 404 "File
// Not Found". The file path is one escaped path element ("a%2Fb.yml"), as
// GitLab requires. Every known ref has the same files.
func (c *call) rawFile() {
	p := c.projectParam()
	if p == nil {
		return
	}
	name := c.params["file_path"]
	if clean := path.Clean(name); clean != name || strings.HasPrefix(clean, "../") || clean == ".." || strings.HasPrefix(clean, "/") {
		c.badRequest("file_path should be a valid file path")
		return
	}
	ref := c.r.URL.Query().Get("ref")
	if ref == "" {
		ref = orDefault(p.DefaultBranch, "main")
	}
	if !c.knownCommit(p, ref) {
		c.notFound("Commit Not Found")
		return
	}
	data, ok := p.Files[name]
	if !ok && name == ".gitlab-ci.yml" && p.CIConfig != "" {
		data, ok = p.CIConfig, true
	}
	if !ok {
		c.notFound("File Not Found")
		return
	}
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.Header().Set("X-Gitlab-File-Path", name)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write([]byte(data))
}
