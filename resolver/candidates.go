package resolver

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
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
	// miss is an offline cache miss met while listing the project; the
	// solver's path records it (see absent), speculation does not.
	miss error
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
	miss    error // an offline cache miss, recorded on the solver's path only
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
	// A partial (recorded) set cannot say nixpkgs lacks what it omits,
	// unless pip2nix.toml builds the project from the index anyway: then
	// whether nixpkgs has it does not matter. (A complete set is asked
	// once, through r.lookup, in buildCands.)
	if r.in.Nixpkgs.Partial && r.pkgConfig(name).Source != config.SourceIndex {
		if _, err := r.in.Nixpkgs.Find(name); err != nil {
			return nil, err
		}
	}
	p, err := r.fe.project(name).wait(r.ctx)
	if err != nil && !isAbsent(err) {
		return nil, &PackageError{Package: name, Err: err}
	}
	pc = r.buildCands(name, p)
	pc.miss = offlineMiss(err)
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
	for i, np := range r.lookup(name) {
		pc.nix = append(pc.nix, nixCandidate(name, np, i))
	}
	if p == nil {
		return pc
	}
	// One allocation for all of them: a project lists up to hundreds.
	all := make([]candidate, len(p.Releases))
	pc.index = make([]*candidate, 0, len(p.Releases))
	for i := range p.Releases {
		rel := &p.Releases[i]
		v, err := pypi.ParseVersion(rel.Version)
		if err != nil {
			pc.invalid = append(pc.invalid, fmt.Sprintf("release %q is not a PEP 440 version; ignored", rel.Version))
			continue
		}
		c := &all[i]
		*c = candidate{name: name, version: v, text: rel.Version, valid: true, release: rel, yanked: rel.Yanked()}
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

// pythonOK reports whether a requires_python value admits the target
// interpreter; an invalid value counts as compatible, as pip treats it.
func (r *run) pythonOK(requires string) bool {
	if strings.TrimSpace(requires) == "" {
		return true
	}
	// Most files of a project share a handful of values: each is parsed
	// once per run.
	if ok, seen := r.pythons.Load(requires); seen {
		return ok.(bool)
	}
	ok := true
	if s, err := pypi.ParseSpecifierSet(requires); err == nil {
		ok = s.Contains(r.python, true)
	}
	r.pythons.Store(requires, ok)
	return ok
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
	case err != nil && isAbsent(err) && c.nix != nil:
		d.miss = offlineMiss(err)
		d.warnings = append(d.warnings, fmt.Sprintf("%s %s (nixpkgs attribute %s): the index has no release %s, so its dependencies were not checked", c.name, c.text, c.nix.Attr, c.text))
		return d
	case err != nil:
		d.err = &PackageError{Package: c.name + "==" + c.text, Err: err}
		return d
	}
	d.release = ri
	d.known = ri.RequiresDistKnown
	pr := r.releaseReqs(ri)
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
			pr, d.known = r.parseReqs(ins.info.Metadata.RequiresDist), true
		}
	}
	// An unknown dependency list is common (the index's null covers both
	// "none" and "not recorded"); the package's notes say so.
	d.reqs = pr.reqs
	for _, bad := range pr.bad {
		d.warnings = append(d.warnings, fmt.Sprintf("%s %s: dependency %s", c.name, c.text, bad))
	}
	return d
}

// parsedReqs is a Requires-Dist list parsed, with what could not be.
type parsedReqs struct {
	reqs []pypi.Requirement
	bad  []string // `"text" ignored: error`
}

// parseReqs parses Requires-Dist strings. The releases of a project
// repeat the same strings, so each is parsed once per run and its
// requirement shared: nothing may modify what it returns.
func (r *run) parseReqs(strs []string) *parsedReqs {
	pr := &parsedReqs{}
	for _, s := range strs {
		q, err := r.parseReq(s)
		if err != nil {
			pr.bad = append(pr.bad, fmt.Sprintf("%q ignored: %v", s, err))
			continue
		}
		pr.reqs = append(pr.reqs, q)
	}
	return pr
}

// parsedReq is a requirement string's parse, kept in run.reqTexts.
type parsedReq struct {
	q   pypi.Requirement
	err error
}

func (r *run) parseReq(s string) (pypi.Requirement, error) {
	if v, ok := r.reqTexts.Load(s); ok {
		p := v.(parsedReq)
		return p.q, p.err
	}
	q, err := pypi.ParseRequirement(s)
	r.reqTexts.Store(s, parsedReq{q, err})
	return q, err
}

// releaseReqs parses a release's Requires-Dist once for the solver and
// the speculation.
func (r *run) releaseReqs(ri *index.ReleaseInfo) *parsedReqs {
	r.mu.Lock()
	pr, ok := r.parsed[ri]
	r.mu.Unlock()
	if ok {
		return pr
	}
	pr = r.parseReqs(ri.RequiresDist)
	r.mu.Lock()
	r.parsed[ri] = pr
	r.mu.Unlock()
	return pr
}

// inspectSdist downloads and reads the sdist of an index candidate, once;
// concurrent callers share the work.
func (r *run) inspectSdist(c *candidate) (*inspected, error) {
	return r.inspectFiles(c, c.sdists)
}

// inspectFiles downloads and reads one of c's files among files (c's
// sdists, or the sdists of nixpkgs' version), once per candidate.
func (r *run) inspectFiles(c *candidate, files []index.File) (*inspected, error) {
	r.mu.Lock()
	job, ok := r.sdists[c]
	if !ok {
		job = &sdistJob{done: make(chan struct{})}
		r.sdists[c] = job
	}
	r.mu.Unlock()
	job.once.Do(func() {
		job.ins, job.err = r.loadSdist(c, files)
		close(job.done)
	})
	return job.ins, job.err
}

// sdistJob is one candidate's sdist inspection, done once. Whoever adds a
// job to run.sdists runs it at once; done is closed when ins and err are
// set.
type sdistJob struct {
	once sync.Once
	done chan struct{}
	ins  *inspected
	err  error
}

func (r *run) loadSdist(c *candidate, files []index.File) (*inspected, error) {
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
		inspect = sdist.InspectWheel
	}
	var info *sdist.Info
	done := make(chan struct{})
	select {
	case r.inspectors <- func() {
		defer close(done)
		info, err = inspect(f.Filename, blob, blob.Size, sdist.Limits{})
	}:
	case <-r.ctx.Done():
		return nil, fmt.Errorf("%s: %w", c, r.ctx.Err())
	}
	<-done
	if err != nil {
		return nil, &SdistError{Package: pkg, URL: f.URL, Err: err}
	}
	return &inspected{file: f, info: info, digests: blob.Hashes, blob: blob}, nil
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
