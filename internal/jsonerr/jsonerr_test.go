package jsonerr

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlace(t *testing.T) {
	cases := []struct {
		name, data, want string
	}{
		{"syntax", "{\n  \"a\": 1,\n  \"b\": }\n", "f.json:3: invalid character '}' looking for beginning of value"},
		{"type", "{\n\n  \"a\": \"x\"}", "f.json:3: json: cannot unmarshal string into Go struct field .A of type int"},
		{"trailing", "{\"a\": 1} x", "f.json:1: invalid character 'x' after top-level value"},
	}
	t.Run("no offset", func(t *testing.T) {
		assert.EqualError(t, Place("f.json", nil, errors.New("boom")), "f.json: boom")
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v struct{ A int }
			err := json.Unmarshal([]byte(c.data), &v)
			assert.EqualError(t, Place("f.json", []byte(c.data), err), c.want)
		})
	}
}
