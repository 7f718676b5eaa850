package fakegitlab

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// ObjectStore is a second loopback server standing in for object storage:
// the API redirects traces and artifacts to it (Options.Redirect). It serves
// each object at the URL the redirect names and records the headers of every
// request, so a test can check that no credential reached it.
//
// It listens on 127.0.0.2 when the system allows, so that HTTP clients treat
// it as another host than the API on 127.0.0.1 (Go's client compares host
// names, not ports, when it decides which headers to forward).
type ObjectStore struct {
	// URL is the store's origin, e.g. http://127.0.0.2:40123.
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	objects  map[string]object
	next     int
	requests []StoreRequest
}

type object struct {
	data        []byte
	contentType string
	disposition string
}

// StoreRequest is one request the object store received.
type StoreRequest struct {
	Method string
	Path   string
	Header http.Header
	Found  bool
}

// NewObjectStore starts an object store. Close it when done.
func NewObjectStore() *ObjectStore {
	o := &ObjectStore{objects: map[string]object{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(o.serve))
	if l, err := net.Listen("tcp", "127.0.0.2:0"); err == nil {
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	o.srv = srv
	o.URL = srv.URL
	if strings.HasPrefix(o.URL, "http://127.0.0.1:") {
		// Same address as the API: name it differently so clients still
		// see another host.
		o.URL = "http://localhost:" + strings.TrimPrefix(o.URL, "http://127.0.0.1:")
	}
	return o
}

// NewObjectStoreTB starts an object store closed at the end of the test.
func NewObjectStoreTB(tb testing.TB) *ObjectStore {
	tb.Helper()
	o := NewObjectStore()
	tb.Cleanup(o.Close)
	return o
}

// Close stops the store.
func (o *ObjectStore) Close() { o.srv.Close() }

// Requests returns the requests received so far, oldest first.
func (o *ObjectStore) Requests() []StoreRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]StoreRequest, len(o.requests))
	copy(out, o.requests)
	return out
}

// put stores data and returns the URL it is served at.
func (o *ObjectStore) put(name string, data []byte, contentType, disposition string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.next++
	key := fmt.Sprintf("/objects/%d/%s", o.next, name)
	o.objects[key] = object{data: data, contentType: contentType, disposition: disposition}
	return o.URL + key + "?X-Amz-Signature=fake"
}

func (o *ObjectStore) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	obj, ok := o.objects[r.URL.EscapedPath()]
	o.requests = append(o.requests, StoreRequest{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), Found: ok})
	o.mu.Unlock()
	if !ok || r.Method != http.MethodGet {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>`)
		return
	}
	w.Header().Set("Content-Type", obj.contentType)
	if obj.disposition != "" {
		w.Header().Set("Content-Disposition", obj.disposition)
	}
	_, _ = w.Write(obj.data)
}
