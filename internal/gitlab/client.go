package gitlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// AuthKind is how the token is sent.
type AuthKind int

// Authentication kinds.
const (
	// AuthPrivate sends PRIVATE-TOKEN: a personal, project or group access token.
	AuthPrivate AuthKind = iota
	// AuthOAuth sends Authorization: Bearer (OAuth2 tokens; PATs work too).
	AuthOAuth
	// AuthJob sends JOB-TOKEN: a CI job token, which cannot read traces or
	// test reports.
	AuthJob
)

// String names the kind.
func (k AuthKind) String() string {
	switch k {
	case AuthPrivate:
		return "private-token"
	case AuthOAuth:
		return "oauth"
	case AuthJob:
		return "job-token"
	}
	return "auth(" + strconv.Itoa(int(k)) + ")"
}

// Defaults for the zero values of Config.
const (
	DefaultConcurrency    = 16
	DefaultMaxRetries     = 5
	DefaultRetryWaitMin   = 500 * time.Millisecond
	DefaultRetryWaitMax   = 8 * time.Second
	DefaultRequestTimeout = 60 * time.Second
	DefaultUserAgent      = "glab-pipeline-doctor"

	// maxServerWait caps a wait that the server asks for with Retry-After
	// or RateLimit-Reset.
	maxServerWait = 2 * time.Minute
)

// Config says how to reach one GitLab instance.
type Config struct {
	// BaseURL is the API root, https://host[:port][/subfolder]/api/v4.
	// "/api/v4" is added when missing.
	BaseURL string
	// Token is sent as Kind says; empty means unauthenticated.
	Token string
	Kind  AuthKind
	// HTTPClient carries TLS settings from the config layer; nil means a
	// pooled client of this package. It is copied, never modified. Its
	// Timeout, if set, also bounds trace streams, so leave it zero.
	HTTPClient *http.Client
	// CustomHeaders are added to every API request (never to another host).
	CustomHeaders map[string]string
	// UserAgent defaults to DefaultUserAgent.
	UserAgent string
	// Concurrency bounds the requests FetchGraph has in flight; default 16.
	Concurrency int
	// MaxRetries is how often a 429 or 5xx answer is retried; default 5,
	// negative for none.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// retries when the server does not say how long to wait.
	RetryWaitMin, RetryWaitMax time.Duration
	// RequestTimeout bounds each JSON request, retries included, and the
	// wait for the headers of a stream; default 60s.
	RequestTimeout time.Duration
}

// Client talks to one GitLab instance.
type Client struct {
	api         *gl.Client
	base        *url.URL
	token       string
	kind        AuthKind
	concurrency int
	timeout     time.Duration
	// webRoot is the instance root that web URLs start with, e.g.
	// "/gitlab/" for an instance in a subfolder.
	webRoot string

	// waitHook, when set, sees every computed retry wait and returns the
	// one to use. Tests use it to record waits without sleeping.
	waitHook func(time.Duration) time.Duration
}

// New makes a Client. It does no I/O.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:        base,
		token:       cfg.Token,
		kind:        cfg.Kind,
		concurrency: cfg.Concurrency,
		timeout:     cfg.RequestTimeout,
		webRoot:     strings.TrimSuffix(base.Path, "api/v4/"),
	}
	if c.concurrency <= 0 {
		c.concurrency = DefaultConcurrency
	}
	if c.timeout <= 0 {
		c.timeout = DefaultRequestTimeout
	}
	retries := cfg.MaxRetries
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	wmin, wmax := cfg.RetryWaitMin, cfg.RetryWaitMax
	if wmin <= 0 {
		wmin = DefaultRetryWaitMin
	}
	if wmax <= 0 {
		wmax = DefaultRetryWaitMax
	}
	if wmax < wmin {
		wmax = wmin
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}

	hc := c.httpClient(cfg)
	opts := []gl.ClientOptionFunc{
		gl.WithBaseURL(base.String()),
		gl.WithHTTPClient(hc),
		gl.WithUserAgent(ua),
		gl.WithCustomRetryMax(retries),
		gl.WithCustomRetryWaitMinMax(wmin, wmax),
		gl.WithCustomBackoff(c.backoff),
		gl.WithURLWarningLogger(slog.New(slog.DiscardHandler)),
		// client-go paces every request at two thirds of the first
		// RateLimit-Limit it sees (2000/min on gitlab.com: 22 requests a
		// second), whatever the quota left, which made a 200-job pipeline
		// take 10 s; and it installs that limiter without a lock while
		// FetchGraph already has requests in flight. A diagnosis makes a
		// few hundred requests at most: it relies on 429 with Retry-After
		// or RateLimit-Reset instead (see backoff).
		gl.WithCustomLimiter(rate.NewLimiter(rate.Inf, 0)),
	}
	if len(cfg.CustomHeaders) > 0 {
		h := make(map[string]string, len(cfg.CustomHeaders))
		for k, v := range cfg.CustomHeaders {
			h[k] = v
		}
		opts = append(opts, gl.WithRequestOptions(gl.WithHeaders(h)))
	}

	var api *gl.Client
	switch {
	case cfg.Token == "":
		api, err = gl.NewAuthSourceClient(gl.Unauthenticated{}, opts...)
	case cfg.Kind == AuthPrivate:
		api, err = gl.NewClient(cfg.Token, opts...)
	case cfg.Kind == AuthOAuth:
		api, err = gl.NewAuthSourceClient(gl.OAuthTokenSource{
			TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.Token}),
		}, opts...)
	case cfg.Kind == AuthJob:
		api, err = gl.NewJobClient(cfg.Token, opts...)
	default:
		return nil, fmt.Errorf("creating gitlab client: unknown auth kind %d", int(cfg.Kind))
	}
	if err != nil {
		return nil, fmt.Errorf("creating gitlab client: %s", c.redact(err.Error()))
	}
	c.api = api
	return c, nil
}

func parseBaseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("gitlab api url is empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("parsing gitlab api url %q: %w", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("gitlab api url %q: scheme must be http or https", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("gitlab api url %q has no host", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("gitlab api url %q must have no user, query or fragment", u.Redacted())
	}
	p := strings.TrimSuffix(u.Path, "/")
	if !strings.HasSuffix(p, "/api/v4") {
		p += "/api/v4"
	}
	u.Path = p + "/"
	u.RawPath = ""
	return u, nil
}

// BaseURL returns the API root the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// httpClient copies the configured client (or makes one) and installs the
// redirect policy that keeps credentials on the API host.
func (c *Client) httpClient(cfg Config) *http.Client {
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = max(c.concurrency, 2)
		tr.ResponseHeaderTimeout = c.timeout
		hc.Transport = tr
	}
	next := hc.CheckRedirect
	custom := make([]string, 0, len(cfg.CustomHeaders))
	for k := range cfg.CustomHeaders {
		custom = append(custom, k)
	}
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if !sameOrigin(req.URL, c.base) {
			stripCredentials(req.Header, custom)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &hc
}

// sameOrigin tells whether u is on the API host: same scheme, host and port.
func sameOrigin(u, api *url.URL) bool {
	return strings.EqualFold(u.Scheme, api.Scheme) &&
		strings.EqualFold(u.Hostname(), api.Hostname()) &&
		portOf(u) == portOf(api)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// credentialHeaders are removed from a request that leaves the API host.
var credentialHeaders = []string{
	"Private-Token", "Job-Token", "Authorization", "Cookie", "Proxy-Authorization",
}

func stripCredentials(h http.Header, custom []string) {
	for _, k := range credentialHeaders {
		h.Del(k)
	}
	for _, k := range custom {
		h.Del(k)
	}
}

// backoff decides how long to wait before retry number attempt (0-based).
func (c *Client) backoff(wmin, wmax time.Duration, attempt int, resp *http.Response) time.Duration {
	d := retryWait(time.Now(), wmin, wmax, attempt, resp, rand.Float64)
	if c.waitHook != nil {
		return c.waitHook(d)
	}
	return d
}

// retryWait is the retry policy: on 429 or 503 the server's Retry-After
// (seconds or an HTTP date), else its RateLimit-Reset (a Unix time), capped
// at maxServerWait; otherwise exponential backoff from wmin, capped at wmax,
// with jitter in its upper half. rnd returns a number in [0, 1).
func retryWait(now time.Time, wmin, wmax time.Duration, attempt int, resp *http.Response, rnd func() float64) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := serverWait(now, resp.Header); ok {
			return min(d, maxServerWait)
		}
	}
	d := wmin
	for i := 0; i < attempt && d < wmax; i++ {
		d *= 2
	}
	d = min(d, wmax)
	half := d / 2
	return half + time.Duration(rnd()*float64(d-half))
}

func serverWait(now time.Time, h http.Header) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			return time.Duration(n) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if v := strings.TrimSpace(h.Get("RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return max(time.Unix(n, 0).Sub(now), 0), true
		}
	}
	return 0, false
}

// reqCtx bounds one JSON request by the request timeout.
func (c *Client) reqCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// getJSON issues GET path (relative to the API root, already escaped) with
// query parameters opt and decodes the answer into v.
func (c *Client) getJSON(ctx context.Context, path string, opt any, v any) (*gl.Response, error) {
	ctx, cancel := c.reqCtx(ctx)
	defer cancel()
	req, err := c.api.NewRequest(http.MethodGet, path, opt, []gl.RequestOptionFunc{gl.WithContext(ctx)})
	if err != nil {
		return nil, err
	}
	return c.api.Do(req, v)
}

// projectPath escapes a project id or full path for a URL path.
func projectPath(project string) string { return gl.PathEscape(project) }

// startWriter signals on its first Write that a stream's body has started.
type startWriter struct {
	w       io.Writer
	started chan struct{}
	fired   bool
}

func (s *startWriter) Write(p []byte) (int, error) {
	if !s.fired {
		s.fired = true
		close(s.started)
	}
	return s.w.Write(p)
}

// stream is a response body being read as it arrives.
type stream struct {
	r      *io.PipeReader
	cancel context.CancelFunc
	done   chan struct{}
}

func (s *stream) Read(p []byte) (int, error) { return s.r.Read(p) }

// Close stops the request and waits for it to end.
func (s *stream) Close() error {
	s.cancel()
	_ = s.r.Close()
	<-s.done
	return nil
}

// openStream issues GET path and returns its body as it arrives, once the
// answer is known to be a success. Retries happen before the body starts.
// The caller must Close the result.
func (c *Client) openStream(ctx context.Context, path string) (io.ReadCloser, error) {
	sctx, cancel := context.WithCancel(ctx)
	hctx, hcancel := context.WithCancelCause(sctx)
	req, err := c.api.NewRequest(http.MethodGet, path, nil, []gl.RequestOptionFunc{gl.WithContext(hctx)})
	if err != nil {
		hcancel(nil)
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "*/*")
	pr, pw := io.Pipe()
	sw := &startWriter{w: pw, started: make(chan struct{})}
	done := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		defer close(done)
		_, err := c.api.Do(req, sw)
		result <- err
		_ = pw.CloseWithError(err)
	}()
	s := &stream{r: pr, cancel: func() { hcancel(nil); cancel() }, done: done}

	// Bound the wait for the answer's first bytes by the request timeout.
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	select {
	case <-sw.started:
		return s, nil
	case err := <-result:
		if err != nil {
			_ = s.Close()
			return nil, err
		}
		return s, nil // a success with an empty body
	case <-timer.C:
		hcancel(fmt.Errorf("no answer within %s: %w", c.timeout, context.DeadlineExceeded))
		<-done
		err := <-result
		_ = s.Close()
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("no answer within %s: %w", c.timeout, context.DeadlineExceeded)
		}
		return nil, err
	}
}
