// Package config reads pip2nix.toml, the per-project settings that sit
// beside the requirements files: aliases from project names to nixpkgs
// attributes, per-package choices (source, skip, extra pins, build
// inputs, patches, import checks) and the advisories accepted as known
// risks.
//
// Everything a setting contributes to python-packages.nix is validated here
// (attribute paths, relative paths, module names), because it is rendered
// into Nix code and must never carry arbitrary text.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/internal/fileerr"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// FileName is the name of the configuration file Find looks for.
const FileName = "pip2nix.toml"

// The values of Package.Source.
const (
	SourceNixpkgs = "nixpkgs" // always take nixpkgs' attribute
	SourceIndex   = "index"   // always build from the index's sdist
	SourcePolicy  = ""        // let the resolution policy decide
)

// Config is the content of one pip2nix.toml.
type Config struct {
	// Aliases maps normalized project names to nixpkgs attributes of the
	// Python package set; they extend and override nixpkgs.DefaultAliases.
	Aliases map[string]string
	// Packages holds per-project settings, keyed by normalized name.
	Packages map[string]Package
	// Path is the file read ("" when none was given); relative patch
	// paths are relative to its directory.
	Path string
	// AllowedAdvisories are the [advisories] allow entries: advisories
	// accepted as known risks, which --fail-on-advisories does not count.
	AllowedAdvisories []AllowedAdvisory `json:",omitempty"`
}

// AllowedAdvisory accepts one advisory, named by its ID or any alias.
type AllowedAdvisory struct {
	ID     string // e.g. "PYSEC-2024-56", "CVE-2024-38875", "GHSA-…"
	Reason string // why the risk is accepted; required
	Line   int    // where it is written in Path
}

// Package is the [packages.<name>] table of one project.
type Package struct {
	Source            string   // SourceNixpkgs, SourceIndex or SourcePolicy
	Skip              bool     // leave out of the closure, with dependencies nothing else needs
	Pin               string   // extra PEP 440 specifier set, e.g. "==0.23.0"; "" for none
	NativeBuildInputs []string // attribute paths such as "pkgs.pkg-config"
	BuildInputs       []string // attribute paths such as "pkgs.libsass"
	Patches           []string // "./" or "../" paths relative to the config file
	ImportsCheck      []string // Python modules; overrides pythonImportsCheck when non-empty
	// KeepRecipe and DropRecipe override the decisions about nixpkgs'
	// recipe when the overlay moves the package to another release: part
	// names "patch:<file name>", "patches", "postPatch", "checks",
	// "pythonRelaxDeps".
	KeepRecipe []string
	DropRecipe []string
}

// Error is one problem in a configuration file, at a line.
type Error = fileerr.Error

// Find returns the path of the pip2nix.toml beside a requirements file (the
// first one given on the command line). The file need not exist; Load
// treats a missing file as an empty configuration.
func Find(requirementsPath string) string {
	return filepath.Join(filepath.Dir(requirementsPath), FileName)
}

// Load reads a pip2nix.toml. A missing file is an empty configuration and no
// error. Problems are *Error values naming file and line (joined when there
// are several): TOML syntax, unknown keys, values of the wrong type, an
// invalid source, an unparsable pin, an attribute path, patch path or module
// name that is not plain, and two keys naming the same project.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Config{Aliases: map[string]string{}, Packages: map[string]Package{}, Path: path}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return parse(path, data)
}

type fileConfig struct {
	Aliases    map[string]string      `toml:"aliases"`
	Packages   map[string]filePackage `toml:"packages"`
	Advisories struct {
		Allow []struct {
			ID     string `toml:"id"`
			Reason string `toml:"reason"`
		} `toml:"allow"`
	} `toml:"advisories"`
}

type filePackage struct {
	Source            string   `toml:"source"`
	Skip              bool     `toml:"skip"`
	Pin               string   `toml:"pin"`
	NativeBuildInputs []string `toml:"native-build-inputs"`
	BuildInputs       []string `toml:"build-inputs"`
	Patches           []string `toml:"patches"`
	ImportsCheck      []string `toml:"imports-check"`
	KeepRecipe        []string `toml:"keep-recipe"`
	DropRecipe        []string `toml:"drop-recipe"`
}

func parse(path string, data []byte) (*Config, error) {
	var f fileConfig
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, decodeError(path, err)
	}
	// The decoder keeps no positions for valid values; a second pass over
	// the syntax tree finds the line of every key for the checks below.
	lines := keyLines(data)
	c := &Config{Aliases: map[string]string{}, Packages: map[string]Package{}, Path: path}
	var errs []*Error
	fail := func(key []string, format string, args ...any) {
		errs = append(errs, &Error{File: path, Line: lines.line(key), Msg: fmt.Sprintf(format, args...)})
	}

	seenAlias := map[string]string{}
	for _, project := range sortedKeys(f.Aliases, lines, "aliases") {
		attr := f.Aliases[project]
		key := []string{"aliases", project}
		if !pypi.ValidName(project) {
			fail(key, "aliases: %q is not a valid project name", project)
			continue
		}
		name := pypi.NormalizeName(project)
		if prev, dup := seenAlias[name]; dup {
			fail(key, "aliases: %q and %q name the same project %q", prev, project, name)
			continue
		}
		seenAlias[name] = project
		if !validIdentifier(attr) {
			fail(key, "aliases.%s: %q is not a nixpkgs attribute name", quoteKey(project), attr)
			continue
		}
		c.Aliases[name] = attr
	}

	seenPackage := map[string]string{}
	for _, project := range sortedKeys(f.Packages, lines, "packages") {
		p := f.Packages[project]
		key := []string{"packages", project}
		if !pypi.ValidName(project) {
			fail(key, "packages: %q is not a valid project name", project)
			continue
		}
		name := pypi.NormalizeName(project)
		if prev, dup := seenPackage[name]; dup {
			fail(key, "packages: %q and %q name the same project %q", prev, project, name)
			continue
		}
		seenPackage[name] = project
		field := func(name string) []string { return append(key[:2:2], name) }
		prefix := "packages." + quoteKey(project) + "."

		switch p.Source {
		case SourceNixpkgs, SourceIndex, SourcePolicy:
		default:
			fail(field("source"), "%ssource: %q is not one of %q, %q or \"\" (policy decides)", prefix, p.Source, SourceNixpkgs, SourceIndex)
		}
		if p.Pin != "" {
			if _, err := pypi.ParseSpecifierSet(p.Pin); err != nil {
				fail(field("pin"), "%spin: %v", prefix, err)
			}
		}
		lists := []struct {
			name   string
			values []string
			valid  func(string) bool
			want   string
		}{
			{"native-build-inputs", p.NativeBuildInputs, ValidAttrPath, "an attribute path such as pkgs.pkg-config or final.six"},
			{"build-inputs", p.BuildInputs, ValidAttrPath, "an attribute path such as pkgs.libsass or final.six"},
			{"patches", p.Patches, validRelativePath, `a relative path such as "./patches/fix.patch"`},
			{"imports-check", p.ImportsCheck, validModule, "a Python module name such as sass or foo.bar"},
			{"keep-recipe", p.KeepRecipe, validRecipePart, `a recipe part: "patch:<file name>", "patches", "postPatch", "checks" or "pythonRelaxDeps"`},
			{"drop-recipe", p.DropRecipe, validRecipePart, `a recipe part: "patch:<file name>", "patches", "postPatch", "checks" or "pythonRelaxDeps"`},
		}
		for _, l := range lists {
			for i, v := range l.values {
				if !l.valid(v) {
					fail(append(field(l.name), fmt.Sprint(i)), "%s%s: %q is not %s", prefix, l.name, v, l.want)
				}
			}
		}
		c.Packages[name] = Package{
			Source:            p.Source,
			Skip:              p.Skip,
			Pin:               p.Pin,
			NativeBuildInputs: p.NativeBuildInputs,
			BuildInputs:       p.BuildInputs,
			Patches:           p.Patches,
			ImportsCheck:      p.ImportsCheck,
			KeepRecipe:        p.KeepRecipe,
			DropRecipe:        p.DropRecipe,
		}
	}
	seenAllow := map[string]int{}
	for i, a := range f.Advisories.Allow {
		key := []string{"advisories", "allow", fmt.Sprint(i)}
		line := lines.line(key)
		switch {
		case !advisoryID.MatchString(a.ID):
			fail(key, "advisories.allow: id %q is not an advisory identifier such as PYSEC-2024-56, GHSA-… or CVE-…", a.ID)
		case strings.TrimSpace(a.Reason) == "":
			fail(key, "advisories.allow: %s needs a reason (why the risk is accepted)", a.ID)
		case seenAllow[a.ID] != 0:
			fail(key, "advisories.allow: %s is already allowed on line %d", a.ID, seenAllow[a.ID])
		default:
			seenAllow[a.ID] = line
			c.AllowedAdvisories = append(c.AllowedAdvisories, AllowedAdvisory{ID: a.ID, Reason: strings.TrimSpace(a.Reason), Line: line})
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return c, nil
}

// advisoryID is what an advisory identifier looks like: PYSEC-2024-56,
// GHSA-xxxx-xxxx-xxxx, CVE-2024-38875, nixpkgs:django_4.
var advisoryID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)

// sortedKeys orders a table's keys by their line in the file, then by name,
// so that "first" and "second" in duplicate reports follow the file.
func sortedKeys[V any](m map[string]V, lines keyLineMap, table string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		li, lj := lines.line([]string{table, keys[i]}), lines.line([]string{table, keys[j]})
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// joinErrors returns the only error, or all of them in line order.
func joinErrors(errs []*Error) error {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	if len(errs) == 1 {
		return errs[0]
	}
	list := make([]error, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return errors.Join(list...)
}

// decodeError turns go-toml's errors into *Error values at their lines.
func decodeError(path string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		errs := make([]*Error, 0, len(strict.Errors))
		for i := range strict.Errors {
			e := &strict.Errors[i]
			line, _ := e.Position()
			errs = append(errs, &Error{File: path, Line: line, Msg: fmt.Sprintf("unknown key %q", dottedKey(e.Key()))})
		}
		return joinErrors(errs)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if key := de.Key(); len(key) > 0 {
			// go-toml describes type mismatches in Go terms; say them in
			// the file's terms instead.
			if m := typeMismatch.FindStringSubmatch(msg); m != nil {
				msg = fmt.Sprintf("expected %s, found a TOML %s", expectedType(key), m[1])
			}
			msg = dottedKey(key) + ": " + msg
		}
		return &Error{File: path, Line: line, Msg: msg}
	}
	return &Error{File: path, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
}

var typeMismatch = regexp.MustCompile(`^cannot decode TOML (\S+) into`)

// expectedType describes the value the schema wants at key.
func expectedType(key []string) string {
	switch {
	case len(key) == 2 && key[0] == "aliases":
		return "a string (a nixpkgs attribute name)"
	case key[0] == "advisories" && len(key) == 2:
		return `an array of tables such as [{ id = "PYSEC-…", reason = "…" }]`
	case key[0] == "advisories" && len(key) > 2:
		return "a string"
	case len(key) < 3:
		return "a table"
	}
	switch key[2] {
	case "skip":
		return "a boolean"
	case "source", "pin":
		return "a string"
	}
	return "an array of strings"
}

func dottedKey(parts []string) string {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = quoteKey(p)
	}
	return strings.Join(quoted, ".")
}

var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// quoteKey spells a key part as TOML would need it written.
func quoteKey(k string) string {
	if bareKey.MatchString(k) {
		return k
	}
	return fmt.Sprintf("%q", k)
}

// keyLineMap maps key paths (parts joined by NUL) to the line where each
// first appears; array elements get their index as a last part.
type keyLineMap map[string]int

func (m keyLineMap) line(key []string) int {
	// A key set on the table's header line has no line of its own; fall
	// back to the nearest enclosing key that has one.
	for n := len(key); n > 0; n-- {
		if l, ok := m[strings.Join(key[:n], "\x00")]; ok {
			return l
		}
	}
	return 0
}

func keyLines(data []byte) keyLineMap {
	m := keyLineMap{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	arrays := map[string]int{}
	record := func(parts []string, line int) {
		for n := 1; n <= len(parts); n++ {
			k := strings.Join(parts[:n], "\x00")
			if _, ok := m[k]; !ok {
				m[k] = line
			}
		}
	}
	keyOf := func(n *unstable.Node) (parts []string, line int) {
		it := n.Key()
		for it.Next() {
			k := it.Node()
			if line == 0 {
				line = p.Shape(k.Raw).Start.Line
			}
			parts = append(parts, string(k.Data))
		}
		return parts, line
	}
	var keyValue func(prefix []string, n *unstable.Node)
	keyValue = func(prefix []string, n *unstable.Node) {
		parts, line := keyOf(n)
		full := append(append([]string{}, prefix...), parts...)
		record(full, line)
		v := n.Value()
		switch v.Kind {
		case unstable.InlineTable:
			it := v.Children()
			for it.Next() {
				keyValue(full, it.Node())
			}
		case unstable.Array:
			it := v.Children()
			for i := 0; it.Next(); i++ {
				record(append(full[:len(full):len(full)], fmt.Sprint(i)), lineOf(&p, it.Node(), line))
			}
		}
	}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table:
			parts, line := keyOf(e)
			table = parts
			record(table, line)
		case unstable.ArrayTable:
			// [[a.b]] tables are elements of the array a.b, numbered.
			parts, line := keyOf(e)
			path := strings.Join(parts, "\x00")
			table = append(parts, fmt.Sprint(arrays[path]))
			arrays[path]++
			record(table, line)
		case unstable.KeyValue:
			keyValue(table, e)
		}
	}
	return m
}

// lineOf is the line a value node starts on, or fallback when the node
// records no position.
func lineOf(p *unstable.Parser, n *unstable.Node, fallback int) int {
	if n.Raw.Length == 0 && n.Raw.Offset == 0 {
		return fallback
	}
	return p.Shape(n.Raw).Start.Line
}

var (
	nixIdentifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*$`)
	relativePath  = regexp.MustCompile(`^\.\.?(/[A-Za-z0-9._+-]+)+$`)
	recipePart    = regexp.MustCompile(`^(patch:[A-Za-z0-9._+-]+|patches|postPatch|checks|pythonRelaxDeps)$`)
	pythonModule  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
)

// nixKeywords cannot be written as bare attribute names.
var nixKeywords = map[string]bool{
	"assert": true, "else": true, "if": true, "in": true, "inherit": true,
	"let": true, "or": true, "rec": true, "then": true, "with": true,
}

func validIdentifier(s string) bool {
	return nixIdentifier.MatchString(s) && !nixKeywords[s]
}

// ValidAttrPath reports whether s is an attribute path the overlay can
// splice into Nix as it is: "pkgs", "final" or "prev" followed by one or
// more dot-separated bare Nix identifiers (pkgs.pkg-config,
// pkgs.xorg.libX11, final.six).
func ValidAttrPath(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	switch parts[0] {
	case "pkgs", "final", "prev":
	default:
		return false
	}
	for _, p := range parts[1:] {
		if !validIdentifier(p) {
			return false
		}
	}
	return true
}

// validRelativePath accepts what Nix reads as a relative path literal
// starting with ./ or ../, with no "..", "." or empty components after it.
func validRelativePath(s string) bool {
	if !relativePath.MatchString(s) {
		return false
	}
	for _, c := range strings.Split(s, "/")[1:] {
		if c == "." || c == ".." {
			return false
		}
	}
	return true
}

func validModule(s string) bool { return pythonModule.MatchString(s) }

func validRecipePart(s string) bool { return recipePart.MatchString(s) }
