package fakegitlab

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// AuthKind is how a request presented its credential.
type AuthKind string

// Credential kinds seen in requests.
const (
	AuthNone         AuthKind = "none"
	AuthPrivateToken AuthKind = "private-token"
	AuthBearer       AuthKind = "bearer"
	AuthJobToken     AuthKind = "job-token"
)

// Request is one request the server received.
type Request struct {
	Seq    int      // 1-based arrival order
	Method string   // GET, POST, ...
	Path   string   // escaped path, e.g. /api/v4/projects/acme%2Fwidgets/pipelines/1
	Query  string   // raw query
	Auth   AuthKind // which credential header was sent
	Route  string   // the route pattern that matched, "" for an unknown request
	Status int      // the status answered
	Header http.Header
}

// String renders the request as "GET /api/v4/...?query".
func (r Request) String() string {
	if r.Query == "" {
		return r.Method + " " + r.Path
	}
	return r.Method + " " + r.Path + "?" + r.Query
}

// Server is a fake GitLab serving one Scenario on loopback.
type Server struct {
	// URL is the server's origin (http://127.0.0.1:port); the API is at
	// URL + "/api/v4".
	URL string

	srv *httptest.Server
	ix  *index

	mu          sync.Mutex
	opts        Options
	faultUsed   []int
	log         []Request
	notes       map[[2]int64][]*Note
	nextNote    int64
	observed    int
	inFlight    atomic.Int64
	maxInFlight atomic.Int64
}

// New starts a server for sc. Close it when done.
func New(sc *Scenario, opts Options) (*Server, error) {
	ix, err := newIndex(sc)
	if err != nil {
		return nil, fmt.Errorf("checking scenario: %w", err)
	}
	s := &Server{ix: ix, notes: map[[2]int64][]*Note{}, nextNote: 3000}
	s.SetOptions(opts)
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s, nil
}

// NewTB starts a server for sc that is closed at the end of the test, and
// fails the test for every request the server did not know.
func NewTB(tb testing.TB, sc *Scenario, opts Options) *Server {
	tb.Helper()
	s, err := New(sc, opts)
	if err != nil {
		tb.Fatalf("starting fake GitLab: %v", err)
	}
	tb.Cleanup(func() {
		s.Close()
		for _, r := range s.Unexpected() {
			tb.Errorf("unexpected request: %s", r)
		}
	})
	return s
}

// APIURL is the base of the REST API, URL + "/api/v4".
func (s *Server) APIURL() string { return s.URL + "/api/v4" }

// Host is the server's host:port, as glab's config names a host.
func (s *Server) Host() string { return strings.TrimPrefix(s.URL, "http://") }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server and waits for requests in flight.
func (s *Server) Close() { s.srv.Close() }

// SetOptions replaces the options and resets the fault counters.
func (s *Server) SetOptions(o Options) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts = o
	s.opts.Faults = append([]Fault(nil), o.Faults...)
	s.faultUsed = make([]int, len(o.Faults))
}

// Options returns the options in force.
func (s *Server) Options() Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.opts
	o.Faults = append([]Fault(nil), s.opts.Faults...)
	return o
}

// Requests returns every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Unexpected returns the requests that matched no route.
func (s *Server) Unexpected() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Route == "" {
			out = append(out, r)
		}
	}
	return out
}

// MaxInFlight is the largest number of API requests served at once so far.
func (s *Server) MaxInFlight() int { return int(s.maxInFlight.Load()) }

// Notes returns the notes of a merge request, oldest first.
func (s *Server) Notes(projectID, mrIID int64) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Note
	for _, n := range s.notes[[2]int64{projectID, mrIID}] {
		out = append(out, *n)
	}
	return out
}

// route is one API route: a pattern of path elements below /api/v4 where
// ":x" matches one element and "*x" the rest of the path.
type route struct {
	method  string
	pattern string
	parts   []string
	jobOK   bool // JOB-TOKEN accepted
	handle  func(*call)
}

// call is one request being answered.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	params map[string]string
	rec    *Request
	render renderer
	opts   Options
}

func routes() []*route {
	rs := []*route{
		{method: "GET", pattern: "user", handle: (*call).user},
		{method: "GET", pattern: "projects/:id", handle: (*call).project},
		{method: "GET", pattern: "projects/:id/pipelines", jobOK: true, handle: (*call).pipelines},
		{method: "GET", pattern: "projects/:id/pipelines/latest", handle: (*call).latestPipeline},
		{method: "GET", pattern: "projects/:id/pipelines/:pid", jobOK: true, handle: (*call).pipeline},
		{method: "GET", pattern: "projects/:id/pipelines/:pid/jobs", jobOK: true, handle: (*call).pipelineJobs},
		{method: "GET", pattern: "projects/:id/pipelines/:pid/bridges", jobOK: true, handle: (*call).pipelineBridges},
		{method: "GET", pattern: "projects/:id/pipelines/:pid/test_report", handle: (*call).testReport},
		{method: "GET", pattern: "projects/:id/pipelines/:pid/test_report_summary", handle: (*call).testReportSummary},
		{method: "GET", pattern: "projects/:id/jobs", jobOK: true, handle: (*call).projectJobs},
		{method: "GET", pattern: "projects/:id/jobs/:jid", handle: (*call).job},
		{method: "GET", pattern: "projects/:id/jobs/:jid/trace", handle: (*call).trace},
		{method: "GET", pattern: "projects/:id/jobs/:jid/artifacts", jobOK: true, handle: (*call).artifacts},
		{method: "GET", pattern: "projects/:id/jobs/:jid/artifacts/*path", jobOK: true, handle: (*call).artifactFile},
		{method: "GET", pattern: "projects/:id/ci/lint", handle: (*call).ciLint},
		{method: "GET", pattern: "projects/:id/repository/files/:file_path/raw", handle: (*call).rawFile},
		{method: "GET", pattern: "projects/:id/merge_requests", handle: (*call).mergeRequests},
		{method: "GET", pattern: "projects/:id/merge_requests/:iid", handle: (*call).mergeRequest},
		{method: "GET", pattern: "projects/:id/merge_requests/:iid/pipelines", handle: (*call).mergeRequestPipelines},
		{method: "GET", pattern: "projects/:id/merge_requests/:iid/notes", handle: (*call).listNotes},
		{method: "POST", pattern: "projects/:id/merge_requests/:iid/notes", handle: (*call).createNote},
		{method: "PUT", pattern: "projects/:id/merge_requests/:iid/notes/:nid", handle: (*call).updateNote},
	}
	for _, r := range rs {
		r.parts = strings.Split(r.pattern, "/")
	}
	return rs
}

var allRoutes = routes()

// match finds the route for an escaped path below /api/v4. Literal
// elements win over parameters (pipelines/latest before pipelines/:pid).
func match(method, rel string) (*route, map[string]string) {
	elems := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	var best *route
	var bestParams map[string]string
	bestScore := -1
	for _, rt := range allRoutes {
		if rt.method != method {
			continue
		}
		if params, score, ok := matchRoute(rt, elems); ok && score > bestScore {
			best, bestParams, bestScore = rt, params, score
		}
	}
	return best, bestParams
}

func matchRoute(rt *route, elems []string) (map[string]string, int, bool) {
	params := map[string]string{}
	score := 0
	for i, p := range rt.parts {
		if i >= len(elems) {
			return nil, 0, false
		}
		switch {
		case strings.HasPrefix(p, "*"):
			rest := strings.Join(elems[i:], "/")
			v, err := url.PathUnescape(rest)
			if err != nil || rest == "" {
				return nil, 0, false
			}
			params[p[1:]] = v
			return params, score, true
		case strings.HasPrefix(p, ":"):
			v, err := url.PathUnescape(elems[i])
			if err != nil || v == "" {
				return nil, 0, false
			}
			params[p[1:]] = v
		case p == elems[i]:
			score++
		default:
			return nil, 0, false
		}
	}
	if len(elems) != len(rt.parts) {
		return nil, 0, false
	}
	return params, score, true
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxInFlight.Load()
		if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}

	escaped := r.URL.EscapedPath()
	const prefix = "/api/v4/"
	var rt *route
	var params map[string]string
	if strings.HasPrefix(escaped, prefix) {
		rt, params = match(r.Method, escaped[len(prefix)-1:])
	}
	rec := &Request{Method: r.Method, Path: escaped, Query: r.URL.RawQuery, Auth: authKind(r.Header), Header: r.Header.Clone()}
	if rt != nil {
		rec.Route = rt.pattern
	}
	s.mu.Lock()
	s.log = append(s.log, *rec)
	rec.Seq = len(s.log)
	s.log[rec.Seq-1].Seq = rec.Seq
	opts := s.opts
	s.observed++
	observed := s.observed
	s.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		rec.Status = sw.status
		s.log[rec.Seq-1] = *rec
		s.mu.Unlock()
	}()

	if opts.Latency > 0 {
		t := time.NewTimer(opts.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			sw.WriteHeader(499) // client closed the request
			return
		}
	}
	if rt == nil {
		writeJSON(sw, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	}

	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	const limit = 2000
	h := sw.Header()
	h.Set("RateLimit-Name", "throttle_authenticated_api")
	h.Set("RateLimit-Limit", strconv.Itoa(limit))
	h.Set("RateLimit-Observed", strconv.Itoa(observed))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(0, limit-observed)))
	reset := now.Truncate(time.Minute).Add(time.Minute)
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))

	if opts.Unauthorized {
		writeJSON(sw, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	if f, ok := s.takeFault(r.Method, escaped[len(prefix)-1:]); ok {
		writeFault(sw, f, reset)
		return
	}
	if !s.authorized(r.Header, rt.jobOK) {
		writeJSON(sw, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
		return
	}
	web := opts.WebBaseURL
	if web == "" {
		web = s.ix.sc.WebBaseURL
	}
	if web == "" {
		web = "http://" + r.Host
	}
	c := &call{s: s, w: sw, r: r, params: params, rec: rec, opts: opts,
		render: renderer{ix: s.ix, web: strings.TrimRight(web, "/")}}
	rt.handle(c)
}

func (s *Server) takeFault(method, rel string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.opts.Faults {
		if !f.matches(method, rel) {
			continue
		}
		if f.Times > 0 && s.faultUsed[i] >= f.Times {
			continue
		}
		s.faultUsed[i]++
		return f, true
	}
	return Fault{}, false
}

func writeFault(w http.ResponseWriter, f Fault, reset time.Time) {
	switch f.Status {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		w.Header().Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(f.Status)
		fmt.Fprint(w, orDefault(f.Body, "Retry later\n"))
		return
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprint(w, orDefault(f.Body, fmt.Sprintf("<!DOCTYPE html>\n<html><head><title>GitLab is not responding (%d)</title></head><body><h1>%d</h1></body></html>\n", f.Status, f.Status)))
		return
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		fmt.Fprint(w, f.Body)
		return
	}
	msg := strconv.Itoa(f.Status) + " " + http.StatusText(f.Status)
	writeJSON(w, f.Status, map[string]string{"message": msg})
}

func authKind(h http.Header) AuthKind {
	switch {
	case h.Get("PRIVATE-TOKEN") != "":
		return AuthPrivateToken
	case h.Get("JOB-TOKEN") != "":
		return AuthJobToken
	case strings.HasPrefix(h.Get("Authorization"), "Bearer "):
		return AuthBearer
	}
	return AuthNone
}

func (s *Server) authorized(h http.Header, jobOK bool) bool {
	if t := h.Get("PRIVATE-TOKEN"); t != "" {
		return s.ix.tokens[t] == TokenPersonal
	}
	if a := h.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		k := s.ix.tokens[strings.TrimPrefix(a, "Bearer ")]
		return k == TokenPersonal || k == TokenOAuth
	}
	if t := h.Get("JOB-TOKEN"); t != "" {
		return jobOK && s.ix.tokens[t] == TokenJob
	}
	return false
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"message":"500 Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (c *call) json(status int, v any) { writeJSON(c.w, status, v) }

func (c *call) notFound(what string) {
	c.json(http.StatusNotFound, map[string]string{"message": "404 " + what})
}

func (c *call) badRequest(errText string) {
	c.json(http.StatusBadRequest, map[string]string{"error": errText})
}

// project resolves :id, a number or a full path, and answers 404 itself.
func (c *call) projectParam() *Project {
	id := c.params["id"]
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		if p := c.s.ix.projects[n]; p != nil {
			return p
		}
	} else if p := c.s.ix.projectByPath[strings.ToLower(id)]; p != nil {
		return p
	}
	c.notFound("Project Not Found")
	return nil
}

func (c *call) pipelineOf(p *Project) *Pipeline {
	pid, err := strconv.ParseInt(c.params["pid"], 10, 64)
	if err != nil {
		c.badRequest("pipeline_id is invalid")
		return nil
	}
	pl := c.s.ix.pipelines[pid]
	if pl == nil || pl.ProjectID != p.ID {
		c.notFound("Not found")
		return nil
	}
	return pl
}

func (c *call) jobOf(p *Project) *Job {
	jid, err := strconv.ParseInt(c.params["jid"], 10, 64)
	if err != nil {
		c.badRequest("job_id is invalid")
		return nil
	}
	j := c.s.ix.jobs[jid]
	if j == nil || c.s.ix.pipelines[j.PipelineID].ProjectID != p.ID {
		c.notFound("Not found")
		return nil
	}
	return j
}

func (c *call) mrOf(p *Project) *MergeRequest {
	iid, err := strconv.ParseInt(c.params["iid"], 10, 64)
	if err != nil {
		c.badRequest("merge_request_iid is invalid")
		return nil
	}
	mr := c.s.ix.mrs[[2]int64{p.ID, iid}]
	if mr == nil {
		c.notFound("Not found")
		return nil
	}
	return mr
}

// queryList reads a parameter given as name=a, name[]=a&name[]=b or a
// comma-separated list.
func queryList(q url.Values, name string) []string {
	var out []string
	for _, v := range append(q[name], q[name+"[]"]...) {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

var jobStatuses = map[string]bool{
	"created": true, "waiting_for_resource": true, "preparing": true, "waiting_for_callback": true, "pending": true,
	"running": true, "success": true, "failed": true, "canceling": true, "canceled": true, "skipped": true,
	"manual": true, "scheduled": true,
}

// scopeFilter parses scope / scope[] and answers 400 itself on a bad value.
func (c *call) scopeFilter() (func(status string) bool, bool) {
	scopes := queryList(c.r.URL.Query(), "scope")
	set := map[string]bool{}
	for _, sc := range scopes {
		if !jobStatuses[sc] {
			c.badRequest("scope does not have a valid value")
			return nil, false
		}
		set[sc] = true
	}
	return func(status string) bool { return len(set) == 0 || set[status] }, true
}

func queryBool(q url.Values, name string) bool {
	b, _ := strconv.ParseBool(q.Get(name))
	return b
}
