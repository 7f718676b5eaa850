package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestMergeRequest(t *testing.T) {
	api := newFakeAPI(t)
	api.handle("GET", "projects/gitlab-org%2Fgitlab-ee/merge_requests/14656", serveFile(t, "get_merge_request.json"))
	mr, err := api.client(t).MergeRequest(context.Background(), "gitlab-org/gitlab-ee", 14656)
	if err != nil {
		t.Fatal(err)
	}
	if mr.IID != 14656 || mr.SourceBranch != "delete-designs-v2" || mr.TargetBranch != "master" || mr.SourceProjectID != 278964 {
		t.Errorf("mr = %+v", mr)
	}
	hp := mr.HeadPipeline
	if hp == nil {
		t.Fatal("no head pipeline")
	}
	if hp.ID != 77056819 || hp.Status != "success" || hp.StatusGroup != "success-with-warnings" ||
		hp.ProjectPath != "gitlab-org/gitlab-ee" || hp.SHA != mr.SHA {
		t.Errorf("head pipeline = %+v", hp)
	}
}

func TestMergeRequestWithoutPipeline(t *testing.T) {
	api := newFakeAPI(t)
	api.handle("GET", "projects/acme%2Fwidgets/merge_requests/3", func(w http.ResponseWriter, r *http.Request) {
		m := fixtureObject(t, "get_merge_request.json", map[string]any{"iid": 3, "head_pipeline": nil, "pipeline": nil})
		writeJSON(w, 200, m)
	})
	mr, err := api.client(t).MergeRequest(context.Background(), "acme/widgets", 3)
	if err != nil {
		t.Fatal(err)
	}
	if mr.HeadPipeline != nil {
		t.Errorf("head pipeline = %+v, want nil", mr.HeadPipeline)
	}
}

func TestLatestPipeline(t *testing.T) {
	tests := []struct {
		name    string
		ref     string
		status  int
		wantErr error
		wantMsg string
	}{
		{name: "branch", ref: "main", status: 200},
		{name: "default branch", ref: "", status: 200},
		{name: "commit without pipeline", ref: "feature", status: 403, wantErr: ErrNotFound, wantMsg: "newest commit"},
		{name: "missing scope", ref: "main", status: 403, wantErr: ErrForbidden, wantMsg: "read_api scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.handle("GET", "projects/acme%2Fwidgets/pipelines/latest", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Get("ref"); got != tt.ref {
					t.Errorf("ref = %q, want %q", got, tt.ref)
				}
				switch {
				case tt.status == 200:
					serveFile(t, "pipeline.json")(w, r)
				case tt.wantErr == ErrForbidden:
					writeJSON(w, 403, map[string]string{"error": "insufficient_scope", "scope": "read_api"})
				default:
					writeJSON(w, 403, map[string]string{"message": "403 Forbidden"})
				}
			})
			p, err := api.client(t).LatestPipeline(context.Background(), "acme/widgets", tt.ref)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("err = %v, want %v with %q", err, tt.wantErr, tt.wantMsg)
				}
				return
			}
			if err != nil || p.ID != 287 || p.ProjectPath != "acme/widgets" {
				t.Errorf("p = %+v, err = %v", p, err)
			}
		})
	}
}

func TestNotes(t *testing.T) {
	api := newFakeAPI(t)
	note := func(id int, body string) map[string]any {
		return fixtureObject(t, "note.json", map[string]any{"id": id, "body": body})
	}
	api.handle("GET", "projects/acme%2Fwidgets/merge_requests/12/notes", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("sort") != "desc" || q.Get("order_by") != "updated_at" {
			t.Errorf("query = %s", r.URL.RawQuery)
		}
		paged(list(note(305, "lgtm"), note(304, "nit"), note(302, "<!-- pipeline-doctor -->\nold")), 2, false)(w, r)
	})
	var mu sync.Mutex
	var created, updated map[string]any
	api.handle("POST", "projects/acme%2Fwidgets/merge_requests/12/notes", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if err := json.NewDecoder(r.Body).Decode(&created); err != nil {
			t.Error(err)
		}
		writeJSON(w, http.StatusCreated, note(306, created["body"].(string)))
	})
	api.handle("PUT", "projects/acme%2Fwidgets/merge_requests/12/notes/302", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if err := json.NewDecoder(r.Body).Decode(&updated); err != nil {
			t.Error(err)
		}
		writeJSON(w, http.StatusOK, note(302, updated["body"].(string)))
	})
	c := api.client(t)
	ctx := context.Background()

	notes, err := c.MergeRequestNotes(ctx, "acme/widgets", 12)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 3 || notes[2].ID != 302 || notes[2].Author != "pipeline-doctor" || notes[2].CreatedAt == nil {
		t.Errorf("notes = %+v", notes)
	}
	n, err := c.CreateNote(ctx, "acme/widgets", 12, "new report")
	if err != nil || n.ID != 306 || created["body"] != "new report" {
		t.Errorf("create: note %+v, err %v, sent %v", n, err, created)
	}
	n, err = c.UpdateNote(ctx, "acme/widgets", 12, 302, "fresh report")
	if err != nil || n.Body != "fresh report" || updated["body"] != "fresh report" {
		t.Errorf("update: note %+v, err %v, sent %v", n, err, updated)
	}
}

// TestCreateNoteNotRetriedOn5xx: a 5xx may come after the note was stored,
// so creating is not retried on it (it is on 429).
func TestCreateNoteNotRetriedOn5xx(t *testing.T) {
	api := newFakeAPI(t)
	var mu sync.Mutex
	calls := 0
	api.handle("POST", "projects/acme%2Fwidgets/merge_requests/12/notes", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, map[string]any{"message": map[string]string{"error": "This endpoint has been requested too many times. Try again later."}})
			return
		}
		writeJSON(w, 502, map[string]string{"message": "502 Bad Gateway"})
	})
	_, err := api.client(t).CreateNote(context.Background(), "acme/widgets", 12, "x")
	if !errors.Is(err, ErrServer) || calls != 2 {
		t.Errorf("err = %v after %d calls, want ErrServer after 2", err, calls)
	}
}

func TestTestReportDecoding(t *testing.T) {
	var r TestReport
	if err := json.Unmarshal(readTestdata(t, "get_pipeline_testreport.json"), &r); err != nil {
		t.Fatal(err)
	}
	cases := r.TestSuites[0].TestCases
	tests := []struct {
		i      int
		output string
	}{
		{0, "Failed test"},
		{1, `{"message":"Failed test","type":"MultipleExceptionError"}`},
		{2, `["Failed test a","Failed test b"]`},
		{3, ""},
	}
	for _, tt := range tests {
		if got := cases[tt.i].SystemOutput; got != tt.output {
			t.Errorf("case %d system_output = %q, want %q", tt.i, got, tt.output)
		}
	}
	if rf := cases[0].RecentFailures; rf == nil || rf.Count != 10 || rf.BaseBranch != "master" {
		t.Errorf("recent failures = %+v", rf)
	}
	if cases[0].File != "/path/file.ext" || cases[0].AttachmentURL != "http://foo.bar" || cases[0].Status != "error" {
		t.Errorf("case 0 = %+v", cases[0])
	}
	if err := json.Unmarshal([]byte(`{"system_output":"\x"}`), &TestCase{}); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestParseErrorBody(t *testing.T) {
	tests := []struct {
		body, msg, scope string
	}{
		{`{"message":"404 Project Not Found"}`, "404 Project Not Found", ""},
		{`{"message":{"base":["Pipeline is locked"],"ref":["is invalid","is missing"]}}`, "base: Pipeline is locked; ref: is invalid, is missing", ""},
		{`{"message":{"error":"This endpoint has been requested too many times. Try again later."}}`, "error: This endpoint has been requested too many times. Try again later.", ""},
		{`{"error":"insufficient_scope","error_description":"needs more","scope":"api read_api"}`, "insufficient_scope: needs more", "api read_api"},
		{`{"error":"scope does not have a valid value"}`, "scope does not have a valid value", ""},
		{"Retry later\n", "Retry later", ""},
		{"<html>\n<h1>502</h1></html>", "<html>", ""},
		{"", "", ""},
		{`{"message":null}`, `{"message":null}`, ""},
	}
	for _, tt := range tests {
		msg, scope := parseErrorBody([]byte(tt.body))
		if msg != tt.msg || scope != tt.scope {
			t.Errorf("parseErrorBody(%q) = %q, %q; want %q, %q", tt.body, msg, scope, tt.msg, tt.scope)
		}
	}
}

func TestProjectFromWebURL(t *testing.T) {
	c, err := New(Config{BaseURL: "https://host/gitlab/api/v4"})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"https://host/gitlab/acme/sub/widgets/-/pipelines/5": "acme/sub/widgets",
		"https://host/gitlab/acme/widgets/pipelines/5":       "acme/widgets",
		"https://host/other/acme/widgets/-/jobs/5":           "",
		"https://host/gitlab/acme":                           "",
		"":                                                   "",
		"://bad":                                             "",
	}
	for in, want := range tests {
		if got := c.projectFromWebURL(in); got != want {
			t.Errorf("projectFromWebURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Config{BaseURL: "https://gitlab.example.com", Kind: AuthKind(9), Token: "x"}); err == nil {
		t.Error("unknown auth kind accepted")
	}
	if _, err := New(Config{}); err == nil {
		t.Error("empty base URL accepted")
	}
}

func TestStreamBodyCloseEarly(t *testing.T) {
	api := newFakeAPI(t)
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	api.handle("GET", "projects/acme%2Fwidgets/jobs/8/artifacts/big.txt", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, big)
	})
	r, err := api.client(t).JobArtifactFile(context.Background(), "acme/widgets", 8, "big.txt")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "0123456789" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if err := r.Close(); err != nil { // must not hang with most of the body unread
		t.Fatal(err)
	}
}
