package gitlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseBaseURL(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "https://gitlab.com/api/v4", want: "https://gitlab.com/api/v4/"},
		{in: "https://gitlab.com/api/v4/", want: "https://gitlab.com/api/v4/"},
		{in: "https://gitlab.com", want: "https://gitlab.com/api/v4/"},
		{in: "http://host:8080/gitlab/api/v4", want: "http://host:8080/gitlab/api/v4/"},
		{in: "https://host/gitlab/", want: "https://host/gitlab/api/v4/"},
		{in: "", wantErr: true},
		{in: "gitlab.com", wantErr: true},
		{in: "ftp://gitlab.com/api/v4", wantErr: true},
		{in: "https://user:pw@gitlab.com/api/v4", wantErr: true},
		{in: "https://gitlab.com/api/v4?x=1", wantErr: true},
		{in: "https://%zz", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := parseBaseURL(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseBaseURL(%q) = %v, want an error", tt.in, u)
				}
				if strings.Contains(err.Error(), "pw@") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseBaseURL(%q): %v", tt.in, err)
			}
			if u.String() != tt.want {
				t.Errorf("parseBaseURL(%q) = %q, want %q", tt.in, u, tt.want)
			}
		})
	}
}

func TestRetryWait(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	resp := func(status int, kv ...string) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	half := func() float64 { return 0.5 }
	tests := []struct {
		name    string
		attempt int
		resp    *http.Response
		want    time.Duration
	}{
		{"429 retry-after seconds", 0, resp(429, "Retry-After", "7"), 7 * time.Second},
		{"429 retry-after zero", 3, resp(429, "Retry-After", "0"), 0},
		{"429 retry-after date", 0, resp(429, "Retry-After", now.Add(30*time.Second).Format(http.TimeFormat)), 30 * time.Second},
		{"429 retry-after date in the past", 0, resp(429, "Retry-After", now.Add(-time.Hour).Format(http.TimeFormat)), 0},
		{"429 retry-after wins over reset", 0, resp(429, "Retry-After", "3", "RateLimit-Reset", fmt.Sprint(now.Add(time.Minute).Unix())), 3 * time.Second},
		{"429 ratelimit-reset epoch", 0, resp(429, "RateLimit-Reset", fmt.Sprint(now.Add(20*time.Second).Unix())), 20 * time.Second},
		{"429 wait is capped", 0, resp(429, "Retry-After", "3600"), maxServerWait},
		{"503 retry-after", 0, resp(503, "Retry-After", "2"), 2 * time.Second},
		{"429 garbage header backs off", 0, resp(429, "Retry-After", "soon"), 750 * time.Millisecond},
		{"500 ignores retry-after", 0, resp(500, "Retry-After", "9"), 750 * time.Millisecond},
		{"500 attempt 1", 1, resp(500), 1500 * time.Millisecond},
		{"500 attempt 2", 2, resp(500), 3 * time.Second},
		{"500 capped", 10, resp(500), 6 * time.Second},
		{"network error", 0, nil, 750 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := retryWait(now, time.Second, 8*time.Second, tt.attempt, tt.resp, half)
			if got != tt.want {
				t.Errorf("retryWait = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuthAndCustomHeaders(t *testing.T) {
	tests := []struct {
		kind       AuthKind
		token      string
		header     string
		want       string
		notPresent []string
	}{
		{AuthPrivate, testToken, "Private-Token", testToken, []string{"Authorization", "Job-Token"}},
		{AuthOAuth, testToken, "Authorization", "Bearer " + testToken, []string{"Private-Token", "Job-Token"}},
		{AuthJob, testToken, "Job-Token", testToken, []string{"Authorization", "Private-Token"}},
		{AuthPrivate, "", "", "", []string{"Authorization", "Private-Token", "Job-Token"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String()+"/"+fmt.Sprint(tt.token != ""), func(t *testing.T) {
			api := newFakeAPI(t)
			var got http.Header
			api.handle("GET", "projects/acme%2Fwidgets", func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				serveFile(t, "project.json")(w, r)
			})
			c := api.client(t, func(cfg *Config) {
				cfg.Kind, cfg.Token = tt.kind, tt.token
				cfg.CustomHeaders = map[string]string{"X-Corp-Gateway": "abc"}
				cfg.UserAgent = "doctor-test/1"
			})
			p, err := c.Project(context.Background(), "acme/widgets")
			if err != nil {
				t.Fatal(err)
			}
			if p.ID != 42 || p.Path != "acme/widgets" || p.DefaultBranch != "main" {
				t.Errorf("project = %+v", p)
			}
			if tt.header != "" && got.Get(tt.header) != tt.want {
				t.Errorf("%s = %q, want %q", tt.header, got.Get(tt.header), tt.want)
			}
			for _, h := range tt.notPresent {
				if v := got.Get(h); v != "" {
					t.Errorf("unexpected %s: %q", h, v)
				}
			}
			if got.Get("X-Corp-Gateway") != "abc" {
				t.Errorf("custom header missing: %v", got)
			}
			if got.Get("User-Agent") != "doctor-test/1" {
				t.Errorf("User-Agent = %q", got.Get("User-Agent"))
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		kind      AuthKind
		want      error
		wantHits  int // with MaxRetries 3
		wantInMsg []string
	}{
		{
			name: "401", status: 401, body: `{"message":"401 Unauthorized"}`,
			want: ErrUnauthorized, wantHits: 1,
			wantInMsg: []string{"pipeline 42 in acme/widgets", "401", "invalid or expired"},
		},
		{
			name: "401 expired", status: 401,
			body: `{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}`,
			want: ErrUnauthorized, wantHits: 1, wantInMsg: []string{"Token is expired"},
		},
		{
			name: "403 scope", status: 403,
			body: `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"}`,
			want: ErrForbidden, wantHits: 1, wantInMsg: []string{"403", "api or read_api scope"},
		},
		{
			name: "403 job token", status: 403, body: `{"message":"403 Forbidden"}`, kind: AuthJob,
			want: ErrForbidden, wantHits: 1, wantInMsg: []string{"job token cannot read"},
		},
		{
			name: "404", status: 404, body: `{"message":"404 Not found"}`,
			want: ErrNotFound, wantHits: 1, wantInMsg: []string{"pipeline 42 not found in acme/widgets"},
		},
		{
			name: "429 exhausted", status: 429, body: "Retry later\n",
			want: ErrRateLimited, wantHits: 4, wantInMsg: []string{"429", "Retry later"},
		},
		{
			name: "500 exhausted", status: 500, body: `{"message":"500 Internal Server Error"}`,
			want: ErrServer, wantHits: 4, wantInMsg: []string{"500 server error"},
		},
		{
			name: "502 html", status: 502, body: "<html><body><h1>502 Bad Gateway</h1>\n</body></html>",
			want: ErrServer, wantHits: 4, wantInMsg: []string{"502"},
		},
		{
			name: "501 not retried", status: 501, body: `{"message":"501 Not Implemented"}`,
			want: ErrServer, wantHits: 1,
		},
		{
			name: "400 echoes token", status: 400, body: `{"message":"bad token ` + testToken + `"}`,
			wantHits: 1, wantInMsg: []string{"[REDACTED]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.handle("GET", "projects/acme%2Fwidgets/pipelines/42", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			c := api.client(t, func(cfg *Config) { cfg.Kind = tt.kind })
			c.waitHook = func(time.Duration) time.Duration { return 0 }
			_, err := c.Pipeline(context.Background(), "acme/widgets", 42)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", err, tt.want)
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != tt.status {
				t.Errorf("error %#v is not an APIError with status %d", err, tt.status)
			}
			msg := err.Error()
			if strings.Contains(msg, testToken) {
				t.Errorf("error shows the token: %s", msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, s := range tt.wantInMsg {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q lacks %q", msg, s)
				}
			}
			if n := api.hitCount("GET", "projects/acme%2Fwidgets/pipelines/42"); n != tt.wantHits {
				t.Errorf("requests = %d, want %d", n, tt.wantHits)
			}
		})
	}
}

func TestRetryAfterThenSuccess(t *testing.T) {
	api := newFakeAPI(t)
	var mu sync.Mutex
	calls := 0
	api.handle("GET", "projects/acme%2Fwidgets/pipelines/287", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		switch n {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.Header().Set("RateLimit-Name", "throttle_authenticated_api")
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, "Retry later\n")
		case 2:
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "500 Internal Server Error"})
		default:
			serveFile(t, "pipeline.json")(w, r)
		}
	})
	c := api.client(t)
	var waits []time.Duration
	c.waitHook = func(d time.Duration) time.Duration {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return 0
	}
	p, err := c.Pipeline(context.Background(), "acme/widgets", 287)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != 287 || p.Status != "failed" || p.ProjectPath != "acme/widgets" || p.Duration != 34*time.Second {
		t.Errorf("pipeline = %+v", p)
	}
	if calls != 3 {
		t.Errorf("calls = %d, want 3", calls)
	}
	if len(waits) != 2 || waits[0] != 7*time.Second || waits[1] <= 0 || waits[1] > 2*time.Millisecond {
		t.Errorf("waits = %v, want [7s, ≤2ms backoff]", waits)
	}
}

func TestEscapedProjectPaths(t *testing.T) {
	tests := []struct {
		project, path string
	}{
		{"group/sub/proj", "projects/group%2Fsub%2Fproj/pipelines/42"},
		{"acme/my.lib", "projects/acme%2Fmy%2Elib/pipelines/42"},
		{"1234", "projects/1234/pipelines/42"},
		{"g/with space", "projects/g%2Fwith%20space/pipelines/42"},
	}
	for _, tt := range tests {
		t.Run(tt.project, func(t *testing.T) {
			api := newFakeAPI(t)
			api.handle("GET", tt.path, serveFile(t, "pipeline.json"))
			c := api.client(t)
			if _, err := c.Pipeline(context.Background(), tt.project, 42); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPaginationFollowsNextPageNotTotals(t *testing.T) {
	mrs := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"id": 1000 + i, "iid": i + 1, "project_id": 42, "title": fmt.Sprint("mr ", i+1),
				"state": "opened", "source_branch": "feature", "target_branch": "main", "sha": "abc",
				"web_url": fmt.Sprintf("https://gitlab.example.com/acme/widgets/-/merge_requests/%d", i+1)}
		}
		return out
	}
	tests := []struct {
		name string
		h    func(items []any) http.HandlerFunc
	}{
		{"no totals", func(items []any) http.HandlerFunc { return paged(items, 2, false) }},
		{"with totals", func(items []any) http.HandlerFunc { return paged(items, 2, true) }},
		{"lying totals, no link", func(items []any) http.HandlerFunc {
			inner := paged(items, 2, false)
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Total-Pages", "1")
				w.Header().Set("X-Total", "2")
				rec := httptest.NewRecorder()
				inner(rec, r)
				for k, v := range rec.Header() {
					if k != "Link" {
						w.Header()[k] = v
					}
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			items := mrs(5) // 3 pages of 2
			var pages []string
			var mu sync.Mutex
			h := tt.h(items)
			api.handle("GET", "projects/acme%2Fwidgets/merge_requests", func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				if q.Get("source_branch") != "feature" || q.Get("state") != "opened" {
					t.Errorf("query = %s", r.URL.RawQuery)
				}
				mu.Lock()
				pages = append(pages, q.Get("page"))
				mu.Unlock()
				h(w, r)
			})
			got, err := api.client(t).MergeRequestsForBranch(context.Background(), "acme/widgets", "feature")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 5 || got[0].IID != 1 || got[4].IID != 5 {
				t.Errorf("got %d merge requests: %+v", len(got), got)
			}
			if strings.Join(pages, ",") != ",2,3" {
				t.Errorf("pages requested = %q, want \",2,3\"", pages)
			}
		})
	}
}

// TestRedirectKeepsCredentialsOnAPIHost checks that a redirect to another
// host (object storage) carries no token and no custom header, while a
// redirect within the API host keeps them.
func TestRedirectKeepsCredentialsOnAPIHost(t *testing.T) {
	var mu sync.Mutex
	var storageHeaders http.Header
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		storageHeaders = r.Header.Clone()
		mu.Unlock()
		_, _ = io.WriteString(w, "<testsuite/>")
	}))
	t.Cleanup(storage.Close)

	for _, kind := range []AuthKind{AuthPrivate, AuthOAuth, AuthJob} {
		t.Run(kind.String(), func(t *testing.T) {
			api := newFakeAPI(t)
			var sameHostHeaders http.Header
			api.handle("GET", "projects/acme%2Fwidgets/jobs/8/artifacts/reports/junit.xml", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, storage.URL+"/bucket/artifact?X-Amz-Signature=abc", http.StatusFound)
			})
			api.handle("GET", "projects/acme%2Fwidgets/jobs/9/artifacts/out.txt", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/api/v4/moved/out.txt", http.StatusFound)
			})
			api.handle("GET", "moved/out.txt", func(w http.ResponseWriter, r *http.Request) {
				sameHostHeaders = r.Header.Clone()
				_, _ = io.WriteString(w, "moved")
			})
			c := api.client(t, func(cfg *Config) {
				cfg.Kind = kind
				cfg.CustomHeaders = map[string]string{"X-Corp-Gateway": "secret-gw"}
			})
			ctx := context.Background()

			body := readAll(t, func() (io.ReadCloser, error) {
				return c.JobArtifactFile(ctx, "acme/widgets", 8, "reports/junit.xml")
			})
			if body != "<testsuite/>" {
				t.Errorf("body = %q", body)
			}
			mu.Lock()
			h := storageHeaders
			mu.Unlock()
			for _, k := range []string{"Private-Token", "Job-Token", "Authorization", "X-Corp-Gateway"} {
				if v := h.Get(k); v != "" {
					t.Errorf("storage host received %s: %q", k, v)
				}
			}
			for k, vs := range h {
				for _, v := range vs {
					if strings.Contains(v, testToken) {
						t.Errorf("storage host received the token in %s", k)
					}
				}
			}

			if got := readAll(t, func() (io.ReadCloser, error) {
				return c.JobArtifactFile(ctx, "acme/widgets", 9, "out.txt")
			}); got != "moved" {
				t.Errorf("same-host body = %q", got)
			}
			found := false
			for _, vs := range sameHostHeaders {
				for _, v := range vs {
					found = found || strings.Contains(v, testToken)
				}
			}
			if !found || sameHostHeaders.Get("X-Corp-Gateway") != "secret-gw" {
				t.Errorf("same-host redirect lost its credentials: %v", sameHostHeaders)
			}
		})
	}
}

func readAll(t *testing.T, open func() (io.ReadCloser, error)) string {
	t.Helper()
	r, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSameOrigin(t *testing.T) {
	api, _ := parseBaseURL("https://gitlab.example.com/api/v4")
	tests := []struct {
		url  string
		want bool
	}{
		{"https://gitlab.example.com/x", true},
		{"https://GITLAB.example.com:443/x", true},
		{"http://gitlab.example.com/x", false},
		{"https://gitlab.example.com:8443/x", false},
		{"https://storage.example.com/x", false},
		{"https://gitlab.example.com.evil.test/x", false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := sameOrigin(u, api); got != tt.want {
			t.Errorf("sameOrigin(%s) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestArtifactErrors(t *testing.T) {
	api := newFakeAPI(t)
	api.handle("GET", "projects/acme%2Fwidgets/jobs/8/artifacts/missing.xml", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Not Found"})
	})
	c := api.client(t)
	_, err := c.JobArtifactFile(context.Background(), "acme/widgets", 8, "missing.xml")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "artifact missing.xml of job 8 not found in acme/widgets") {
		t.Errorf("err = %v", err)
	}
	if _, err := c.JobArtifactFile(context.Background(), "acme/widgets", 8, ""); err == nil {
		t.Error("empty path: no error")
	}
}

func TestRequestTimeout(t *testing.T) {
	api := newFakeAPI(t)
	api.handle("GET", "projects/acme%2Fwidgets/pipelines/42", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	})
	api.handle("GET", "projects/acme%2Fwidgets/jobs/8/artifacts/a.txt", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	c := api.client(t, func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
	_, err := c.Pipeline(context.Background(), "acme/widgets", 42)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "pipeline 42 in acme/widgets") {
		t.Errorf("json request: err = %v", err)
	}
	_, err = c.JobArtifactFile(context.Background(), "acme/widgets", 8, "a.txt")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Errorf("stream: err = %v", err)
	}
}
