package fakegitlab

import (
	"io"
	"net/http"
	"testing"
)

type response struct {
	status int
	header http.Header
	body   []byte
}

// get sends one request with a credential header ("" for none).
func do(t *testing.T, s *Server, method, path, header, token string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	if header != "" {
		req.Header.Set(header, token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func get(t *testing.T, s *Server, path string) response {
	t.Helper()
	return do(t, s, "GET", path, "PRIVATE-TOKEN", DemoToken, nil)
}

func demoServer(t *testing.T, opts Options) *Server {
	t.Helper()
	sc, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	return NewTB(t, sc, opts)
}
