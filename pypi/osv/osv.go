// Package osv reads security advisories in the OSV format (the Open Source
// Vulnerability schema) for projects of the Python package index and says
// which of them affect a given release.
//
// It reads the layouts advisories are published in: the PyPA advisory
// database (vulns/<project>/<ID>.yaml, one YAML document per advisory), OSV
// JSON files (one advisory each), and zip archives of either, as osv.dev
// exports them. Only affected packages of the PyPI ecosystem are kept;
// names are matched after PEP 503 normalization and versions are compared
// with PEP 440's ordering (package pypi).
//
// Evaluation follows the schema's pseudocode: a version is affected when it
// is listed in an affected entry's versions, or lies in one of its
// ECOSYSTEM ranges: the events sorted by version ("0" before all), each
// introduced switching the range on, fixed (at or above) and last_affected
// (above) switching it off, and limit events bounding the range from above.
// Withdrawn advisories never affect anything. Ranges of other types (GIT,
// SEMVER) are not evaluated.
//
// An event version that is not PEP 440 cannot be ordered. Rather than
// report a version clean that may not be, the range is evaluated without
// that event (an unparsable introduced counts as "0"), and the advisory
// records the problem in Problems.
package osv

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// Ecosystem is the OSV ecosystem name of the Python package index.
const Ecosystem = "PyPI"

// Advisory is one OSV record, reduced to its PyPI affected entries.
type Advisory struct {
	ID        string
	Aliases   []string // as published (CVE, GHSA, … identifiers)
	Summary   string   // one line; often empty in the PyPA database
	Details   string
	Published string // RFC 3339 timestamps as written; "" when absent
	Modified  string
	Withdrawn string // "" unless the advisory was withdrawn
	Affected  []Affected
	// References are the record's links, in the record's order.
	References []Reference
	// File names where the advisory was read: a path, or archive:member.
	File string
	// Problems lists what could not be evaluated exactly, with where it
	// is ("line 12: fixed "2019-09-12" is not a PEP 440 version; …").
	Problems []string
}

// Affected is one affected package of the PyPI ecosystem.
type Affected struct {
	Name     string // as written in the record
	Ranges   []Range
	Versions []string // explicitly affected versions, as written
}

// Range is one ECOSYSTEM range of an affected package; ranges of other
// types are dropped when reading.
type Range struct {
	Events []Event // in the record's order
}

// EventKind says what an event does to the range.
type EventKind string

// The event kinds of the OSV schema.
const (
	Introduced   EventKind = "introduced"
	Fixed        EventKind = "fixed"
	LastAffected EventKind = "last_affected"
	Limit        EventKind = "limit"
)

// Event is one point of a range's timeline.
type Event struct {
	Kind    EventKind
	Version string // as written; "0" for introduced means before every version
	Line    int    // line in a YAML file; 0 when unknown
}

// Reference is a link about the advisory.
type Reference struct {
	Type string // ADVISORY, WEB, FIX, REPORT, …
	URL  string
}

// event is an Event with its version parsed, ready for comparisons.
type event struct {
	kind EventKind
	v    pypi.Version
	zero bool // introduced "0" or a stand-in for an unparsable introduced
	inf  bool // limit "*"
}

// Affects reports whether the release version of project (any PEP 503
// spelling) is affected. A version that is not PEP 440 matches only a
// versions entry spelled exactly like it.
func (a *Advisory) Affects(project, version string) bool {
	if a.Withdrawn != "" {
		return false
	}
	name := pypi.NormalizeName(project)
	v, err := pypi.ParseVersion(version)
	valid := err == nil
	for i := range a.Affected {
		af := &a.Affected[i]
		if pypi.NormalizeName(af.Name) != name {
			continue
		}
		for _, s := range af.Versions {
			if s == version {
				return true
			}
			if w, err := pypi.ParseVersion(s); err == nil && valid && w.Equal(v) {
				return true
			}
		}
		if !valid {
			continue
		}
		for _, r := range af.Ranges {
			if r.contains(v) {
				return true
			}
		}
	}
	return false
}

// FixedIn returns the versions that fix the advisory for project, from the
// fixed events of its ranges, in PEP 440 order without duplicates.
func (a *Advisory) FixedIn(project string) []string {
	name := pypi.NormalizeName(project)
	var fixed []string
	for _, af := range a.Affected {
		if pypi.NormalizeName(af.Name) != name {
			continue
		}
		for _, r := range af.Ranges {
			for _, e := range r.Events {
				if e.Kind == Fixed && !slices.Contains(fixed, e.Version) {
					fixed = append(fixed, e.Version)
				}
			}
		}
	}
	SortVersions(fixed)
	return fixed
}

// Link returns the advisory's first reference of type ADVISORY, else its
// first reference, else "".
func (a *Advisory) Link() string {
	for _, r := range a.References {
		if r.Type == "ADVISORY" {
			return r.URL
		}
	}
	if len(a.References) > 0 {
		return a.References[0].URL
	}
	return ""
}

// SortVersions sorts versions by PEP 440 order; strings that do not parse
// come last, in string order.
func SortVersions(vs []string) {
	slices.SortStableFunc(vs, func(a, b string) int {
		va, ea := pypi.ParseVersion(a)
		vb, eb := pypi.ParseVersion(b)
		switch {
		case ea == nil && eb == nil:
			if c := va.Compare(vb); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		case ea == nil:
			return -1
		case eb == nil:
			return 1
		}
		return strings.Compare(a, b)
	})
}

// contains evaluates the range for v as the schema's pseudocode does.
func (r Range) contains(v pypi.Version) bool {
	timeline, limits, _ := r.parse()
	if len(limits) > 0 && !slices.ContainsFunc(limits, func(l event) bool { return l.inf || v.Compare(l.v) < 0 }) {
		return false
	}
	affected := false
	for _, e := range timeline {
		switch e.kind {
		case Introduced:
			if e.zero || v.Compare(e.v) >= 0 {
				affected = true
			}
		case Fixed:
			if v.Compare(e.v) >= 0 {
				affected = false
			}
		case LastAffected:
			if v.Compare(e.v) > 0 {
				affected = false
			}
		}
	}
	return affected
}

// parse returns the range's introduced, fixed and last_affected events
// with versions parsed, sorted by version ("0" first; ties keep the
// record's order), its limit events, and a description of every event that
// had to be set aside or read as "0".
func (r Range) parse() (timeline, limits []event, problems []string) {
	for _, e := range r.Events {
		pe := event{kind: e.Kind}
		switch {
		case e.Kind == Introduced && e.Version == "0":
			pe.zero = true
		case e.Kind == Limit && strings.Contains(e.Version, "*"):
			pe.inf = true
		default:
			v, err := pypi.ParseVersion(e.Version)
			if err != nil {
				where := ""
				if e.Line > 0 {
					where = fmt.Sprintf("line %d: ", e.Line)
				}
				if e.Kind != Introduced {
					problems = append(problems, fmt.Sprintf("%s%s %q is not a PEP 440 version; the range is evaluated without it", where, e.Kind, e.Version))
					continue
				}
				pe.zero = true
				problems = append(problems, fmt.Sprintf("%s%s %q is not a PEP 440 version; the range is taken to start before every version", where, e.Kind, e.Version))
			}
			pe.v = v
		}
		if e.Kind == Limit {
			limits = append(limits, pe)
		} else {
			timeline = append(timeline, pe)
		}
	}
	slices.SortStableFunc(timeline, func(a, b event) int {
		switch {
		case a.zero && b.zero:
			return 0
		case a.zero:
			return -1
		case b.zero:
			return 1
		}
		return a.v.Compare(b.v)
	})
	return timeline, limits, problems
}
