package resolver

import "strings"

// PackageError is a failure concerning one package ("name==version" or a
// project name), typically an index error. It names the package once: when
// the underlying message already starts with the package, nothing is added.
type PackageError struct {
	Package string
	Err     error
}

// Error implements error.
func (e *PackageError) Error() string {
	msg := e.Err.Error()
	if strings.HasPrefix(msg, e.Package+": ") {
		return msg
	}
	return e.Package + ": " + msg
}

// Unwrap returns the underlying error.
func (e *PackageError) Unwrap() error { return e.Err }

// SdistError is an sdist from the index that cannot be read: a damaged
// archive, one over the size limits, or one with unsafe member paths.
type SdistError struct {
	Package string // name==version
	URL     string
	Err     error
}

// Error implements error.
func (e *SdistError) Error() string { return e.Package + ": " + e.URL + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *SdistError) Unwrap() error { return e.Err }
