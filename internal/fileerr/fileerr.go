// Package fileerr is the error of a problem at a line of an input file
// (pip2nix.toml, an advisory), printed as "file:line: message".
package fileerr

import "fmt"

// Error is one problem in a file, at a line when known.
type Error struct {
	File string
	Line int // 1-based; 0 when unknown
	Msg  string
}

// Error formats the problem as "file:line: message", or "file: message"
// without a line.
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}
