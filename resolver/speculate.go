package resolver

import (
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// Speculation keeps the index ahead of the solver, so that a cold
// resolution costs about one round trip per level of the dependency graph
// instead of one per question the solver asks:
//
//   - every requirement met (input, dependency metadata, extras included)
//     starts its project's listing and, at once, the metadata of the
//     versions known without it: nixpkgs' version the policy would take,
//     or an exact pin;
//   - when the listing arrives, the best candidate under the policy and the
//     PEP 440 pre-release and PEP 592 yank rules has its metadata fetched
//     (from the listing itself when it is the current release), and its
//     dependencies are followed the same way;
//   - when a dependency of that candidate turns out to have nothing on the
//     index or in nixpkgs that satisfies it, the next candidate is fetched;
//   - before the solver blocks it names, for every package it has yet to
//     decide, the candidate it would pick now (provider.Prefetch);
//   - a chosen index release's sdist is downloaded and inspected while the
//     resolution goes on.
//
// Guesses cost requests, never correctness: the solver asks for what it
// needs, and every answer is memoized by the fetcher.

// speculate follows one requirement on name. input is true for the input
// files' requirements (the policy treats their pins as advice).
func (r *run) speculate(name string, spec pypi.SpecifierSet, extras []string, input bool) {
	if r.pkgConfig(name).Skip || !r.firstTime("req\x00"+name+"\x00"+spec.String()+"\x00"+strings.Join(extras, ",")) {
		return
	}
	pf := r.fe.project(name)
	con := constraint{spec: spec, input: input}
	for i, np := range r.lookup(name) {
		c := nixCandidate(name, np, i)
		if r.pol.verdict(c, con) == admitted {
			r.speculateRelease(name, np.Version, extras, nil)
			return
		}
	}
	if pin, ok := spec.Pin(); ok {
		r.speculateRelease(name, pin.String(), extras, nil)
		return
	}
	r.fe.spawn(func() {
		if _, err := pf.wait(r.ctx); err != nil {
			return
		}
		pc, err := r.projectCands(name)
		if err != nil {
			return
		}
		r.speculateFrom(pc, r.likely(pc, con), extras)
	})
}

// speculateFrom fetches the first of cands and, should one of its
// dependencies prove unsatisfiable, the next.
func (r *run) speculateFrom(pc *projectCands, cands []*candidate, extras []string) {
	if len(cands) == 0 {
		return
	}
	r.speculateRelease(pc.name, cands[0].text, extras, func() { r.speculateFrom(pc, cands[1:], extras) })
}

// likely lists, most preferred first, the index candidates of pc that con
// admits and that would be eligible: not yanked unless pinned, and not a
// pre-release unless con names one or the project has only pre-releases.
func (r *run) likely(pc *projectCands, con constraint) []*candidate {
	pin, pinned := con.spec.Pin()
	pre := con.spec.AllowsPrereleases()
	if !pre {
		pre = true
		for _, c := range pc.index {
			if !c.yanked && !c.version.IsPrerelease() {
				pre = false
				break
			}
		}
	}
	var out []*candidate
	for _, c := range pc.index {
		if c.yanked && !(pinned && pin.Equal(c.version)) || c.version.IsPrerelease() && !pre || r.pol.verdict(c, con) != admitted {
			continue
		}
		out = append(out, c)
	}
	return out
}

// speculateRelease fetches a release's metadata and follows the
// requirements it declares, with extras; ruledOut, when not nil, is called
// if a dependency has no candidate that satisfies it.
func (r *run) speculateRelease(name, version string, extras []string, ruledOut func()) {
	key := name + "\x00" + version + "\x00" + strings.Join(extras, ",")
	follow := r.firstTime("rel\x00" + key)
	check := ruledOut != nil && r.firstTime("out\x00"+key)
	if !follow && !check {
		return
	}
	rf := r.fe.release(name, version)
	r.fe.spawn(func() {
		ri, err := rf.wait(r.ctx)
		if err != nil {
			return
		}
		reqs := r.linux.active(r.releaseReqs(ri).reqs, extras)
		if follow {
			for _, q := range reqs {
				r.speculate(q.NormalizedName(), q.Specifier, q.Extras, false)
			}
		}
		if !check {
			return
		}
		// The listings asked for above arrive together.
		for _, q := range reqs {
			dep := q.NormalizedName()
			if r.pkgConfig(dep).Skip {
				continue
			}
			if pc, err := r.projectCands(dep); err == nil && !r.satisfiable(pc, constraint{spec: q.Specifier}) {
				ruledOut()
				return
			}
		}
	})
}

// satisfiable reports whether some candidate of pc satisfies con.
func (r *run) satisfiable(pc *projectCands, con constraint) bool {
	for _, group := range [][]*candidate{pc.nix, pc.index} {
		for _, c := range group {
			if r.pol.verdict(c, con) == admitted {
				return true
			}
		}
	}
	return false
}

// firstTime reports whether key is met for the first time in this run.
func (r *run) firstTime(key string) bool {
	r.specMu.Lock()
	defer r.specMu.Unlock()
	if r.speculated[key] {
		return false
	}
	r.speculated[key] = true
	return true
}

// nixCandidate is nixpkgs' package np as candidate number rank of name.
func nixCandidate(name string, np nixpkgs.Package, rank int) *candidate {
	c := &candidate{name: name, text: np.Version, nix: &np, nixRank: rank}
	if v, err := pypi.ParseVersion(np.Version); err == nil {
		c.version, c.valid = v, true
	}
	return c
}

// Prefetch implements solve.Prefetcher: the solver would pick candidate i
// of name (with extra) next, so its metadata and sdist are fetched now.
func (p *provider) Prefetch(name string, i int, extra string) {
	c := p.cands[name][i].Ref.(*candidate)
	var extras []string
	if extra != "" {
		extras = []string{extra}
	}
	p.r.speculateRelease(name, c.text, extras, nil)
}

// prefetchSdist downloads and inspects a chosen index release's sdist in
// the background; the plan's inspection then finds it done.
func (r *run) prefetchSdist(c *candidate) {
	if c.nix != nil || len(c.sdists) == 0 {
		return
	}
	r.fe.spawn(func() { _, _ = r.inspectSdist(c) })
}
