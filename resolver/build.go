package resolver

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/nixmap"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
)

// buildPlan turns the final search state into a Plan (without the sdist
// inspection, which inspect adds).
func (r *run) buildPlan(s *state) (*Plan, error) {
	set := r.in.Nixpkgs
	plan := &Plan{
		Python:  PythonInfo{Attr: set.PythonAttr, Version: set.PythonVersion},
		Nixpkgs: NixpkgsInfo{Ref: set.Ref, Rev: set.Rev},
		Policy:  r.in.Policy,
		Inputs:  append([]InputFile(nil), r.in.Files...),
	}
	names := sortedKeys(s.chosen)
	plan.Packages = make([]Package, 0, len(names))
	attrs := make(map[string]string, len(names))
	for _, name := range names {
		attrs[name] = r.attrOf(s.chosen[name])
	}
	requiredBy := map[string]map[string]bool{}
	for _, name := range names {
		c := s.chosen[name]
		pc := r.cands[name]
		d := r.depsOf(c)
		p := Package{
			Name:        name,
			DisplayName: pc.display,
			Version:     c.text,
			Attr:        attrs[name],
			Extras:      append([]string(nil), s.extras[name]...),
		}
		if c.valid {
			p.Version = c.version.String()
		}
		if d.release != nil {
			ri := d.release
			if ri.Name != "" {
				p.DisplayName = ri.Name
			}
			p.Summary = strings.TrimSpace(ri.Summary)
			p.HomePage = ri.HomePage
			p.Changelog = changelogURL(ri.ProjectURLs)
			p.Vulnerabilities = ri.Vulnerabilities
			p.Notes = append(p.Notes, ri.MetadataWarnings...)
		}
		if len(pc.nix) > 0 {
			v := pc.nix[0].text
			p.NixpkgsVersion = &v
		}
		if req, named := requested(s.cons[name]); named {
			p.Requested = &req
		}
		switch {
		case c.nix != nil && c.nixRank == 0:
			p.Source, p.Action, p.NixpkgsAttr = FromNixpkgs, UseNixpkgs, c.nix.Attr
		case c.nix != nil:
			v := c.text
			p.NixpkgsVersion = &v
			p.Source, p.Action, p.NixpkgsAttr = FromNixpkgs, Alias, c.nix.Attr
		case len(pc.nix) > 0:
			p.Source, p.Action, p.NixpkgsAttr = FromPyPI, Override, pc.nix[0].nix.Attr
		default:
			p.Source, p.Action = FromPyPI, Add
		}
		p.Reason = r.reason(s, c, pc)
		if c.nix != nil && c.nix.License != nil {
			p.License = nixpkgsLicense(c.nix.License)
		}
		if c.nix != nil && c.nix.Broken {
			r.warn("nixpkgs marks %s %s (%s) broken: it will not build", name, c.text, c.nix.Attr)
		}
		if c.nix != nil {
			for _, v := range c.nix.KnownVulnerabilities {
				r.warn("nixpkgs lists a known vulnerability of %s %s (%s): %s", name, c.text, c.nix.Attr, v)
			}
		}
		if c.nix == nil {
			p.Yanked = c.yanked
			if c.yanked {
				for _, f := range c.sdists {
					if f.YankedReason != "" {
						p.YankedReason = f.YankedReason
						break
					}
				}
				msg := fmt.Sprintf("%s %s is yanked", name, p.Version)
				if p.YankedReason != "" {
					msg += ": " + p.YankedReason
				}
				r.warn("%s; it is used because it is pinned exactly", msg)
			}
			p.Prerelease = c.version.IsPrerelease()
			p.Notes = append(p.Notes, pc.invalid...)
			// Newer releases set aside explain why an older one won.
			for _, n := range pc.notes {
				if n.version.Compare(c.version) > 0 {
					p.Notes = append(p.Notes, n.text)
				}
			}
		}
		if IsCostly(name) {
			p.Notes = append(p.Notes, "re-versioning it needs more than an sdist hash (vendored Rust crates), so nixpkgs' version is preferred when the constraints allow")
		}
		for _, w := range d.warnings {
			r.warn("%s", w)
		}
		if !d.known && d.err == nil {
			p.Notes = append(p.Notes, "dependencies unknown: the index publishes no dependency metadata for this version and no sdist of it declares them")
		}
		cfg := r.pkgConfig(name)
		p.NativeBuildInputs = append([]string(nil), cfg.NativeBuildInputs...)
		p.BuildInputs = append([]string(nil), cfg.BuildInputs...)
		p.Patches = append([]string(nil), cfg.Patches...)
		p.Dependencies = r.dependencies(c, d, s.extras[name], attrs)
		r.fillExtras(&p, c, d, s, attrs)
		for _, q := range r.linux.active(d.reqs, s.extras[name]) {
			if n := q.NormalizedName(); r.pkgConfig(n).Skip {
				p.Notes = append(p.Notes, fmt.Sprintf("dependency %s left out: pip2nix.toml skips it", n))
			}
		}
		for _, dep := range p.Dependencies {
			if _, ok := s.chosen[dep.Name]; ok {
				if requiredBy[dep.Name] == nil {
					requiredBy[dep.Name] = map[string]bool{}
				}
				requiredBy[dep.Name][name] = true
			}
		}
		plan.Packages = append(plan.Packages, p)
	}
	for i := range plan.Packages {
		p := &plan.Packages[i]
		p.RequiredBy = sortedKeys(requiredBy[p.Name])
		sort.Strings(p.Notes)
	}
	r.markRebuilds(plan)
	return plan, nil
}

// markRebuilds fills RebuiltBecause: a package used from nixpkgs as it is
// still gets rebuilt when anything it depends on, transitively in
// nixpkgs' graph, is an attribute the overlay changes.
func (r *run) markRebuilds(plan *Plan) {
	causes := map[string]map[string]bool{}
	for _, p := range plan.Packages {
		if p.Action != Override && p.Action != Alias {
			continue
		}
		for _, d := range r.dependents(p.Attr) {
			if causes[d] == nil {
				causes[d] = map[string]bool{}
			}
			causes[d][p.Attr] = true
		}
	}
	for i := range plan.Packages {
		if p := &plan.Packages[i]; p.Action == UseNixpkgs {
			p.RebuiltBecause = sortedKeys(causes[p.NixpkgsAttr])
		}
	}
}

// attrOf names the attribute a chosen candidate has in the final set.
func (r *run) attrOf(c *candidate) string {
	switch {
	case c.nix != nil && c.nixRank == 0:
		return c.nix.Attr
	case c.nix != nil:
		return c.name
	}
	if nix := r.cands[c.name].nix; len(nix) > 0 {
		return nix[0].nix.Attr
	}
	return c.name
}

// dependencies lists c's runtime dependencies for Linux and Darwin with the
// extras requested of it; a dependency on one platform only carries that
// platform (the closure itself is resolved for Linux).
func (r *run) dependencies(c *candidate, d *depInfo, extras []string, attrs map[string]string) []Dependency {
	linux := r.linux.active(d.reqs, extras)
	darwin := r.darwin.active(d.reqs, extras)
	byName := map[string]*Dependency{}
	add := func(qs []pypi.Requirement, platform string) {
		for _, q := range qs {
			n := q.NormalizedName()
			if n == c.name || r.pkgConfig(n).Skip {
				continue
			}
			dep := byName[n]
			if dep == nil {
				attr, ok := attrs[n]
				if !ok {
					attr = n
					if nix := r.lookup(n); len(nix) > 0 {
						attr = nix[0].Attr
					}
				}
				dep = &Dependency{Name: n, Attr: attr, Marker: q.Marker.String()}
				byName[n] = dep
			}
			dep.Extras = dedupSorted(append(dep.Extras, q.Extras...))
			if len(dep.Platforms) == 0 || dep.Platforms[len(dep.Platforms)-1] != platform {
				dep.Platforms = append(dep.Platforms, platform)
			}
		}
	}
	add(darwin, "darwin")
	add(linux, "linux")
	out := make([]Dependency, 0, len(byName))
	for _, n := range sortedKeys(byName) {
		dep := byName[n]
		sort.Strings(dep.Platforms)
		out = append(out, *dep)
	}
	return out
}

// nixpkgsLicense turns the SPDX ids of a nixpkgs package's meta.license
// into the report's license; a list is read as all of them applying.
func nixpkgsLicense(ids []string) License {
	expr := strings.Join(ids, " AND ")
	if len(ids) == 0 {
		return License{Unknown: true}
	}
	res := nixmap.Licenses(expr, "", nil)
	return License{Expression: expr, Nix: res.Nix, Unknown: res.Unknown, Unfree: res.Unfree}
}

// fillExtras records, for rendering extras: the extras nixpkgs' attribute
// defines, and the dependencies each requested extra of p adds to its base
// ones (the extras requested on each edge are the dependencies' own).
func (r *run) fillExtras(p *Package, c *candidate, d *depInfo, s *state, attrs map[string]string) {
	if c.nix != nil {
		for x := range c.nix.OptionalDependencies {
			p.NixpkgsExtras = append(p.NixpkgsExtras, x)
		}
		sort.Strings(p.NixpkgsExtras)
	}
	base := map[string]bool{}
	for _, q := range r.linux.active(d.reqs, nil) {
		base[q.NormalizedName()] = true
	}
	for _, x := range s.extras[p.Name] {
		var added []string
		for _, q := range r.linux.active(d.reqs, []string{x}) {
			n := q.NormalizedName()
			if base[n] || n == p.Name || r.pkgConfig(n).Skip {
				continue
			}
			if a, ok := attrs[n]; ok {
				added = append(added, a)
			}
		}
		if len(added) > 0 {
			if p.ExtraDependencies == nil {
				p.ExtraDependencies = map[string][]string{}
			}
			p.ExtraDependencies[x] = dedupSorted(added)
		}
	}
}

// requested is the input files' specifier on a project ("" for a bare
// name); named is false when the input files do not name it.
func requested(cons []constraint) (spec string, named bool) {
	var set pypi.SpecifierSet
	for _, c := range cons {
		if c.input {
			set, named = set.Intersect(c.spec), true
		}
	}
	return set.String(), named
}

// reason explains, in one sentence, why c was chosen.
func (r *run) reason(s *state, c *candidate, pc *projectCands) string {
	cons := s.cons[c.name]
	cfg := r.pkgConfig(c.name)
	switch {
	case cfg.Source == config.SourceNixpkgs:
		return fmt.Sprintf("pip2nix.toml takes %s from nixpkgs (%s %s)", c.name, c.nix.Attr, c.text)
	case c.nix != nil && c.nixRank == 0:
		return fmt.Sprintf("nixpkgs' %s %s satisfies every declared constraint%s", c.nix.Attr, c.text, r.pinDrift(c, cons))
	case c.nix != nil:
		return fmt.Sprintf("nixpkgs' %s %s does not fit (%s); its attribute %s %s does%s",
			pc.nix[0].nix.Attr, pc.nix[0].text, r.whyNotChosen(s, pc.nix[0]), c.nix.Attr, c.text, r.pinDrift(c, cons))
	case cfg.Source == config.SourceIndex:
		return fmt.Sprintf("pip2nix.toml builds %s from the index; %s", c.name, r.indexWhy(c, cons))
	case len(pc.nix) == 0:
		return fmt.Sprintf("nixpkgs has no %s; %s", c.name, r.indexWhy(c, cons))
	default:
		var why []string
		for _, n := range pc.nix {
			why = append(why, fmt.Sprintf("%s %s: %s", n.nix.Attr, n.text, r.whyNotChosen(s, n)))
		}
		return fmt.Sprintf("nixpkgs' version does not fit (%s); %s", strings.Join(why, "; "), r.indexWhy(c, cons))
	}
}

// whyNotChosen says why nixpkgs' candidate n is not in the final state s:
// a constraint on it under the policy, pip2nix.toml, or its own
// dependencies (at nixpkgs' version) against the chosen packages.
func (r *run) whyNotChosen(s *state, n *candidate) string {
	if r.pkgConfig(n.name).Source == config.SourceIndex {
		return "pip2nix.toml builds it from the index"
	}
	for _, con := range s.cons[n.name] {
		if why := r.pol.whyNot(n, con); why != "" {
			return why
		}
	}
	d := r.depsOf(n)
	for _, q := range r.linux.active(d.reqs, s.extras[n.name]) {
		dep, ok := s.chosen[q.NormalizedName()]
		if ok && (!dep.valid || !q.Specifier.Contains(dep.version, true)) {
			return fmt.Sprintf("it requires %s but %s is chosen", reqText(q), dep)
		}
	}
	return "its dependencies conflict with the rest of the closure"
}

func (r *run) indexWhy(c *candidate, cons []constraint) string {
	for _, con := range cons {
		if v, ok := con.spec.Pin(); ok && v.Equal(c.version) {
			return fmt.Sprintf("%s is the pinned release", c.version)
		}
	}
	return fmt.Sprintf("%s is the newest release satisfying every declared constraint", c.version)
}

// pinDrift says how a nixpkgs version differs from an input pin.
func (r *run) pinDrift(c *candidate, cons []constraint) string {
	for _, con := range cons {
		v, ok := con.spec.Pin()
		if !ok || !con.input {
			continue
		}
		if p := v.String(); c.valid && !v.Equal(c.version) {
			if IsCostly(c.name) && r.in.Policy == Compatible {
				return fmt.Sprintf(" (pinned %s; nixpkgs' version kept because re-versioning it needs vendored Rust crates)", p)
			}
			if isCalendar(v) && r.in.Policy == Compatible && c.version.Compare(v) > 0 {
				return fmt.Sprintf(" (pinned %s, a calendar version: nixpkgs' newer release is kept, since the compatible policy never downgrades a calendar version below nixpkgs'; the pin is advice)", p)
			}
			return fmt.Sprintf(" (pinned %s; drift accepted under the %s policy)", p, r.in.Policy)
		}
	}
	return ""
}

// changelogURL picks the project URL a reader looks for release notes in.
func changelogURL(urls map[string]string) string {
	wanted := []string{"changelog", "changes", "releasenotes", "history", "whatsnew", "news"}
	norm := map[string]string{}
	for _, k := range sortedKeys(urls) {
		key := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return -1
		}, strings.ToLower(k))
		if _, ok := norm[key]; !ok {
			norm[key] = urls[k]
		}
	}
	for _, w := range wanted {
		if u, ok := norm[w]; ok {
			return u
		}
	}
	return ""
}

// finishWarnings copies the run's warnings into the plan, sorted.
func (r *run) finishWarnings(plan *Plan) {
	r.mu.Lock()
	defer r.mu.Unlock()
	plan.Warnings = sortedKeys(r.warnings)
}
