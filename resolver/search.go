package resolver

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
)

// constraint is one declared requirement on a project: from an input file,
// pip2nix.toml or a chosen package's metadata.
type constraint struct {
	spec   pypi.SpecifierSet
	extras []string
	demand bool // adds the project to the closure (not a -c line)
	input  bool // named in the requirements files
	config bool // a pin of pip2nix.toml
	pos    pypi.Position
	parent *candidate // the package whose metadata declares it
	text   string     // the requirement as the message shows it
}

// state is the search's current node: the choices so far and every
// constraint they imply. Changes are recorded on a trail so backtracking
// undoes them instead of copying the state at every step.
type state struct {
	chosen map[string]*candidate
	cons   map[string][]constraint
	extras map[string][]string // extras whose dependencies were added, per chosen name
	trail  []undo
}

// undo restores one entry of a state.
type undo struct {
	name      string
	chose     bool // undo a choice
	cons      []constraint
	hadCons   bool
	extras    []string
	hadExtras bool
	setExtras bool // undo an extras change
}

func newState() *state {
	return &state{chosen: map[string]*candidate{}, cons: map[string][]constraint{}, extras: map[string][]string{}}
}

func (s *state) choose(name string, c *candidate) {
	s.trail = append(s.trail, undo{name: name, chose: true})
	s.chosen[name] = c
}

// addCons appends con to name's list in a new array: the old list stays
// intact for the trail and for ordered's memo, which identifies a list by
// its first element's address and its length.
func (s *state) addCons(name string, con constraint) {
	prev, had := s.cons[name]
	s.trail = append(s.trail, undo{name: name, cons: prev, hadCons: had})
	next := make([]constraint, len(prev), len(prev)+1)
	copy(next, prev)
	s.cons[name] = append(next, con)
}

func (s *state) addExtra(name, extra string) {
	prev, had := s.extras[name]
	s.trail = append(s.trail, undo{name: name, extras: prev, hadExtras: had, setExtras: true})
	next := make([]string, len(prev), len(prev)+1)
	copy(next, prev)
	next = append(next, extra)
	sort.Strings(next)
	s.extras[name] = next
}

// rollback undoes every change after the trail had length mark.
func (s *state) rollback(mark int) {
	for i := len(s.trail) - 1; i >= mark; i-- {
		u := s.trail[i]
		switch {
		case u.chose:
			delete(s.chosen, u.name)
		case u.setExtras && u.hadExtras:
			s.extras[u.name] = u.extras
		case u.setExtras:
			delete(s.extras, u.name)
		case u.hadCons:
			s.cons[u.name] = u.cons
		default:
			delete(s.cons, u.name)
		}
	}
	s.trail = s.trail[:mark]
}

// rootState turns the input requirements and pip2nix.toml pins into
// constraints.
func (r *run) rootState() (*state, error) {
	s := newState()
	env := envWith(r.linux, "")
	for _, line := range r.in.Requirements {
		q := line.Requirement
		if q.URL != "" {
			return nil, &pypi.FileError{Pos: line.Pos, Msg: q.Name + ": direct URL requirements cannot be resolved against an index"}
		}
		if !q.Marker.IsEmpty() && !q.Marker.Evaluate(env) {
			continue
		}
		name := q.NormalizedName()
		if r.pkgConfig(name).Skip {
			r.warn("%s: %s left out: pip2nix.toml skips it", line.Pos, name)
			continue
		}
		s.addCons(name, constraint{
			spec: q.Specifier, extras: q.Extras, demand: !line.Constraint, input: true,
			pos: line.Pos, text: reqText(q),
		})
		r.discover(name, q.Specifier)
	}
	for _, name := range sortedKeys(r.in.Config.Packages) {
		p := r.in.Config.Packages[name]
		if p.Pin == "" || p.Skip {
			continue
		}
		spec, err := pypi.ParseSpecifierSet(p.Pin)
		if err != nil {
			return nil, fmt.Errorf("%s: packages.%s.pin: %w", r.in.Config.Path, name, err)
		}
		s.addCons(name, constraint{spec: spec, config: true, text: name + spec.String()})
	}
	s.trail = nil
	return s, nil
}

func reqText(q pypi.Requirement) string {
	t := q.NormalizedName()
	if len(q.Extras) > 0 {
		t += "[" + strings.Join(q.Extras, ",") + "]"
	}
	return t + q.Specifier.String()
}

// solve runs the backtracking search from root; on success root holds
// the solution.
func (r *run) solve(root *state) (*state, error) {
	ok, err := r.search(root)
	if err != nil {
		return nil, err
	}
	if !ok {
		if r.conflict != nil {
			return nil, r.conflict
		}
		return nil, &ConflictError{Chain: []string{"no consistent set of versions exists"}}
	}
	return root, nil
}

// search chooses, most constrained project first, each candidate in order
// of preference, and backtracks when a choice leads to a conflict. It
// reports false (and records the first conflict met) when s cannot be
// completed; s is then as it was.
func (r *run) search(s *state) (bool, error) {
	var (
		best      string
		bestCands []*candidate
	)
	// The minimum by (candidates, name) is a total order, so map order
	// does not matter; an impossible name is reported first by name.
	var impossible string
	for name, cons := range s.cons {
		if _, ok := s.chosen[name]; ok || !demanded(cons) {
			continue
		}
		cands, err := r.ordered(name, cons)
		if err != nil {
			return false, err
		}
		switch {
		case len(cands) == 0:
			if impossible == "" || name < impossible {
				impossible = name
			}
		case best == "" || len(cands) < len(bestCands) || len(cands) == len(bestCands) && name < best:
			best, bestCands = name, cands
		}
	}
	if impossible != "" {
		r.noteConflict(s, impossible, "")
		return false, nil
	}
	if best == "" {
		return true, nil
	}
	for _, c := range bestCands {
		r.steps++
		if r.steps > r.in.MaxSteps {
			return false, fmt.Errorf("resolve: %w (%d candidate trials)", ErrTooManySteps, r.in.MaxSteps)
		}
		mark := len(s.trail)
		ok, err := r.choose(s, best, c)
		if err != nil {
			return false, err
		}
		if ok {
			done, err := r.search(s)
			if err != nil || done {
				return done, err
			}
		}
		s.rollback(mark)
	}
	return false, nil
}

func demanded(cs []constraint) bool {
	for _, c := range cs {
		if c.demand {
			return true
		}
	}
	return false
}

// choose chooses c for name in s and adds c's dependencies; it reports
// false when they contradict earlier choices (the caller rolls back).
func (r *run) choose(s *state, name string, c *candidate) (bool, error) {
	d := r.depsOf(c)
	if d.err != nil {
		if r.absent(d.err) {
			return false, nil
		}
		return false, d.err
	}
	// The listing's files may lack requires_python that the release's
	// metadata states.
	if c.nix == nil && d.release != nil && !r.pythonOK(d.release.RequiresPython) {
		return false, nil
	}
	s.choose(name, c)
	return r.expand(s, name, wantedExtras(s.cons[name]), true), nil
}

func wantedExtras(cs []constraint) []string {
	set := map[string]bool{}
	for _, c := range cs {
		for _, x := range c.extras {
			set[x] = true
		}
	}
	return sortedKeys(set)
}

// expand adds the dependencies of the chosen package name that extras (and,
// when first, its base requirements) activate. It reports false on a
// conflict.
func (r *run) expand(s *state, name string, extras []string, first bool) bool {
	c := s.chosen[name]
	d := r.depsOf(c)
	var add []pypi.Requirement
	if first {
		add = activeReqs(d.reqs, r.linux, nil)
	}
	done := map[string]bool{}
	for _, x := range s.extras[name] {
		done[x] = true
	}
	base := envWith(r.linux, "")
	for _, x := range extras {
		if done[x] {
			continue
		}
		s.addExtra(name, x)
		env := envWith(r.linux, x)
		for _, q := range d.reqs {
			if !q.Marker.IsEmpty() && q.Marker.Evaluate(env) && !q.Marker.Evaluate(base) {
				add = append(add, q)
			}
		}
	}
	for _, q := range add {
		dep := q.NormalizedName()
		if dep == name || r.pkgConfig(dep).Skip {
			continue
		}
		if !r.addConstraint(s, dep, constraint{spec: q.Specifier, extras: q.Extras, demand: true, parent: c, text: reqText(q)}) {
			return false
		}
	}
	return true
}

// addConstraint records con on name and checks it against name's choice,
// if there is one; new extras of a chosen package add their dependencies.
func (r *run) addConstraint(s *state, name string, con constraint) bool {
	s.addCons(name, con)
	r.discover(name, con.spec)
	c, ok := s.chosen[name]
	if !ok {
		return true
	}
	if !r.acceptable(c, s.cons[name]) {
		r.noteConflict(s, name, c.String())
		return false
	}
	return r.expand(s, name, con.extras, false)
}

// ordered returns name's candidates that the constraints and the policy
// admit, most preferred first: nixpkgs attributes in Lookup order, then
// index releases newest first.
func (r *run) ordered(name string, cons []constraint) ([]*candidate, error) {
	// Constraint slices are never changed in place, only extended into new
	// arrays (see clone), so the first element's address and the length
	// identify their content.
	key := orderKey{name: name, n: len(cons)}
	if len(cons) > 0 {
		key.first = &cons[0]
	}
	if out, ok := r.orderMemo[key]; ok {
		return out, nil
	}
	pc, err := r.projectCands(name)
	if err != nil {
		return nil, err
	}
	var out []*candidate
	for _, c := range pc.nix {
		if r.nixAcceptable(c, cons) {
			out = append(out, c)
		}
	}
	r.preferFewerRebuilds(out)
	out = append(out, r.indexAllowed(pc, cons)...)
	r.orderMemo[key] = out
	return out, nil
}

// orderKey identifies a project's constraint list for memoizing ordered.
type orderKey struct {
	name  string
	first *constraint
	n     int
}

// acceptable reports whether the chosen c still satisfies cons.
func (r *run) acceptable(c *candidate, cons []constraint) bool {
	if c.nix != nil {
		return r.nixAcceptable(c, cons)
	}
	pc, err := r.projectCands(c.name)
	if err != nil {
		return false
	}
	for _, a := range r.indexAllowed(pc, cons) {
		if a == c {
			return true
		}
	}
	return false
}

// nixAcceptable applies the policy to a nixpkgs candidate. Dependency
// metadata, pip2nix.toml pins and non-pin input specifiers are hard
// constraints under every policy. An input "==V" pin is honoured exactly
// under exact; under compatible it is relaxed to V's release series (same
// major, same major.minor below 1.0) — the pin is advice within its
// series — and dropped for costly projects; under nixpkgs it is advice.
func (r *run) nixAcceptable(c *candidate, cons []constraint) bool {
	cfg := r.pkgConfig(c.name)
	if cfg.Source == config.SourceIndex {
		return false
	}
	policy := r.in.Policy
	if cfg.Source == config.SourceNixpkgs {
		policy = Nixpkgs
	}
	return whyNotNix(c, cons, policy) == ""
}

// whyNotNix says which constraint rules out nixpkgs' candidate c under
// policy, or "" when none does.
func whyNotNix(c *candidate, cons []constraint, policy Policy) string {
	for _, con := range cons {
		if con.spec.IsEmpty() {
			continue
		}
		if !c.valid {
			return fmt.Sprintf("nixpkgs' version %q is not a PEP 440 version, so %s cannot be checked", c.text, con.spec)
		}
		if pin, ok := exactPin(con.spec); ok && con.input {
			switch {
			case policy == Nixpkgs, policy == Compatible && IsCostly(c.name):
				continue
			case policy == Exact:
				pv, err := pypi.ParseVersion(pin)
				if err != nil || !pv.Equal(c.version) {
					return fmt.Sprintf("%s pins %s", con.pos, con.text)
				}
				continue
			default:
				pv, err := pypi.ParseVersion(pin)
				if err != nil || !sameSeries(c.version, pv) {
					return fmt.Sprintf("it is outside the release series of %s's pin %s", con.pos, con.text)
				}
				continue
			}
		}
		if !con.spec.Contains(c.version, true) {
			return fmt.Sprintf("%s %s", describe(con), "excludes it")
		}
	}
	return ""
}

// indexAllowed returns the index candidates every constraint admits,
// newest first, with PEP 440's pre-release rule applied to the whole set and
// yanked releases kept only for an exact pin.
func (r *run) indexAllowed(pc *projectCands, cons []constraint) []*candidate {
	if r.pkgConfig(pc.name).Source == config.SourceNixpkgs {
		return nil
	}
	var spec pypi.SpecifierSet
	var pins []pypi.Version
	for _, con := range cons {
		spec = spec.Intersect(con.spec)
		if p, ok := exactPin(con.spec); ok {
			if v, err := pypi.ParseVersion(p); err == nil {
				pins = append(pins, v)
			}
		}
	}
	vs := make([]pypi.Version, 0, len(pc.index))
	byVersion := make(map[string]*candidate, len(pc.index))
	for _, c := range pc.index {
		if c.yanked && !pinnedTo(pins, c.version) {
			continue
		}
		vs = append(vs, c.version)
		byVersion[c.version.String()] = c
	}
	allowed := spec.Filter(vs)
	out := make([]*candidate, 0, len(allowed))
	for _, v := range allowed {
		out = append(out, byVersion[v.String()])
	}
	return out
}

func pinnedTo(pins []pypi.Version, v pypi.Version) bool {
	for _, p := range pins {
		if p.Equal(v) {
			return true
		}
	}
	return false
}

// describe names a constraint's origin for messages.
func describe(con constraint) string {
	switch {
	case con.parent != nil:
		return fmt.Sprintf("%s requires %s", con.parent, con.text)
	case con.config:
		return fmt.Sprintf("pip2nix.toml pins %s", con.text)
	case con.input && !con.demand:
		return fmt.Sprintf("%s constrains %s", con.pos, con.text)
	default:
		if _, ok := exactPin(con.spec); ok {
			return fmt.Sprintf("%s pins %s", con.pos, con.text)
		}
		return fmt.Sprintf("%s requires %s", con.pos, con.text)
	}
}

// ConflictError says why no consistent set of versions exists: the chain
// of requirements, each with its origin (file:line or package version),
// that together rule out every candidate of Name.
type ConflictError struct {
	Name  string
	Chain []string
	Tail  string // what remains impossible
}

// Error implements error.
func (e *ConflictError) Error() string {
	msg := strings.Join(e.Chain, "; ")
	if e.Tail != "" {
		msg += "; " + e.Tail
	}
	return msg
}

// noteConflict records the first conflict the search meets: in preference
// order it is the one on the most likely path, and it names every
// requirement on the project with the edges that brought its requirer in.
func (r *run) noteConflict(s *state, name, chosen string) {
	if r.conflict != nil {
		return
	}
	var chain []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			chain = append(chain, t)
		}
	}
	var ancestors func(c *candidate, depth int)
	ancestors = func(c *candidate, depth int) {
		if depth > 50 {
			return
		}
		for _, con := range s.cons[c.name] {
			if con.demand && con.parent != nil {
				ancestors(con.parent, depth+1)
				add(describe(con))
				return
			}
			if con.demand {
				return
			}
		}
	}
	// Dependency chains first, then what the input files and pip2nix.toml
	// say: the chains explain how the requirements met.
	for _, con := range s.cons[name] {
		if con.parent != nil {
			ancestors(con.parent, 0)
			add(describe(con))
		}
	}
	for _, con := range s.cons[name] {
		if con.parent == nil {
			add(describe(con))
		}
	}
	e := &ConflictError{Name: name, Chain: chain}
	pc := r.cands[name]
	switch {
	case pc != nil && !pc.found && len(pc.nix) == 0:
		e.Tail = fmt.Sprintf("neither nixpkgs nor the index provides %s", name)
	case chosen != "":
		e.Tail = fmt.Sprintf("no choice of %s satisfies all of these", name)
	default:
		e.Tail = fmt.Sprintf("no version of %s satisfies all of these", name)
	}
	r.conflict = e
}
