package solve

import "math/bits"

// set is a set of candidate indices of one package, a bit per candidate.
type set []uint64

func newSet(n int) set { return make(set, (n+63)/64) }

// fullSet returns the set of all n candidates.
func fullSet(n int) set {
	s := newSet(n)
	for i := range s {
		s[i] = ^uint64(0)
	}
	if r := n % 64; r != 0 {
		s[len(s)-1] = 1<<r - 1
	}
	return s
}

func single(n, i int) set {
	s := newSet(n)
	s[i/64] |= 1 << (i % 64)
	return s
}

func (s set) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s set) add(i int)      { s[i/64] |= 1 << (i % 64) }

func (s set) and(t set) set {
	r := make(set, len(s))
	for i := range s {
		r[i] = s[i] & t[i]
	}
	return r
}

func (s set) or(t set) set {
	r := make(set, len(s))
	for i := range s {
		r[i] = s[i] | t[i]
	}
	return r
}

func (s set) andNot(t set) set {
	r := make(set, len(s))
	for i := range s {
		r[i] = s[i] &^ t[i]
	}
	return r
}

func (s set) empty() bool {
	for _, w := range s {
		if w != 0 {
			return false
		}
	}
	return true
}

func (s set) subsetOf(t set) bool {
	for i := range s {
		if s[i]&^t[i] != 0 {
			return false
		}
	}
	return true
}

func (s set) disjoint(t set) bool {
	for i := range s {
		if s[i]&t[i] != 0 {
			return false
		}
	}
	return true
}

// andCount returns the size of s ∩ t and its lowest index (-1 when empty),
// without allocating.
func (s set) andCount(t set) (n, first int) {
	first = -1
	for i := range s {
		w := s[i] & t[i]
		if w == 0 {
			continue
		}
		if first < 0 {
			first = i*64 + bits.TrailingZeros64(w)
		}
		n += bits.OnesCount64(w)
	}
	return n, first
}

// first returns the lowest index in s, or -1.
func (s set) first() int {
	for i, w := range s {
		if w != 0 {
			return i*64 + bits.TrailingZeros64(w)
		}
	}
	return -1
}

// each calls f for every index in s, in increasing order.
func (s set) each(f func(int)) {
	for i, w := range s {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			f(i*64 + b)
			w &^= 1 << b
		}
	}
}

// term is a statement about one package: positive, "the package is
// selected at a version in vs"; negative, "the package is not selected at a
// version in vs" (it may be absent).
type term struct {
	pkg      int
	positive bool
	vs       set
}

func (t term) negate() term { return term{pkg: t.pkg, positive: !t.positive, vs: t.vs} }

// intersect returns the term both t and u state (same package).
func (t term) intersect(u term) term {
	switch {
	case t.positive && u.positive:
		return term{pkg: t.pkg, positive: true, vs: t.vs.and(u.vs)}
	case t.positive:
		return term{pkg: t.pkg, positive: true, vs: t.vs.andNot(u.vs)}
	case u.positive:
		return term{pkg: t.pkg, positive: true, vs: u.vs.andNot(t.vs)}
	}
	return term{pkg: t.pkg, vs: t.vs.or(u.vs)}
}

// satisfies reports whether every selection t allows is one u allows.
func (t term) satisfies(u term) bool {
	switch {
	case u.positive:
		return t.positive && t.vs.subsetOf(u.vs)
	case t.positive:
		return t.vs.disjoint(u.vs)
	}
	return u.vs.subsetOf(t.vs)
}

// contradicts reports whether no selection is allowed by both t and u.
func (t term) contradicts(u term) bool {
	switch {
	case t.positive && u.positive:
		return t.vs.disjoint(u.vs)
	case t.positive:
		return t.vs.subsetOf(u.vs)
	case u.positive:
		return u.vs.subsetOf(t.vs)
	}
	return false
}

// trivial reports whether t holds of every selection (not-in-nothing), and
// impossible whether of none (in-nothing).
func (t term) trivial() bool    { return !t.positive && t.vs.empty() }
func (t term) impossible() bool { return t.positive && t.vs.empty() }
