package resolver

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/nixmap"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/recipe"
)

// inspect downloads and reads the sdist of every package built from the
// index (Add and Override), concurrently, and fills the fields the overlay
// and the report need: Sdist, build system, license, import names and
// native code.
func (r *run) inspect(plan *Plan) error {
	texts, err := r.patchTexts(plan)
	if err != nil {
		return err
	}
	g, _ := errgroup.WithContext(r.ctx)
	g.SetLimit(r.in.Jobs)
	n := 0
	for i := range plan.Packages {
		p := &plan.Packages[i]
		if p.Action != Add && p.Action != Override {
			continue
		}
		n++
		c := r.chosenCandidate(p.Name)
		g.Go(func() error {
			ins, err := r.inspectChosen(c)
			var miss *index.OfflineMissError
			if errors.As(err, &miss) {
				r.absent(err) // reported with every other miss
				return nil
			}
			if err != nil {
				return err
			}
			r.fillFromSdist(p, c, ins)
			if p.Action == Override {
				return r.fitRecipe(p, ins, texts[p.NixpkgsAttr])
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r.progress("inspected the sdists of %d package(s)", n)
	return nil
}

// inspectChosen returns the inspection of c's sdist: a recorded one for
// the same file name and digest when Input.Inspections has it, else
// inspectSdist's (which downloads the archive).
func (r *run) inspectChosen(c *candidate) (*inspected, error) {
	if r.in.Inspections != nil {
		if f, ok := pickSdist(c.sdists); ok {
			if info, ok := r.in.Inspections.Inspection(f.Filename, f.SHA256); ok {
				return &inspected{file: f, info: info}, nil
			}
		}
	}
	return r.inspectSdist(c)
}

// patchTexts asks for the texts of nixpkgs' patches of the packages the
// plan overrides, in one evaluation.
func (r *run) patchTexts(plan *Plan) (map[string][]*string, error) {
	if r.in.PatchTexts == nil {
		return nil, nil
	}
	var attrs []string
	for _, p := range plan.Packages {
		if p.Action != Override {
			continue
		}
		if np, ok := r.in.Nixpkgs.Package(p.NixpkgsAttr); ok && len(np.Recipe.Patches) > 0 {
			attrs = append(attrs, p.NixpkgsAttr)
		}
	}
	if len(attrs) == 0 {
		return nil, nil
	}
	texts, err := r.in.PatchTexts(r.ctx, attrs)
	if err != nil {
		return nil, fmt.Errorf("nixpkgs patches of %s: %w", strings.Join(attrs, ", "), err)
	}
	return texts, nil
}

// fitRecipe decides which parts of nixpkgs' recipe for an overridden
// package fit the new sdist.
func (r *run) fitRecipe(p *Package, ins *inspected, texts []*string) error {
	np, _ := r.in.Nixpkgs.Package(p.NixpkgsAttr)
	var requires []string
	for _, d := range p.Dependencies {
		requires = append(requires, d.Name)
	}
	cfg := r.pkgConfig(p.Name)
	in := recipe.Input{
		Attr: p.NixpkgsAttr, Version: p.Version, Recipe: np.Recipe, PatchTexts: texts,
		Files:    ins.info.Files,
		Requires: requires, Keep: cfg.KeepRecipe, Drop: cfg.DropRecipe,
	}
	// A recorded inspection comes without the archive: nothing that needs
	// its contents can be verified, so those parts are dropped.
	if ins.blob != nil {
		in.Read = func(paths []string) (map[string][]byte, error) {
			return sdist.ReadMembers(ins.file.Filename, ins.blob, ins.blob.Size, sdist.Limits{}, paths)
		}
	}
	fit, err := recipe.Check(in)
	if err != nil {
		return fmt.Errorf("nixpkgs recipe of %s at %s: %w", p.NixpkgsAttr, p.Version, err)
	}
	p.Recipe = fit
	return nil
}

// chosenCandidate finds the candidate buildPlan used for an index package.
func (r *run) chosenCandidate(name string) *candidate {
	return r.final[name]
}

func (r *run) fillFromSdist(p *Package, c *candidate, ins *inspected) {
	f := ins.file
	// The digest is the one computed from the download, which the index's
	// digests (whatever their algorithms) were checked against; a recorded
	// inspection carries the recorded one ("" when nobody recorded it).
	sha := f.SHA256
	if len(ins.digests) > 0 {
		sha = digest(ins.digests, "sha256")
	}
	p.Sdist = &Sdist{Filename: f.Filename, URL: f.URL, SHA256: sha, Inspection: ins.info}
	if sha == "" {
		p.Notes = append(p.Notes, NeedsRegenerationNote)
		r.warn("%s %s: the digest of %s is unknown; it needs regeneration online", p.Name, p.Version, f.Filename)
	}
	if note := weakDigestNote(f); note != "" {
		p.Notes = append(p.Notes, note)
	}
	if f.Kind == index.Wheel {
		p.Sdist.Format = "wheel"
		if w, err := sdist.ParseWheelName(f.Filename); err == nil {
			p.Sdist.WheelPython = w.Python
			// fetchPypi rebuilds "${pname}-${version}-${python}-none-any.whl".
			if w.Build == "" && w.Version == p.Version {
				p.Sdist.PName = w.Distribution
			}
		}
	} else {
		p.Sdist.PName, p.Sdist.Extension = fetchPypiName(f.Filename, p.Version)
	}
	info := ins.info
	attrs := r.buildTools(p, ins)
	p.BuildSystem = dedupSorted(attrs)
	p.BuildRequires = append([]string(nil), info.BuildSystem.Requires...)
	p.ImportNames = append([]string(nil), info.ImportNames...)
	if cfg := r.pkgConfig(p.Name); len(cfg.ImportsCheck) > 0 {
		p.ImportNames = append([]string(nil), cfg.ImportsCheck...)
	}
	p.License = r.license(c, info)
	for _, n := range info.Native.Findings {
		p.NativeLibraries = append(p.NativeLibraries, nativeNeed(n))
		if n.Kind == sdist.NativeRust && !IsCostly(p.Name) {
			p.Notes = append(p.Notes, "builds Rust code: the derivation needs the crates' cargo hash")
		}
	}
	if md := info.Metadata; md != nil {
		for _, w := range md.Warnings {
			p.Notes = append(p.Notes, "the sdist's core metadata, "+w)
		}
		if p.Summary == "" {
			p.Summary = strings.TrimSpace(md.Summary)
		}
		if p.HomePage == "" {
			p.HomePage = md.HomePage
		}
	}
	sort.Strings(p.Notes)
}

// NeedsRegenerationNote is the note of a package whose sdist digest nobody
// recorded: its derivation cannot be fetched until a run against the live
// index fills the digest in.
const NeedsRegenerationNote = "sdist digest unknown: needs regeneration online"

// buildTools checks each build requirement of p's sdist (pyproject.toml's
// [build-system] requires, then setup.cfg's setup_requires) against the
// nixpkgs set and returns the attributes of the tools. A tool nixpkgs has
// is used at nixpkgs' version: a bound it does not meet is relaxed (and
// rendered so in the file that spells it), never a reason to re-version
// the tool; a tool nixpkgs lacks is recorded in r.missingTools, for
// Resolve to take it from the index.
func (r *run) buildTools(p *Package, ins *inspected) []string {
	var attrs []string
	base := r.linux.with("")
	seen := map[string]bool{}
	for _, s := range append(append([]string(nil), ins.info.BuildSystem.Requires...), ins.info.SetupRequires...) {
		if seen[s] {
			continue // spelled alike in both files: one tool, relaxed once
		}
		seen[s] = true
		q, err := pypi.ParseRequirement(s)
		if err != nil {
			p.Notes = append(p.Notes, fmt.Sprintf("build requirement %q is not a PEP 508 requirement", s))
			continue
		}
		if !q.Marker.IsEmpty() && !q.Marker.Evaluate(base) {
			continue
		}
		name := q.NormalizedName()
		attr, ok := nixmap.BuildAttr(name)
		if !ok {
			if nix := r.in.Nixpkgs.Lookup(name); len(nix) > 0 {
				attr, ok = nix[0].Attr, true
			}
		}
		np, inSet := r.in.Nixpkgs.Package(attr)
		switch {
		case ok && inSet:
			attrs = append(attrs, attr)
			if v, err := pypi.ParseVersion(np.Version); err == nil && !q.Specifier.IsEmpty() && !q.Specifier.Contains(v, true) {
				r.relaxBuild(p, ins, s, np)
			}
		case r.final[name] != nil:
			attrs = append(attrs, r.attrOf(r.final[name])) // taken from the index in an earlier round
		default:
			r.mu.Lock()
			if r.missingTools[name] == nil {
				r.missingTools[name] = map[string]bool{}
			}
			r.missingTools[name][p.Name+" "+p.Version] = true
			r.mu.Unlock()
			attrs = append(attrs, name)
		}
	}
	return attrs
}

// relaxBuild records that nixpkgs' tool np does not meet build
// requirement s of p, and relaxes it when every file RelaxFiles names
// spells it so: setup.cfg's setup_requires entries are verbatim by
// construction; pyproject.toml is read from the archive to check.
func (r *run) relaxBuild(p *Package, ins *inspected, s string, np nixpkgs.Package) {
	where := RelaxFiles(ins.info, s)
	if slices.Contains(where, "pyproject.toml") {
		if ins.blob == nil {
			r.warn("%s %s: build requirement %s is not met by nixpkgs' %s %s, and without the archive (a recorded inspection) pyproject.toml cannot be checked to relax it; the build may fail", p.Name, p.Version, s, np.Attr, np.Version)
			return
		}
		files, err := sdist.ReadMembers(ins.file.Filename, ins.blob, ins.blob.Size, sdist.Limits{}, []string{"pyproject.toml"})
		if err != nil || !strings.Contains(string(files["pyproject.toml"]), s) {
			r.warn("%s %s: build requirement %s is not met by nixpkgs' %s %s and could not be relaxed (not spelled so in pyproject.toml); the build may fail", p.Name, p.Version, s, np.Attr, np.Version)
			return
		}
	}
	p.RelaxBuildRequires = append(p.RelaxBuildRequires, s)
	in := ""
	if !slices.Equal(where, []string{"pyproject.toml"}) {
		in = " in " + strings.Join(where, " and ")
	}
	r.warn("%s %s: build requirement %s relaxed%s to nixpkgs' %s %s (build tools are never re-versioned)", p.Name, p.Version, s, in, np.Attr, np.Version)
}

// license maps the release's license fields (the index's metadata, else
// the sdist's PKG-INFO) to lib.licenses.
func (r *run) license(c *candidate, info *sdist.Info) License {
	var expr, text string
	var classifiers []string
	if d := r.depsOf(c); d.release != nil {
		expr, text, classifiers = d.release.LicenseExpression, d.release.License, d.release.Classifiers
	}
	if expr == "" && text == "" && len(classifiers) == 0 && info.Metadata != nil {
		md := info.Metadata
		expr, text, classifiers = md.LicenseExpression, md.License, md.Classifiers
	}
	res := nixmap.Licenses(expr, text, classifiers)
	l := License{Nix: res.Nix, Unknown: res.Unknown, Unfree: res.Unfree}
	switch {
	case expr != "":
		l.Expression = expr
	case res.Source == nixmap.LicenseFromClassifiers || res.Source == nixmap.LicenseFromClassifiersAndLicense || text == "" || strings.Contains(text, "\n"):
		l.Expression = licenseFromClassifiers(classifiers)
	default:
		l.Expression = strings.TrimSpace(text)
	}
	if l.Expression == "" && text != "" && !strings.Contains(text, "\n") {
		l.Expression = strings.TrimSpace(text)
	}
	return l
}

// licenseFromClassifiers joins the last segments of the license
// classifiers ("License :: OSI Approved :: MIT License" → "MIT License").
func licenseFromClassifiers(classifiers []string) string {
	var out []string
	for _, c := range classifiers {
		if !strings.HasPrefix(c, "License ::") {
			continue
		}
		parts := strings.Split(c, "::")
		last := strings.TrimSpace(parts[len(parts)-1])
		if last != "OSI Approved" {
			out = append(out, last)
		}
	}
	return strings.Join(dedupSorted(out), " AND ")
}

// nativeNeed says what building a kind of native code takes.
func nativeNeed(n sdist.NativeFinding) string {
	ex := ""
	if len(n.Examples) > 0 {
		ex = " (e.g. " + strings.Join(n.Examples, ", ") + ")"
	}
	switch n.Kind {
	case sdist.NativeC:
		return fmt.Sprintf("C compiler: %d C file(s)%s", n.Count, ex)
	case sdist.NativeCXX:
		return fmt.Sprintf("C++ compiler: %d C++ file(s)%s", n.Count, ex)
	case sdist.NativeCython:
		return fmt.Sprintf("Cython: %d .pyx file(s)%s", n.Count, ex)
	case sdist.NativeRust:
		return fmt.Sprintf("Rust toolchain and vendored crates: %d Cargo.toml%s", n.Count, ex)
	case sdist.NativeFortran:
		return fmt.Sprintf("Fortran compiler: %d file(s)%s", n.Count, ex)
	case sdist.NativeMeson:
		return fmt.Sprintf("Meson: %d meson.build%s", n.Count, ex)
	case sdist.NativeCMake:
		return fmt.Sprintf("CMake: %d CMakeLists.txt%s", n.Count, ex)
	}
	return fmt.Sprintf("%s: %d file(s)%s", n.Kind, n.Count, ex)
}

// fetchPypiName returns the pname and extension with which fetchPypi
// rebuilds filename exactly as "${pname}-${version}.${extension}", or ""
// when it cannot (then the overlay uses fetchurl with the file's URL).
func fetchPypiName(filename, version string) (pname, ext string) {
	for _, e := range []string{"tar.gz", "zip", "tar.bz2", "tgz", "tar.xz"} {
		suffix := "-" + version + "." + e
		if strings.HasSuffix(filename, suffix) {
			stem := strings.TrimSuffix(filename, suffix)
			if stem == "" || strings.ContainsAny(stem, "/?#") {
				return "", ""
			}
			return stem, e
		}
	}
	return "", ""
}

func dedupSorted(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	set := map[string]bool{}
	for _, s := range ss {
		set[s] = true
	}
	return sortedKeys(set)
}
