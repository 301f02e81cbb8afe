package resolver

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/solve"
)

// ConflictError says why no consistent set of versions exists: the facts
// of the solver's derivation (who requires what, from which file:line or
// release; releases ruled out by Requires-Python, yanks or pre-release
// rules) that together rule out every candidate of Name.
type ConflictError struct {
	Name   string
	Causes []solve.Cause
	Tail   string // what remains impossible
}

// Error implements error.
func (e *ConflictError) Error() string {
	var parts []string
	for _, c := range e.Causes {
		if s := c.String(); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(append(parts, e.Tail), "; ")
}

// ExhaustedError says the solver used up its step budget (Input.MaxSteps)
// before finding a solution or proving that none exists.
type ExhaustedError struct{ Steps int }

// Error implements error.
func (e *ExhaustedError) Error() string {
	return fmt.Sprintf("resolve: the search used up its budget of %d steps without a solution or a proof that none exists", e.Steps)
}

// state is a solution as the plan builder reads it: the choices, every
// constraint they imply, and the extras requested of each package.
type state struct {
	chosen map[string]*candidate
	cons   map[string][]constraint
	extras map[string][]string
}

// roots turns the input requirements and pip2nix.toml pins into the
// solver's root requirements.
func (r *run) roots() ([]solve.Requirement, error) {
	var out []solve.Requirement
	env := r.linux.with("")
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
		out = append(out, solve.Requirement{
			Name: name, Extras: q.Extras, Specifier: q.Specifier, Constraint: line.Constraint,
			Origin: line.Pos.String(), Text: reqText(q), Data: true,
		})
		r.speculate(name, q.Specifier, q.Extras, true)
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
		out = append(out, solve.Requirement{Name: name, Specifier: spec, Constraint: true, Origin: "pip2nix.toml", Text: name + spec.String()})
	}
	return out, nil
}

func reqText(q pypi.Requirement) string {
	t := q.NormalizedName()
	if len(q.Extras) > 0 {
		t += "[" + strings.Join(q.Extras, ",") + "]"
	}
	return t + q.Specifier.String()
}

// provider feeds the solver from the run's candidates and metadata.
type provider struct {
	r     *run
	cands map[string][]solve.Candidate
}

// Candidates implements solve.Provider: nixpkgs' attributes in Lookup
// order, then index releases newest first, then the releases that cannot
// be used (so a conflict can say why).
func (p *provider) Candidates(name string) ([]solve.Candidate, error) {
	pc, err := p.r.projectCands(name)
	if err != nil {
		return nil, err
	}
	if pc.miss != nil {
		p.r.absent(pc.miss)
	}
	out := make([]solve.Candidate, 0, len(pc.nix)+len(pc.index)+len(pc.unusable))
	nix := append([]*candidate(nil), pc.nix...)
	p.r.preferFewerRebuilds(nix)
	for _, c := range nix {
		out = append(out, solve.Candidate{Version: c.version, Text: c.text, Note: "(nixpkgs " + c.nix.Attr + ")", Ref: c})
	}
	for _, group := range [][]*candidate{pc.index, pc.unusable} {
		for _, c := range group {
			out = append(out, solve.Candidate{
				Version: c.version, Text: c.text,
				Prerelease: c.version.IsPrerelease(), Yanked: c.yanked, Unavailable: c.unavailable, Ref: c,
			})
		}
	}
	p.cands[name] = out
	return out, nil
}

// Dependencies implements solve.Provider.
func (p *provider) Dependencies(name string, i int, extra string) ([]solve.Requirement, error) {
	r := p.r
	c := p.cands[name][i].Ref.(*candidate)
	d := r.depsOf(c)
	if d.miss != nil {
		r.absent(d.miss)
	}
	if d.err != nil {
		if r.absent(d.err) {
			return nil, &solve.UnavailableError{Reason: "is not on the index"}
		}
		return nil, d.err
	}
	// The listing's files may lack requires_python that the release's
	// metadata states.
	if c.nix == nil && d.release != nil && !r.pythonOK(d.release.RequiresPython) {
		return nil, &solve.UnavailableError{Reason: fmt.Sprintf("requires Python %s, the target is %s", d.release.RequiresPython, r.python)}
	}
	if extra == "" {
		r.prefetchSdist(c)
	}
	reqs := r.linux.active(d.reqs, nil)
	if extra != "" {
		reqs = r.linux.added(d.reqs, extra)
	}
	var out []solve.Requirement
	for _, q := range reqs {
		dep := q.NormalizedName()
		if r.pkgConfig(dep).Skip {
			continue
		}
		r.speculate(dep, q.Specifier, q.Extras, false)
		out = append(out, solve.Requirement{Name: dep, Extras: q.Extras, Specifier: q.Specifier, Text: reqText(q), Data: false})
	}
	return out, nil
}

// solve runs the solver and checks its solution's closure: every
// constraint of the input and of every chosen package, with the extras
// requested of it, holds under the policy.
func (r *run) solve(roots []solve.Requirement) (*state, int, error) {
	p := &provider{r: r, cands: map[string][]solve.Candidate{}}
	sol, err := solve.Solve(roots, solve.Options{Provider: p, Policy: r.pol, MaxSteps: r.in.MaxSteps})
	var ns *solve.NoSolutionError
	var ex *solve.ExhaustedError
	switch {
	case errors.As(err, &ns):
		return nil, 0, r.conflict(ns)
	case errors.As(err, &ex):
		return nil, 0, &ExhaustedError{Steps: ex.Steps}
	case err != nil:
		return nil, 0, err
	}
	s := &state{chosen: map[string]*candidate{}, cons: map[string][]constraint{}, extras: sol.Extras}
	for name, i := range sol.Chosen {
		s.chosen[name] = sol.Candidates[name][i].Ref.(*candidate)
	}
	for _, q := range roots {
		input, _ := q.Data.(bool)
		con := constraint{spec: q.Specifier, extras: q.Extras, demand: !q.Constraint, input: input, config: !input, text: q.Text}
		if input {
			con.pos = r.inputPos(q.Origin)
		}
		s.cons[q.Name] = append(s.cons[q.Name], con)
	}
	for _, name := range sortedKeys(s.chosen) {
		c := s.chosen[name]
		for _, q := range r.linux.active(r.depsOf(c).reqs, s.extras[name]) {
			dep := q.NormalizedName()
			if dep == name && len(q.Extras) == 0 || r.pkgConfig(dep).Skip {
				continue
			}
			s.cons[dep] = append(s.cons[dep], constraint{spec: q.Specifier, extras: q.Extras, demand: true, parent: c, text: reqText(q)})
		}
	}
	for _, name := range sortedKeys(s.cons) {
		c, chosen := s.chosen[name]
		have := map[string]bool{}
		for _, x := range s.extras[name] {
			have[x] = true
		}
		for _, con := range s.cons[name] {
			switch {
			case !chosen && con.demand:
				return nil, 0, fmt.Errorf("resolve: internal error: %s but nothing is chosen", describe(con))
			case !chosen:
			case r.pol.verdict(c, con) != admitted:
				return nil, 0, fmt.Errorf("resolve: internal error: %s chosen but %s", c, r.pol.whyNot(c, con))
			}
			for _, x := range con.extras {
				if chosen && !have[x] {
					return nil, 0, fmt.Errorf("resolve: internal error: %s requires the extra %s of %s, which the solution lacks", describe(con), x, c)
				}
			}
		}
	}
	return s, sol.Steps, nil
}

// inputPos finds the position of an input requirement from its origin.
func (r *run) inputPos(origin string) pypi.Position {
	for _, line := range r.in.Requirements {
		if line.Pos.String() == origin {
			return line.Pos
		}
	}
	return pypi.Position{}
}

// conflict turns the solver's derivation into a *ConflictError.
func (r *run) conflict(ns *solve.NoSolutionError) *ConflictError {
	e := &ConflictError{Name: ns.Project, Causes: ns.Causes}
	e.Tail = fmt.Sprintf("no version of %s satisfies all of these", ns.Project)
	for _, c := range ns.Causes {
		if c.Kind == solve.NotFound && c.Project == ns.Project {
			e.Tail = fmt.Sprintf("neither nixpkgs nor the index provides %s", ns.Project)
		}
	}
	return e
}
