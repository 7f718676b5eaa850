package gitlab

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "glpat-TESTTOKEN-0123456789"

// fakeAPI is a loopback GitLab API that routes on the method and the
// escaped path, fails the test on an unexpected request, and fails it at
// cleanup for a required route that was never requested.
type fakeAPI struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	routes   map[string]http.HandlerFunc
	optional map[string]bool
	hits     map[string]int
	requests []*http.Request // clones, for header checks
}

func newFakeAPI(t testing.TB) *fakeAPI {
	t.Helper()
	f := &fakeAPI{
		t:        t,
		routes:   map[string]http.HandlerFunc{},
		optional: map[string]bool{},
		hits:     map[string]int{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, k := range slices.Sorted(maps.Keys(f.routes)) {
			if f.hits[k] == 0 && !f.optional[k] {
				t.Errorf("route never requested: %s", k)
			}
		}
	})
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + r.URL.EscapedPath()
	f.mu.Lock()
	h, ok := f.routes[key]
	if ok {
		f.hits[key]++
	}
	f.requests = append(f.requests, r.Clone(r.Context()))
	f.mu.Unlock()
	if !ok {
		f.t.Errorf("unexpected request: %s?%s", key, r.URL.RawQuery)
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	}
	h(w, r)
}

// handle registers a route that must be requested.
func (f *fakeAPI) handle(method, path string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[method+" /api/v4/"+path] = h
}

// maybe registers a route that may or may not be requested.
func (f *fakeAPI) maybe(method, path string, h http.HandlerFunc) {
	f.handle(method, path, h)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.optional[method+" /api/v4/"+path] = true
}

func (f *fakeAPI) hitCount(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[method+" /api/v4/"+path]
}

func (f *fakeAPI) config() Config {
	return Config{
		BaseURL:        f.srv.URL + "/api/v4",
		Token:          testToken,
		Kind:           AuthPrivate,
		MaxRetries:     3,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   2 * time.Millisecond,
		RequestTimeout: 30 * time.Second,
	}
}

func (f *fakeAPI) client(t testing.TB, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := f.config()
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serveFile answers with a testdata file.
func serveFile(t testing.TB, name string) http.HandlerFunc {
	b := readTestdata(t, name)
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(name, ".json") {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/plain")
		}
		_, _ = w.Write(b)
	}
}

// fixtureObject loads a testdata JSON object and applies overrides.
func fixtureObject(t testing.TB, name string, set map[string]any) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readTestdata(t, name), &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for k, v := range set {
		m[k] = v
	}
	return m
}

// testJob is a job in the shape of testdata/job.json.
type testJob struct {
	id           int64
	name         string
	status       string
	allowFailure bool
	pipelineID   int64
	projectID    int64
	projectPath  string
}

func (j testJob) object(t testing.TB) map[string]any {
	t.Helper()
	status := j.status
	if status == "" {
		status = "failed"
	}
	m := fixtureObject(t, "job.json", map[string]any{
		"id":            j.id,
		"name":          j.name,
		"status":        status,
		"allow_failure": j.allowFailure,
		"web_url":       fmt.Sprintf("https://gitlab.example.com/%s/-/jobs/%d", j.projectPath, j.id),
	})
	if status != "failed" {
		delete(m, "failure_reason")
	}
	p := m["pipeline"].(map[string]any)
	p["id"] = j.pipelineID
	p["project_id"] = j.projectID
	p["web_url"] = fmt.Sprintf("https://gitlab.example.com/%s/-/pipelines/%d", j.projectPath, j.pipelineID)
	return m
}

// testPipeline is a pipeline in the shape of testdata/pipeline.json.
func testPipeline(t testing.TB, id, projectID int64, projectPath, status string) map[string]any {
	t.Helper()
	return fixtureObject(t, "pipeline.json", map[string]any{
		"id":         id,
		"project_id": projectID,
		"status":     status,
		"web_url":    fmt.Sprintf("https://gitlab.example.com/%s/-/pipelines/%d", projectPath, id),
	})
}

// testBridge is a bridge in the shape of testdata/bridge.json; downstream
// nil gives "downstream_pipeline": null.
func testBridge(t testing.TB, id int64, name string, parent, parentProject int64, parentPath string, downstream map[string]any) map[string]any {
	t.Helper()
	m := fixtureObject(t, "bridge.json", map[string]any{
		"id":                  id,
		"name":                name,
		"downstream_pipeline": downstream,
		"web_url":             fmt.Sprintf("https://gitlab.example.com/%s/-/jobs/%d", parentPath, id),
	})
	if downstream == nil {
		m["failure_reason"] = "downstream_pipeline_creation_failed"
	}
	p := m["pipeline"].(map[string]any)
	p["id"] = parent
	p["project_id"] = parentProject
	return m
}

// downstream is the downstream_pipeline object of a bridge.
func downstream(id, projectID int64, projectPath, status, source string) map[string]any {
	return map[string]any{
		"id": id, "iid": id, "project_id": projectID, "sha": "f62a4b2fb89754372a346f24659212eb8da13601",
		"ref": "main", "status": status, "source": source,
		"created_at": "2015-12-24T17:58:27.896Z", "updated_at": "2015-12-24T17:58:31.155Z",
		"web_url": fmt.Sprintf("https://gitlab.example.com/%s/-/pipelines/%d", projectPath, id),
	}
}

// paged serves items in pages of size perPage with GitLab's offset
// pagination headers: X-Next-Page empty on the last page, a rel="next"
// Link, and the totals only when withTotals.
func paged(items []any, perPage int, withTotals bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page < 1 {
			page = 1
		}
		pages := max((len(items)+perPage-1)/perPage, 1)
		lo := min((page-1)*perPage, len(items))
		hi := min(lo+perPage, len(items))
		h := w.Header()
		h.Set("X-Page", strconv.Itoa(page))
		h.Set("X-Per-Page", strconv.Itoa(perPage))
		next := ""
		if page < pages {
			next = strconv.Itoa(page + 1)
			q := r.URL.Query()
			q.Set("page", next)
			q.Set("per_page", strconv.Itoa(perPage))
			h.Set("Link", fmt.Sprintf(`<http://%s%s?%s>; rel="next"`, r.Host, r.URL.EscapedPath(), q.Encode()))
		}
		h.Set("X-Next-Page", next)
		if page > 1 {
			h.Set("X-Prev-Page", strconv.Itoa(page-1))
		} else {
			h.Set("X-Prev-Page", "")
		}
		if withTotals {
			h.Set("X-Total", strconv.Itoa(len(items)))
			h.Set("X-Total-Pages", strconv.Itoa(pages))
		}
		writeJSON(w, http.StatusOK, items[lo:hi])
	}
}

func list(objs ...map[string]any) []any {
	out := make([]any, len(objs))
	for i, o := range objs {
		out[i] = o
	}
	return out
}
