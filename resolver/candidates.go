package resolver

import (
	"errors"
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
}

func (c *candidate) String() string { return c.name + " " + c.text }

// projectCands holds everything known about a project's providers.
type projectCands struct {
	name    string
	display string
	nix     []*candidate  // in Set.Lookup's order
	index   []*candidate  // newest first, only releases with a usable sdist
	notes   []releaseNote // releases set aside and why
	invalid []string      // releases whose version does not parse
	found   bool          // the index knows the project
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
	// A partial (recorded) set cannot say nixpkgs lacks what it omits.
	if _, err := r.in.Nixpkgs.Find(name); err != nil {
		return nil, err
	}
	r.discover(name, pypi.SpecifierSet{})
	p, err := r.fe.project(name).wait(r.ctx)
	if err != nil && !r.absent(err) {
		return nil, &PackageError{Package: name, Err: err}
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
		files, why := r.usableFiles(rel.Files, v)
		if len(files) == 0 {
			pc.notes = append(pc.notes, releaseNote{v, why})
			continue
		}
		c.sdists = files
		pc.index = append(pc.index, c)
	}
	sort.SliceStable(pc.index, func(i, j int) bool { return pc.index[i].version.Compare(pc.index[j].version) > 0 })
	return pc
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
	case err != nil && r.absent(err) && c.nix != nil:
		d.warnings = append(d.warnings, fmt.Sprintf("%s %s (nixpkgs attribute %s): the index has no release %s, so its dependencies were not checked", c.name, c.text, c.nix.Attr, c.text))
		return d
	case err != nil:
		d.err = &PackageError{Package: c.name + "==" + c.text, Err: err}
		return d
	}
	d.release = ri
	reqs := ri.RequiresDist
	d.known = ri.RequiresDistKnown
	if !d.known {
		// The sdist says, for index releases and for nixpkgs' version alike
		// (a project without dependencies is not "unknown").
		files := c.sdists
		if c.nix != nil {
			for _, f := range ri.Files {
				if f.Kind == index.Sdist {
					files = append(files, f)
				}
			}
		}
		if ins, ierr := r.inspectFiles(c, files); ierr == nil && ins.info.RequiresDistSource != "" && ins.info.Metadata != nil {
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
	return r.inspectFiles(c, c.sdists)
}

// inspectFiles downloads and reads one of c's sdists among files, once.
func (r *run) inspectFiles(c *candidate, files []index.File) (*inspected, error) {
	r.mu.Lock()
	ins, ok := r.sdists[c]
	r.mu.Unlock()
	if ok {
		return ins, nil
	}
	pkg := c.name + "==" + c.text
	f, ok := pickSdist(r.preferHashed(c.name, files))
	if !ok {
		return nil, &PackageError{Package: pkg, Err: errors.New("no sdist")}
	}
	blob, err := r.fe.idx.Open(r.ctx, f)
	if err != nil {
		return nil, &PackageError{Package: pkg, Err: err}
	}
	inspect := sdist.InspectReaderAt
	if f.Kind == index.Wheel {
		inspect = sdist.InspectWheelReaderAt
	}
	info, err := inspect(f.Filename, blob, blob.Size, sdist.Limits{})
	if err != nil {
		return nil, &SdistError{Package: pkg, URL: f.URL, Err: err}
	}
	ins = &inspected{file: f, info: info, digests: blob.Hashes, blob: blob}
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
	pin, pinned := exactPin(spec)
	pinV, err := pypi.ParseVersion(pin)
	pinned = pinned && err == nil
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
		r.prefetchRelease(name, pin)
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
