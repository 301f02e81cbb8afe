package lockfile

import (
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/metadata"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
)

// Inspection is what reading an sdist found, as far as resolution and
// rendering use it: the build system, the importable names, native code and
// the core metadata fields the resolver reads. It is keyed by the sdist's
// file name and digest (Inspections), so a later run reuses it without the
// archive. The metadata's long description and author fields are not kept.
type Inspection struct {
	BuildSystem BuildSystem `json:"buildSystem"`
	ImportNames []string    `json:"importNames"`
	// SetupRequires is setup.cfg's setup_requires, as spelled there.
	SetupRequires      []string         `json:"setupRequires,omitempty"`
	Native             []NativeFinding  `json:"native,omitempty"`
	RequiresDistSource string           `json:"requiresDistSource,omitempty"`
	Metadata           *InspectMetadata `json:"metadata,omitempty"`
}

// BuildSystem is pyproject.toml's [build-system] (or PEP 517's fallback).
type BuildSystem struct {
	Declared bool     `json:"declared"`
	Requires []string `json:"requires"`
	Backend  string   `json:"backend"`
}

// NativeFinding is one kind of native code the sdist contains.
type NativeFinding struct {
	Kind     string   `json:"kind"`
	Count    int      `json:"count"`
	Examples []string `json:"examples,omitempty"`
}

// InspectMetadata holds the PKG-INFO fields the resolver reads.
type InspectMetadata struct {
	MetadataVersion   string            `json:"metadataVersion,omitempty"`
	Name              string            `json:"name,omitempty"`
	Version           string            `json:"version,omitempty"`
	Summary           string            `json:"summary,omitempty"`
	HomePage          string            `json:"homePage,omitempty"`
	License           string            `json:"license,omitempty"`
	LicenseExpression string            `json:"licenseExpression,omitempty"`
	RequiresPython    string            `json:"requiresPython,omitempty"`
	Classifiers       []string          `json:"classifiers,omitempty"`
	RequiresDist      []string          `json:"requiresDist,omitempty"`
	ProvidesExtra     []string          `json:"providesExtra,omitempty"`
	Dynamic           []string          `json:"dynamic,omitempty"`
	ProjectURLs       map[string]string `json:"projectUrls,omitempty"`
}

// NewInspection records info; nil gives nil.
func NewInspection(info *sdist.Info) *Inspection {
	if info == nil {
		return nil
	}
	in := &Inspection{
		BuildSystem:        BuildSystem{Declared: info.BuildSystem.Declared, Requires: info.BuildSystem.Requires, Backend: info.BuildSystem.Backend},
		ImportNames:        info.ImportNames,
		RequiresDistSource: info.RequiresDistSource,
		SetupRequires:      info.SetupRequires,
	}
	for _, f := range info.Native.Findings {
		in.Native = append(in.Native, NativeFinding{Kind: string(f.Kind), Count: f.Count, Examples: f.Examples})
	}
	if md := info.Metadata; md != nil {
		in.Metadata = &InspectMetadata{
			MetadataVersion: md.MetadataVersion, Name: md.Name, Version: md.Version,
			Summary: md.Summary, HomePage: md.HomePage, License: md.License,
			LicenseExpression: md.LicenseExpression, RequiresPython: md.RequiresPython,
			Classifiers: md.Classifiers, RequiresDist: md.RequiresDist,
			ProvidesExtra: md.ProvidesExtra, Dynamic: md.Dynamic, ProjectURLs: md.ProjectURLs,
		}
	}
	return in
}

// Info returns the recorded inspection as sdist.Inspect would have
// returned it (without the fields Inspection does not keep).
func (in *Inspection) Info() *sdist.Info {
	if in == nil {
		return nil
	}
	info := &sdist.Info{
		RequiresDistSource: in.RequiresDistSource,
		BuildSystem:        sdist.BuildSystem{Declared: in.BuildSystem.Declared, Requires: in.BuildSystem.Requires, Backend: in.BuildSystem.Backend},
		ImportNames:        in.ImportNames,
		SetupRequires:      in.SetupRequires,
	}
	for _, f := range in.Native {
		info.Native.Findings = append(info.Native.Findings, sdist.NativeFinding{Kind: sdist.NativeKind(f.Kind), Count: f.Count, Examples: f.Examples})
	}
	if md := in.Metadata; md != nil {
		info.Metadata = &metadata.Metadata{
			MetadataVersion: md.MetadataVersion, Name: md.Name, Version: md.Version,
			Summary: md.Summary, HomePage: md.HomePage, License: md.License,
			LicenseExpression: md.LicenseExpression, RequiresPython: md.RequiresPython,
			Classifiers: md.Classifiers, RequiresDist: md.RequiresDist,
			ProvidesExtra: md.ProvidesExtra, Dynamic: md.Dynamic, ProjectURLs: md.ProjectURLs,
		}
	}
	return info
}

// FileKey names one index file: its name and sha256 ("" when unknown).
type FileKey struct {
	Filename string
	SHA256   string
}

// Inspections maps index files to recorded inspection results; it
// implements resolver.InspectionCache.
type Inspections map[FileKey]*Inspection

// Inspection returns the result recorded for the file, if any.
func (c Inspections) Inspection(filename, sha256 string) (*sdist.Info, bool) {
	in, ok := c[FileKey{filename, sha256}]
	if !ok || in == nil {
		return nil, false
	}
	return in.Info(), true
}

// Inspections returns the lock's inspection results by file.
func (l *Lock) Inspections() Inspections {
	c := Inspections{}
	for _, p := range l.Packages {
		if sd := p.Sdist; sd != nil && sd.Inspection != nil {
			c[FileKey{sd.Filename, sd.SHA256}] = sd.Inspection
		}
	}
	return c
}

// Merge returns the union of the caches; an earlier one wins a key both
// have.
func Merge(caches ...Inspections) Inspections {
	out := Inspections{}
	for i := len(caches) - 1; i >= 0; i-- {
		for k, v := range caches[i] {
			out[k] = v
		}
	}
	return out
}
