// Package solve is a conflict-driven dependency solver in the manner of
// PubGrub (as uv and Poetry use it): it decides one package at a time,
// propagates what the decisions imply, and on a conflict derives a new
// incompatibility from its causes and backjumps to the decision that made it
// possible, so unrelated choices are never explored again. It does no I/O:
// a Provider lists a project's candidates and a release's dependencies, and
// a Policy says which candidates a requirement admits.
//
// Extras are packages of their own, as in uv: "alpha[fast]" at candidate i
// depends on "alpha" at exactly i and on the dependencies the extra
// activates, so an extra a package requests of itself works like any other
// dependency.
//
// Eligibility. A candidate can satisfy a requirement yet be ineligible:
//   - a pre-release (Candidate.Prerelease) is eligible when some requirement
//     on its project names a pre-release explicitly
//     (pypi.SpecifierSet.AllowsPrereleases), or when every candidate of the
//     project that is not yanked is a pre-release — uv's
//     "if-necessary-or-explicit". PEP 440's own rule ("accept pre-releases
//     when only they match") depends on the set of constraints a search
//     happens to hold, so it is not monotone and cannot be learned from; pip
//     23.2.1 also lets a yanked final release hide the pre-releases, which
//     this rule does not (the yanked release is not counted).
//   - a yanked candidate (PEP 592) is eligible only when some requirement
//     pins it exactly (pypi.SpecifierSet.Pin).
//
// Extras arrive normalized (PEP 685, as pypi.ParseRequirement gives them
// and as markers compare them), where pip 23.2.1 compares them as written.
//
// Requirements are read as the search decides packages, so a requirement
// that makes a candidate eligible can arrive after the search learnt that
// it was not; every incompatibility learnt from ineligibility is then
// forgotten and the search restarts from the root with what it knows. The
// eligible sets only grow, so this happens at most once per candidate.
package solve

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// Candidate is one way to provide a project, in the provider's order of
// preference (the first is preferred).
type Candidate struct {
	Version pypi.Version
	Text    string // the version as messages show it, e.g. "5.1.4"
	Note    string // added to its name in messages, e.g. "(nixpkgs django_5)"
	// Prerelease makes the candidate subject to the pre-release rule;
	// Yanked to PEP 592's.
	Prerelease bool
	Yanked     bool
	// Unavailable says why the candidate can never be chosen (e.g.
	// "requires Python >=3.13, the target is 3.12.10"); "" when it can.
	Unavailable string
	// Ref is the provider's own value, handed back in the Solution.
	Ref any
}

// label names candidate c of project name in messages.
func (c *Candidate) label(name string) string {
	if c.Note != "" {
		return name + " " + c.Text + " " + c.Note
	}
	return name + " " + c.Text
}

// Requirement is one declared requirement on a project.
type Requirement struct {
	Name      string // PEP 503 normalized project name
	Extras    []string
	Specifier pypi.SpecifierSet
	// Constraint is true for a requirement that restricts a project's
	// versions without adding it (pip's -c lines, pip2nix.toml pins).
	Constraint bool
	// Origin says who declares it: "file:line" for the input, "" for a
	// dependency (the solver names the depending release), or any text.
	Origin string
	Text   string // the requirement as messages show it
	// Data is the provider's own value, for its Policy.
	Data any
}

// Provider feeds the solver. It may block (waiting for an index) but the
// solver calls it from one goroutine.
type Provider interface {
	// Candidates returns the project's candidates, most preferred first.
	// None at all means the project does not exist.
	Candidates(name string) ([]Candidate, error)
	// Dependencies returns what candidate i of name requires: with extra
	// "", the base requirements; otherwise those the extra adds. An
	// *UnavailableError means the candidate can never be chosen.
	Dependencies(name string, i int, extra string) ([]Requirement, error)
}

// Policy decides whether a requirement admits a candidate.
type Policy interface {
	Admits(r *Requirement, c *Candidate) bool
}

// Prefetcher is an optional interface of a Provider: before each decision
// the solver names, for every package it has yet to decide, the candidate
// it would pick now, so a provider can fetch ahead instead of waiting for
// Dependencies (uv's pre-visit).
type Prefetcher interface {
	Prefetch(name string, i int, extra string)
}

// UnavailableError is returned by Provider.Dependencies when a candidate
// turns out to be unusable (its metadata requires another Python, it is
// gone from the index).
type UnavailableError struct{ Reason string }

func (e *UnavailableError) Error() string { return e.Reason }

// ExhaustedError says the search used up its step budget.
type ExhaustedError struct{ Steps int }

func (e *ExhaustedError) Error() string {
	return fmt.Sprintf("the search gave up after %d steps without a solution or a proof that none exists", e.Steps)
}

// Options configure one solve.
type Options struct {
	Provider Provider
	Policy   Policy
	// MaxSteps bounds decisions plus conflict resolutions; 0 means no bound.
	MaxSteps int
}

// Solution is a consistent choice of candidates.
type Solution struct {
	// Chosen maps each selected project to its candidate's index.
	Chosen map[string]int
	// Extras lists, per project, the extras the solution requests of it
	// (normalized, sorted).
	Extras map[string][]string
	// Candidates holds each selected project's candidate list.
	Candidates map[string][]Candidate
	Steps      int
}

// Solve finds candidates for roots' projects and their dependencies that
// satisfy every requirement, or returns a *NoSolutionError (the derivation
// of why none exists), an *ExhaustedError, or the provider's error.
func Solve(roots []Requirement, o Options) (*Solution, error) {
	s := &solver{o: o, byName: map[string]int{}, projects: map[string]*project{}, reqSets: map[reqKey]set{}}
	root := s.addPackage("", "", nil)
	s.packages[root].rootReqs = roots
	s.addIncompat(&incompat{terms: []term{{pkg: root, positive: false, vs: fullSet(1)}}, kind: causeRoot})
	if err := s.run(root); err != nil {
		return nil, err
	}
	sol := &Solution{Chosen: map[string]int{}, Extras: map[string][]string{}, Candidates: map[string][]Candidate{}, Steps: s.steps}
	for _, a := range s.assigns {
		if !a.decision || a.t.pkg == root {
			continue
		}
		p := s.packages[a.t.pkg]
		i := a.t.vs.first()
		if p.extra == "" {
			sol.Chosen[p.name] = i
			sol.Candidates[p.name] = p.proj.cands
		} else {
			sol.Extras[p.name] = append(sol.Extras[p.name], p.extra)
		}
	}
	for _, xs := range sol.Extras {
		sort.Strings(xs)
	}
	return sol, nil
}

// project is what the solver knows of one project, shared by its base
// package and its extras.
type project struct {
	name      string
	cands     []Candidate
	preOK     bool // its pre-releases are eligible
	yankOK    set  // its yanked candidates pinned exactly by some requirement
	eligible  set  // available and eligible candidates
	ineligErr bool // some candidate is held back by eligibility alone
}

// pkg is a solver package: a project, or a project with one extra.
type pkg struct {
	name, extra string
	proj        *project // nil for the root
	rootReqs    []Requirement
	incs        []*incompat
	depsAdded   map[int]bool
	acc         term  // intersection of the assignments' terms
	assigned    []int // indices into solver.assigns
	decided     bool
	hinted      int // the candidate last named to a Prefetcher
}

func (p *pkg) size() int {
	if p.proj == nil {
		return 1
	}
	return len(p.proj.cands)
}

func (p *pkg) String() string {
	switch {
	case p.proj == nil:
		return "the requirements"
	case p.extra != "":
		return p.name + "[" + p.extra + "]"
	}
	return p.name
}

// assignment is a decision or a derivation of the partial solution.
type assignment struct {
	t        term
	level    int
	decision bool
	cause    *incompat
}

type reqKey struct {
	name, spec string
	data       any
}

type solver struct {
	o        Options
	packages []*pkg
	byName   map[string]int
	projects map[string]*project
	reqSets  map[reqKey]set
	assigns  []assignment
	level    int
	steps    int
	flipped  bool // eligibility grew since the last restart
}

func (s *solver) addPackage(name, extra string, proj *project) int {
	key := name
	if extra != "" {
		key += "[" + extra + "]"
	}
	if id, ok := s.byName[key]; ok {
		return id
	}
	id := len(s.packages)
	p := &pkg{name: name, extra: extra, proj: proj, depsAdded: map[int]bool{}, hinted: -1}
	n := p.size()
	p.acc = term{pkg: id, vs: newSet(n)}
	s.packages = append(s.packages, p)
	s.byName[key] = id
	return id
}

// project loads a project's candidates once.
func (s *solver) project(name string) (*project, error) {
	if pr, ok := s.projects[name]; ok {
		return pr, nil
	}
	cands, err := s.o.Provider.Candidates(name)
	if err != nil {
		return nil, err
	}
	pr := &project{name: name, cands: cands, yankOK: newSet(len(cands)), preOK: true}
	for _, c := range cands {
		if !c.Prerelease && !c.Yanked && c.Unavailable == "" {
			pr.preOK = false
			break
		}
	}
	s.updateEligible(pr)
	s.projects[name] = pr
	return pr, nil
}

func (s *solver) updateEligible(pr *project) {
	pr.eligible = newSet(len(pr.cands))
	pr.ineligErr = false
	for i, c := range pr.cands {
		if c.Unavailable != "" {
			continue
		}
		if c.Prerelease && !pr.preOK || c.Yanked && !pr.yankOK.has(i) {
			pr.ineligErr = true
			continue
		}
		pr.eligible.add(i)
	}
}

// note records what a requirement makes eligible.
func (s *solver) note(pr *project, r *Requirement) {
	changed := false
	if !pr.preOK && r.Specifier.AllowsPrereleases() {
		pr.preOK, changed = true, true
	}
	if pin, ok := r.Specifier.Pin(); ok {
		for i, c := range pr.cands {
			if c.Yanked && !pr.yankOK.has(i) && c.Version.Equal(pin) {
				pr.yankOK.add(i)
				changed = true
			}
		}
	}
	if changed {
		wasHeld := pr.ineligErr
		s.updateEligible(pr)
		s.flipped = s.flipped || wasHeld
	}
}

// admitted returns the candidates of pr that r admits.
func (s *solver) admitted(pr *project, r *Requirement) set {
	key := reqKey{name: pr.name, spec: r.Specifier.String(), data: r.Data}
	if vs, ok := s.reqSets[key]; ok {
		return vs
	}
	vs := newSet(len(pr.cands))
	for i := range pr.cands {
		if s.o.Policy.Admits(r, &pr.cands[i]) {
			vs.add(i)
		}
	}
	if cacheable(r.Data) {
		s.reqSets[key] = vs
	}
	return vs
}

func cacheable(v any) bool {
	switch v.(type) {
	case nil, bool, int, string:
		return true
	}
	return false
}

func (s *solver) addIncompat(inc *incompat) {
	for _, t := range inc.terms {
		p := s.packages[t.pkg]
		p.incs = append(p.incs, inc)
	}
}

// run propagates from the root and decides until every required package
// has a candidate.
func (s *solver) run(root int) error {
	next := root
	for next >= 0 {
		if err := s.propagate(next); err != nil {
			return err
		}
		var err error
		if next, err = s.decide(); err != nil {
			return err
		}
		if s.flipped {
			s.restart()
			next = root
		}
	}
	return nil
}

// restart forgets what was learnt from ineligibility and the partial
// solution, keeping every other incompatibility.
func (s *solver) restart() {
	s.flipped = false
	for _, p := range s.packages {
		kept := p.incs[:0]
		for _, inc := range p.incs {
			if !inc.eligibility {
				kept = append(kept, inc)
			}
		}
		p.incs = kept
		p.acc = term{pkg: p.acc.pkg, vs: newSet(p.size())}
		p.assigned = p.assigned[:0]
		p.decided = false
	}
	s.assigns = s.assigns[:0]
	s.level = 0
}

func (s *solver) step() error {
	s.steps++
	if s.o.MaxSteps > 0 && s.steps > s.o.MaxSteps {
		return &ExhaustedError{Steps: s.o.MaxSteps}
	}
	return nil
}

func (s *solver) assign(t term, decision bool, cause *incompat) {
	p := s.packages[t.pkg]
	p.acc = p.acc.intersect(t)
	p.assigned = append(p.assigned, len(s.assigns))
	p.decided = p.decided || decision
	s.assigns = append(s.assigns, assignment{t: t, level: s.level, decision: decision, cause: cause})
}

// relation says how the partial solution stands to inc: satisfied (a
// conflict), almost satisfied (all terms but unsat), or neither.
type relation int

const (
	relNone relation = iota
	relAlmost
	relConflict
)

func (s *solver) relation(inc *incompat) (relation, term) {
	var unsat term
	found := false
	for _, t := range inc.terms {
		acc := s.packages[t.pkg].acc
		switch {
		case acc.satisfies(t):
		case acc.contradicts(t):
			return relNone, term{}
		case found:
			return relNone, term{}
		default:
			unsat, found = t, true
		}
	}
	if !found {
		return relConflict, term{}
	}
	return relAlmost, unsat
}

func (s *solver) propagate(start int) error {
	changed := []int{start}
	for len(changed) > 0 {
		p := changed[len(changed)-1]
		changed = changed[:len(changed)-1]
		incs := s.packages[p].incs
		for k := len(incs) - 1; k >= 0; k-- {
			rel, unsat := s.relation(incs[k])
			if rel == relNone {
				continue
			}
			inc := incs[k]
			if rel == relConflict {
				var err error
				if inc, err = s.resolve(inc); err != nil {
					return err
				}
				if rel, unsat = s.relation(inc); rel != relAlmost {
					return fmt.Errorf("solve: internal error: the learnt incompatibility %s is not almost satisfied", s.describe(inc))
				}
				s.assign(unsat.negate(), false, inc)
				changed = append(changed[:0], unsat.pkg)
				break
			}
			s.assign(unsat.negate(), false, inc)
			changed = append(changed, unsat.pkg)
		}
	}
	return nil
}

// satisfier returns the index of the earliest assignment after which the
// partial solution satisfies t (with extra intersected in when given).
func (s *solver) satisfier(t term, extra *term) int {
	p := s.packages[t.pkg]
	acc := term{pkg: t.pkg, vs: newSet(p.size())}
	if extra != nil {
		acc = acc.intersect(*extra)
	}
	for _, idx := range p.assigned {
		acc = acc.intersect(s.assigns[idx].t)
		if acc.satisfies(t) {
			return idx
		}
	}
	return -1
}

// resolve derives, from a satisfied incompatibility, one that the
// decisions before the culprit leave almost satisfied, learns it and
// backjumps.
func (s *solver) resolve(inc *incompat) (*incompat, error) {
	learnt := false
	for {
		if err := s.step(); err != nil {
			return nil, err
		}
		if s.failure(inc) {
			return nil, s.noSolution(inc)
		}
		satIdx, prevLevel := -1, 0
		var t term
		for _, u := range inc.terms {
			idx := s.satisfier(u, nil)
			if idx < 0 {
				return nil, fmt.Errorf("solve: internal error: %s is not satisfied", s.describe(inc))
			}
			if idx > satIdx {
				if satIdx >= 0 {
					prevLevel = max(prevLevel, s.assigns[satIdx].level)
				}
				satIdx, t = idx, u
			} else {
				prevLevel = max(prevLevel, s.assigns[idx].level)
			}
		}
		sat := s.assigns[satIdx]
		var diff *term
		if !sat.t.satisfies(t) {
			d := sat.t.intersect(t.negate())
			diff = &d
			if idx := s.satisfier(d.negate(), nil); idx >= 0 {
				prevLevel = max(prevLevel, s.assigns[idx].level)
			}
		}
		if sat.decision || prevLevel != sat.level {
			if learnt {
				s.addIncompat(inc)
			}
			s.backtrack(prevLevel)
			return inc, nil
		}
		var terms []term
		for _, u := range inc.terms {
			if u.pkg != t.pkg {
				terms = append(terms, u)
			}
		}
		for _, u := range sat.cause.terms {
			if u.pkg != sat.t.pkg {
				terms = append(terms, u)
			}
		}
		if diff != nil {
			terms = append(terms, diff.negate())
		}
		prior := newIncompat(terms, &incompat{kind: causeConflict, causes: [2]*incompat{inc, sat.cause}})
		if prior == nil {
			return nil, fmt.Errorf("solve: internal error: the cause of %s and %s is impossible", s.describe(inc), s.describe(sat.cause))
		}
		inc, learnt = prior, true
	}
}

func (s *solver) failure(inc *incompat) bool {
	return len(inc.terms) == 0 || len(inc.terms) == 1 && inc.terms[0].positive && s.packages[inc.terms[0].pkg].proj == nil
}

func (s *solver) backtrack(level int) {
	n := len(s.assigns)
	for n > 0 && s.assigns[n-1].level > level {
		n--
	}
	touched := map[int]bool{}
	for _, a := range s.assigns[n:] {
		touched[a.t.pkg] = true
	}
	s.assigns = s.assigns[:n]
	for id := range touched {
		p := s.packages[id]
		p.acc = term{pkg: id, vs: newSet(p.size())}
		p.decided = false
		kept := p.assigned[:0]
		for _, idx := range p.assigned {
			if idx < n {
				kept = append(kept, idx)
				p.acc = p.acc.intersect(s.assigns[idx].t)
				p.decided = p.decided || s.assigns[idx].decision
			}
		}
		p.assigned = kept
	}
	s.level = level
}

// decide picks the next package and candidate, adds the candidate's
// dependencies and returns the package to propagate from, or -1 when the
// partial solution is complete.
func (s *solver) decide() (int, error) {
	best, bestCount := -1, 0
	pf, _ := s.o.Provider.(Prefetcher)
	for id, p := range s.packages {
		if p.decided || !p.acc.positive {
			continue
		}
		n := 1
		if p.proj != nil {
			var i int
			n, i = p.acc.vs.andCount(p.proj.eligible)
			if pf != nil && i >= 0 && i != p.hinted {
				p.hinted = i
				pf.Prefetch(p.name, i, p.extra)
			}
		}
		if best < 0 || n < bestCount || n == bestCount && p.String() < s.packages[best].String() {
			best, bestCount = id, n
		}
	}
	if best < 0 {
		return -1, nil
	}
	if err := s.step(); err != nil {
		return 0, err
	}
	p := s.packages[best]
	if p.proj == nil {
		if err := s.addDeps(best, 0); err != nil {
			return 0, err
		}
		s.level++
		s.assign(term{pkg: best, positive: true, vs: fullSet(1)}, true, nil)
		return best, nil
	}
	allowed := p.acc.vs
	i := allowed.and(p.proj.eligible).first()
	if i < 0 {
		s.addIncompat(&incompat{
			terms: []term{{pkg: best, positive: true, vs: allowed}}, kind: causeNoVersions,
			eligibility: !allowed.andNot(s.unavailable(p.proj)).empty(),
		})
		return best, nil
	}
	if err := s.addDeps(best, i); err != nil {
		var u *UnavailableError
		if !errors.As(err, &u) {
			return 0, err
		}
		s.addIncompat(&incompat{terms: []term{{pkg: best, positive: true, vs: single(p.size(), i)}}, kind: causeUnavailable, reason: u.Reason})
		return best, nil
	}
	if s.flipped {
		return best, nil
	}
	// Decide only when the dependencies do not contradict the partial
	// solution at once; otherwise propagation will rule the candidate out.
	for _, inc := range p.incs {
		if inc.kind == causeDependency && inc.version == i && inc.terms[0].pkg == best {
			if rel, _ := s.relationExcept(inc, best); rel == relConflict {
				return best, nil
			}
		}
	}
	s.level++
	s.assign(term{pkg: best, positive: true, vs: single(p.size(), i)}, true, nil)
	return best, nil
}

// relationExcept is relation ignoring the terms on package skip.
func (s *solver) relationExcept(inc *incompat, skip int) (relation, term) {
	for _, t := range inc.terms {
		if t.pkg != skip && !s.packages[t.pkg].acc.satisfies(t) {
			return relNone, term{}
		}
	}
	return relConflict, term{}
}

func (s *solver) unavailable(pr *project) set {
	u := newSet(len(pr.cands))
	for i, c := range pr.cands {
		if c.Unavailable != "" {
			u.add(i)
		}
	}
	return u
}

// addDeps adds the dependency incompatibilities of candidate i of package
// id, once.
func (s *solver) addDeps(id, i int) error {
	p := s.packages[id]
	if p.depsAdded[i] {
		return nil
	}
	var reqs []Requirement
	if p.proj == nil {
		reqs = p.rootReqs
	} else {
		var err error
		if reqs, err = s.o.Provider.Dependencies(p.name, i, p.extra); err != nil {
			return err
		}
	}
	n := p.size()
	self := term{pkg: id, positive: true, vs: single(n, i)}
	var incs []*incompat
	if p.extra != "" {
		base := s.addPackage(p.name, "", p.proj)
		incs = append(incs, newIncompat([]term{self, {pkg: base, vs: single(n, i)}},
			&incompat{kind: causeDependency, version: i, req: &Requirement{Name: p.name, Text: p.proj.cands[i].label(p.name)}}))
	}
	for k := range reqs {
		r := &reqs[k]
		pr, err := s.project(r.Name)
		if err != nil {
			return err
		}
		s.note(pr, r)
		vs := s.admitted(pr, r)
		targets := []int{s.addPackage(r.Name, "", pr)}
		for _, x := range r.Extras {
			targets = append(targets, s.addPackage(r.Name, x, pr))
		}
		for _, tid := range targets {
			dep := term{pkg: tid, vs: vs}
			if r.Constraint {
				dep = term{pkg: tid, positive: true, vs: fullSet(len(pr.cands)).andNot(vs)}
			}
			if inc := newIncompat([]term{self, dep}, &incompat{kind: causeDependency, version: i, req: r}); inc != nil {
				incs = append(incs, inc)
			}
		}
	}
	p.depsAdded[i] = true
	for _, inc := range incs {
		if inc != nil {
			s.addIncompat(inc)
		}
	}
	return nil
}

// describe renders an incompatibility's terms, for internal errors.
func (s *solver) describe(inc *incompat) string {
	var parts []string
	for _, t := range inc.terms {
		parts = append(parts, s.termString(t))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
