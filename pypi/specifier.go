package pypi

import (
	"fmt"
	"slices"
	"strings"
)

// specOp is a PEP 440 comparison operator.
type specOp uint8

const (
	opEqual specOp = iota + 1
	opNotEqual
	opLessEqual
	opGreaterEqual
	opLess
	opGreater
	opCompatible
	opArbitrary
)

// specOps lists the operators longest first so "===" wins over "==".
var specOps = []struct {
	text string
	op   specOp
}{
	{"===", opArbitrary},
	{"~=", opCompatible},
	{"==", opEqual},
	{"!=", opNotEqual},
	{"<=", opLessEqual},
	{">=", opGreaterEqual},
	{"<", opLess},
	{">", opGreater},
}

func (op specOp) String() string {
	for _, o := range specOps {
		if o.op == op {
			return o.text
		}
	}
	return "?"
}

// clause is one specifier such as ">=1.0" or "==1.1.*".
type clause struct {
	version  Version
	raw      string // the version as written, kept for "===" string matching
	op       specOp
	wildcard bool // "==X.*" or "!=X.*"
}

// SpecifierSet is a conjunction of PEP 440 version specifiers. The zero
// value has no clauses and matches every version.
type SpecifierSet struct {
	clauses []clause // sorted by String, without duplicates
}

// ParseSpecifierSet parses a comma-separated list of specifiers such as
// ">=1.0, <2", "==1.1.*", "~=2.2" or "===foo". Empty items are ignored, so
// "" is the set that matches everything. The error quotes s.
func ParseSpecifierSet(s string) (SpecifierSet, error) {
	var set SpecifierSet
	for _, item := range strings.Split(s, ",") {
		if trimSpace(item) == "" {
			continue
		}
		c, msg := parseClause(item)
		if msg != "" {
			return SpecifierSet{}, fmt.Errorf("invalid specifier %q: %s", s, msg)
		}
		set.clauses = append(set.clauses, c)
	}
	set.normalize()
	return set, nil
}

func parseClause(s string) (clause, string) {
	s = trimSpace(s)
	var c clause
	for _, o := range specOps {
		if strings.HasPrefix(s, o.text) {
			c.op = o.op
			s = trimSpace(s[len(o.text):])
			break
		}
	}
	if c.op == 0 {
		return c, fmt.Sprintf("%q does not start with an operator (==, !=, <=, >=, <, >, ~=, ===)", s)
	}
	c.raw = s
	if c.op == opArbitrary {
		// Arbitrary equality takes any text up to white space, ';' or ')'.
		if i := strings.IndexFunc(s, func(r rune) bool { return isPySpace(r) || r == ';' || r == ')' }); i >= 0 {
			return c, fmt.Sprintf("unexpected %q after ===", s[i:])
		}
		return c, ""
	}
	if strings.ContainsFunc(s, isPySpace) {
		return c, fmt.Sprintf("unexpected space in %q", s)
	}
	text := s
	if (c.op == opEqual || c.op == opNotEqual) && strings.HasSuffix(s, ".*") {
		c.wildcard = true
		text = s[:len(s)-2]
	}
	v, msg := parseVersion(text)
	if msg != "" {
		return c, fmt.Sprintf("version %q: %s", text, msg)
	}
	c.version = v
	switch {
	case c.wildcard && (v.pre != preNone || v.hasPost || v.hasDev || v.local != nil):
		return c, fmt.Sprintf("a wildcard needs a plain release before .*, not %q", text)
	case v.local != nil && c.op != opEqual && c.op != opNotEqual:
		return c, fmt.Sprintf("a local version label is only allowed with == and !=, not %s", c.op)
	case c.op == opCompatible && len(v.release) < 2:
		return c, fmt.Sprintf("~= needs at least two release numbers, as in ~=%d.0", v.release[0])
	}
	return c, ""
}

// String returns the clause with its version in canonical form.
func (c clause) String() string {
	if c.op == opArbitrary {
		return "===" + c.raw
	}
	s := c.op.String() + c.version.String()
	if c.wildcard {
		s += ".*"
	}
	return s
}

// normalize sorts the clauses by their string and drops clauses equivalent
// to an earlier one (">=1.0" after ">=1"), as packaging does, so String is
// canonical.
func (s *SpecifierSet) normalize() {
	slices.SortFunc(s.clauses, func(a, b clause) int { return strings.Compare(a.String(), b.String()) })
	if len(s.clauses) < 2 {
		return
	}
	seen := make(map[string]bool, len(s.clauses))
	s.clauses = slices.DeleteFunc(s.clauses, func(c clause) bool {
		k := c.key()
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	})
}

// key identifies clauses that match the same versions: trailing zeros of
// the release do not matter except for ~= (whose length sets the prefix)
// and wildcards.
func (c clause) key() string {
	if c.op == opArbitrary || c.op == opCompatible || c.wildcard {
		return c.String()
	}
	v := c.version
	n := len(v.release)
	for n > 1 && v.release[n-1] == 0 {
		n--
	}
	v.release = v.release[:n]
	return c.op.String() + v.String()
}

// String returns the canonical form: clauses with canonical versions, sorted
// and joined by ",". It parses back to an equal set.
func (s SpecifierSet) String() string {
	parts := make([]string, len(s.clauses))
	for i, c := range s.clauses {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

// IsEmpty reports whether s has no clauses and so matches every version.
func (s SpecifierSet) IsEmpty() bool { return len(s.clauses) == 0 }

// Contains reports whether v satisfies every clause. A pre-release is
// rejected unless allowPrereleases is set; pass s.AllowsPrereleases() for
// PEP 440's default.
func (s SpecifierSet) Contains(v Version, allowPrereleases bool) bool {
	if !allowPrereleases && v.IsPrerelease() {
		return false
	}
	for _, c := range s.clauses {
		if !c.contains(v) {
			return false
		}
	}
	return true
}

// AllowsPrereleases reports whether an inclusive clause (==, >=, <=, ~=,
// ===) names a pre-release explicitly, which opts the set in to them.
func (s SpecifierSet) AllowsPrereleases() bool {
	for _, c := range s.clauses {
		switch c.op {
		case opEqual, opGreaterEqual, opLessEqual, opCompatible:
			if c.version.IsPrerelease() {
				return true
			}
		case opArbitrary:
			if v, msg := parseVersion(c.raw); msg == "" && v.IsPrerelease() {
				return true
			}
		}
	}
	return false
}

// Filter returns the versions of vs that s contains, in their order, applying
// PEP 440's default pre-release rule: pre-releases are kept when s asks for
// them or when no final release matches.
func (s SpecifierSet) Filter(vs []Version) []Version {
	allow := s.AllowsPrereleases()
	var finals, pres []Version
	for _, v := range vs {
		if !s.Contains(v, true) {
			continue
		}
		if v.IsPrerelease() && !allow {
			pres = append(pres, v)
		} else {
			finals = append(finals, v)
		}
	}
	if len(finals) == 0 {
		return pres
	}
	return finals
}

// Intersect returns the set of versions matched by both s and t.
func (s SpecifierSet) Intersect(t SpecifierSet) SpecifierSet {
	r := SpecifierSet{clauses: make([]clause, 0, len(s.clauses)+len(t.clauses))}
	r.clauses = append(append(r.clauses, s.clauses...), t.clauses...)
	r.normalize()
	return r
}

func (c clause) contains(v Version) bool {
	switch c.op {
	case opEqual:
		return c.equal(v)
	case opNotEqual:
		return !c.equal(v)
	case opLessEqual:
		return v.Public().Compare(c.version) <= 0
	case opGreaterEqual:
		return v.Public().Compare(c.version) >= 0
	case opLess:
		// <V excludes pre-releases of V itself unless V is one.
		return v.Compare(c.version) < 0 &&
			(c.version.IsPrerelease() || !v.IsPrerelease() || !sameBase(v, c.version))
	case opGreater:
		// >V excludes post-releases of V unless V is one, and local
		// versions of V.
		return v.Compare(c.version) > 0 &&
			(c.version.IsPostRelease() || !v.IsPostRelease() || !sameBase(v, c.version)) &&
			(v.local == nil || !sameBase(v, c.version))
	case opCompatible:
		return v.Public().Compare(c.version) >= 0 &&
			prefixMatch(v, c.version.epoch, c.version.release[:len(c.version.release)-1])
	case opArbitrary:
		return strings.ToLower(v.String()) == strings.ToLower(c.raw)
	}
	return false
}

func (c clause) equal(v Version) bool {
	if c.wildcard {
		return prefixMatch(v, c.version.epoch, c.version.release)
	}
	if c.version.local == nil {
		v = v.Public()
	}
	return v.Compare(c.version) == 0
}

// prefixMatch reports whether v's epoch is epoch and its release, padded
// with zeros, starts with prefix.
func prefixMatch(v Version, epoch int64, prefix []int64) bool {
	if v.epoch != epoch {
		return false
	}
	for i, n := range prefix {
		var m int64
		if i < len(v.release) {
			m = v.release[i]
		}
		if m != n {
			return false
		}
	}
	return true
}

func sameBase(a, b Version) bool {
	return a.epoch == b.epoch && compareRelease(a.release, b.release) == 0
}

// Specifier is one clause of a SpecifierSet, as packaging's
// Specifier.operator and Specifier.version expose it.
type Specifier struct {
	Operator string // "==", "!=", "<=", ">=", "<", ">", "~=" or "==="
	// Version is canonical, with ".*" for a wildcard; for "===" it is the
	// text as written.
	Version string
}

// String returns the clause as it appears in the set's String.
func (s Specifier) String() string { return s.Operator + s.Version }

// Specifiers returns the set's clauses in canonical order.
func (s SpecifierSet) Specifiers() []Specifier {
	out := make([]Specifier, len(s.clauses))
	for i, c := range s.clauses {
		text := c.String()
		out[i] = Specifier{Operator: c.op.String(), Version: text[len(c.op.String()):]}
	}
	return out
}

// Pin returns the version an exact clause pins: "==V" (not a wildcard) or
// "===V" when V is a valid version. PEP 592 lets such a pin select a yanked
// release.
func (s SpecifierSet) Pin() (Version, bool) {
	for _, c := range s.clauses {
		switch {
		case c.op == opEqual && !c.wildcard:
			return c.version, true
		case c.op == opArbitrary:
			if v, msg := parseVersion(c.raw); msg == "" {
				return v, true
			}
		}
	}
	return Version{}, false
}
