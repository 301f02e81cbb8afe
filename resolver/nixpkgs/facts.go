package nixpkgs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Facts are what a query file may record about a package beside its name
// and version (the nixpkgs-query contract). Every field's zero value means
// "not recorded": a nil slice or map is unknown, an empty one is known to
// be empty.
type Facts struct {
	License              []string            // SPDX ids of meta.license
	Broken               *bool               // meta.broken
	KnownVulnerabilities []string            // meta.knownVulnerabilities
	Dependencies         []string            // attributes of its Python dependencies
	OptionalDependencies map[string][]string // extra → attributes
	Recipe               *Recipe             // how the derivation is built
}

// Recipe summarizes a package's nixpkgs expression: what an overlay that
// re-versions the package inherits and may have to undo.
type Recipe struct {
	Src             string    // "pypi" (fetchPypi), "github" (fetchFromGitHub) or "other"
	Patches         []string  // patch file names, in order
	PostPatch       *string   // postPatch text; nil when the recipe has none
	DisabledTests   bool      // the recipe disables some tests
	PythonRelaxDeps RelaxDeps // pythonRelaxDeps
}

// RelaxDeps is a recipe's pythonRelaxDeps: true (All) or a list of names.
type RelaxDeps struct {
	All   bool
	Names []string
}

// MarshalJSON writes a list when names are given, else a boolean.
func (r RelaxDeps) MarshalJSON() ([]byte, error) {
	if len(r.Names) > 0 {
		return json.Marshal(r.Names)
	}
	return json.Marshal(r.All)
}

// UnmarshalJSON reads a boolean or a list of names.
func (r *RelaxDeps) UnmarshalJSON(data []byte) error {
	*r = RelaxDeps{}
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
		if err := json.Unmarshal(data, &r.Names); err != nil {
			return fmt.Errorf("pythonRelaxDeps: %w", err)
		}
		if len(r.Names) == 0 {
			r.Names = nil // an empty list relaxes nothing, as false
		}
		return nil
	}
	if err := json.Unmarshal(data, &r.All); err != nil {
		return fmt.Errorf("pythonRelaxDeps: want a boolean or a list of names: %w", err)
	}
	return nil
}

// String renders the value as the recipe spells it.
func (r RelaxDeps) String() string {
	if len(r.Names) > 0 {
		return fmt.Sprintf("%q", r.Names)
	}
	return fmt.Sprint(r.All)
}

// recipeSrcKinds are the values of Recipe.Src.
var recipeSrcKinds = map[string]bool{"pypi": true, "github": true, "other": true}

// factsJSON is Facts as the query file spells it; absent keys are unknown.
type factsJSON struct {
	License              *[]string            `json:"license,omitempty"`
	Broken               *bool                `json:"broken,omitempty"`
	KnownVulnerabilities *[]string            `json:"knownVulnerabilities,omitempty"`
	Dependencies         *[]string            `json:"dependencies,omitempty"`
	OptionalDependencies *map[string][]string `json:"optionalDependencies,omitempty"`
	Recipe               *recipeJSON          `json:"recipe,omitempty"`
}

type recipeJSON struct {
	Src             string     `json:"src"`
	Patches         []string   `json:"patches"`
	PostPatch       *string    `json:"postPatch"`
	DisabledTests   bool       `json:"disabledTests"`
	PythonRelaxDeps *RelaxDeps `json:"pythonRelaxDeps"`
}

func (f factsJSON) facts() (Facts, error) {
	var out Facts
	list := func(p *[]string) []string {
		if p == nil {
			return nil
		}
		return append([]string{}, (*p)...)
	}
	out.License = list(f.License)
	out.Broken = f.Broken
	out.KnownVulnerabilities = list(f.KnownVulnerabilities)
	out.Dependencies = list(f.Dependencies)
	if f.OptionalDependencies != nil {
		out.OptionalDependencies = map[string][]string{}
		for extra, attrs := range *f.OptionalDependencies {
			out.OptionalDependencies[extra] = append([]string{}, attrs...)
		}
	}
	if r := f.Recipe; r != nil {
		if !recipeSrcKinds[r.Src] {
			return Facts{}, fmt.Errorf(`recipe.src %q: want "pypi", "github" or "other"`, r.Src)
		}
		if r.PythonRelaxDeps == nil {
			return Facts{}, fmt.Errorf(`recipe needs "pythonRelaxDeps" (false when unset)`)
		}
		out.Recipe = &Recipe{
			Src:             r.Src,
			Patches:         append([]string{}, r.Patches...),
			PostPatch:       r.PostPatch,
			DisabledTests:   r.DisabledTests,
			PythonRelaxDeps: *r.PythonRelaxDeps,
		}
	}
	return out, nil
}

func (f Facts) json() factsJSON {
	var out factsJSON
	list := func(l []string) *[]string {
		if l == nil {
			return nil
		}
		c := append([]string{}, l...)
		return &c
	}
	out.License = list(f.License)
	out.Broken = f.Broken
	out.KnownVulnerabilities = list(f.KnownVulnerabilities)
	out.Dependencies = list(f.Dependencies)
	if f.OptionalDependencies != nil {
		m := make(map[string][]string, len(f.OptionalDependencies))
		for extra, attrs := range f.OptionalDependencies {
			m[extra] = append([]string{}, attrs...)
		}
		out.OptionalDependencies = &m
	}
	if r := f.Recipe; r != nil {
		relax := r.PythonRelaxDeps
		patches := append([]string{}, r.Patches...)
		out.Recipe = &recipeJSON{Src: r.Src, Patches: patches, PostPatch: r.PostPatch, DisabledTests: r.DisabledTests, PythonRelaxDeps: &relax}
	}
	return out
}

// sortedExtras returns the keys of m in order.
func sortedExtras(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
