// Package jsonerr places encoding/json decoding errors on their line, so a
// bad input file is reported as "file:line: …".
package jsonerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Place returns err prefixed with name and, for syntax and type errors,
// the line of data they occurred on.
func Place(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	offset := int64(-1)
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return fmt.Errorf("%s: %w", name, err)
	}
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	return fmt.Errorf("%s:%d: %w", name, line, err)
}
