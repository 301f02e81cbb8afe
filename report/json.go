// Package report renders a resolver.Plan as the audit report: JSON for
// machines (docs/architecture.md, "Report JSON") and Markdown for people.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

// The JSON document. Field order is the output's key order; slices are
// never nil, so empty lists print as [] rather than null.
type jsonReport struct {
	Python     jsonPython    `json:"python"`
	Nixpkgs    jsonNixpkgs   `json:"nixpkgs"`
	Policy     string        `json:"policy"`
	Packages   []jsonPackage `json:"packages"`
	Warnings   []string      `json:"warnings"`
	AdvisoryDB *jsonDB       `json:"advisoryDatabase"` // null when none was given
}

type jsonDB struct {
	Source     string `json:"source"`
	Advisories int    `json:"advisories"`
	Modified   string `json:"modified"`
}

type jsonPython struct {
	Attr    string `json:"attr"`
	Version string `json:"version"`
}

type jsonNixpkgs struct {
	Ref string  `json:"ref"`
	Rev *string `json:"rev"` // null when unknown
}

type jsonPackage struct {
	Name            string              `json:"name"`
	Version         string              `json:"version"`
	Source          string              `json:"source"`
	Attr            string              `json:"attr"`
	Requested       *string             `json:"requested"`
	NixpkgsVersion  *string             `json:"nixpkgsVersion"`
	Sdist           *jsonSdist          `json:"sdist"`
	BuildSystem     []string            `json:"buildSystem"`
	License         jsonLicense         `json:"license"`
	RequiredBy      []string            `json:"requiredBy"`
	Notes           []string            `json:"notes"`
	Vulnerabilities []jsonVulnerability `json:"vulnerabilities"`
	Action          string              `json:"action"`
	Reason          string              `json:"reason"`
	NixpkgsAttr     *string             `json:"nixpkgsAttr"`
	Extras          []string            `json:"extras"`
	Yanked          bool                `json:"yanked"`
	YankedReason    *string             `json:"yankedReason"`
	Prerelease      bool                `json:"prerelease"`
	NativeLibraries []string            `json:"nativeLibraries"`
	// KnownVulnerabilities is nixpkgs' meta.knownVulnerabilities;
	// Advisories merges every source's advisories; Pinned compares an
	// exact pin's advisories with the chosen version's (null when not
	// computed).
	KnownVulnerabilities []string       `json:"knownVulnerabilities"`
	Advisories           []jsonAdvisory `json:"advisories"`
	Pinned               *jsonPinned    `json:"pinned"`
	// Recipe lists, for an override, each part of nixpkgs' recipe and
	// whether it was kept; absent for other packages.
	Recipe []jsonRecipePart `json:"recipe,omitempty"`
	// RebuiltBecause names, for a nixpkgs package used unchanged, the
	// attributes the overlay changes that make it rebuild locally.
	RebuiltBecause []string `json:"rebuiltBecause,omitempty"`
}

type jsonAdvisory struct {
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases"`
	Summary  string   `json:"summary"`
	Details  string   `json:"details"`
	FixedIn  []string `json:"fixedIn"`
	Link     string   `json:"link"`
	Sources  []string `json:"sources"`
	Accepted *string  `json:"accepted"` // the reason; null when not accepted
}

type jsonPinned struct {
	Version    string         `json:"version"`
	Advisories []jsonAdvisory `json:"advisories"`
	Avoided    []string       `json:"avoided"`
	Introduced []string       `json:"introduced"`
}

func jsonAdvisories(as []resolver.Advisory) []jsonAdvisory {
	out := []jsonAdvisory{}
	for _, a := range as {
		out = append(out, jsonAdvisory{
			ID: a.ID, Aliases: list(a.Aliases), Summary: a.Summary, Details: a.Details, FixedIn: list(a.FixedIn),
			Link: a.Link, Sources: list(a.Sources), Accepted: optional(a.Accepted),
		})
	}
	return out
}

type jsonRecipePart struct {
	Part     string `json:"part"`
	Kept     bool   `json:"kept"`
	Why      string `json:"why"`
	ByConfig bool   `json:"byConfig"`
}

type jsonSdist struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
}

type jsonLicense struct {
	Expression string   `json:"expression"`
	Nix        []string `json:"nix"`
	Unknown    bool     `json:"unknown"`
	Unfree     bool     `json:"unfree"`
}

type jsonVulnerability struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Summary   string   `json:"summary"`
	Details   string   `json:"details"`
	FixedIn   []string `json:"fixedIn"`
	Link      string   `json:"link"`
	Source    string   `json:"source"`
	Withdrawn *string  `json:"withdrawn"`
}

func list(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// sortedPackages returns the plan's packages by name (then attribute), so
// the report does not depend on the order the resolver produced.
func sortedPackages(plan *resolver.Plan) []resolver.Package {
	pkgs := append([]resolver.Package(nil), plan.Packages...)
	sort.SliceStable(pkgs, func(i, j int) bool {
		if pkgs[i].Name != pkgs[j].Name {
			return pkgs[i].Name < pkgs[j].Name
		}
		return pkgs[i].Attr < pkgs[j].Attr
	})
	return pkgs
}

// JSON renders plan as the machine-readable report: top-level python,
// nixpkgs, policy, packages and warnings, keys in a fixed order, 2-space
// indentation, a trailing newline. Besides the package keys of docs/architecture.md
// it carries action, reason, nixpkgsAttr, extras, yanked, yankedReason,
// prerelease, nativeLibraries, knownVulnerabilities, advisories (every
// source's, merged), pinned, recipe (overrides) and rebuiltBecause; the
// top level also carries advisoryDatabase.
func JSON(plan *resolver.Plan) ([]byte, error) {
	if plan == nil {
		return nil, fmt.Errorf("report JSON: nil plan")
	}
	r := jsonReport{
		Python:   jsonPython{Attr: plan.Python.Attr, Version: plan.Python.Version},
		Nixpkgs:  jsonNixpkgs{Ref: plan.Nixpkgs.Ref, Rev: optional(plan.Nixpkgs.Rev)},
		Policy:   string(plan.Policy),
		Packages: []jsonPackage{},
		Warnings: list(plan.Warnings),
	}
	if db := plan.AdvisoryDB; db != nil {
		r.AdvisoryDB = &jsonDB{Source: db.Source, Advisories: db.Advisories, Modified: db.Modified}
	}
	for _, p := range sortedPackages(plan) {
		jp := jsonPackage{
			Name:            p.Name,
			Version:         p.Version,
			Source:          string(p.Source),
			Attr:            p.Attr,
			Requested:       p.Requested,
			NixpkgsVersion:  p.NixpkgsVersion,
			BuildSystem:     list(p.BuildSystem),
			License:         jsonLicense{Expression: p.License.Expression, Nix: list(p.License.Nix), Unknown: p.License.Unknown, Unfree: p.License.Unfree},
			RequiredBy:      list(p.RequiredBy),
			Notes:           list(p.Notes),
			Vulnerabilities: []jsonVulnerability{},
			Action:          string(p.Action),
			Reason:          p.Reason,
			NixpkgsAttr:     optional(p.NixpkgsAttr),
			Extras:          list(p.Extras),
			Yanked:          p.Yanked,
			YankedReason:    optional(p.YankedReason),
			Prerelease:      p.Prerelease,
			NativeLibraries: list(p.NativeLibraries),

			KnownVulnerabilities: list(p.KnownVulnerabilities),
			Advisories:           jsonAdvisories(p.Advisories),
		}
		if pa := p.Pinned; pa != nil {
			jp.Pinned = &jsonPinned{Version: pa.Version, Advisories: jsonAdvisories(pa.Advisories), Avoided: list(pa.Avoided), Introduced: list(pa.Introduced)}
		}
		jp.RebuiltBecause = p.RebuiltBecause
		if p.Recipe != nil {
			for _, d := range p.Recipe.Decisions {
				jp.Recipe = append(jp.Recipe, jsonRecipePart{Part: d.Part, Kept: d.Kept, Why: d.Why, ByConfig: d.ByConfig})
			}
		}
		if p.Sdist != nil {
			jp.Sdist = &jsonSdist{URL: p.Sdist.URL, SHA256: p.Sdist.SHA256}
		}
		for _, v := range p.Vulnerabilities {
			jp.Vulnerabilities = append(jp.Vulnerabilities, jsonVulnerability{
				ID: v.ID, Aliases: list(v.Aliases), Summary: v.Summary, Details: v.Details,
				FixedIn: list(v.FixedIn), Link: v.Link, Source: v.Source, Withdrawn: optional(v.Withdrawn),
			})
		}
		r.Packages = append(r.Packages, jp)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("report JSON: %w", err)
	}
	return buf.Bytes(), nil
}
