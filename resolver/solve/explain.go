package solve

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// causeKind says where an incompatibility comes from.
type causeKind int

const (
	causeRoot        causeKind = iota // the requirements must hold
	causeDependency                   // a candidate (or the root) requires something
	causeNoVersions                   // no eligible candidate in a set
	causeUnavailable                  // a candidate cannot be used
	causeConflict                     // derived from two others
)

// incompat is a set of terms that cannot all hold.
type incompat struct {
	terms   []term
	kind    causeKind
	causes  [2]*incompat // causeConflict
	version int          // causeDependency: the depending candidate
	req     *Requirement // causeDependency
	reason  string       // causeUnavailable
	// eligibility is set when the incompatibility rests on a candidate
	// being ineligible, which a later requirement may undo.
	eligibility bool
}

// newIncompat returns an incompatibility of terms with tmpl's cause, the
// terms on one package merged; nil when a term can never hold.
func newIncompat(terms []term, tmpl *incompat) *incompat {
	inc := *tmpl
	inc.terms = nil
	for _, t := range terms {
		merged := false
		for i, u := range inc.terms {
			if u.pkg == t.pkg {
				inc.terms[i] = u.intersect(t)
				merged = true
				break
			}
		}
		if !merged {
			inc.terms = append(inc.terms, t)
		}
	}
	kept := inc.terms[:0]
	for _, t := range inc.terms {
		if t.impossible() {
			return nil
		}
		if !t.trivial() {
			kept = append(kept, t)
		}
	}
	inc.terms = kept
	if inc.kind == causeConflict {
		inc.eligibility = inc.causes[0].eligibility || inc.causes[1].eligibility
	}
	return &inc
}

// CauseKind names the kind of fact a Cause states.
type CauseKind string

// The facts a derivation rests on.
const (
	// Input: the input (Requirer is its origin, e.g. file:line)
	// requires, pins or constrains a project.
	Input CauseKind = "requirement"
	// Dependency: releases (Requirer, e.g. "caldav", or "bleach[css]", at
	// Releases, e.g. ["1.3.9"]) require one.
	Dependency CauseKind = "dependency"
	// NoVersions: no eligible candidate of Project satisfies what is
	// required; Reasons say why candidates that match were set aside.
	NoVersions CauseKind = "no-versions"
	// NotFound: the project has no candidate at all.
	NotFound CauseKind = "not-found"
	// Unavailable: one candidate cannot be used (Reasons[0] says why).
	Unavailable CauseKind = "unavailable"
)

// Cause is one fact of a derivation.
type Cause struct {
	Kind        CauseKind
	Project     string   // the project the fact constrains
	Requirer    string   // who requires: "file:line", a project ("caldav")
	Releases    []string // the requiring project's releases ("1.3.9")
	Requirement string   // "icalendar>=6"
	Verb        string   // "requires", "pins" or "constrains"
	Reasons     []string
	ranks       []int // of Releases among the project's candidates
}

// String renders the fact as one clause.
func (c Cause) String() string {
	switch c.Kind {
	case Input:
		return c.Requirer + " " + c.Verb + " " + c.Requirement
	case Dependency:
		verb := c.Verb
		if len(c.Releases) > 1 {
			verb = strings.TrimSuffix(verb, "s")
		}
		return c.Requirer + " " + strings.Join(c.Releases, ", ") + " " + verb + " " + c.Requirement
	case Unavailable:
		return c.Requirer + " " + strings.Join(c.Reasons, "; ")
	}
	return strings.Join(c.Reasons, "; ")
}

// NoSolutionError says that no consistent choice exists: the facts the
// solver's derivation rests on, in the order it used them.
type NoSolutionError struct {
	Project string // the project whose candidates ran out
	Causes  []Cause
}

func (e *NoSolutionError) Error() string {
	var parts []string
	for _, c := range e.Causes {
		if s := c.String(); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ") + "; no version of " + e.Project + " satisfies all of these"
}

// noSolution collects the external facts of inc's derivation, causes of
// a step before the step, each once.
func (s *solver) noSolution(inc *incompat) *NoSolutionError {
	e := &NoSolutionError{}
	seen := map[*incompat]bool{}
	var walk func(*incompat)
	walk = func(inc *incompat) {
		if inc == nil || seen[inc] {
			return
		}
		seen[inc] = true
		if inc.kind == causeConflict {
			walk(inc.causes[1])
			walk(inc.causes[0])
			return
		}
		if c, ok := s.cause(inc); ok {
			e.Causes = append(e.Causes, c)
			if pr := s.projects[c.Project]; c.Kind == Input && pr != nil && len(pr.cands) == 0 || c.Kind == Dependency && pr != nil && len(pr.cands) == 0 {
				c = Cause{Kind: NotFound, Project: c.Project}
				e.Causes = append(e.Causes, c)
			}
			switch c.Kind {
			case NoVersions, NotFound, Unavailable:
				e.Project = c.Project
			}
		}
	}
	walk(inc)
	e.Causes = merge(causalOrder(e.Causes))
	if e.Project == "" {
		for i := len(e.Causes) - 1; i >= 0; i-- {
			if e.Causes[i].Project != "" {
				e.Project = e.Causes[i].Project
				break
			}
		}
	}
	return e
}

func (s *solver) cause(inc *incompat) (Cause, bool) {
	switch inc.kind {
	case causeDependency:
		from := s.packages[inc.terms[0].pkg]
		if len(inc.terms) > 1 {
			if to := s.packages[inc.terms[1].pkg]; from.proj != nil && to.name == from.name && to.extra == "" {
				return Cause{}, false // an extra's link to its own release
			}
		}
		r := inc.req
		c := Cause{Kind: Dependency, Project: r.Name, Requirement: r.Text, Verb: "requires"}
		if from.proj == nil {
			c.Kind, c.Requirer = Input, r.Origin
			if _, ok := r.Specifier.Pin(); ok {
				c.Verb = "pins"
			}
		} else {
			c.Requirer = from.String()
			c.Releases = []string{strings.TrimPrefix(from.proj.cands[inc.version].label(""), " ")}
			c.ranks = []int{inc.version}
		}
		if r.Constraint {
			c.Verb = "constrains"
		}
		return c, true
	case causeNoVersions:
		p := s.packages[inc.terms[0].pkg]
		if len(p.proj.cands) == 0 {
			return Cause{Kind: NotFound, Project: p.name}, true
		}
		c := Cause{Kind: NoVersions, Project: p.name}
		inc.terms[0].vs.each(func(i int) {
			cand := p.proj.cands[i]
			switch {
			case cand.Unavailable != "":
				c.Reasons = append(c.Reasons, cand.label(p.name)+" "+cand.Unavailable)
			case cand.Prerelease && !p.proj.preOK:
				c.Reasons = append(c.Reasons, cand.label(p.name)+" is a pre-release and no requirement on "+p.name+" names one")
			case cand.Yanked && !p.proj.yankOK.has(i):
				c.Reasons = append(c.Reasons, cand.label(p.name)+" is yanked and no requirement pins it exactly")
			}
		})
		return c, true
	case causeUnavailable:
		p := s.packages[inc.terms[0].pkg]
		i := inc.terms[0].vs.first()
		return Cause{Kind: Unavailable, Project: p.name, Requirer: p.proj.cands[i].label(p.name), Reasons: []string{inc.reason}}, true
	}
	return Cause{}, false
}

func (s *solver) termString(t term) string {
	p := s.packages[t.pkg]
	var vs []string
	if p.proj != nil {
		t.vs.each(func(i int) { vs = append(vs, p.proj.cands[i].label(p.name)) })
	}
	not := ""
	if !t.positive {
		not = "not "
	}
	return fmt.Sprintf("%s%s ∈ {%s}", not, p, strings.Join(vs, ", "))
}

// causalOrder orders causes from the input down the dependency chains:
// a cause comes after those that bring its requirer in (stable otherwise).
func causalOrder(causes []Cause) []Cause {
	depth := map[string]int{}
	for changed := true; changed; {
		changed = false
		for _, c := range causes {
			d := 0
			switch c.Kind {
			case Input:
			case Dependency:
				from, _, _ := strings.Cut(c.Requirer, "[")
				pd, ok := depth[from]
				if !ok {
					continue
				}
				d = pd + 1
			default:
				continue
			}
			if old, ok := depth[c.Project]; !ok || d < old {
				depth[c.Project] = d
				changed = true
			}
		}
	}
	rank := func(c Cause) int {
		switch c.Kind {
		case Input:
			return 0
		case Dependency:
			from, _, _ := strings.Cut(c.Requirer, "[")
			if d, ok := depth[from]; ok {
				return d + 1
			}
			return 1 << 20
		}
		return 1 << 21
	}
	out := append([]Cause(nil), causes...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// merge joins the dependency causes that differ only in the requiring
// release, in the order of preference: "x 3.0, 2.0, 1.0 require y".
func merge(causes []Cause) []Cause {
	var out []Cause
	at := map[string]int{}
	for _, c := range causes {
		key := string(c.Kind) + "\x00" + c.Requirer + "\x00" + c.Verb + "\x00" + c.Requirement
		if _, ok := at[key]; ok && c.Kind == Input {
			continue // one line requiring a project and its extras
		}
		if i, ok := at[key]; ok && c.Kind == Dependency {
			m := &out[i]
			k := sort.SearchInts(m.ranks, c.ranks[0])
			if k < len(m.ranks) && m.ranks[k] == c.ranks[0] {
				continue // the same release, through another of its extras
			}
			m.ranks = slices.Insert(m.ranks, k, c.ranks[0])
			m.Releases = slices.Insert(m.Releases, k, c.Releases[0])
			continue
		}
		if c.Kind == Dependency || c.Kind == Input {
			at[key] = len(out)
		}
		out = append(out, c)
	}
	return out
}
