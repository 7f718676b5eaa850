package gitlab

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

const lintSHA = "3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b"

func TestMergedCIConfig(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    map[string]any
		want    string
		wantErr error
		wantMsg string
	}{
		{name: "valid", status: 200,
			body: map[string]any{"valid": true, "errors": []string{}, "warnings": []string{"jobs:x may allow multiple pipelines"},
				"merged_yaml": "---\nrspec:\n  script: rake spec\n", "includes": []any{}},
			want: "---\nrspec:\n  script: rake spec\n"},
		{name: "developer role needed", status: 403, body: map[string]any{"message": "403 Forbidden"},
			wantErr: ErrForbidden, wantMsg: "ci configuration at 3f9c2e1ab7d0 in acme/widgets: 403 forbidden"},
		{name: "missing scope keeps the scope hint", status: 403,
			body:    map[string]any{"error": "insufficient_scope", "scope": "api read_api"},
			wantErr: ErrForbidden, wantMsg: "the token needs the api or read_api scope"},
		{name: "unknown commit", status: 404, body: map[string]any{"message": "404 Commit Not Found"},
			wantErr: ErrNotFound, wantMsg: "ci configuration at 3f9c2e1ab7d0 not found in acme/widgets"},
		{name: "invalid configuration", status: 200,
			body:    map[string]any{"valid": false, "errors": []string{"jobs:rspec config should implement a script: or a trigger: keyword"}, "warnings": []string{}, "merged_yaml": nil},
			wantMsg: "is invalid: jobs:rspec config should implement"},
		{name: "no merged yaml", status: 200, body: map[string]any{"valid": true, "errors": []string{}},
			wantMsg: "no merged configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.handle("GET", "projects/acme%2Fwidgets/ci/lint", func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				if q.Get("content_ref") != lintSHA || q.Has("sha") || q.Has("dry_run") && q.Get("dry_run") != "false" {
					t.Errorf("query = %s", r.URL.RawQuery)
				}
				writeJSON(w, tt.status, tt.body)
			})
			got, err := api.client(t).MergedCIConfig(context.Background(), "acme/widgets", lintSHA)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantMsg)
			}
			if tt.wantMsg == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if got != tt.want {
				t.Errorf("merged = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMergedCIConfigHint(t *testing.T) {
	api := newFakeAPI(t)
	api.handle("GET", "projects/7/ci/lint", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, map[string]any{"message": "403 Forbidden"})
	})
	_, err := api.client(t).MergedCIConfig(context.Background(), "7", "main")
	var ae *APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.Hint, "ci/lint") {
		t.Errorf("err = %v, want a ci/lint hint", err)
	}
	if _, err := api.client(t).MergedCIConfig(context.Background(), "7", " "); err == nil {
		t.Error("empty sha: no error")
	}
}

func TestJobArtifactsArchive(t *testing.T) {
	zipBytes := bytes.Repeat([]byte("PK\x03\x04archive"), 1000)
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		want     []byte
		wantSize int64
		wantErr  error
	}{
		{name: "with length", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/zip")
			w.Header().Set("Content-Length", strconv.Itoa(len(zipBytes)))
			_, _ = w.Write(zipBytes)
		}, want: zipBytes, wantSize: int64(len(zipBytes))},
		{name: "chunked", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/zip")
			for i := 0; i < 4; i++ {
				_, _ = w.Write(zipBytes[i*len(zipBytes)/4 : (i+1)*len(zipBytes)/4])
				w.(http.Flusher).Flush()
			}
		}, want: zipBytes, wantSize: -1},
		{name: "empty", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(200)
		}, want: []byte{}, wantSize: 0},
		{name: "no archive", handler: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 404, map[string]string{"message": "404 Not Found"})
		}, wantErr: ErrNotFound},
		{name: "forbidden", handler: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 403, map[string]string{"message": "403 Forbidden"})
		}, wantErr: ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.handle("GET", "projects/acme%2Fwidgets/jobs/8/artifacts", tt.handler)
			rc, size, err := api.client(t).JobArtifactsArchive(context.Background(), "acme/widgets", 8)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), "artifacts archive of job 8") {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if size != tt.wantSize {
				t.Errorf("size = %d, want %d", size, tt.wantSize)
			}
			got, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("body: %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}

// TestJobArtifactsArchiveCloseEarly checks that a caller that closes the
// stream after seeing the size stops the transfer: the server's write
// fails instead of sending the whole archive.
func TestJobArtifactsArchiveCloseEarly(t *testing.T) {
	const total = 64 << 20
	sent := make(chan int64, 1)
	api := newFakeAPI(t)
	api.handle("GET", "projects/acme%2Fwidgets/jobs/9/artifacts", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(total))
		chunk := make([]byte, 32<<10)
		var n int64
		for n < total {
			k, err := w.Write(chunk)
			n += int64(k)
			if err != nil {
				break
			}
		}
		sent <- n
	})
	rc, size, err := api.client(t).JobArtifactsArchive(context.Background(), "acme/widgets", 9)
	if err != nil {
		t.Fatal(err)
	}
	if size != total {
		t.Errorf("size = %d", size)
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
	if n := <-sent; n >= total {
		t.Errorf("server sent the whole archive (%d bytes) after Close", n)
	}
}

func TestJobArtifactsArchiveRedirect(t *testing.T) {
	var got http.Header
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_, _ = io.WriteString(w, "PK")
	}))
	t.Cleanup(storage.Close)
	api := newFakeAPI(t)
	api.handle("GET", "projects/acme%2Fwidgets/jobs/8/artifacts", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, storage.URL+"/bucket/artifacts.zip?sig=1", http.StatusFound)
	})
	rc, _, err := api.client(t).JobArtifactsArchive(context.Background(), "acme/widgets", 8)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	_ = rc.Close()
	if string(b) != "PK" {
		t.Errorf("body %q", b)
	}
	for k, vs := range got {
		for _, v := range vs {
			if strings.Contains(v, testToken) {
				t.Errorf("storage host received the token in %s", k)
			}
		}
	}
}
