package nixpkgs

import "strconv"

// CompareVersions orders two nixpkgs version strings the way Nix's
// builtins.compareVersions does, returning -1, 0 or +1. nixpkgs versions are
// not always PEP 440 ("0-unstable-2024-05-01", "2.3a"), so Lookup ranks
// attributes with Nix's own order rather than Python's.
//
// Both strings are split into components, each a run of digits or a run of
// other characters, with '.' and '-' separating them; components are
// compared pairwise, a missing component counting as "". Numbers compare
// numerically; "" sorts before a number; "pre" before anything but itself;
// words before numbers (2.3a < 2.3.1); words among themselves as strings.
// One deliberate difference: digit runs too long for Nix's integers, which
// Nix then compares as text, compare by magnitude here.
func CompareVersions(a, b string) int {
	for a != "" || b != "" {
		var ca, cb string
		ca, a = nextComponent(a)
		cb, b = nextComponent(b)
		if componentLess(ca, cb) {
			return -1
		}
		if componentLess(cb, ca) {
			return 1
		}
	}
	return 0
}

// nextComponent splits the first component off s, skipping separators.
func nextComponent(s string) (component, rest string) {
	i := 0
	for i < len(s) && (s[i] == '.' || s[i] == '-') {
		i++
	}
	if i == len(s) {
		return "", ""
	}
	start := i
	digits := isDigit(s[i])
	for i < len(s) && s[i] != '.' && s[i] != '-' && isDigit(s[i]) == digits {
		i++
	}
	return s[start:i], s[i:]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isNumber(s string) bool {
	return s != "" && isDigit(s[0])
}

func componentLess(a, b string) bool {
	an, bn := isNumber(a), isNumber(b)
	switch {
	case an && bn:
		return compareDigits(a, b) < 0
	case a == "" && bn:
		return true
	case a == "pre" && b != "pre":
		return true
	case b == "pre":
		return false
	case bn:
		return true
	case an:
		return false
	}
	return a < b
}

// compareDigits compares two runs of decimal digits as numbers of any size.
func compareDigits(a, b string) int {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	if errA == nil && errB == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	// Too long for uint64 (date-like runs): compare by magnitude, then text.
	for len(a) > 1 && a[0] == '0' {
		a = a[1:]
	}
	for len(b) > 1 && b[0] == '0' {
		b = b[1:]
	}
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
