package glabconfig

import (
	"errors"
	"strings"
)

// AuthError means there is no usable credential: no token for the host, an
// expired OAuth token, a config file glab itself would refuse, a keyring that
// cannot be read. The command layer maps it to exit code 4. Its message is one
// line naming the file, or the glab command that fixes the problem.
type AuthError struct {
	Host string // the GitLab host, when known
	File string // the config file involved, when there is one
	Msg  string // what is wrong, lower case, no token
	Fix  string // what to run or change, e.g. "run `glab auth login --hostname h`"
	Err  error  // the underlying error, if any
}

func (e *AuthError) Error() string {
	var b strings.Builder
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(firstLine(e.Err.Error()))
	}
	if e.Fix != "" {
		b.WriteString("; ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

func (e *AuthError) Unwrap() error { return e.Err }

// InputError is a problem with what the user typed: a -R value, GITLAB_REPO,
// a pipeline argument, or flags that cannot go together. The command layer
// maps it to the usage exit code.
type InputError struct {
	Msg string
	Err error
}

func (e *InputError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + firstLine(e.Err.Error())
	}
	return e.Msg
}

func (e *InputError) Unwrap() error { return e.Err }

// RepoError means the project could not be found from the checkout: not a
// git repository, no remotes, or no remote on a known GitLab host.
type RepoError struct {
	Msg string
	Fix string
	Err error
}

func (e *RepoError) Error() string {
	var b strings.Builder
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(firstLine(e.Err.Error()))
	}
	if e.Fix != "" {
		b.WriteString("; ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

func (e *RepoError) Unwrap() error { return e.Err }

// ErrNotOnAnyBranch is returned by CurrentBranch on a detached HEAD.
var ErrNotOnAnyBranch = errors.New("git: not on any branch")
