package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"
)

// Sentinel errors. Every error of this package that comes from a GitLab
// answer wraps one of them, so the command layer can test with errors.Is and
// print one clear line.
var (
	// ErrUnauthorized: 401, the token is missing, invalid, expired or revoked.
	ErrUnauthorized = errors.New("unauthorized: the token is invalid or expired")
	// ErrForbidden: 403, the token lacks a scope or the user lacks access.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: 404, the thing does not exist or is not visible to the token.
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: still 429 after every retry.
	ErrRateLimited = errors.New("rate limit exhausted")
	// ErrServer: a 5xx answer after every retry.
	ErrServer = errors.New("gitlab server error")
)

// APIError is an error answer of the GitLab API. It unwraps to one of the
// sentinel errors above (or to nothing for other statuses).
type APIError struct {
	// What names the thing asked for, e.g. "pipeline 42".
	What string
	// In names where it was looked for, e.g. the project "group/proj".
	In string
	// Status is the HTTP status code.
	Status int
	// Message is GitLab's message, flattened (never contains the token).
	Message string
	// Scope is the scope GitLab said is needed, for a 403 insufficient_scope.
	Scope string
	// Hint is a short suggestion for the user, possibly empty.
	Hint string

	kind error
}

// Error implements error with one line, e.g.
// "pipeline 42 not found in group/proj (or not visible with this token)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.What)
	if errors.Is(e.kind, ErrNotFound) {
		b.WriteString(" not found")
		if e.In != "" {
			b.WriteString(" in ")
			b.WriteString(e.In)
		}
		if e.Message != "" {
			fmt.Fprintf(&b, " (%s)", e.Message)
		}
		if e.Hint != "" {
			fmt.Fprintf(&b, " (%s)", e.Hint)
		}
		return b.String()
	}
	if e.In != "" {
		b.WriteString(" in ")
		b.WriteString(e.In)
	}
	switch {
	case errors.Is(e.kind, ErrUnauthorized):
		b.WriteString(": 401 unauthorized: the token is invalid or expired")
	case errors.Is(e.kind, ErrForbidden):
		b.WriteString(": 403 forbidden")
	case errors.Is(e.kind, ErrRateLimited):
		b.WriteString(": 429 rate limit exhausted after retries")
	case errors.Is(e.kind, ErrServer):
		fmt.Fprintf(&b, ": %d server error after retries", e.Status)
	default:
		fmt.Fprintf(&b, ": status %d", e.Status)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, " (%s)", e.Message)
	}
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the sentinel error for the status.
func (e *APIError) Unwrap() error { return e.kind }

// wrapErr turns an error of client-go into this package's errors, naming
// what was asked for and where. The token never appears in the result.
func (c *Client) wrapErr(err error, what, in string) error {
	if err == nil {
		return nil
	}
	full := what
	if in != "" {
		full += " in " + in
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", full, err)
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, gl.ErrNotFound) {
		return &APIError{What: what, In: in, Status: http.StatusNotFound, kind: ErrNotFound,
			Hint: "or not visible with this token"}
	}
	var er *gl.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return fmt.Errorf("%s: %s", full, c.redact(err.Error()))
	}
	e := &APIError{What: what, In: in, Status: er.Response.StatusCode}
	msg, scope := parseErrorBody(er.Body)
	e.Message = c.redact(msg)
	e.Scope = scope
	switch s := e.Status; {
	case s == http.StatusUnauthorized:
		e.kind = ErrUnauthorized
		e.Hint = "log in again (glab auth login) or set a valid GITLAB_TOKEN"
	case s == http.StatusForbidden:
		e.kind = ErrForbidden
		switch {
		case scope != "":
			e.Hint = "the token needs the " + strings.Join(strings.Fields(scope), " or ") + " scope"
		case c.kind == AuthJob:
			e.Hint = "a CI job token cannot read job traces, job details or test reports; use a token with the read_api scope"
		default:
			e.Hint = "the token needs the read_api scope and at least Reporter access to the project"
		}
	case s == http.StatusTooManyRequests:
		e.kind = ErrRateLimited
		e.Hint = "try again later or lower --concurrency"
	case s >= 500:
		e.kind = ErrServer
	}
	return e
}

// parseErrorBody reads GitLab's error body: a string "message", an object
// "message" flattened to "field: msgs", else "error" with
// "error_description", else the raw text (cut short).
func parseErrorBody(body []byte) (msg, scope string) {
	text := strings.TrimSpace(string(body))
	if text == "" {
		return "", ""
	}
	var v struct {
		Message          json.RawMessage `json:"message"`
		Error            string          `json:"error"`
		ErrorDescription string          `json:"error_description"`
		Scope            string          `json:"scope"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return shorten(firstLine(text), 200), ""
	}
	scope = v.Scope
	if len(v.Message) > 0 && string(v.Message) != "null" {
		var s string
		if json.Unmarshal(v.Message, &s) == nil {
			return shorten(s, 300), scope
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(v.Message, &m) == nil {
			return shorten(flattenMessage(m), 300), scope
		}
		return shorten(string(v.Message), 300), scope
	}
	switch {
	case v.Error != "" && v.ErrorDescription != "":
		return shorten(v.Error+": "+v.ErrorDescription, 300), scope
	case v.Error != "":
		return shorten(v.Error, 300), scope
	}
	return shorten(firstLine(text), 200), scope
}

func flattenMessage(m map[string]json.RawMessage) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		var list []string
		if json.Unmarshal(m[k], &list) == nil {
			parts = append(parts, k+": "+strings.Join(list, ", "))
			continue
		}
		var s string
		if json.Unmarshal(m[k], &s) == nil {
			parts = append(parts, k+": "+s)
			continue
		}
		parts = append(parts, k+": "+string(m[k]))
	}
	return strings.Join(parts, "; ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// redact removes the token from a text, in case a server or proxy echoed it.
func (c *Client) redact(s string) string {
	if c.token == "" || len(c.token) < 4 {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[REDACTED]")
}
