package resolver

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
)

// inspect downloads and reads the sdist of every package built from the
// index (Add and Override), concurrently, and fills the fields the overlay
// and the report need: Sdist, build system, license, import names and
// native code.
func (r *run) inspect(plan *Plan) error {
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
			ins, err := r.inspectSdist(c)
			if err != nil {
				return fmt.Errorf("inspect %s==%s: %w", p.Name, p.Version, err)
			}
			r.fillFromSdist(p, c, ins)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r.progress("inspected the sdists of %d package(s)", n)
	return nil
}

// chosenCandidate finds the candidate buildPlan used for an index package.
func (r *run) chosenCandidate(name string) *candidate {
	return r.final[name]
}

func (r *run) fillFromSdist(p *Package, c *candidate, ins *inspected) {
	f := ins.file
	p.Sdist = &Sdist{Filename: f.Filename, URL: f.URL, SHA256: f.SHA256}
	p.Sdist.PName, p.Sdist.Extension = fetchPypiName(f.Filename, p.Version)
	info := ins.info
	attrs, unmapped := sdist.NixBuildSystems(info.BuildSystem)
	for _, q := range unmapped {
		req, err := pypi.ParseRequirement(q)
		if err != nil {
			p.Notes = append(p.Notes, fmt.Sprintf("build requirement %q is not a PEP 508 requirement", q))
			continue
		}
		if nix := r.lookup(req.Name); len(nix) > 0 {
			attrs = append(attrs, nix[0].Attr)
			continue
		}
		p.Notes = append(p.Notes, fmt.Sprintf("build requirement %s has no nixpkgs attribute", q))
	}
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
		if p.Summary == "" {
			p.Summary = strings.TrimSpace(md.Summary)
		}
		if p.HomePage == "" {
			p.HomePage = md.HomePage
		}
	}
	sort.Strings(p.Notes)
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
	res := sdist.NixLicenses(expr, text, classifiers)
	l := License{Nix: res.Nix, Unknown: res.Unknown, Unfree: res.Unfree}
	switch {
	case expr != "":
		l.Expression = expr
	case res.Source == sdist.LicenseFromClassifiers || res.Source == sdist.LicenseFromClassifiersAndLicense || text == "" || strings.Contains(text, "\n"):
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
