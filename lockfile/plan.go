package lockfile

import (
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

// Meta is what a lock records beside the plan.
type Meta struct {
	Generator          string // e.g. "pip2nix-bitpoll 0.1.0"
	Index              string // the index as the overlay's header names it
	NixpkgsQuerySHA256 string // sha256 (hex) of the saved nixpkgs query
}

// FromPlan records plan and meta as a lock.
func FromPlan(plan *resolver.Plan, meta Meta) *Lock {
	l := &Lock{
		Version:    Format,
		Generator:  meta.Generator,
		Python:     Python{Attr: plan.Python.Attr, Version: plan.Python.Version},
		Nixpkgs:    Nixpkgs{Ref: plan.Nixpkgs.Ref, Rev: plan.Nixpkgs.Rev, QuerySHA256: meta.NixpkgsQuerySHA256},
		Policy:     string(plan.Policy),
		Index:      meta.Index,
		Inputs:     []Input{},
		Packages:   []Package{},
		Warnings:   append([]string{}, plan.Warnings...),
		AdvisoryDB: plan.AdvisoryDB,
	}
	for _, in := range plan.Inputs {
		l.Inputs = append(l.Inputs, Input{Path: in.Path, SHA256: in.SHA256})
	}
	for _, p := range plan.Packages {
		l.Packages = append(l.Packages, fromPackage(p))
	}
	return l
}

func fromPackage(p resolver.Package) Package {
	lp := Package{
		Name: p.Name, DisplayName: p.DisplayName, Version: p.Version,
		Source: string(p.Source), Action: string(p.Action), Attr: p.Attr, NixpkgsAttr: p.NixpkgsAttr,
		Requested: p.Requested, NixpkgsVersion: p.NixpkgsVersion, Extras: p.Extras,
		Reason: p.Reason, RequiredBy: p.RequiredBy,
		BuildSystem: p.BuildSystem, BuildRequires: p.BuildRequires,
		License:     License{Expression: p.License.Expression, Nix: p.License.Nix, Unknown: p.License.Unknown, Unfree: p.License.Unfree},
		ImportNames: p.ImportNames, Summary: p.Summary, HomePage: p.HomePage, Changelog: p.Changelog,
		NativeBuildInputs: p.NativeBuildInputs, BuildInputs: p.BuildInputs, Patches: p.Patches,
		NativeLibraries: p.NativeLibraries, Yanked: p.Yanked, YankedReason: p.YankedReason,
		Prerelease: p.Prerelease, Notes: p.Notes, Vulnerabilities: p.Vulnerabilities,
		KnownVulnerabilities: p.KnownVulnerabilities, Advisories: p.Advisories, Pinned: p.Pinned,
		RelaxBuildRequires: p.RelaxBuildRequires, Recipe: p.Recipe, NixpkgsExtras: p.NixpkgsExtras,
		RebuiltBecause: p.RebuiltBecause, ExtraDependencies: p.ExtraDependencies,
	}
	if lp.License.Nix == nil {
		lp.License.Nix = []string{}
	}
	for _, d := range p.Dependencies {
		lp.Dependencies = append(lp.Dependencies, Dependency{Name: d.Name, Attr: d.Attr, Marker: d.Marker, Platforms: d.Platforms, Extras: d.Extras})
	}
	if sd := p.Sdist; sd != nil {
		lp.Sdist = &Sdist{
			Filename: sd.Filename, URL: sd.URL, SHA256: sd.SHA256, PName: sd.PName, Extension: sd.Extension,
			Format: sd.Format, WheelPython: sd.WheelPython,
			Inspection: NewInspection(sd.Inspection),
		}
	}
	return lp
}

// Plan returns the plan the lock records, ready for rendering.
func (l *Lock) Plan() *resolver.Plan {
	plan := &resolver.Plan{
		Python:     resolver.PythonInfo{Attr: l.Python.Attr, Version: l.Python.Version},
		Nixpkgs:    resolver.NixpkgsInfo{Ref: l.Nixpkgs.Ref, Rev: l.Nixpkgs.Rev},
		Policy:     resolver.Policy(l.Policy),
		Warnings:   l.Warnings,
		AdvisoryDB: l.AdvisoryDB,
	}
	for _, in := range l.Inputs {
		plan.Inputs = append(plan.Inputs, resolver.InputFile{Path: in.Path, SHA256: in.SHA256})
	}
	for _, lp := range l.Packages {
		plan.Packages = append(plan.Packages, lp.plan())
	}
	return plan
}

func (lp Package) plan() resolver.Package {
	p := resolver.Package{
		Name: lp.Name, DisplayName: lp.DisplayName, Version: lp.Version,
		Source: resolver.Source(lp.Source), Action: resolver.Action(lp.Action), Attr: lp.Attr, NixpkgsAttr: lp.NixpkgsAttr,
		Requested: lp.Requested, NixpkgsVersion: lp.NixpkgsVersion, Extras: lp.Extras,
		Reason: lp.Reason, RequiredBy: lp.RequiredBy,
		BuildSystem: lp.BuildSystem, BuildRequires: lp.BuildRequires,
		License:     resolver.License{Expression: lp.License.Expression, Nix: lp.License.Nix, Unknown: lp.License.Unknown, Unfree: lp.License.Unfree},
		ImportNames: lp.ImportNames, Summary: lp.Summary, HomePage: lp.HomePage, Changelog: lp.Changelog,
		NativeBuildInputs: lp.NativeBuildInputs, BuildInputs: lp.BuildInputs, Patches: lp.Patches,
		NativeLibraries: lp.NativeLibraries, Yanked: lp.Yanked, YankedReason: lp.YankedReason,
		Prerelease: lp.Prerelease, Notes: lp.Notes, Vulnerabilities: lp.Vulnerabilities,
		KnownVulnerabilities: lp.KnownVulnerabilities, Advisories: lp.Advisories, Pinned: lp.Pinned,
		RelaxBuildRequires: lp.RelaxBuildRequires, Recipe: lp.Recipe, NixpkgsExtras: lp.NixpkgsExtras,
		RebuiltBecause: lp.RebuiltBecause, ExtraDependencies: lp.ExtraDependencies,
	}
	for _, d := range lp.Dependencies {
		p.Dependencies = append(p.Dependencies, resolver.Dependency{Name: d.Name, Attr: d.Attr, Marker: d.Marker, Platforms: d.Platforms, Extras: d.Extras})
	}
	if sd := lp.Sdist; sd != nil {
		p.Sdist = &resolver.Sdist{
			Filename: sd.Filename, URL: sd.URL, SHA256: sd.SHA256, PName: sd.PName, Extension: sd.Extension,
			Format: sd.Format, WheelPython: sd.WheelPython,
			Inspection: sd.Inspection.Info(),
		}
	}
	return p
}
