package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes, documented in the README.
const (
	ExitOK     = 0 // report printed
	ExitError  = 1 // any other error
	ExitUsage  = 2 // bad flags or arguments
	ExitAuth   = 4 // no usable credentials, or the server refused them
	ExitFailed = 8 // --exit-status and the pipeline failed or has failing tests
)

// FlagError is a usage problem: the usage line is printed and the exit code is 2.
type FlagError struct{ err error }

func (e *FlagError) Error() string { return e.err.Error() }
func (e *FlagError) Unwrap() error { return e.err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{err: fmt.Errorf(format, args...)}
}

// AuthError is a missing, expired or refused credential; exit code 4.
type AuthError struct{ Err error }

func (e *AuthError) Error() string { return e.Err.Error() }
func (e *AuthError) Unwrap() error { return e.Err }

// ErrSilent exits with 1 without printing anything more.
var ErrSilent = errors.New("silent error")

// ErrFailedPipeline is returned with --exit-status when the report shows a failure.
var ErrFailedPipeline = errors.New("pipeline failed")

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var fe *FlagError
	var ae *AuthError
	switch {
	case errors.Is(err, ErrFailedPipeline):
		return ExitFailed
	case errors.As(err, &fe):
		return ExitUsage
	case errors.As(err, &ae):
		return ExitAuth
	default:
		return ExitError
	}
}
