package gitlab

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestRawFile(t *testing.T) {
	const child = "docs:build:\n  image: python:3.12-slim\n  script: sphinx-build docs public\n"
	tests := []struct {
		name, project, path, ref string
		route                    string // escaped, after /api/v4/; "" for no request
		status                   int
		body                     string
		want                     string
		wantErr                  error
		wantMsg                  string
	}{
		{name: "nested dot file", project: "acme/widgets", path: "docs/.gitlab-ci.yml", ref: lintSHA,
			route: "projects/acme%2Fwidgets/repository/files/docs%2F%2Egitlab-ci%2Eyml/raw", status: 200, body: child, want: child},
		{name: "leading slash dropped, numeric project", project: "42", path: "/ci/child pipeline.yml", ref: "main",
			route: "projects/42/repository/files/ci%2Fchild%20pipeline%2Eyml/raw", status: 200, body: "a: b\n", want: "a: b\n"},
		{name: "empty file", project: "acme/widgets", path: "empty.yml", ref: lintSHA,
			route: "projects/acme%2Fwidgets/repository/files/empty%2Eyml/raw", status: 200, body: "", want: ""},
		{name: "missing file", project: "acme/widgets", path: "docs/.gitlab-ci.yml", ref: lintSHA,
			route: "projects/acme%2Fwidgets/repository/files/docs%2F%2Egitlab-ci%2Eyml/raw", status: 404, body: `{"message":"404 File Not Found"}`,
			wantErr: ErrNotFound, wantMsg: "file docs/.gitlab-ci.yml at 3f9c2e1ab7d0 not found in acme/widgets"},
		{name: "no access to the code", project: "acme/widgets", path: "child.yml", ref: lintSHA,
			route: "projects/acme%2Fwidgets/repository/files/child%2Eyml/raw", status: 403, body: `{"message":"403 Forbidden"}`,
			wantErr: ErrForbidden, wantMsg: "file child.yml at 3f9c2e1ab7d0 in acme/widgets: 403 forbidden"},
		{name: "unauthorized", project: "acme/widgets", path: "child.yml", ref: lintSHA,
			route: "projects/acme%2Fwidgets/repository/files/child%2Eyml/raw", status: 401, body: `{"message":"401 Unauthorized"}`,
			wantErr: ErrUnauthorized},
		{name: "empty path", project: "acme/widgets", path: "/", ref: lintSHA, wantMsg: "empty path"},
		{name: "empty ref", project: "acme/widgets", path: "child.yml", ref: " ", wantMsg: "no ref given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			if tt.route != "" {
				api.handle("GET", tt.route, func(w http.ResponseWriter, r *http.Request) {
					if got := r.URL.Query().Get("ref"); got != tt.ref {
						t.Errorf("ref = %q, want %q", got, tt.ref)
					}
					w.WriteHeader(tt.status)
					_, _ = io.WriteString(w, tt.body)
				})
			}
			r, err := api.client(t).RawFile(context.Background(), tt.project, tt.path, tt.ref)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantMsg)
			}
			if tt.wantErr != nil || tt.wantMsg != "" {
				if r != nil {
					t.Errorf("got a reader with error %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil || string(b) != tt.want {
				t.Errorf("content = %q, %v; want %q", b, err, tt.want)
			}
		})
	}
}

func TestRawFileRetriesServerErrors(t *testing.T) {
	api := newFakeAPI(t)
	calls := 0
	api.handle("GET", "projects/acme%2Fwidgets/repository/files/child%2Eyml/raw", func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html>bad gateway</html>")
			return
		}
		_, _ = io.WriteString(w, "ok: true\n")
	})
	r, err := api.client(t).RawFile(context.Background(), "acme/widgets", "child.yml", lintSHA)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, _ := io.ReadAll(r); string(b) != "ok: true\n" || calls != 2 {
		t.Errorf("content %q after %d calls", b, calls)
	}
}

func TestRawFileTooLarge(t *testing.T) {
	api := newFakeAPI(t)
	api.handle("GET", "projects/acme%2Fwidgets/repository/files/big%2Eyml/raw", func(w http.ResponseWriter, r *http.Request) {
		chunk := strings.Repeat("#", 1<<20)
		for i := 0; i <= MaxRawFileBytes>>20; i++ {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	r, err := api.client(t).RawFile(context.Background(), "acme/widgets", "big.yml", lintSHA)
	if err == nil {
		r.Close()
		t.Fatal("no error for a file over the limit")
	}
	if !strings.Contains(err.Error(), "file big.yml at 3f9c2e1ab7d0 in acme/widgets: larger than 16 MiB") {
		t.Errorf("err = %v", err)
	}
}
