package resolver

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// candidate is one way to provide a project: a nixpkgs attribute or an
// index release with a buildable sdist.
type candidate struct {
	name    string
	version pypi.Version
	text    string // the version as nixpkgs or the index spells it
	valid   bool   // text parses as a PEP 440 version
	nix     *nixpkgs.Package
	nixRank int // position in Set.Lookup; 0 is the project's usual attribute
	release *index.Release
	sdists  []index.File // the release's sdists usable for the target Python
	yanked  bool
	// unavailable says why an index release cannot be used, as pip says
	// it ("requires Python >=3.13, the target is 3.12.10"); "" when it can.
	unavailable string
}

func (c *candidate) String() string { return c.name + " " + c.text }

// projectCands holds everything known about a project's providers.
type projectCands struct {
	name     string
	display  string
	nix      []*candidate  // in Set.Lookup's order
	index    []*candidate  // newest first, only releases with a usable sdist
	notes    []releaseNote // releases set aside and why
	unusable []*candidate  // releases that cannot be built, newest first
	invalid  []string      // releases whose version does not parse
	found    bool          // the index knows the project
}

// releaseNote says why a release is no candidate.
type releaseNote struct {
	version pypi.Version
	text    string
}

// depInfo is a candidate's dependency metadata.
type depInfo struct {
	reqs    []pypi.Requirement
	known   bool // false when neither the index nor the sdist said
	release *index.ReleaseInfo
	err     error
	// warnings concern this candidate; the plan carries those of the
	// chosen ones only.
	warnings []string
}

// projectCands returns name's candidates, waiting for the index's listing.
func (r *run) projectCands(name string) (*projectCands, error) {
	r.mu.Lock()
	pc, ok := r.cands[name]
	r.mu.Unlock()
	if ok {
		return pc, nil
	}
	r.discover(name, pypi.SpecifierSet{})
	p, err := r.fe.project(name).wait(r.ctx)
	if err != nil && !isNotFound(err) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	pc = r.buildCands(name, p)
	r.mu.Lock()
	if prev, ok := r.cands[name]; ok {
		pc = prev
	} else {
		r.cands[name] = pc
	}
	r.mu.Unlock()
	return pc, nil
}

func (r *run) buildCands(name string, p *index.Project) *projectCands {
	pc := &projectCands{name: name, display: name, found: p != nil}
	for i, np := range r.in.Nixpkgs.Lookup(name) {
		np := np
		c := &candidate{name: name, text: np.Version, nix: &np, nixRank: i}
		if v, err := pypi.ParseVersion(np.Version); err == nil {
			c.version, c.valid = v, true
		}
		pc.nix = append(pc.nix, c)
	}
	if p == nil {
		return pc
	}
	for i := range p.Releases {
		rel := &p.Releases[i]
		v, err := pypi.ParseVersion(rel.Version)
		if err != nil {
			pc.invalid = append(pc.invalid, fmt.Sprintf("release %q is not a PEP 440 version; ignored", rel.Version))
			continue
		}
		c := &candidate{name: name, version: v, text: rel.Version, valid: true, release: rel, yanked: rel.Yanked()}
		var note string
		c.sdists, c.unavailable, note = r.usable(rel)
		if c.unavailable != "" {
			pc.notes = append(pc.notes, releaseNote{v, v.String() + " " + note})
			pc.unusable = append(pc.unusable, c)
			continue
		}
		pc.index = append(pc.index, c)
	}
	sort.SliceStable(pc.index, func(i, j int) bool { return pc.index[i].version.Compare(pc.index[j].version) > 0 })
	sort.SliceStable(pc.unusable, func(i, j int) bool { return pc.unusable[i].version.Compare(pc.unusable[j].version) > 0 })
	return pc
}

// usable is the one predicate that says whether an index release can be
// built for the target: it returns the release's usable sdists, or why it
// cannot be used (for messages) and the plan's note.
func (r *run) usable(rel *index.Release) (sdists []index.File, why, note string) {
	n, requires := 0, ""
	for _, f := range rel.Files {
		if f.Kind != index.Sdist {
			continue
		}
		n++
		if !r.pythonOK(f.RequiresPython) {
			requires = f.RequiresPython
			continue
		}
		sdists = append(sdists, f)
	}
	switch {
	case n == 0:
		return nil, "has no sdist and cannot be built from the index", "has no sdist and cannot be built from the index"
	case len(sdists) == 0:
		return nil, fmt.Sprintf("requires Python %s, the target is %s", requires, r.python), fmt.Sprintf("requires Python %s (target %s)", requires, r.python)
	}
	return sdists, "", ""
}

// pythonOK reports whether a requires_python value admits the target
// interpreter; an invalid value counts as compatible, as pip treats it.
func (r *run) pythonOK(requires string) bool {
	if strings.TrimSpace(requires) == "" {
		return true
	}
	s, err := pypi.ParseSpecifierSet(requires)
	if err != nil {
		return true
	}
	return s.Contains(r.python, true)
}

// depsOf returns a candidate's dependency metadata: from the index's
// release metadata (for nixpkgs candidates, at nixpkgs' version), else from
// the sdist's PKG-INFO or egg-info.
func (r *run) depsOf(c *candidate) *depInfo {
	r.mu.Lock()
	d, ok := r.deps[c]
	r.mu.Unlock()
	if ok {
		return d
	}
	d = r.loadDeps(c)
	r.mu.Lock()
	if prev, ok := r.deps[c]; ok {
		d = prev
	} else {
		r.deps[c] = d
	}
	r.mu.Unlock()
	return d
}

func (r *run) loadDeps(c *candidate) *depInfo {
	d := &depInfo{}
	ri, err := r.fe.release(c.name, c.text).wait(r.ctx)
	switch {
	case err != nil && isNotFound(err) && c.nix != nil:
		d.warnings = append(d.warnings, fmt.Sprintf("%s %s (nixpkgs attribute %s): the index has no release %s, so its dependencies were not checked", c.name, c.text, c.nix.Attr, c.text))
		return d
	case err != nil:
		d.err = fmt.Errorf("%s==%s: %w", c.name, c.text, err)
		return d
	}
	d.release = ri
	reqs := ri.RequiresDist
	d.known = ri.RequiresDistKnown
	if !d.known && c.nix == nil {
		if ins, ierr := r.inspectSdist(c); ierr == nil && ins.info.RequiresDistSource != "" && ins.info.Metadata != nil {
			reqs, d.known = ins.info.Metadata.RequiresDist, true
		}
	}
	// An unknown dependency list is common (the index's null covers both
	// "none" and "not recorded"); the package's notes say so.
	for _, s := range reqs {
		q, err := pypi.ParseRequirement(s)
		if err != nil {
			d.warnings = append(d.warnings, fmt.Sprintf("%s %s: dependency %q ignored: %v", c.name, c.text, s, err))
			continue
		}
		d.reqs = append(d.reqs, q)
	}
	return d
}

// inspectSdist downloads and reads the sdist of an index candidate, once.
func (r *run) inspectSdist(c *candidate) (*inspected, error) {
	r.mu.Lock()
	ins, ok := r.sdists[c]
	r.mu.Unlock()
	if ok {
		return ins, nil
	}
	f, ok := pickSdist(c.sdists)
	if !ok {
		return nil, fmt.Errorf("%s: no sdist", c)
	}
	data, err := r.fe.idx.Download(r.ctx, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	info, err := sdist.Inspect(f.Filename, data, sdist.Limits{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	ins = &inspected{file: f, info: info}
	r.mu.Lock()
	r.sdists[c] = ins
	r.mu.Unlock()
	return ins, nil
}

// pickSdist prefers a non-yanked .tar.gz, then any non-yanked sdist, then
// the first one.
func pickSdist(files []index.File) (index.File, bool) {
	if len(files) == 0 {
		return index.File{}, false
	}
	for _, f := range files {
		if !f.Yanked && strings.HasSuffix(f.Filename, ".tar.gz") {
			return f, true
		}
	}
	for _, f := range files {
		if !f.Yanked {
			return f, true
		}
	}
	return files[0], true
}

// discover starts fetching a project's listing the first time its name
// appears, and then the metadata of the releases the search will most
// likely pick (nixpkgs' versions and the newest release spec admits),
// recursing into their dependencies: a cold resolution then costs about as
// many round trips as the longest dependency chain.
func (r *run) discover(name string, spec pypi.SpecifierSet) {
	r.mu.Lock()
	seen := r.discovered[name]
	r.discovered[name] = true
	r.mu.Unlock()
	if seen || r.pkgConfig(name).Skip {
		return
	}
	pf := r.fe.project(name)
	// Versions known without the listing (nixpkgs' own, an exact pin) are
	// asked for at once, in the same round trip as the listing — those the
	// policy will most likely choose: a guess, the search fetches what it
	// needs anyway.
	pinV, pinned := spec.Pin()
	wantPin := pinned
	for _, np := range r.in.Nixpkgs.Lookup(name) {
		v, err := pypi.ParseVersion(np.Version)
		switch {
		case !pinned || err != nil:
			r.prefetchRelease(name, np.Version)
		case r.in.Policy == Exact:
			if v.Equal(pinV) {
				r.prefetchRelease(name, np.Version)
				wantPin = false
			}
		case r.in.Policy == Nixpkgs || IsCostly(name) || sameSeries(v, pinV):
			r.prefetchRelease(name, np.Version)
			wantPin = false
		}
	}
	if wantPin {
		r.prefetchRelease(name, pinV.String())
	}
	r.fe.spawn(func() {
		p, err := pf.wait(r.ctx)
		if err != nil || pinned {
			return
		}
		for _, c := range r.buildCands(name, p).index {
			if !c.yanked && spec.Contains(c.version, false) {
				r.prefetchRelease(name, c.text)
				return
			}
		}
	})
}

// prefetchRelease starts fetching a release's metadata and discovers its
// dependencies when it arrives.
func (r *run) prefetchRelease(name, version string) {
	rf := r.fe.release(name, version)
	r.fe.spawn(func() {
		ri, err := rf.wait(r.ctx)
		if err != nil {
			return
		}
		base := envWith(r.linux, "")
		for _, s := range ri.RequiresDist {
			q, err := pypi.ParseRequirement(s)
			if err != nil || !(q.Marker.IsEmpty() || q.Marker.Evaluate(base)) {
				continue
			}
			r.discover(q.NormalizedName(), q.Specifier)
		}
	})
}
