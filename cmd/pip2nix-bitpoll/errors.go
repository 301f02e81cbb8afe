package main

import (
	"errors"
	"fmt"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/advisory"
)

// codedError carries the exit code a failure maps to; the stage that failed
// decides it, so the user can tell bad input from a network fault in scripts.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// withCode tags err with an exit code; nil stays nil.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

func usageErrorf(format string, args ...any) error {
	return withCode(exitUsage, fmt.Errorf(format, args...))
}

// exitCode maps an error to the documented exit code.
func exitCode(err error) int {
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	var found *advisory.FoundError
	if errors.As(err, &found) {
		return exitAdvisories
	}
	return exitInput
}
