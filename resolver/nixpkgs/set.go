// Package nixpkgs asks a nixpkgs tree which Python packages it provides, at
// which versions, and maps Python project names onto its attributes.
//
// The answer is a Set: it comes from one Nix evaluation (Query) or from a
// query file saved earlier (Load, Save), so resolution can run where Nix is
// absent.
package nixpkgs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/internal/jsonerr"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// Format identifies the query file format written by Save and read by Load.
const Format = "pip2nix-bitpoll/nixpkgs-query/v1"

// Package is one derivation of nixpkgs' Python package set.
type Package struct {
	Attr     string // attribute in <python>Packages, e.g. "django_5"
	PName    string // the derivation's pname
	Version  string // the derivation's version, as nixpkgs spells it
	PyPIName string // meta.pypiName; "" when nixpkgs records none
	// License holds the SPDX identifiers of meta.license; nil when unknown
	// (not recorded, or a license without an SPDX identifier).
	License              []string
	Broken               bool     // meta.broken
	KnownVulnerabilities []string // meta.knownVulnerabilities
	// Dependencies are the attributes of its Python runtime dependencies
	// (propagated inputs) in the same set.
	Dependencies []string
	// OptionalDependencies maps each extra nixpkgs defines
	// (optional-dependencies.<extra>) to attributes of the set.
	OptionalDependencies map[string][]string
	Recipe               Recipe
}

// Recipe is what an override must know about nixpkgs' recipe for a
// package: the parts written for nixpkgs' version of the source.
type Recipe struct {
	// Src says where nixpkgs' source comes from: SrcPyPI, SrcGitHub,
	// SrcOther, or "" when not recorded.
	Src     string
	Patches []string // file (or fetchpatch derivation) names, in order
	// FetchedPatches are the names among Patches of patches fetched when
	// built (fetchpatch): their text cannot be had offline. nil when none,
	// or when the query file predates the field.
	FetchedPatches []string
	// PostPatch is the evaluated postPatch script; nil when there is none.
	PostPatch       *string
	DisabledTests   bool      // disabledTests or disabledTestPaths is non-empty
	PythonRelaxDeps RelaxDeps // pythonRelaxDeps
}

// Where nixpkgs' src comes from.
const (
	SrcPyPI   = "pypi"
	SrcGitHub = "github"
	SrcOther  = "other"
)

// RelaxDeps is pythonRelaxDeps: true (every dependency), or a list of
// dependency names.
type RelaxDeps struct {
	All   bool
	Names []string
}

// MarshalJSON writes true, or the list of names.
func (r RelaxDeps) MarshalJSON() ([]byte, error) {
	if r.All {
		return []byte("true"), nil
	}
	names := r.Names
	if names == nil {
		names = []string{}
	}
	return json.Marshal(names)
}

// UnmarshalJSON reads a bool or a list of strings.
func (r *RelaxDeps) UnmarshalJSON(data []byte) error {
	var b bool
	if err := json.Unmarshal(data, &b); err == nil {
		*r = RelaxDeps{All: b}
		return nil
	}
	var names []string
	if err := json.Unmarshal(data, &names); err != nil {
		return fmt.Errorf("pythonRelaxDeps: want a bool or a list of strings")
	}
	*r = RelaxDeps{Names: orNil(names)}
	return nil
}

// ErrNotRecorded is returned by Find for a name a partial set does not
// record: nixpkgs may well have it.
var ErrNotRecorded = errors.New("not recorded in the partial nixpkgs query")

// Set is the Python package set of one nixpkgs revision for one interpreter.
type Set struct {
	Ref              string    // flake reference, path or query file it came from
	Rev              string    // nixpkgs revision when known; "" otherwise
	PythonAttr       string    // interpreter attribute, e.g. "python312"
	PythonVersion    string    // full interpreter version, e.g. "3.12.10"
	PythonMajorMinor string    // e.g. "3.12"
	Packages         []Package // sorted by Attr
	// Partial marks a recorded, incomplete set: a name none of its
	// packages provides is unknown to it, not absent from nixpkgs (Find
	// says so with a *NotRecordedError).
	Partial bool

	// Aliases maps projects nixpkgs packages under another name to the
	// attribute that provides them (see DefaultAliases). Load and Query set
	// it to DefaultAliases(); callers extend or override it with the
	// aliases of pip2nix.toml. Keys may be spelled in any PEP 503 variant;
	// a normalized key takes precedence over other spellings.
	Aliases map[string]string
}

// DefaultAliases returns the projects that nixpkgs provides under an
// attribute whose pname does not name the project, so neither meta.pypiName
// nor pname matching finds them. Keys are normalized project names; values
// are attributes of <python>Packages. The caller owns the returned map.
func DefaultAliases() map[string]string {
	return map[string]string{
		// The -binary wheels bundle their own libpq; on Nix the source
		// build against nixpkgs' libpq provides the same module.
		"psycopg2-binary": "psycopg2",
		"psycopg-binary":  "psycopg",
		// PyPI splits OpenCV's Python bindings into several wheels that all
		// install the module cv2; nixpkgs builds them from OpenCV itself.
		"opencv-python":                  "opencv4",
		"opencv-python-headless":         "opencv4",
		"opencv-contrib-python":          "opencv4",
		"opencv-contrib-python-headless": "opencv4",
		// The project's old name on the index, kept by pins in the wild.
		"msgpack-python": "msgpack",
	}
}

// Lookup returns every attribute providing the project name (any PEP 503
// spelling): packages whose meta.pypiName normalizes to it, packages without
// a recorded pypiName whose pname normalizes to it, and the attribute the
// alias table maps it to.
//
// The order is deterministic and states preference: first the attribute
// spelled the way nixpkgs usually names a project (the normalized name, e.g.
// "django", "django-widget-tweaks"), then the alias target, then the others
// by descending version (Nix's version order, as builtins.compareVersions),
// ties broken by attribute name. It returns nil when nothing matches, which
// on a partial set (Partial) does not mean nixpkgs lacks the project: use
// Find there.
func (s *Set) Lookup(name string) []Package {
	want := pypi.NormalizeName(name)
	if want == "" {
		return nil
	}
	aliasTarget, ok := s.Aliases[want]
	if !ok {
		// Keys spelled otherwise: when several normalize alike, the first
		// in sorted order wins, so the answer never depends on map order.
		first := ""
		for project, target := range s.Aliases {
			if (first == "" || project < first) && pypi.NormalizeName(project) == want {
				first, aliasTarget = project, target
			}
		}
	}
	var found []Package
	for _, p := range s.Packages {
		key := p.PyPIName
		if key == "" {
			key = p.PName
		}
		if pypi.NormalizeName(key) == want || (aliasTarget != "" && p.Attr == aliasTarget) {
			found = append(found, p)
		}
	}
	rank := func(p Package) int {
		switch p.Attr {
		case want:
			return 0
		case aliasTarget:
			return 1
		}
		return 2
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if c := CompareVersions(a.Version, b.Version); c != 0 {
			return c > 0
		}
		return a.Attr < b.Attr
	})
	return found
}

// Package returns the package at attribute attr, if the set has it.
func (s *Set) Package(attr string) (Package, bool) {
	i := sort.Search(len(s.Packages), func(i int) bool { return s.Packages[i].Attr >= attr })
	if i < len(s.Packages) && s.Packages[i].Attr == attr {
		return s.Packages[i], true
	}
	return Package{}, false
}

// fileJSON is the query file format; evalJSON is what query.nix returns.
type fileJSON struct {
	Format  string `json:"format"`
	Nixpkgs struct {
		Ref string `json:"ref"`
		Rev string `json:"rev"`
	} `json:"nixpkgs"`
	evalJSON
}

type evalJSON struct {
	Python struct {
		Attr          string `json:"attr"`
		Version       string `json:"version"`
		PythonVersion string `json:"pythonVersion"`
	} `json:"python"`
	Packages map[string]packageJSON `json:"packages"`
	Partial  bool                   `json:"partial,omitempty"`
}

type packageJSON struct {
	PName                string              `json:"pname"`
	Version              string              `json:"version"`
	PyPIName             *string             `json:"pypiName"`
	License              []string            `json:"license"`
	Broken               bool                `json:"broken"`
	KnownVulnerabilities []string            `json:"knownVulnerabilities"`
	Dependencies         []string            `json:"dependencies"`
	OptionalDependencies map[string][]string `json:"optionalDependencies"`
	Recipe               *recipeJSON         `json:"recipe,omitempty"`
}

type recipeJSON struct {
	Src             string    `json:"src"`
	Patches         []string  `json:"patches"`
	PostPatch       *string   `json:"postPatch"`
	DisabledTests   bool      `json:"disabledTests"`
	PythonRelaxDeps RelaxDeps `json:"pythonRelaxDeps"`
	FetchedPatches  []string  `json:"fetchedPatches,omitempty"`
}

// Load reads a query file written by Save (or by the nixpkgs-query
// subcommand). Errors name the file, and the line for malformed JSON.
func Load(path string) (*Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nixpkgs query file: %w", err)
	}
	return decodeFile(path, data)
}

func decodeFile(name string, data []byte) (*Set, error) {
	var f fileJSON
	if err := strictUnmarshal(data, &f); err != nil {
		return nil, jsonError(name, data, err)
	}
	if f.Format != Format {
		return nil, fmt.Errorf("%s: format %q, want %q", name, f.Format, Format)
	}
	s, err := f.evalJSON.set()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.Ref, s.Rev = f.Nixpkgs.Ref, f.Nixpkgs.Rev
	return s, nil
}

// decodeEval turns the output of query.nix into a Set; what names the
// command for errors.
func decodeEval(what string, data []byte) (*Set, error) {
	var e evalJSON
	if err := strictUnmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%s: output: %w", what, err)
	}
	s, err := e.set()
	if err != nil {
		return nil, fmt.Errorf("%s: output: %w", what, err)
	}
	return s, nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the top-level object")
	}
	return nil
}

func (e *evalJSON) set() (*Set, error) {
	if e.Python.Attr == "" || e.Python.Version == "" || e.Python.PythonVersion == "" {
		return nil, errors.New(`"python" needs non-empty "attr", "version" and "pythonVersion"`)
	}
	s := &Set{
		PythonAttr:       e.Python.Attr,
		PythonVersion:    e.Python.Version,
		PythonMajorMinor: e.Python.PythonVersion,
		Packages:         make([]Package, 0, len(e.Packages)),
		Aliases:          DefaultAliases(),
		Partial:          e.Partial,
	}
	for attr, p := range e.Packages {
		if attr == "" || p.PName == "" || p.Version == "" {
			return nil, fmt.Errorf("package %q: needs a non-empty attribute name, \"pname\" and \"version\"", attr)
		}
		pkg := Package{
			Attr: attr, PName: p.PName, Version: p.Version,
			License: p.License, Broken: p.Broken, KnownVulnerabilities: orNil(p.KnownVulnerabilities),
			Dependencies: orNil(p.Dependencies),
		}
		if len(p.OptionalDependencies) > 0 {
			pkg.OptionalDependencies = p.OptionalDependencies
		}
		if p.PyPIName != nil {
			pkg.PyPIName = *p.PyPIName
		}
		if r := p.Recipe; r != nil {
			switch r.Src {
			case SrcPyPI, SrcGitHub, SrcOther:
			default:
				return nil, fmt.Errorf("package %q: recipe.src %q, want %q, %q or %q", attr, r.Src, SrcPyPI, SrcGitHub, SrcOther)
			}
			for _, f := range r.FetchedPatches {
				if !slices.Contains(r.Patches, f) {
					return nil, fmt.Errorf("package %q: recipe.fetchedPatches names %q, which recipe.patches does not", attr, f)
				}
			}
			pkg.Recipe = Recipe{Src: r.Src, Patches: orNil(r.Patches), PostPatch: r.PostPatch, DisabledTests: r.DisabledTests, PythonRelaxDeps: r.PythonRelaxDeps, FetchedPatches: orNil(r.FetchedPatches)}
		}
		s.Packages = append(s.Packages, pkg)
	}
	sort.Slice(s.Packages, func(i, j int) bool { return s.Packages[i].Attr < s.Packages[j].Attr })
	return s, nil
}

// orNil and nonNil make empty lists one value in memory (nil) and one in
// files ([]), so files round-trip byte for byte.
func orNil(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// jsonError places a JSON syntax or type error on its line in the file.
func jsonError(name string, data []byte, err error) error {
	return jsonerr.Place(name, data, err)
}

// Save writes s in the query file format Load reads: two-space indented
// JSON, keys sorted, a trailing newline, so identical sets give identical
// bytes.
func (s *Set) Save(w io.Writer) error {
	var f fileJSON
	f.Format = Format
	f.Nixpkgs.Ref, f.Nixpkgs.Rev = s.Ref, s.Rev
	f.Python.Attr = s.PythonAttr
	f.Python.Version = s.PythonVersion
	f.Python.PythonVersion = s.PythonMajorMinor
	f.Partial = s.Partial
	f.Packages = make(map[string]packageJSON, len(s.Packages))
	for _, p := range s.Packages {
		pj := packageJSON{
			PName: p.PName, Version: p.Version, License: p.License, Broken: p.Broken,
			KnownVulnerabilities: nonNil(p.KnownVulnerabilities), Dependencies: nonNil(p.Dependencies),
			OptionalDependencies: p.OptionalDependencies,
		}
		if pj.OptionalDependencies == nil {
			pj.OptionalDependencies = map[string][]string{}
		}
		if r := p.Recipe; r.Src != "" {
			pj.Recipe = &recipeJSON{Src: r.Src, Patches: nonNil(r.Patches), PostPatch: r.PostPatch, DisabledTests: r.DisabledTests, PythonRelaxDeps: r.PythonRelaxDeps, FetchedPatches: r.FetchedPatches}
		}
		if p.PyPIName != "" {
			name := p.PyPIName
			pj.PyPIName = &name
		}
		f.Packages[p.Attr] = pj
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&f); err != nil {
		return fmt.Errorf("save nixpkgs query: %w", err)
	}
	return nil
}
