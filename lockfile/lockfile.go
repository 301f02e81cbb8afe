// Package lockfile reads and writes pip2nix.lock: the resolved plan of a
// generate run plus every fact rendering needs (per package its source,
// version, sdist file name, URL and sha256, and what inspecting the sdist
// found), together with the digests of the requirements files, the nixpkgs
// revision and query digest, the Python attribute, the policy and the
// generator's version.
//
// A lock makes three things possible without the index or any archive:
// re-rendering python-packages.nix and the reports from it (generate
// --check, also inside a Nix sandbox); regenerating air-gapped, because
// inspection results are reused by file name and digest; and reviewing what
// a regeneration changed (Summarize). A refresh against the index must
// never change a recorded digest for the same file name (CheckIntegrity).
//
// The format is JSON, two-space indented, keys in a fixed order, lists
// sorted as the plan sorts them, a trailing newline: identical plans give
// identical bytes. "version" is the format's version (Format); a reader
// rejects a newer one. The schema is documented on the types below and in
// README.md.
package lockfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/internal/jsonerr"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/recipe"
)

// Format is the version of the lock format this package writes and the
// newest it reads.
const Format = 1

// DefaultName is the lock's file name beside python-packages.nix.
const DefaultName = "pip2nix.lock"

// Lock is the whole lock file.
type Lock struct {
	Version   int       `json:"version"`   // Format
	Generator string    `json:"generator"` // e.g. "pip2nix-bitpoll 0.1.0"
	Python    Python    `json:"python"`
	Nixpkgs   Nixpkgs   `json:"nixpkgs"`
	Policy    string    `json:"policy"` // compatible, exact or nixpkgs
	Index     string    `json:"index"`  // where releases came from, as the overlay's header names it
	Inputs    []Input   `json:"inputs"` // requirements files read, in command-line order
	Packages  []Package `json:"packages"`
	Warnings  []string  `json:"warnings"`
	// AdvisoryDB names the advisory database the closure was checked
	// against, so that --check re-renders the same report; nil when none.
	AdvisoryDB *resolver.AdvisoryDB `json:"advisoryDatabase,omitempty"`
}

// Python names the target interpreter.
type Python struct {
	Attr    string `json:"attr"`    // e.g. "python312"
	Version string `json:"version"` // e.g. "3.12.10"
}

// Nixpkgs names the package set the lock was made against.
type Nixpkgs struct {
	Ref string `json:"ref"` // flake reference, path or query file as given
	Rev string `json:"rev"` // revision; "" when unknown
	// QuerySHA256 is the sha256 (hex) of the nixpkgs query as
	// nixpkgs-query saves it (Set.Save), however the set was obtained.
	QuerySHA256 string `json:"querySha256"`
}

// Input is a requirements file and the sha256 (hex) of its bytes.
type Input struct {
	Path   string `json:"path"` // relative to the first requirements file's directory
	SHA256 string `json:"sha256"`
}

// Package is one package of the resolved closure; the fields are those of
// resolver.Package.
type Package struct {
	Name              string                `json:"name"`
	DisplayName       string                `json:"displayName"`
	Version           string                `json:"version"`
	Source            string                `json:"source"` // nixpkgs or pypi (the index)
	Action            string                `json:"action"` // use, alias, override or add
	Attr              string                `json:"attr"`
	NixpkgsAttr       string                `json:"nixpkgsAttr,omitempty"`
	Requested         *string               `json:"requested"`
	NixpkgsVersion    *string               `json:"nixpkgsVersion"`
	Extras            []string              `json:"extras,omitempty"`
	Reason            string                `json:"reason"`
	RequiredBy        []string              `json:"requiredBy,omitempty"`
	Dependencies      []Dependency          `json:"dependencies,omitempty"`
	Sdist             *Sdist                `json:"sdist,omitempty"`
	BuildSystem       []string              `json:"buildSystem,omitempty"`
	BuildRequires     []string              `json:"buildRequires,omitempty"`
	License           License               `json:"license"`
	ImportNames       []string              `json:"importNames,omitempty"`
	Summary           string                `json:"summary,omitempty"`
	HomePage          string                `json:"homePage,omitempty"`
	Changelog         string                `json:"changelog,omitempty"`
	NativeBuildInputs []string              `json:"nativeBuildInputs,omitempty"`
	BuildInputs       []string              `json:"buildInputs,omitempty"`
	Patches           []string              `json:"patches,omitempty"`
	NativeLibraries   []string              `json:"nativeLibraries,omitempty"`
	Yanked            bool                  `json:"yanked,omitempty"`
	YankedReason      string                `json:"yankedReason,omitempty"`
	Prerelease        bool                  `json:"prerelease,omitempty"`
	Notes             []string              `json:"notes,omitempty"`
	Vulnerabilities   []index.Vulnerability `json:"vulnerabilities,omitempty"`
	// The audit's findings, recorded so that --check renders the same
	// report without the advisory database.
	KnownVulnerabilities []string                `json:"knownVulnerabilities,omitempty"`
	Advisories           []resolver.Advisory     `json:"advisories,omitempty"`
	Pinned               *resolver.PinAdvisories `json:"pinned,omitempty"`
	// What the overlay renders beside the derivation itself.
	RelaxBuildRequires []string            `json:"relaxBuildRequires,omitempty"`
	Recipe             *recipe.Fit         `json:"recipe,omitempty"`
	NixpkgsExtras      []string            `json:"nixpkgsExtras,omitempty"`
	RebuiltBecause     []string            `json:"rebuiltBecause,omitempty"`
	ExtraDependencies  map[string][]string `json:"extraDependencies,omitempty"`
}

// Dependency is one runtime dependency edge.
type Dependency struct {
	Name      string   `json:"name"`
	Attr      string   `json:"attr"`
	Marker    string   `json:"marker,omitempty"`
	Platforms []string `json:"platforms"`
	Extras    []string `json:"extras,omitempty"`
}

// Sdist is the source distribution a package is built from. SHA256 is ""
// when nobody recorded the digest: the package needs regeneration online.
type Sdist struct {
	Filename  string `json:"filename"`
	URL       string `json:"url,omitempty"`
	SHA256    string `json:"sha256"`
	PName     string `json:"pname,omitempty"`
	Extension string `json:"extension,omitempty"`
	// Format is "wheel" for a pure-Python wheel; WheelPython its tag.
	Format      string      `json:"format,omitempty"`
	WheelPython string      `json:"wheelPython,omitempty"`
	Inspection  *Inspection `json:"inspection,omitempty"`
}

// License is a package's license as published and as nixpkgs names it.
type License struct {
	Expression string   `json:"expression"`
	Nix        []string `json:"nix"`
	Unknown    bool     `json:"unknown,omitempty"`
	Unfree     bool     `json:"unfree,omitempty"`
}

// Marshal returns the lock's canonical bytes.
func Marshal(l *Lock) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(l); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	return b.Bytes(), nil
}

// Read reads and checks the lock file at path. A missing file is reported
// with an error wrapping fs.ErrNotExist.
func Read(path string) (*Lock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes a lock file's bytes; name is used in errors, which give the
// line of a syntax or type error. Unknown fields and a newer format version
// are errors: a lock is never silently half-understood.
func Parse(name string, data []byte) (*Lock, error) {
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, jsonerr.Place(name, data, err)
	}
	switch {
	case probe.Version == nil:
		return nil, fmt.Errorf("%s: not a pip2nix lock (no \"version\")", name)
	case *probe.Version > Format || *probe.Version < 1:
		return nil, fmt.Errorf("%s: lock format version %d; this pip2nix-bitpoll reads versions 1 to %d (upgrade it)", name, *probe.Version, Format)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var l Lock
	if err := dec.Decode(&l); err != nil {
		return nil, jsonerr.Place(name, data, err)
	}
	if err := l.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &l, nil
}

// validate checks what rendering relies on: names, versions and digests
// in their expected shapes.
func (l *Lock) validate() error {
	seen := map[string]bool{}
	for i, p := range l.Packages {
		if p.Name == "" || p.Version == "" {
			return fmt.Errorf("packages[%d]: name and version are required", i)
		}
		if seen[p.Name] {
			return fmt.Errorf("packages[%d]: %s appears twice", i, p.Name)
		}
		seen[p.Name] = true
		if sd := p.Sdist; sd != nil && sd.SHA256 != "" && !IsSHA256Hex(sd.SHA256) {
			return fmt.Errorf("%s@%s: sdist sha256 %q is not 64 lower-case hex digits", p.Name, p.Version, sd.SHA256)
		}
	}
	for _, in := range l.Inputs {
		if !IsSHA256Hex(in.SHA256) {
			return fmt.Errorf("input %s: sha256 %q is not 64 lower-case hex digits", in.Path, in.SHA256)
		}
	}
	return nil
}

// IsSHA256Hex reports whether s is a sha256 digest as locks and recorded
// facts spell it: 64 lower-case hex digits.
func IsSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
