package fakegitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProjectIDs(t *testing.T) {
	s := demoServer(t, Options{})
	tests := []struct {
		name, path string
		status     int
		body       string
	}{
		{"numeric id", "/api/v4/projects/4242", 200, `"path_with_namespace":"acme/platform/billing-api"`},
		{"escaped subgroup path", "/api/v4/projects/acme%2Fplatform%2Fbilling-api", 200, `"id":4242`},
		{"lower-case escape", "/api/v4/projects/acme%2fplatform%2fbilling-api/pipelines/98765", 200, `"id":98765`},
		{"escaped path, nested route", "/api/v4/projects/acme%2Fplatform%2Fbilling-api/jobs/5550101", 200, `"name":"flake8"`},
		{"unknown project", "/api/v4/projects/acme%2Fnope", 404, `{"message":"404 Project Not Found"}`},
		{"unknown numeric project", "/api/v4/projects/1/pipelines/98765", 404, `{"message":"404 Project Not Found"}`},
		{"unknown pipeline", "/api/v4/projects/4242/pipelines/1", 404, `{"message":"404 Not found"}`},
		{"unknown job", "/api/v4/projects/4242/jobs/1", 404, `{"message":"404 Not found"}`},
		{"bridge is not a job", "/api/v4/projects/4242/jobs/5550108", 404, `{"message":"404 Not found"}`},
		{"unknown merge request", "/api/v4/projects/4242/merge_requests/99", 404, `{"message":"404 Not found"}`},
		{"latest on branch", "/api/v4/projects/4242/pipelines/latest?ref=feature%2Finvoices", 200, `"id":98765`},
		{"latest without pipeline", "/api/v4/projects/4242/pipelines/latest", 403, `{"message":"403 Forbidden"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s, tt.path)
			if r.status != tt.status || !strings.Contains(string(r.body), tt.body) {
				t.Errorf("GET %s = %d %s, want %d containing %s", tt.path, r.status, r.body, tt.status, tt.body)
			}
		})
	}
}

func TestRawSlashIsUnknown(t *testing.T) {
	sc, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := get(t, s, "/api/v4/projects/acme/platform/billing-api/pipelines/98765")
	if r.status != 404 || string(r.body) != `{"error":"404 Not Found"}` {
		t.Errorf("raw slash: %d %s", r.status, r.body)
	}
	un := s.Unexpected()
	if len(un) != 1 || un[0].Path != "/api/v4/projects/acme/platform/billing-api/pipelines/98765" {
		t.Errorf("Unexpected() = %v", un)
	}
}

// bigScenario has one project with n failed jobs in pipeline 1, sharing one
// trace.
func bigScenario(n int, trace []byte) *Scenario {
	sc := NewScenario(DemoToken)
	sc.AddProject(Project{ID: 7, PathWithNamespace: "g/sub/p"})
	sc.AddPipeline(Pipeline{ID: 1, IID: 1, ProjectID: 7, SHA: "abc", Ref: "main", Status: "failed"})
	for i := 1; i <= n; i++ {
		sc.AddJob(Job{ID: int64(100 + i), PipelineID: 1, Name: fmt.Sprintf("job %d", i), Stage: "test", Status: "failed"}, trace)
	}
	return sc
}

func TestPaginationThreePages(t *testing.T) {
	for _, omit := range []bool{false, true} {
		t.Run(fmt.Sprintf("omit totals %v", omit), func(t *testing.T) {
			s := NewTB(t, bigScenario(25, []byte("log\n")), Options{OmitTotals: omit})
			next := s.URL + "/api/v4/projects/g%2Fsub%2Fp/pipelines/1/jobs?per_page=10&scope[]=failed"
			var ids []int64
			var pages []string
			for next != "" {
				u, err := url.Parse(next)
				if err != nil {
					t.Fatal(err)
				}
				r := get(t, s, u.RequestURI())
				if r.status != 200 {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				var jobs []struct{ ID int64 }
				if err := json.Unmarshal(r.body, &jobs); err != nil {
					t.Fatal(err)
				}
				for _, j := range jobs {
					ids = append(ids, j.ID)
				}
				page := r.header.Get("X-Page")
				pages = append(pages, page)
				if got := r.header.Get("X-Per-Page"); got != "10" {
					t.Errorf("X-Per-Page = %q", got)
				}
				if _, ok := r.header["X-Next-Page"]; !ok {
					t.Errorf("page %s: X-Next-Page missing", page)
				}
				total, hasTotal := r.header["X-Total"]
				_, hasPages := r.header["X-Total-Pages"]
				if omit == (hasTotal || hasPages) {
					t.Errorf("page %s: totals present = %v, omit = %v", page, hasTotal, omit)
				}
				if !omit && (total[0] != "25" || r.header.Get("X-Total-Pages") != "3") {
					t.Errorf("totals = %s / %s", total, r.header.Get("X-Total-Pages"))
				}
				link := r.header.Get("Link")
				if strings.Contains(link, `rel="last"`) == omit {
					t.Errorf("Link %q: rel=last present with omit=%v", link, omit)
				}
				if !strings.Contains(link, "scope%5B%5D=failed") && !strings.Contains(link, "scope[]=failed") {
					t.Errorf("Link %q lost the scope parameter", link)
				}
				m := regexp.MustCompile(`<([^>]+)>; rel="next"`).FindStringSubmatch(link)
				if (m != nil) != (r.header.Get("X-Next-Page") != "") {
					t.Errorf("rel=next %v disagrees with X-Next-Page %q", m, r.header.Get("X-Next-Page"))
				}
				next = ""
				if m != nil {
					next = m[1]
				}
			}
			if strings.Join(pages, ",") != "1,2,3" || len(ids) != 25 || ids[0] != 125 || ids[24] != 101 {
				t.Errorf("pages %v, %d ids from %d to %d", pages, len(ids), ids[0], ids[len(ids)-1])
			}
		})
	}
}

func TestPaginationParams(t *testing.T) {
	s := NewTB(t, bigScenario(3, nil), Options{})
	tests := []struct {
		query, page, perPage, next, prev string
		n                                int
	}{
		{"", "1", "20", "", "", 3},
		{"per_page=2", "1", "2", "2", "", 2},
		{"per_page=2&page=2", "2", "2", "", "1", 1},
		{"per_page=1000", "1", "100", "", "", 3},
		{"per_page=2&page=9", "9", "2", "", "8", 0},
	}
	for _, tt := range tests {
		r := get(t, s, "/api/v4/projects/7/pipelines/1/jobs?"+tt.query)
		var jobs []json.RawMessage
		_ = json.Unmarshal(r.body, &jobs)
		h := r.header
		if h.Get("X-Page") != tt.page || h.Get("X-Per-Page") != tt.perPage || h.Get("X-Next-Page") != tt.next ||
			h.Get("X-Prev-Page") != tt.prev || len(jobs) != tt.n {
			t.Errorf("%q: page %s per %s next %q prev %q n %d", tt.query, h.Get("X-Page"), h.Get("X-Per-Page"),
				h.Get("X-Next-Page"), h.Get("X-Prev-Page"), len(jobs))
		}
	}
	if r := get(t, s, "/api/v4/projects/7/pipelines/1/jobs?page=x"); r.status != 400 {
		t.Errorf("page=x: %d", r.status)
	}
	// /projects/:id/jobs is paginated without counting.
	r := get(t, s, "/api/v4/projects/7/jobs")
	if _, ok := r.header["X-Total"]; ok || r.status != 200 {
		t.Errorf("project jobs: %d, X-Total present", r.status)
	}
}

func TestJobScopesAndRetries(t *testing.T) {
	s := demoServer(t, Options{})
	names := func(path string) []string {
		r := get(t, s, path)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		var jobs []struct {
			ID   int64
			Name string
		}
		if err := json.Unmarshal(r.body, &jobs); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, j := range jobs {
			out = append(out, fmt.Sprintf("%d %s", j.ID, j.Name))
		}
		return out
	}
	base := "/api/v4/projects/4242/pipelines/98765/jobs"
	tests := []struct{ query, want string }{
		{"?scope[]=failed", "5550105 deps:resolve,5550104 pytest 2/2,5550103 pytest 1/2,5550102 linkcheck,5550101 flake8"},
		{"?scope=failed", "5550105 deps:resolve,5550104 pytest 2/2,5550103 pytest 1/2,5550102 linkcheck,5550101 flake8"},
		{"?scope[]=success&scope[]=skipped", "5550109 build:wheel,5550107 deploy:staging"},
		{"?scope[]=failed&include_retried=true", "5550106 build:wheel,5550105 deps:resolve,5550104 pytest 2/2,5550103 pytest 1/2,5550102 linkcheck,5550101 flake8"},
	}
	for _, tt := range tests {
		if got := strings.Join(names(base+tt.query), ","); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.query, got, tt.want)
		}
	}
	if r := get(t, s, base+"?scope[]=broken"); r.status != 400 || string(r.body) != `{"error":"scope does not have a valid value"}` {
		t.Errorf("bad scope: %d %s", r.status, r.body)
	}
	r := get(t, s, base+"?include_retried=true")
	if strings.Contains(string(r.body), `"retried"`) {
		t.Error("jobs carry a retried field")
	}
}

func TestAuth(t *testing.T) {
	sc, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	sc.Tokens = append(sc.Tokens, Token{Value: "oauth-tok", Kind: TokenOAuth})
	s := NewTB(t, sc, Options{})
	const (
		jobs   = "/api/v4/projects/4242/pipelines/98765/jobs"
		job    = "/api/v4/projects/4242/jobs/5550101"
		trace  = "/api/v4/projects/4242/jobs/5550101/trace"
		report = "/api/v4/projects/4242/pipelines/98765/test_report"
		art    = "/api/v4/projects/4242/jobs/5550103/artifacts/reports/junit.xml"
	)
	tests := []struct {
		name, path, header, token string
		status                    int
		kind                      AuthKind
	}{
		{"private token", jobs, "PRIVATE-TOKEN", DemoToken, 200, AuthPrivateToken},
		{"bearer personal", trace, "Authorization", "Bearer " + DemoToken, 200, AuthBearer},
		{"bearer oauth", job, "Authorization", "Bearer oauth-tok", 200, AuthBearer},
		{"oauth as private token", job, "PRIVATE-TOKEN", "oauth-tok", 401, AuthPrivateToken},
		{"no token", jobs, "", "", 401, AuthNone},
		{"wrong token", jobs, "PRIVATE-TOKEN", "glpat-wrong", 401, AuthPrivateToken},
		{"job token on jobs list", jobs, "JOB-TOKEN", DemoJobToken, 200, AuthJobToken},
		{"job token on artifacts", art, "JOB-TOKEN", DemoJobToken, 200, AuthJobToken},
		{"job token on single job", job, "JOB-TOKEN", DemoJobToken, 401, AuthJobToken},
		{"job token on trace", trace, "JOB-TOKEN", DemoJobToken, 401, AuthJobToken},
		{"job token on test report", report, "JOB-TOKEN", DemoJobToken, 401, AuthJobToken},
		{"personal token as job token", jobs, "JOB-TOKEN", DemoToken, 401, AuthJobToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, s, "GET", tt.path, tt.header, tt.token, nil)
			if r.status != tt.status {
				t.Errorf("status %d, want %d (%s)", r.status, tt.status, r.body)
			}
			if tt.status == 401 && string(r.body) != `{"message":"401 Unauthorized"}` {
				t.Errorf("401 body %s", r.body)
			}
			log := s.Requests()
			if last := log[len(log)-1]; last.Auth != tt.kind || last.Status != tt.status {
				t.Errorf("logged %+v", last)
			}
		})
	}
}

func TestTrace(t *testing.T) {
	sc, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	want := sc.Traces[5550104]
	s := NewTB(t, sc, Options{})
	r := get(t, s, "/api/v4/projects/4242/jobs/5550104/trace")
	if r.status != 200 || string(r.body) != string(want) {
		t.Fatalf("trace: %d, %d bytes, want %d", r.status, len(r.body), len(want))
	}
	if ct, cd := r.header.Get("Content-Type"), r.header.Get("Content-Disposition"); ct != "text/plain" || cd != `infile; filename="5550104.log"` {
		t.Errorf("headers %q %q", ct, cd)
	}
	// A job that never ran has no log: 200 with an empty body.
	if r := get(t, s, "/api/v4/projects/4242/jobs/5550107/trace"); r.status != 200 || len(r.body) != 0 {
		t.Errorf("no log: %d %q", r.status, r.body)
	}
	// Byte windows on a current server, whole log on a legacy one.
	tests := []struct {
		legacy     bool
		query      string
		status     int
		start, end int
	}{
		{false, "?byte_offset=10&byte_limit=20", 200, 10, 30},
		{false, "?byte_offset=" + fmt.Sprint(len(want)+5), 200, len(want), len(want)},
		{false, "?byte_limit=0", 400, 0, 0},
		{false, "?byte_limit=600000", 400, 0, 0},
		{true, "?byte_offset=10&byte_limit=20", 200, 0, len(want)},
	}
	for _, tt := range tests {
		s.SetOptions(Options{LegacyTrace: tt.legacy})
		r := get(t, s, "/api/v4/projects/4242/jobs/5550104/trace"+tt.query)
		if r.status != tt.status || (tt.status == 200 && string(r.body) != string(want[tt.start:tt.end])) {
			t.Errorf("legacy=%v %s: %d, %d bytes", tt.legacy, tt.query, r.status, len(r.body))
		}
	}
}

func TestFaults(t *testing.T) {
	const path = "/api/v4/projects/4242/pipelines/98765"
	t.Run("429 twice then success", func(t *testing.T) {
		s := demoServer(t, Options{Faults: []Fault{RateLimited("/projects/*/pipelines/*", 2, 3)}})
		for i := 0; i < 2; i++ {
			r := get(t, s, path)
			if r.status != 429 || r.header.Get("Retry-After") != "3" || string(r.body) != "Retry later\n" ||
				r.header.Get("RateLimit-Reset") == "" || r.header.Get("Content-Type") != "text/plain" {
				t.Errorf("try %d: %d %v %q", i, r.status, r.header, r.body)
			}
		}
		if r := get(t, s, path); r.status != 200 {
			t.Errorf("third try: %d", r.status)
		}
		// Another route is not affected.
		if r := get(t, s, "/api/v4/projects/4242"); r.status != 200 {
			t.Errorf("other route: %d", r.status)
		}
	})
	t.Run("500 once", func(t *testing.T) {
		s := demoServer(t, Options{Faults: []Fault{ServerError("", 1)}})
		if r := get(t, s, path); r.status != 500 || string(r.body) != `{"message":"500 Internal Server Error"}` {
			t.Errorf("%d %s", r.status, r.body)
		}
		if r := get(t, s, path); r.status != 200 {
			t.Errorf("after: %d", r.status)
		}
	})
	t.Run("502 html on traces only, by method", func(t *testing.T) {
		s := demoServer(t, Options{Faults: []Fault{{Method: "GET", Path: "/projects/*/jobs/*/trace", Status: 502}}})
		for i := 0; i < 3; i++ {
			r := get(t, s, "/api/v4/projects/acme%2Fplatform%2Fbilling-api/jobs/5550101/trace")
			if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Errorf("%d %s", r.status, r.header.Get("Content-Type"))
			}
		}
	})
	t.Run("401 always", func(t *testing.T) {
		s := demoServer(t, Options{Unauthorized: true})
		if r := get(t, s, path); r.status != 401 || string(r.body) != `{"message":"401 Unauthorized"}` {
			t.Errorf("%d %s", r.status, r.body)
		}
		s.SetOptions(Options{})
		if r := get(t, s, path); r.status != 200 {
			t.Errorf("after switching off: %d", r.status)
		}
	})
	t.Run("latency honours cancellation", func(t *testing.T) {
		s := demoServer(t, Options{Latency: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+path, nil)
		req.Header.Set("PRIVATE-TOKEN", DemoToken)
		errc := make(chan error, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			errc <- err
		}()
		// Cancel once the server has the request.
		for len(s.Requests()) == 0 {
			<-time.After(time.Millisecond)
		}
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
		s.SetOptions(Options{})
	})
}

func TestRedirectToObjectStore(t *testing.T) {
	store := NewObjectStoreTB(t)
	sc, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	s := NewTB(t, sc, Options{Redirect: store})
	if strings.Split(store.URL, ":")[1] == strings.Split(s.URL, ":")[1] {
		t.Fatalf("store %s and API %s share a host", store.URL, s.URL)
	}
	tests := []struct {
		name, path, header, token string
		want                      []byte
		leak                      bool
	}{
		{"trace with private token", "/api/v4/projects/4242/jobs/5550101/trace", "PRIVATE-TOKEN", DemoToken, sc.Traces[5550101], true},
		{"trace with bearer", "/api/v4/projects/4242/jobs/5550101/trace", "Authorization", "Bearer " + DemoToken, sc.Traces[5550101], false},
		{"artifact file with bearer", "/api/v4/projects/4242/jobs/5550103/artifacts/reports/junit.xml", "Authorization", "Bearer " + DemoToken, sc.Artifacts[5550103]["reports/junit.xml"], false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, s, "GET", tt.path, tt.header, tt.token, nil)
			if r.status != 200 || string(r.body) != string(tt.want) {
				t.Fatalf("%d, %d bytes", r.status, len(r.body))
			}
			reqs := store.Requests()
			if len(reqs) != i+1 {
				t.Fatalf("store saw %d requests", len(reqs))
			}
			h := reqs[i].Header
			leaked := h.Get("PRIVATE-TOKEN") != "" || h.Get("Authorization") != ""
			if leaked != tt.leak {
				t.Errorf("credential at the store: %v, want %v (%v)", leaked, tt.leak, h)
			}
		})
	}
	// Without following redirects: 302 and a Location on the store.
	s.SetOptions(Options{Redirect: store, RedirectStatus: 301})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", s.URL+"/api/v4/projects/4242/jobs/5550103/artifacts", nil)
	req.Header.Set("PRIVATE-TOKEN", DemoToken)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 301 || !strings.HasPrefix(resp.Header.Get("Location"), store.URL+"/") {
		t.Errorf("%d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// recTB records what NewTB reports at cleanup.
type recTB struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (r *recTB) Helper()                        {}
func (r *recTB) Cleanup(f func())               { r.cleanups = append(r.cleanups, f) }
func (r *recTB) Errorf(format string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(format, a...)) }
func (r *recTB) Fatalf(format string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(format, a...)) }

func TestStrictness(t *testing.T) {
	sc, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	rec := &recTB{TB: t}
	s := NewTB(rec, sc, Options{})
	get(t, s, "/api/v4/projects/4242/pipelines/98765")
	get(t, s, "/api/v4/projects/4242/pipelines/98765/variables?x=1")
	do(t, s, "DELETE", "/api/v4/projects/4242/pipelines/98765", "PRIVATE-TOKEN", DemoToken, nil)
	get(t, s, "/favicon.ico")
	for _, f := range rec.cleanups {
		f()
	}
	want := []string{
		"unexpected request: GET /api/v4/projects/4242/pipelines/98765/variables?x=1",
		"unexpected request: DELETE /api/v4/projects/4242/pipelines/98765",
		"unexpected request: GET /favicon.ico",
	}
	if strings.Join(rec.errs, "\n") != strings.Join(want, "\n") {
		t.Errorf("reported:\n%s", strings.Join(rec.errs, "\n"))
	}
	log := s.Requests()
	if len(log) != 4 || log[0].Route != "projects/:id/pipelines/:pid" || log[0].Seq != 1 || log[3].Seq != 4 {
		t.Errorf("log %+v", log)
	}
}

func TestNotes(t *testing.T) {
	fixed := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	now := fixed
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Minute); return now }
	s := demoServer(t, Options{Now: clock})
	const notes = "/api/v4/projects/acme%2Fplatform%2Fbilling-api/merge_requests/17/notes"
	r := do(t, s, "POST", notes, "PRIVATE-TOKEN", DemoToken, strings.NewReader(url.Values{"body": {"<!-- pipeline-doctor -->\nfirst"}}.Encode()))
	_ = r
	// A form body needs its content type.
	req, _ := http.NewRequest("POST", s.URL+notes, strings.NewReader(url.Values{"body": {"<!-- pipeline-doctor -->\nfirst"}}.Encode()))
	req.Header.Set("PRIVATE-TOKEN", DemoToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created Note
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || created.NoteableIID != 17 || created.NoteableType != "MergeRequest" || created.Body != "<!-- pipeline-doctor -->\nfirst" {
		t.Fatalf("create: %d %+v", resp.StatusCode, created)
	}
	if r.status != 400 {
		t.Errorf("POST without a form content type: %d %s", r.status, r.body)
	}
	// A second note by JSON, then update the first one.
	req, _ = http.NewRequest("POST", s.URL+notes, strings.NewReader(`{"body":"unrelated"}`))
	req.Header.Set("Authorization", "Bearer "+DemoToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	put := do(t, s, "PUT", fmt.Sprintf("%s/%d", notes, created.ID), "", "", nil)
	if put.status != 401 {
		t.Errorf("PUT without token: %d", put.status)
	}
	req, _ = http.NewRequest("PUT", fmt.Sprintf("%s%s/%d", s.URL, notes, created.ID), strings.NewReader(`{"body":"<!-- pipeline-doctor -->\nsecond"}`))
	req.Header.Set("PRIVATE-TOKEN", DemoToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("update: %d", resp.StatusCode)
	}
	list := get(t, s, notes+"?sort=desc&order_by=updated_at")
	var got []Note
	if err := json.Unmarshal(list.body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != created.ID || got[0].Body != "<!-- pipeline-doctor -->\nsecond" || got[0].UpdatedAt == got[0].CreatedAt {
		t.Errorf("list: %+v", got)
	}
	if n := s.Notes(DemoProjectID, DemoMergeRequest); len(n) != 2 {
		t.Errorf("Notes() = %d", len(n))
	}
	if r := do(t, s, "PUT", notes+"/999999", "PRIVATE-TOKEN", DemoToken, strings.NewReader("")); r.status != 400 && r.status != 404 {
		t.Errorf("missing note: %d", r.status)
	}
}

func TestOptionsConcurrent(t *testing.T) {
	s := demoServer(t, Options{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				if i%2 == 0 {
					s.SetOptions(Options{Faults: []Fault{ServerError("", 1)}, OmitTotals: k%2 == 0})
					_ = s.Options()
					continue
				}
				req, _ := http.NewRequest("GET", s.URL+"/api/v4/projects/4242/pipelines/98765/jobs", nil)
				req.Header.Set("PRIVATE-TOKEN", DemoToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 && resp.StatusCode != 500 {
					t.Errorf("status %d", resp.StatusCode)
				}
			}
		}(i)
	}
	wg.Wait()
	if s.MaxInFlight() < 1 || len(s.Requests()) != 80 {
		t.Errorf("max in flight %d, %d requests", s.MaxInFlight(), len(s.Requests()))
	}
}
