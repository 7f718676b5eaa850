package glabconfig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// headerRecorder is a server that records the headers of each request.
type headerRecorder struct {
	mu   sync.Mutex
	seen []http.Header
}

func (h *headerRecorder) handler(next func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.seen = append(h.seen, r.Header.Clone())
		h.mu.Unlock()
		if next != nil {
			next(w, r)
			return
		}
		_, _ = w.Write([]byte("{}"))
	}
}

func (h *headerRecorder) last(t *testing.T) http.Header {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.seen) == 0 {
		t.Fatal("no request reached the server")
	}
	return h.seen[len(h.seen)-1]
}

// credsFor builds credentials for a loopback server through the real
// config path: a host key with api_protocol http and api_host 127.0.0.1:port.
func credsFor(t *testing.T, srvURL string, h TestHost, vars map[string]string) *Credentials {
	t.Helper()
	u, err := url.Parse(srvURL)
	if err != nil {
		t.Fatal(err)
	}
	h.Name = "gitlab.test"
	h.APIHost = u.Host
	if h.APIProtocol == "" {
		h.APIProtocol = u.Scheme
	}
	tc, err := WriteTestConfig(t.TempDir(), "", h)
	if err != nil {
		t.Fatal(err)
	}
	env := tc.Env(t.TempDir(), t.TempDir(), vars)
	env.Now = nowFunc
	cr, err := mustLoad(t, env).Credentials("gitlab.test")
	if err != nil {
		t.Fatal(err)
	}
	return cr
}

func TestHTTPClientHeaders(t *testing.T) {
	tests := []struct {
		name       string
		host       TestHost
		vars       map[string]string
		wantHeader string
		wantValue  string
	}{
		{"personal token", TestHost{Token: "pat-1"}, nil, "Private-Token", "pat-1"},
		{"oauth", TestHost{Token: "oauth-1", OAuth: true, OAuthExpiry: fixedNow.Add(time.Hour)}, nil, "Authorization", "Bearer oauth-1"},
		{"job token", TestHost{JobToken: "job-1"}, nil, "Job-Token", "job-1"},
		{"keyring token", TestHost{Token: "kr-1", Keyring: true}, nil, "Private-Token", "kr-1"},
		{"env token", TestHost{Token: "file"}, map[string]string{"GITLAB_TOKEN": "env-1"}, "Private-Token", "env-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var api headerRecorder
			srv := httptest.NewServer(api.handler(nil))
			defer srv.Close()
			tt.host.CustomHeaders = []Header{{Name: "X-Custom", Value: "c1"}}
			cr := credsFor(t, srv.URL, tt.host, tt.vars)
			if !strings.HasPrefix(cr.APIBaseURL, srv.URL) {
				t.Fatalf("APIBaseURL %q is not the server %q", cr.APIBaseURL, srv.URL)
			}
			client, err := cr.HTTPClient()
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Get(cr.APIBaseURL + "/user")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := api.last(t)
			if got := h.Get(tt.wantHeader); got != tt.wantValue {
				t.Errorf("%s = %q, want %q", tt.wantHeader, got, tt.wantValue)
			}
			if got := h.Get("X-Custom"); got != "c1" {
				t.Errorf("X-Custom = %q", got)
			}
			for _, other := range []string{"Private-Token", "Authorization", "Job-Token"} {
				if other != tt.wantHeader && h.Get(other) != "" {
					t.Errorf("unexpected %s header", other)
				}
			}
		})
	}
}

func TestHTTPClientKeepsCredentialsOnTheAPIHost(t *testing.T) {
	var other headerRecorder
	elsewhere := httptest.NewServer(other.handler(nil))
	defer elsewhere.Close()
	var api headerRecorder
	srv := httptest.NewServer(api.handler(func(w http.ResponseWriter, r *http.Request) {
		// Artifacts and traces may redirect to object storage.
		http.Redirect(w, r, elsewhere.URL+"/bucket/object", http.StatusFound)
	}))
	defer srv.Close()
	cr := credsFor(t, srv.URL, TestHost{Token: "pat-2", CustomHeaders: []Header{{Name: "X-Custom", Value: "c2"}}}, nil)
	client, err := cr.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	// A client that sets the header itself, as client-go does.
	req, err := http.NewRequest(http.MethodGet, cr.APIBaseURL+"/projects/1/jobs/2/artifacts", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(cr.HeaderName(), cr.HeaderValue())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if api.last(t).Get("Private-Token") != "pat-2" {
		t.Error("the API host did not get the token")
	}
	h := other.last(t)
	for _, name := range []string{"Private-Token", "Authorization", "Job-Token", "X-Custom"} {
		if v := h.Get(name); v != "" {
			t.Errorf("the redirect target got %s", name)
		}
	}
	// A direct request to another host gets nothing either.
	resp, err = client.Get(elsewhere.URL + "/direct")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if other.last(t).Get("Private-Token") != "" {
		t.Error("another host got the token")
	}
}

func TestSameHost(t *testing.T) {
	tests := []struct {
		u, scheme, host string
		want            bool
	}{
		{"https://h.example/api/v4", "https", "h.example", true},
		{"https://h.example:443/api/v4", "https", "h.example", true},
		{"https://H.EXAMPLE/api/v4", "https", "h.example", true},
		{"http://h.example/api/v4", "https", "h.example", false},
		{"https://h.example:8443/", "https", "h.example", false},
		{"https://evil.example/", "https", "h.example", false},
		{"http://127.0.0.1:8929/x", "http", "127.0.0.1:8929", true},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.u)
		if got := sameHost(u, tt.scheme, tt.host); got != tt.want {
			t.Errorf("sameHost(%s, %s, %s) = %v", tt.u, tt.scheme, tt.host, got)
		}
	}
}

// writePEM writes DER blocks as PEM.
func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestHTTPClientTLS(t *testing.T) {
	var api headerRecorder
	srv := httptest.NewUnstartedServer(api.handler(nil))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.StartTLS()
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	writePEM(t, ca, "CERTIFICATE", srv.Certificate().Raw)
	badCA := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(badCA, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		host    TestHost
		wantErr string // "" for success; substring of the client or request error
	}{
		{"unknown CA is refused", TestHost{Token: "t"}, "certificate"},
		{"ca_cert trusted", TestHost{Token: "t", CACert: ca}, ""},
		{"skip_tls_verify", TestHost{Token: "t", SkipTLSVerify: true}, ""},
		{"ca_cert missing", TestHost{Token: "t", CACert: filepath.Join(dir, "nope.pem")}, "reading ca_cert"},
		{"ca_cert not PEM", TestHost{Token: "t", CACert: badCA}, "holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := credsFor(t, srv.URL, tt.host, nil)
			client, err := cr.HTTPClient()
			if err == nil {
				var resp *http.Response
				resp, err = client.Get(cr.APIBaseURL + "/version")
				if err == nil {
					resp.Body.Close()
				}
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestHTTPClientMutualTLS(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	writePEM(t, certPath, "CERTIFICATE", der)
	writePEM(t, keyPath, "PRIVATE KEY", keyDER)

	var gotCN string
	var mu sync.Mutex
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if len(r.TLS.PeerCertificates) > 0 {
			gotCN = r.TLS.PeerCertificates[0].Subject.CommonName
		}
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.StartTLS()
	defer srv.Close()

	cr := credsFor(t, srv.URL, TestHost{Token: "t", SkipTLSVerify: true, ClientCert: certPath, ClientKey: keyPath}, nil)
	client, err := cr.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Get(cr.APIBaseURL + "/version")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if gotCN != "client" {
		t.Errorf("server saw client certificate %q", gotCN)
	}
}

func TestTransportProxy(t *testing.T) {
	cr := &Credentials{Host: "h", APIHost: "h", APIBaseURL: "https://h/api/v4", Proxy: "http://proxy.example:3128"}
	tr, err := cr.Transport()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://h/api/v4/user", nil)
	pu, err := tr.Proxy(req)
	if err != nil || pu == nil || pu.Host != "proxy.example:3128" {
		t.Errorf("proxy = %v, %v", pu, err)
	}
	if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Error("TLS 1.2 minimum expected")
	}
	cr.Proxy = "::bad"
	if _, err := cr.Transport(); err == nil {
		t.Error("want an error for a bad proxy")
	}
}
