package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/advisory"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/lockfile"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// codedError carries the exit code of a failure only cmd can classify
// (usage, an output that could not be written, --check finding changes)
// and, as a fallback, the stage that failed for errors of no known type.
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

// deadlineError is the run's --deadline passing; waiting for the index is
// what takes time, so it counts as an index error.
type deadlineError struct{ d time.Duration }

func (e *deadlineError) Error() string { return fmt.Sprintf("the run's --deadline of %v passed", e.d) }

// isA reports whether err's chain holds an error of type T.
func isA[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// exitCode maps an error to the documented exit code by the types in its
// chain, most specific first: a digest mismatch inside a resolution is an
// integrity failure (10) whatever stage met it. Errors of no known type get
// the code of the stage that tagged them (withCode), else 3.
func exitCode(err error) int {
	var ce *codedError
	if errors.As(err, &ce) && (ce.code == exitUsage || ce.code == exitWriteError || ce.code == exitDiffers) {
		return ce.code
	}
	switch {
	case isA[*resolver.HashMismatchError](err), isA[*lockfile.IntegrityError](err):
		return exitIntegrity
	case isA[*resolver.ExhaustedError](err):
		return exitExhausted
	case isA[*resolver.ConflictError](err):
		return exitConflict
	case isA[*nixpkgs.QueryError](err):
		return exitNix
	case isA[*index.Error](err), isA[*index.OfflineMissError](err), isA[*index.StatusError](err), isA[*resolver.SdistError](err), isA[*deadlineError](err):
		return exitIndex
	case isA[pypi.ErrorList](err), isA[*pypi.FileError](err), isA[*config.Error](err), isA[*resolver.HashMissingError](err),
		isA[*nixpkgs.NotRecordedError](err):
		return exitInput
	case isA[*advisory.FoundError](err):
		return exitAdvisories
	}
	if ce != nil {
		return ce.code
	}
	return exitInput
}
