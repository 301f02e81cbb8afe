package resolver

import "github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"

// Source says where a package in the plan comes from.
type Source string

// The sources a package can come from.
const (
	FromNixpkgs Source = "nixpkgs"
	FromPyPI    Source = "pypi"
)

// Action says what python-packages.nix must do for a package.
type Action string

// The actions the overlay renders.
const (
	// UseNixpkgs: nixpkgs' attribute is used as it is; nothing is rendered.
	UseNixpkgs Action = "use"
	// Alias: another nixpkgs attribute of the same project is used under the
	// project's usual name (django = final.django_5;).
	Alias Action = "alias"
	// Override: nixpkgs' attribute at another version (overridePythonAttrs).
	Override Action = "override"
	// Add: a new buildPythonPackage derivation built from the index's sdist.
	Add Action = "add"
)

// Policy selects how pins and nixpkgs' versions are weighed.
type Policy string

// The policies of DESIGN.md.
const (
	Compatible Policy = "compatible"
	Exact      Policy = "exact"
	Nixpkgs    Policy = "nixpkgs"
)

// Plan is the outcome of a resolution: the single input of the overlay
// renderer and of the audit report.
type Plan struct {
	Python   PythonInfo
	Nixpkgs  NixpkgsInfo
	Policy   Policy
	Inputs   []InputFile // requirements files read, in command-line order
	Packages []Package   // sorted by Name
	Warnings []string
}

// PythonInfo names the target interpreter.
type PythonInfo struct {
	Attr    string // e.g. "python312"
	Version string // full version, e.g. "3.12.10"
}

// NixpkgsInfo names the package set the plan was made against.
type NixpkgsInfo struct {
	Ref string // flake reference, path or query file as given
	Rev string // revision when known; "" otherwise
}

// InputFile is a requirements (or constraints) file and its digest.
type InputFile struct {
	Path   string
	SHA256 string // lower-case hex of the file's bytes
}

// Package is one package of the resolved closure.
type Package struct {
	Name        string // PEP 503 normalized
	DisplayName string // as the project spells it on the index
	Version     string // chosen version, canonical PEP 440 form
	Source      Source
	Action      Action
	Attr        string // attribute in the final package set
	NixpkgsAttr string // nixpkgs attribute used, aliased or overridden; "" for Add
	// Requested is the specifier the input files gave (e.g. "==5.0.6"),
	// or nil when the package was not named there.
	Requested      *string
	NixpkgsVersion *string  // nil when nixpkgs lacks the project
	Extras         []string // extras requested of this package (normalized, sorted)
	Reason         string   // why this source and version, one sentence
	RequiredBy     []string
	Dependencies   []Dependency
	Sdist          *Sdist   // nil for packages used from nixpkgs unchanged
	BuildSystem    []string // nixpkgs attributes (setuptools, hatchling, …)
	BuildRequires  []string // [build-system] requires as published
	License        License
	ImportNames    []string
	Summary        string
	HomePage       string
	Changelog      string
	// NativeBuildInputs and BuildInputs are nixpkgs attribute paths from
	// pip2nix.toml (e.g. "pkgs.libxml2").
	NativeBuildInputs []string
	BuildInputs       []string
	// Patches are paths from pip2nix.toml, relative to that file.
	Patches         []string
	NativeLibraries []string // what the report says a build needs (C compiler, Rust …)
	Yanked          bool
	YankedReason    string
	Prerelease      bool
	Notes           []string
	Vulnerabilities []index.Vulnerability
}

// Dependency is one runtime dependency edge of a package.
type Dependency struct {
	Name   string // PEP 503 normalized
	Attr   string // attribute in the final package set
	Marker string // PEP 508 marker as published; "" when unconditional
	// Platforms lists where the dependency applies on the target Python:
	// "linux", "darwin" or both. Both is rendered unconditionally.
	Platforms []string
	// Extras lists the extras of the dependency this package requests
	// (normalized, sorted); the overlay renders them as
	// optional-dependencies.<extra>.
	Extras []string `json:",omitempty"`
}

// Sdist is the source distribution a package is built from.
type Sdist struct {
	Filename string
	URL      string
	SHA256   string // lower-case hex, checked against the downloaded bytes
	// PName and Extension are what fetchPypi needs to rebuild Filename
	// exactly; PName is "" when fetchPypi cannot (then fetchurl with URL).
	PName     string
	Extension string
}

// License is a package's license as published and as nixpkgs names it.
type License struct {
	Expression string   // SPDX expression, classifier-derived or free text as published
	Nix        []string // lib.licenses attribute names; empty when unknown
	Unknown    bool     // nothing could be mapped without guessing
	Unfree     bool     // a mapped license is not free
}
