package glabconfig

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// HTTPClient returns a client for the host's API with glab's TLS settings
// (TLS 1.2 at least, ca_cert added to the system pool, the client
// certificate, skip_tls_verify), the host's proxy, and a transport that adds
// the auth header and the custom headers to requests for the API host only.
// On a redirect to another host the credential headers are dropped, so a
// token never reaches object storage or any other server.
//
// Clients that set the auth header themselves (client-go does) may use it
// too: the transport sets the same value.
func (c *Credentials) HTTPClient() (*http.Client, error) {
	tr, err := c.Transport()
	if err != nil {
		return nil, err
	}
	api, err := url.Parse(c.APIBaseURL)
	if err != nil {
		return nil, fmt.Errorf("parsing API URL of %s: %w", c.Host, err)
	}
	return &http.Client{
		Transport: &authTransport{base: tr, creds: c, scheme: api.Scheme, host: api.Host},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if !sameHost(req.URL, api.Scheme, api.Host) {
				for _, h := range credentialHeaders(c) {
					req.Header.Del(h)
				}
			}
			return nil
		},
	}, nil
}

// Transport returns the bare transport with the TLS and proxy settings and no
// credentials.
func (c *Credentials) Transport() (*http.Transport, error) {
	tlsConf, err := c.TLS.config(c.APIHost)
	if err != nil {
		return nil, err
	}
	dialTimeout := 5 * time.Second
	if c.TLS.CACert != "" {
		dialTimeout = 30 * time.Second
	}
	proxy := http.ProxyFromEnvironment
	if c.Proxy != "" {
		pu, err := url.Parse(c.Proxy)
		if err != nil || pu.Host == "" {
			return nil, &AuthError{Host: c.Host, File: c.ConfigFile,
				Msg: fmt.Sprintf("invalid proxy %q for %s", c.Proxy, c.Host)}
		}
		proxy = http.ProxyURL(pu)
	}
	base, _ := http.DefaultTransport.(*http.Transport)
	var tr *http.Transport
	if base != nil {
		tr = base.Clone()
	} else {
		tr = &http.Transport{}
	}
	tr.TLSClientConfig = tlsConf
	tr.Proxy = proxy
	tr.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	return tr, nil
}

// config builds the tls.Config.
func (t TLSSettings) config(apiHost string) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.SkipVerify} //nolint:gosec // glab's skip_tls_verify
	if t.CACert != "" {
		pem, err := os.ReadFile(t.CACert)
		if err != nil {
			return nil, &AuthError{Host: apiHost, File: t.CACert, Msg: "reading ca_cert " + t.CACert, Err: err}
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &AuthError{Host: apiHost, File: t.CACert, Msg: "ca_cert " + t.CACert + " holds no PEM certificate"}
		}
		conf.RootCAs = pool
	}
	if t.ClientCert != "" || t.ClientKey != "" {
		cert, err := tls.LoadX509KeyPair(t.ClientCert, t.ClientKey)
		if err != nil {
			return nil, &AuthError{Host: apiHost, File: t.ClientCert,
				Msg: "loading client_cert " + t.ClientCert + " and client_key " + t.ClientKey, Err: err}
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// credentialHeaders are the headers that carry the credentials.
func credentialHeaders(c *Credentials) []string {
	out := []string{"PRIVATE-TOKEN", "JOB-TOKEN", "Authorization"}
	for _, h := range c.CustomHeaders {
		out = append(out, h.Name)
	}
	return out
}

// sameHost compares a URL with the API's scheme and host.
func sameHost(u *url.URL, scheme, host string) bool {
	return strings.EqualFold(u.Scheme, scheme) && strings.EqualFold(canonicalHost(u), canonicalHostOf(scheme, host))
}

func canonicalHost(u *url.URL) string { return canonicalHostOf(u.Scheme, u.Host) }

// canonicalHostOf adds the scheme's default port, so h and h:443 compare equal.
func canonicalHostOf(scheme, host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	switch strings.ToLower(scheme) {
	case "https":
		return host + ":443"
	case "http":
		return host + ":80"
	}
	return host
}

// authTransport adds the credentials to requests for the API host.
type authTransport struct {
	base   http.RoundTripper
	creds  *Credentials
	scheme string
	host   string
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !sameHost(req.URL, t.scheme, t.host) {
		return t.base.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	for _, h := range t.creds.CustomHeaders {
		r.Header.Set(h.Name, h.Value.Reveal())
	}
	if t.creds.Token != "" {
		r.Header.Set(t.creds.HeaderName(), t.creds.HeaderValue())
	}
	return t.base.RoundTrip(r)
}
