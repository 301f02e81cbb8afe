package resolver

import (
	"slices"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/recipe"
)

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

// The policies of docs/architecture.md.
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
	// AdvisoryDB describes the advisory database the packages were checked
	// against (package advisory); nil when none was given.
	AdvisoryDB *AdvisoryDB `json:",omitempty"`
}

// AdvisoryDB names an advisory database and how recent it is.
type AdvisoryDB struct {
	Source     string // path or URL as given
	Advisories int    // advisories read for PyPI projects
	Modified   string // newest modification time among them (RFC 3339)
}

// Advisory is one known issue affecting a package version, merged across
// the sources that report it: identifiers that alias each other (PYSEC,
// GHSA, CVE, …) make one advisory, listed once.
type Advisory struct {
	ID      string   // preferred identifier: PYSEC-, then GHSA-, then others, CVE- last
	Aliases []string // the other identifiers, sorted
	Summary string
	Details string
	FixedIn []string // versions that fix it, in PEP 440 order
	Link    string
	// Sources say who reports it: "osv" (the advisory database),
	// "index" (published with the release) and "nixpkgs"
	// (meta.knownVulnerabilities); sorted.
	Sources []string
	// Accepted is the reason pip2nix.toml gives for accepting the risk;
	// "" when it is not accepted.
	Accepted string `json:",omitempty"`
}

// PinAdvisories compares, by the advisory database alone, an exactly
// pinned version with the chosen one.
type PinAdvisories struct {
	Version    string     // the pinned version
	Advisories []Advisory // those affecting the pinned version
	Avoided    []string   // IDs affecting the pinned version but not the chosen one
	Introduced []string   // IDs affecting the chosen version but not the pinned one
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
	// RelaxBuildRequires are build requirements, as pyproject.toml or
	// setup.cfg's setup_requires spell them, whose bounds nixpkgs' tool does
	// not meet: the overlay relaxes them to the bare name, as nixpkgs does,
	// instead of re-versioning the tool, in the files RelaxFiles names.
	RelaxBuildRequires []string `json:",omitempty"`
	License            License
	ImportNames        []string
	Summary            string
	HomePage           string
	Changelog          string
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
	// KnownVulnerabilities is nixpkgs' meta.knownVulnerabilities of
	// NixpkgsAttr, for packages taken from nixpkgs.
	KnownVulnerabilities []string `json:",omitempty"`
	// Advisories are the known issues affecting Version from every
	// source (the advisory database, Vulnerabilities, KnownVulnerabilities),
	// merged by alias and ordered by ID. Package advisory sets them.
	Advisories []Advisory `json:",omitempty"`
	// Pinned compares the pinned version's advisories with Version's;
	// nil without an advisory database or an exact pin.
	Pinned *PinAdvisories `json:",omitempty"`
	// Recipe says which parts of nixpkgs' recipe an Override keeps; nil
	// for other actions.
	Recipe *recipe.Fit `json:",omitempty"`
	// NixpkgsExtras are the extras nixpkgs' attribute defines
	// optional-dependencies for (Use and Alias packages).
	NixpkgsExtras []string `json:",omitempty"`
	// RebuiltBecause lists, for a package used from nixpkgs unchanged, the
	// attributes the overlay changes (overrides, aliases) that it depends
	// on through nixpkgs' dependency graph: it is rebuilt locally instead
	// of substituted from the binary cache. Empty when unaffected.
	RebuiltBecause []string `json:",omitempty"`
	// ExtraDependencies maps each requested extra to the attributes of the
	// dependencies it adds to the base ones.
	ExtraDependencies map[string][]string `json:",omitempty"`
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
	// SHA256 is lower-case hex, checked against the downloaded bytes; ""
	// when nobody recorded it (recorded facts without a digest): such a
	// package needs regeneration online.
	SHA256 string
	// PName and Extension are what fetchPypi needs to rebuild Filename
	// exactly; PName is "" when fetchPypi cannot (then fetchurl with URL).
	PName     string
	Extension string
	// Inspection is what reading the archive found (or a recorded result for
	// the same file name and digest); a lock file keeps it so later runs
	// reuse it without the archive's bytes.
	Inspection *sdist.Info `json:"-"`
	// Format is "wheel" for a pure-Python wheel (a release published
	// without sdist), built as nixpkgs does with format = "wheel"; "" for
	// an sdist. WheelPython is then the wheel's Python tag ("py3",
	// "py2.py3"), fetchPypi's dist and python.
	Format      string `json:",omitempty"`
	WheelPython string `json:",omitempty"`
}

// License is a package's license as published and as nixpkgs names it.
type License struct {
	Expression string   // SPDX expression, classifier-derived or free text as published
	Nix        []string // lib.licenses attribute names; empty when unknown
	Unknown    bool     // nothing could be mapped without guessing
	Unfree     bool     // a mapped license is not free
}

// RelaxFiles names the files in which the overlay relaxes build
// requirement req (an entry of RelaxBuildRequires) of an sdist inspected
// as info: setup.cfg when its `[options] setup_requires` spells req,
// pyproject.toml when its [build-system] requires does — and, as before
// setup.cfg was read, when info is nil or names req in neither.
func RelaxFiles(info *sdist.Info, req string) []string {
	inSetupCfg := info != nil && slices.Contains(info.SetupRequires, req)
	var files []string
	if !inSetupCfg || info.BuildSystem.Declared && slices.Contains(info.BuildSystem.Requires, req) {
		files = append(files, "pyproject.toml")
	}
	if inSetupCfg {
		files = append(files, "setup.cfg")
	}
	return files
}
