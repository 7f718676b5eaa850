package fakegitlab

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	maxTraceWindow = 500 * 1024 // Gitlab::Ci::Trace::Stream::LIMIT_SIZE
	maxNoteBody    = 1_000_000
)

// paginate writes GitLab's offset-pagination headers for a list of n items
// and returns the slice bounds of the requested page. It answers 400 itself
// on a bad parameter. counted=false drops the totals, as GitLab does on
// endpoints paginated without count.
// writePage answers with one page of list, each item rendered in GitLab's
// shape, with the pagination headers (totals unless counted is false).
func writePage[T, J any](c *call, list []T, counted bool, render func(T) J) {
	lo, hi, ok := c.paginate(len(list), counted)
	if !ok {
		return
	}
	out := make([]J, 0, hi-lo)
	for _, item := range list[lo:hi] {
		out = append(out, render(item))
	}
	c.json(http.StatusOK, out)
}

func (c *call) paginate(n int, counted bool) (lo, hi int, ok bool) {
	q := c.r.URL.Query()
	page, perPage := 1, 20
	if v := q.Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			c.badRequest("page is invalid")
			return 0, 0, false
		}
		page = max(p, 1)
	}
	if v := q.Get("per_page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			c.badRequest("per_page is invalid")
			return 0, 0, false
		}
		perPage = min(max(p, 1), 100)
	}
	counted = counted && !c.opts.OmitTotals
	totalPages := max(1, (n+perPage-1)/perPage)
	lo = min((page-1)*perPage, n)
	hi = min(lo+perPage, n)

	h := c.w.Header()
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Per-Page", strconv.Itoa(perPage))
	next, prev := "", ""
	if hi < n {
		next = strconv.Itoa(page + 1)
	}
	if page > 1 {
		prev = strconv.Itoa(page - 1)
	}
	h["X-Next-Page"] = []string{next}
	h["X-Prev-Page"] = []string{prev}
	if counted {
		h.Set("X-Total", strconv.Itoa(n))
		h.Set("X-Total-Pages", strconv.Itoa(totalPages))
	}
	link := func(p int, rel string) string {
		u := url.URL{Scheme: "http", Host: c.r.Host, RawPath: c.r.URL.EscapedPath()}
		u.Path, _ = url.PathUnescape(u.RawPath)
		qq := c.r.URL.Query()
		qq.Set("page", strconv.Itoa(p))
		qq.Set("per_page", strconv.Itoa(perPage))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if prev != "" {
		links = append(links, link(page-1, "prev"))
	}
	if next != "" {
		links = append(links, link(page+1, "next"))
	}
	links = append(links, link(1, "first"))
	if counted {
		links = append(links, link(totalPages, "last"))
	}
	h.Set("Link", strings.Join(links, ", "))
	return lo, hi, true
}

func (c *call) user() { c.json(http.StatusOK, c.render.currentUser()) }

func (c *call) project() {
	if p := c.projectParam(); p != nil {
		c.json(http.StatusOK, c.render.project(p))
	}
}

var pipelineStatuses = jobStatuses

func (c *call) pipelines() {
	p := c.projectParam()
	if p == nil {
		return
	}
	q := c.r.URL.Query()
	status, scope, source := q.Get("status"), q.Get("scope"), q.Get("source")
	if status != "" && !pipelineStatuses[status] {
		c.badRequest("status does not have a valid value")
		return
	}
	switch scope {
	case "", "running", "pending", "finished", "branches", "tags":
	default:
		c.badRequest("scope does not have a valid value")
		return
	}
	orderBy := orDefault(q.Get("order_by"), "id")
	switch orderBy {
	case "id", "status", "ref", "updated_at", "user_id":
	default:
		c.badRequest("order_by does not have a valid value")
		return
	}
	sortDir := orDefault(q.Get("sort"), "desc")
	if sortDir != "asc" && sortDir != "desc" {
		c.badRequest("sort does not have a valid value")
		return
	}
	var list []*Pipeline
	for _, pl := range c.s.ix.sc.Pipelines {
		if pl.ProjectID != p.ID {
			continue
		}
		src := orDefault(pl.Source, "push")
		if source == "" && src == "parent_pipeline" {
			continue
		}
		if source != "" && src != source {
			continue
		}
		if status != "" && pl.Status != status {
			continue
		}
		if v := q.Get("ref"); v != "" && pl.Ref != v {
			continue
		}
		if v := q.Get("sha"); v != "" && pl.SHA != v {
			continue
		}
		if v := q.Get("name"); v != "" && pl.Name != v {
			continue
		}
		switch scope {
		case "running", "pending":
			if pl.Status != scope {
				continue
			}
		case "finished":
			if !isFinished(pl.Status) {
				continue
			}
		case "tags":
			if !pl.Tag {
				continue
			}
		case "branches":
			if pl.Tag {
				continue
			}
		}
		list = append(list, pl)
	}
	key := func(pl *Pipeline) string {
		switch orderBy {
		case "status":
			return pl.Status
		case "ref":
			return pl.Ref
		case "updated_at":
			return orDefault(pl.UpdatedAt, orDefault(pl.CreatedAt, DefaultTime))
		}
		return ""
	}
	sort.SliceStable(list, func(a, b int) bool {
		ka, kb := key(list[a]), key(list[b])
		if ka != kb {
			if sortDir == "asc" {
				return ka < kb
			}
			return ka > kb
		}
		if sortDir == "asc" {
			return list[a].ID < list[b].ID
		}
		return list[a].ID > list[b].ID
	})
	if scope == "branches" || scope == "tags" {
		// Only the latest pipeline of each ref.
		seen := map[string]bool{}
		kept := list[:0:0]
		for _, pl := range byIDDesc(list) {
			if !seen[pl.Ref] {
				seen[pl.Ref] = true
				kept = append(kept, pl)
			}
		}
		keep := map[*Pipeline]bool{}
		for _, pl := range kept {
			keep[pl] = true
		}
		filtered := list[:0:0]
		for _, pl := range list {
			if keep[pl] {
				filtered = append(filtered, pl)
			}
		}
		list = filtered
	}
	writePage(c, list, true, c.render.pipelineListItem)
}

func byIDDesc(in []*Pipeline) []*Pipeline {
	out := append([]*Pipeline(nil), in...)
	sort.Slice(out, func(a, b int) bool { return out[a].ID > out[b].ID })
	return out
}

func isFinished(status string) bool {
	switch status {
	case "success", "failed", "canceled", "skipped":
		return true
	}
	return false
}

func (c *call) latestPipeline() {
	p := c.projectParam()
	if p == nil {
		return
	}
	ref := orDefault(c.r.URL.Query().Get("ref"), orDefault(p.DefaultBranch, "main"))
	var best *Pipeline
	for _, pl := range c.s.ix.sc.Pipelines {
		if pl.ProjectID == p.ID && pl.Ref == ref && orDefault(pl.Source, "push") != "parent_pipeline" {
			if best == nil || pl.ID > best.ID {
				best = pl
			}
		}
	}
	if best == nil {
		// GitLab authorizes on a nil pipeline and so answers 403.
		c.json(http.StatusForbidden, map[string]string{"message": "403 Forbidden"})
		return
	}
	c.json(http.StatusOK, c.render.pipeline(best))
}

func (c *call) pipeline() {
	p := c.projectParam()
	if p == nil {
		return
	}
	if pl := c.pipelineOf(p); pl != nil {
		c.json(http.StatusOK, c.render.pipeline(pl))
	}
}

func (c *call) pipelineJobs() {
	p := c.projectParam()
	if p == nil {
		return
	}
	pl := c.pipelineOf(p)
	if pl == nil {
		return
	}
	keep, ok := c.scopeFilter()
	if !ok {
		return
	}
	retried := queryBool(c.r.URL.Query(), "include_retried")
	var list []*Job
	for _, j := range c.s.ix.jobsByPipe[pl.ID] {
		if !keep(j.Status) || (!retried && !c.s.ix.current(j)) {
			continue
		}
		list = append(list, j)
	}
	c.writeJobs(list, true)
}

func (c *call) writeJobs(list []*Job, counted bool) {
	writePage(c, list, counted, c.render.job)
}

func (c *call) pipelineBridges() {
	p := c.projectParam()
	if p == nil {
		return
	}
	pl := c.pipelineOf(p)
	if pl == nil {
		return
	}
	keep, ok := c.scopeFilter()
	if !ok {
		return
	}
	var list []*Bridge
	for _, b := range c.s.ix.bridgesByPipe[pl.ID] {
		if keep(b.Status) {
			list = append(list, b)
		}
	}
	writePage(c, list, true, c.render.bridge)
}

const (
	emptyTestReport        = `{"total_time":0,"total_count":0,"success_count":0,"failed_count":0,"skipped_count":0,"error_count":0,"test_suites":[]}`
	emptyTestReportSummary = `{"total":{"time":0,"count":0,"success":0,"failed":0,"skipped":0,"error":0,"suite_error":null},"test_suites":[]}`
)

func (c *call) testReport() { c.rawReport(c.s.ix.sc.TestReports, emptyTestReport) }

func (c *call) testReportSummary() {
	c.rawReport(c.s.ix.sc.TestReportSummaries, emptyTestReportSummary)
}

func (c *call) rawReport(m map[int64]json.RawMessage, empty string) {
	p := c.projectParam()
	if p == nil {
		return
	}
	pl := c.pipelineOf(p)
	if pl == nil {
		return
	}
	body, ok := m[pl.ID]
	if !ok {
		body = json.RawMessage(empty)
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(body)
}

func (c *call) projectJobs() {
	p := c.projectParam()
	if p == nil {
		return
	}
	keep, ok := c.scopeFilter()
	if !ok {
		return
	}
	var list []*Job
	for _, j := range c.s.ix.sc.Jobs {
		if c.s.ix.pipelines[j.PipelineID].ProjectID == p.ID && keep(j.Status) {
			list = append(list, j)
		}
	}
	sort.Slice(list, func(a, b int) bool { return list[a].ID > list[b].ID })
	// GitLab paginates this endpoint without counting.
	c.writeJobs(list, false)
}

func (c *call) job() {
	p := c.projectParam()
	if p == nil {
		return
	}
	if j := c.jobOf(p); j != nil {
		c.json(http.StatusOK, c.render.job(j))
	}
}

func (c *call) trace() {
	p := c.projectParam()
	if p == nil {
		return
	}
	j := c.jobOf(p)
	if j == nil {
		return
	}
	body := c.s.ix.sc.Traces[j.ID]
	q := c.r.URL.Query()
	if !c.opts.LegacyTrace && (q.Has("byte_offset") || q.Has("byte_limit")) {
		off, limit := 0, maxTraceWindow
		if v := q.Get("byte_offset"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				c.badRequest("byte_offset does not have a valid value")
				return
			}
			off = n
		}
		if v := q.Get("byte_limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxTraceWindow {
				c.badRequest("byte_limit does not have a valid value")
				return
			}
			limit = n
		}
		off = min(off, len(body))
		body = body[off:min(off+limit, len(body))]
	}
	const ctype = "text/plain"
	disp := fmt.Sprintf("infile; filename=%q", strconv.FormatInt(j.ID, 10)+".log")
	if c.redirect(fmt.Sprintf("%d.log", j.ID), body, ctype, disp) {
		return
	}
	c.w.Header().Set("Content-Type", ctype)
	c.w.Header().Set("Content-Disposition", disp)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(body)
}

// redirect answers with a redirect to the object store when one is set.
func (c *call) redirect(name string, body []byte, ctype, disp string) bool {
	store := c.opts.Redirect
	if store == nil {
		return false
	}
	status := c.opts.RedirectStatus
	if status == 0 {
		status = http.StatusFound
	}
	loc := store.put(name, body, ctype, disp)
	c.w.Header().Set("Location", loc)
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.WriteHeader(status)
	fmt.Fprintf(c.w, "<html><body>You are being <a href=%q>redirected</a>.</body></html>", loc)
	return true
}

func (c *call) artifacts() {
	p := c.projectParam()
	if p == nil {
		return
	}
	j := c.jobOf(p)
	if j == nil {
		return
	}
	z, ok := c.s.ix.zips[j.ID]
	if !ok {
		c.notFound("Not found")
		return
	}
	const ctype = "application/zip"
	disp := `attachment; filename="artifacts.zip"; filename*=UTF-8''artifacts.zip`
	if c.redirect("artifacts.zip", z, ctype, disp) {
		return
	}
	c.w.Header().Set("Content-Type", ctype)
	c.w.Header().Set("Content-Disposition", disp)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(z)
}

func (c *call) artifactFile() {
	p := c.projectParam()
	if p == nil {
		return
	}
	j := c.jobOf(p)
	if j == nil {
		return
	}
	name := c.params["path"]
	clean := path.Clean(name)
	if clean != name || strings.HasPrefix(clean, "../") || clean == ".." || strings.HasPrefix(clean, "/") {
		c.json(http.StatusBadRequest, map[string]string{"message": "400 Bad request"})
		return
	}
	files, ok := c.s.ix.sc.Artifacts[j.ID]
	if !ok {
		c.notFound("Not found")
		return
	}
	data, ok := files[name]
	if !ok {
		c.notFound("Not found")
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	disp := fmt.Sprintf("attachment; filename=%q", path.Base(name))
	if c.redirect(path.Base(name), data, ctype, disp) {
		return
	}
	c.w.Header().Set("Content-Type", ctype)
	c.w.Header().Set("Content-Disposition", disp)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(data)
}

func (c *call) mergeRequests() {
	p := c.projectParam()
	if p == nil {
		return
	}
	q := c.r.URL.Query()
	state := orDefault(q.Get("state"), "all")
	switch state {
	case "opened", "closed", "locked", "merged", "all":
	default:
		c.badRequest("state does not have a valid value")
		return
	}
	var list []*MergeRequest
	for _, mr := range c.s.ix.sc.MergeRequests {
		if mr.ProjectID != p.ID {
			continue
		}
		if state != "all" && orDefault(mr.State, "opened") != state {
			continue
		}
		if v := q.Get("source_branch"); v != "" && mr.SourceBranch != v {
			continue
		}
		if v := q.Get("target_branch"); v != "" && orDefault(mr.TargetBranch, orDefault(p.DefaultBranch, "main")) != v {
			continue
		}
		list = append(list, mr)
	}
	sort.Slice(list, func(a, b int) bool { return list[a].ID > list[b].ID })
	writePage(c, list, true, c.render.mrList)
}

func (c *call) mergeRequest() {
	p := c.projectParam()
	if p == nil {
		return
	}
	if mr := c.mrOf(p); mr != nil {
		c.json(http.StatusOK, c.render.mr(mr))
	}
}

func (c *call) mergeRequestPipelines() {
	p := c.projectParam()
	if p == nil {
		return
	}
	mr := c.mrOf(p)
	if mr == nil {
		return
	}
	src := mr.SourceProjectID
	if src == 0 {
		src = mr.ProjectID
	}
	prefix := fmt.Sprintf("refs/merge-requests/%d/", mr.IID)
	var list []*Pipeline
	for _, pl := range c.s.ix.sc.Pipelines {
		if orDefault(pl.Source, "push") == "parent_pipeline" {
			continue
		}
		if (pl.ProjectID == src && pl.Ref == mr.SourceBranch) || (pl.ProjectID == mr.ProjectID && strings.HasPrefix(pl.Ref, prefix)) {
			list = append(list, pl)
		}
	}
	list = byIDDesc(list)
	writePage(c, list, true, c.render.pipelineBasic)
}

func (c *call) listNotes() {
	p := c.projectParam()
	if p == nil {
		return
	}
	mr := c.mrOf(p)
	if mr == nil {
		return
	}
	q := c.r.URL.Query()
	orderBy := orDefault(q.Get("order_by"), "created_at")
	sortDir := orDefault(q.Get("sort"), "desc")
	if orderBy != "created_at" && orderBy != "updated_at" {
		c.badRequest("order_by does not have a valid value")
		return
	}
	if sortDir != "asc" && sortDir != "desc" {
		c.badRequest("sort does not have a valid value")
		return
	}
	notes := c.s.Notes(p.ID, mr.IID)
	sort.SliceStable(notes, func(a, b int) bool {
		ka, kb := notes[a].CreatedAt, notes[b].CreatedAt
		if orderBy == "updated_at" {
			ka, kb = notes[a].UpdatedAt, notes[b].UpdatedAt
		}
		if ka == kb {
			ka, kb = fmt.Sprintf("%020d", notes[a].ID), fmt.Sprintf("%020d", notes[b].ID)
		}
		if sortDir == "asc" {
			return ka < kb
		}
		return ka > kb
	})
	lo, hi, ok := c.paginate(len(notes), true)
	if !ok {
		return
	}
	c.json(http.StatusOK, notes[lo:hi])
}

// noteBody reads "body" from a form or JSON request; "" when missing.
func (c *call) noteBody() (string, bool) {
	ct, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var in struct {
			Body *string `json:"body"`
		}
		raw, err := io.ReadAll(io.LimitReader(c.r.Body, 8<<20))
		if err != nil || json.Unmarshal(raw, &in) != nil {
			c.json(http.StatusBadRequest, map[string]string{"message": "400 Bad request"})
			return "", false
		}
		if in.Body == nil || *in.Body == "" {
			c.badRequest("body is missing")
			return "", false
		}
		return *in.Body, true
	}
	if err := c.r.ParseForm(); err != nil {
		c.json(http.StatusBadRequest, map[string]string{"message": "400 Bad request"})
		return "", false
	}
	b := c.r.Form.Get("body")
	if b == "" {
		c.badRequest("body is missing")
		return "", false
	}
	return b, true
}

func (c *call) timestamp() string {
	now := time.Now()
	if c.opts.Now != nil {
		now = c.opts.Now()
	}
	return now.UTC().Format("2006-01-02T15:04:05.000Z")
}

func (c *call) createNote() {
	p := c.projectParam()
	if p == nil {
		return
	}
	mr := c.mrOf(p)
	if mr == nil {
		return
	}
	body, ok := c.noteBody()
	if !ok {
		return
	}
	if len([]rune(body)) > maxNoteBody {
		c.json(http.StatusBadRequest, map[string]any{"message": map[string][]string{"note": {"is too long (maximum is 1000000 characters)"}}})
		return
	}
	ts := c.timestamp()
	s := c.s
	s.mu.Lock()
	s.nextNote++
	n := &Note{
		ID: s.nextNote, Body: body, Author: c.render.user(), CreatedAt: ts, UpdatedAt: ts,
		NoteableID: mr.ID, NoteableType: "MergeRequest", ProjectID: p.ID, NoteableIID: mr.IID,
		Internal: queryBool(c.r.Form, "internal"), ImportedFrom: "none",
	}
	n.Confidential = n.Internal
	k := [2]int64{p.ID, mr.IID}
	s.notes[k] = append(s.notes[k], n)
	out := *n
	s.mu.Unlock()
	c.json(http.StatusCreated, out)
}

func (c *call) updateNote() {
	p := c.projectParam()
	if p == nil {
		return
	}
	mr := c.mrOf(p)
	if mr == nil {
		return
	}
	nid, err := strconv.ParseInt(c.params["nid"], 10, 64)
	if err != nil {
		c.badRequest("note_id is invalid")
		return
	}
	body, ok := c.noteBody()
	if !ok {
		return
	}
	ts := c.timestamp()
	s := c.s
	s.mu.Lock()
	var found *Note
	for _, n := range s.notes[[2]int64{p.ID, mr.IID}] {
		if n.ID == nid {
			found = n
			break
		}
	}
	if found == nil {
		s.mu.Unlock()
		c.notFound("Not found")
		return
	}
	found.Body = body
	found.UpdatedAt = ts
	out := *found
	s.mu.Unlock()
	c.json(http.StatusOK, out)
}
