package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/internal/fileerr"
)

// Error is a malformed advisory: the file (a path, or archive:member), the
// line when known, and what is wrong.
type Error = fileerr.Error

// The record as written, before validation. Unknown keys are ignored: the
// schema grows, and fields such as severity or credits are not needed.
type rawRecord struct {
	ID         scalar         `yaml:"id" json:"id"`
	Summary    scalar         `yaml:"summary" json:"summary"`
	Details    scalar         `yaml:"details" json:"details"`
	Published  scalar         `yaml:"published" json:"published"`
	Modified   scalar         `yaml:"modified" json:"modified"`
	Withdrawn  scalar         `yaml:"withdrawn" json:"withdrawn"`
	Aliases    []scalar       `yaml:"aliases" json:"aliases"`
	Affected   []rawAffected  `yaml:"affected" json:"affected"`
	References []rawReference `yaml:"references" json:"references"`
}

type rawAffected struct {
	Package struct {
		Ecosystem scalar `yaml:"ecosystem" json:"ecosystem"`
		Name      scalar `yaml:"name" json:"name"`
	} `yaml:"package" json:"package"`
	Ranges   []rawRange `yaml:"ranges" json:"ranges"`
	Versions []scalar   `yaml:"versions" json:"versions"`
}

type rawRange struct {
	Type   scalar     `yaml:"type" json:"type"`
	Events []rawEvent `yaml:"events" json:"events"`
}

type rawEvent struct {
	Introduced   *scalar `yaml:"introduced" json:"introduced"`
	Fixed        *scalar `yaml:"fixed" json:"fixed"`
	LastAffected *scalar `yaml:"last_affected" json:"last_affected"`
	Limit        *scalar `yaml:"limit" json:"limit"`
}

type rawReference struct {
	Type scalar `yaml:"type" json:"type"`
	URL  scalar `yaml:"url" json:"url"`
}

// scalar is a string value with the YAML line it was written on. YAML
// scalars of any type are taken as written ("4.2", "1.10" and timestamps
// stay text); JSON values must be strings or null.
type scalar struct {
	s    string
	line int
}

func (x *scalar) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &Error{Line: n.Line, Msg: fmt.Sprintf("expected a string, found %s", nodeKind(n))}
	}
	x.line = n.Line
	if n.Tag != "!!null" {
		x.s = n.Value
	}
	return nil
}

func (x *scalar) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	return json.Unmarshal(data, &x.s)
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// decodeFile reads one advisory from a YAML or JSON document; file names it
// in errors and is recorded in the advisory. It returns nil and no error
// for a record without PyPI entries.
func decodeFile(file string, data []byte, isJSON bool) (*Advisory, error) {
	var raw rawRecord
	var err error
	if isJSON {
		err = decodeJSON(data, &raw)
	} else {
		err = decodeYAML(data, &raw)
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.File = file
			return nil, e
		}
		return nil, &Error{File: file, Msg: err.Error()}
	}
	a, err := raw.advisory()
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.File = file
		}
		return nil, err
	}
	if a != nil {
		a.File = file
	}
	return a, nil
}

// yamlLine matches the line prefix of yaml.v3's messages; yamlType its
// type mismatches, which name Go types.
var (
	yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlType = regexp.MustCompile(`^cannot unmarshal (\S+)(?: ` + "`[^`]*`" + `)? into (\S+)$`)
)

// goTypeName says what a Go type of the raw record is in the file's terms.
func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasSuffix(t, "scalar"), t == "string":
		return "a string"
	}
	return "a mapping"
}

func decodeYAML(data []byte, raw *rawRecord) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return &Error{Msg: "empty document, expected an advisory"}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return &Error{Line: top.Line, Msg: fmt.Sprintf("expected an advisory (a mapping), found %s", nodeKindOrScalar(top))}
	}
	return yamlError(top.Decode(raw))
}

func nodeKindOrScalar(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return "a scalar"
	}
	return nodeKind(n)
}

// yamlError gives yaml.v3's errors a line of their own.
func yamlError(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg = m[2]
		if t := yamlType.FindStringSubmatch(msg); t != nil {
			msg = fmt.Sprintf("expected %s, found a YAML %s", goTypeName(t[2]), strings.TrimPrefix(t[1], "!!"))
		}
		return &Error{Line: line, Msg: msg}
	}
	return &Error{Msg: strings.TrimPrefix(msg, "yaml: ")}
}

func decodeJSON(data []byte, raw *rawRecord) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(raw)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return &Error{Line: lineAt(data, dec.InputOffset()), Msg: "unexpected data after the advisory"}
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &Error{Line: lineAt(data, syn.Offset), Msg: syn.Error()}
	case errors.As(err, &typ):
		msg := fmt.Sprintf("%s: expected %s, found a JSON %s", typ.Field, jsonWant(typ), typ.Value)
		return &Error{Line: lineAt(data, typ.Offset), Msg: msg}
	case errors.Is(err, io.EOF):
		return &Error{Msg: "empty document, expected an advisory"}
	}
	return &Error{Msg: err.Error()}
}

func jsonWant(typ *json.UnmarshalTypeError) string {
	switch typ.Type.Kind().String() {
	case "string":
		return "a string"
	case "slice":
		return "a list"
	}
	return "an object"
}

func lineAt(data []byte, offset int64) int {
	if offset < 0 || offset > int64(len(data)) {
		return 0
	}
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}

// advisory validates the record and keeps its PyPI entries and ECOSYSTEM
// ranges; nil when the record names no PyPI package.
func (r *rawRecord) advisory() (*Advisory, error) {
	if r.ID.s == "" {
		return nil, &Error{Line: r.ID.line, Msg: `"id" is missing or empty`}
	}
	a := &Advisory{
		ID:        r.ID.s,
		Summary:   strings.TrimSpace(r.Summary.s),
		Details:   strings.TrimSpace(r.Details.s),
		Published: r.Published.s,
		Modified:  r.Modified.s,
		Withdrawn: r.Withdrawn.s,
	}
	for _, s := range r.Aliases {
		if s.s != "" && s.s != a.ID {
			a.Aliases = append(a.Aliases, s.s)
		}
	}
	for _, ref := range r.References {
		if ref.URL.s != "" {
			a.References = append(a.References, Reference{Type: ref.Type.s, URL: ref.URL.s})
		}
	}
	for i, raf := range r.Affected {
		where := fmt.Sprintf("%s: affected[%d]", a.ID, i)
		if raf.Package.Ecosystem.s == "" {
			return nil, &Error{Line: raf.Package.Ecosystem.line, Msg: where + `: "package.ecosystem" is missing`}
		}
		if raf.Package.Ecosystem.s != Ecosystem {
			continue
		}
		if raf.Package.Name.s == "" {
			return nil, &Error{Line: raf.Package.Ecosystem.line, Msg: where + `: "package.name" is missing`}
		}
		af := Affected{Name: raf.Package.Name.s}
		for _, v := range raf.Versions {
			if v.s != "" {
				af.Versions = append(af.Versions, v.s)
			}
		}
		for j, rr := range raf.Ranges {
			where := fmt.Sprintf("%s.ranges[%d]", where, j)
			if rr.Type.s == "" {
				return nil, &Error{Line: rr.Type.line, Msg: where + `: "type" is missing`}
			}
			if rr.Type.s != "ECOSYSTEM" {
				continue
			}
			rng, problems, err := rr.ecosystemRange(where)
			if err != nil {
				return nil, err
			}
			af.Ranges = append(af.Ranges, rng)
			a.Problems = append(a.Problems, problems...)
		}
		a.Affected = append(a.Affected, af)
	}
	if len(a.Affected) == 0 {
		return nil, nil
	}
	return a, nil
}

func (rr *rawRange) ecosystemRange(where string) (Range, []string, error) {
	var rng Range
	if len(rr.Events) == 0 {
		return rng, nil, &Error{Line: rr.Type.line, Msg: where + `: "events" is missing or empty`}
	}
	introduced := false
	for k, re := range rr.Events {
		var set []Event
		for _, c := range []struct {
			kind EventKind
			v    *scalar
		}{{Introduced, re.Introduced}, {Fixed, re.Fixed}, {LastAffected, re.LastAffected}, {Limit, re.Limit}} {
			if c.v != nil {
				set = append(set, Event{Kind: c.kind, Version: c.v.s, Line: c.v.line})
			}
		}
		if len(set) != 1 {
			line := 0
			if len(set) > 0 {
				line = set[0].Line
			}
			return rng, nil, &Error{Line: line, Msg: fmt.Sprintf("%s.events[%d]: an event has exactly one of introduced, fixed, last_affected or limit; found %d", where, k, len(set))}
		}
		if set[0].Version == "" {
			return rng, nil, &Error{Line: set[0].Line, Msg: fmt.Sprintf("%s.events[%d]: %s has no version", where, k, set[0].Kind)}
		}
		introduced = introduced || set[0].Kind == Introduced
		rng.Events = append(rng.Events, set[0])
	}
	var problems []string
	if !introduced {
		// The schema requires one; without it nothing would be affected,
		// so read the range as starting before every version instead.
		rng.Events = append([]Event{{Kind: Introduced, Version: "0"}}, rng.Events...)
		problems = append(problems, where+`: no introduced event; the range is taken to start before every version`)
	}
	_, _, bad := rng.parse()
	for _, p := range bad {
		problems = append(problems, where+": "+p)
	}
	return rng, problems, nil
}
