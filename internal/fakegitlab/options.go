package fakegitlab

import (
	"path"
	"time"
)

// Options change how the server answers. The zero value is a well-behaved,
// current GitLab. Change them at run time with Server.SetOptions; a change
// resets the fault counters.
type Options struct {
	// Latency is added before every API answer (the request's context still
	// cancels the wait).
	Latency time.Duration
	// Unauthorized answers every API request with 401, whatever the token.
	Unauthorized bool
	// Faults are tried in order; the first one that matches a request and is
	// not used up answers it.
	Faults []Fault
	// Redirect, when set, makes the trace and artifact routes answer with a
	// redirect to this store, which then serves the bytes (as Workhorse does
	// with object storage).
	Redirect *ObjectStore
	// RedirectStatus is the redirect's status code. Default 302.
	RedirectStatus int
	// OmitTotals drops X-Total, X-Total-Pages and rel="last" from every list,
	// as GitLab does past 10,000 rows.
	OmitTotals bool
	// LegacyTrace ignores byte_offset and byte_limit on the trace route and
	// always sends the whole log, as GitLab before the byte-window
	// parameters does.
	LegacyTrace bool
	// WebBaseURL overrides the scenario's origin for web_url fields.
	WebBaseURL string
	// Now is the server's clock (rate-limit reset times, note timestamps).
	// Default time.Now.
	Now func() time.Time
}

// Fault makes matching requests fail.
type Fault struct {
	// Method to match; empty matches any.
	Method string
	// Path is a path.Match pattern on the escaped path below /api/v4, e.g.
	// "/projects/*/jobs/*/trace"; empty matches any path. Escaped project
	// paths (group%2Fproject) are one element.
	Path string
	// Status to answer: 429, 500, 502, 503, 401, 403, ...
	Status int
	// Times is how many matching requests fail; 0 means all of them.
	Times int
	// RetryAfter is the Retry-After value in seconds sent with 429.
	RetryAfter int
	// Body replaces the body GitLab sends for Status.
	Body string
}

// RateLimited returns a fault answering 429 "Retry later" with Retry-After
// for the first times requests on pattern.
func RateLimited(pattern string, times, retryAfter int) Fault {
	return Fault{Path: pattern, Status: 429, Times: times, RetryAfter: retryAfter}
}

// ServerError returns a fault answering 500 for the first times requests on
// pattern.
func ServerError(pattern string, times int) Fault {
	return Fault{Path: pattern, Status: 500, Times: times}
}

func (f Fault) matches(method, p string) bool {
	if f.Method != "" && f.Method != method {
		return false
	}
	if f.Path == "" {
		return true
	}
	ok, err := path.Match(f.Path, p)
	return err == nil && ok
}
