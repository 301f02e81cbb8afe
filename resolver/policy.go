package resolver

import (
	"fmt"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/solve"
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

// policy is the one place that decides which candidates a constraint
// admits: the solver consults it for every requirement, and the plan
// explains its choices with it.
//
// Dependency metadata, pip2nix.toml pins and non-pin input specifiers are
// hard constraints under every policy. An input "==V" pin on a nixpkgs
// candidate is honoured exactly under exact; under compatible it is relaxed
// to V's release series (same major, same major.minor below 1.0), dropped
// for costly projects, and for a calendar version (a year first) it never
// takes a release older than nixpkgs' — the pin is advice; under nixpkgs it
// is advice.
type policy struct {
	mode Policy
	cfg  *config.Config
}

// Admits implements solve.Policy. Requirement.Data is true for the input
// files' requirements.
func (p policy) Admits(r *solve.Requirement, c *solve.Candidate) bool {
	input, _ := r.Data.(bool)
	return p.verdict(c.Ref.(*candidate), constraint{spec: r.Specifier, input: input}) == admitted
}

// verdict is the policy's answer for one candidate and one constraint.
type verdict uint8

const (
	admitted      verdict = iota
	excluded              // the specifier excludes it
	forcedNixpkgs         // pip2nix.toml takes the project from nixpkgs
	forcedIndex           // pip2nix.toml builds the project from the index
	notPEP440             // nixpkgs' version cannot be compared
	notThePin             // exact: nixpkgs' version is not the pinned one
	outsideSeries         // compatible: outside the pin's release series
)

// verdict decides whether con admits c; whyNot says why not.
func (p policy) verdict(c *candidate, con constraint) verdict {
	src := p.cfg.Packages[c.name].Source
	if c.nix == nil {
		switch {
		case src == config.SourceNixpkgs:
			return forcedNixpkgs
		case !con.spec.Contains(c.version, true):
			return excluded
		}
		return admitted
	}
	if src == config.SourceIndex {
		return forcedIndex
	}
	mode := p.mode
	if src == config.SourceNixpkgs {
		mode = Nixpkgs
	}
	if con.spec.IsEmpty() {
		return admitted
	}
	if !c.valid {
		return notPEP440
	}
	pin, pinned := con.spec.Pin()
	switch {
	case !pinned || !con.input:
		if !con.spec.Contains(c.version, true) {
			return excluded
		}
	case mode == Nixpkgs, mode == Compatible && IsCostly(c.name):
	case mode == Exact:
		if !pin.Equal(c.version) {
			return notThePin
		}
	case isCalendar(pin) && c.version.Compare(pin) >= 0:
	case !sameSeries(c.version, pin):
		return outsideSeries
	}
	return admitted
}

// whyNot says why con rules out c, or "" when it admits it.
func (p policy) whyNot(c *candidate, con constraint) string {
	switch p.verdict(c, con) {
	case excluded:
		return describe(con) + " excludes it"
	case forcedNixpkgs:
		return "pip2nix.toml takes it from nixpkgs"
	case forcedIndex:
		return "pip2nix.toml builds it from the index"
	case notPEP440:
		return fmt.Sprintf("nixpkgs' version %q is not a PEP 440 version, so %s cannot be checked", c.text, con.spec)
	case notThePin:
		return fmt.Sprintf("%s pins %s", con.pos, con.text)
	case outsideSeries:
		return fmt.Sprintf("it is outside the release series of %s's pin %s", con.pos, con.text)
	}
	return ""
}

// isCalendar reports whether v is a calendar version: its first release
// component is a year (certifi 2025.10.5, pytz 2024.1, tzdata 2025.2).
func isCalendar(v pypi.Version) bool {
	r := v.Release()
	return len(r) > 0 && r[0] >= 1990 && r[0] <= 2999
}

// sameSeries reports whether v lies in pin's release series: the same
// major version, and the same major.minor below 1.0.
func sameSeries(v, pin pypi.Version) bool {
	if v.Epoch() != pin.Epoch() {
		return false
	}
	a, b := v.Release(), pin.Release()
	at := func(r []int, i int) int {
		if i < len(r) {
			return r[i]
		}
		return 0
	}
	if at(a, 0) != at(b, 0) {
		return false
	}
	return at(b, 0) != 0 || at(a, 1) == at(b, 1)
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
	case con.pos.File == "":
		return "a requirement " + con.spec.String()
	default:
		if _, ok := con.spec.Pin(); ok {
			return fmt.Sprintf("%s pins %s", con.pos, con.text)
		}
		return fmt.Sprintf("%s requires %s", con.pos, con.text)
	}
}
