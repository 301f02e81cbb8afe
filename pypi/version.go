package pypi

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Version is a parsed PEP 440 version. The zero value is version "0".
// Versions are compared with Compare, never with ==, because equal versions
// may differ in trailing zeros ("1.0" and "1.0.0") and in spelling.
type Version struct {
	release []int64
	local   []localPart // nil when the version has no local segment
	epoch   int64
	preN    int64
	postN   int64
	devN    int64
	pre     preKind
	hasPost bool
	hasDev  bool
}

// preKind orders the pre-release phases; preNone sorts after all of them
// because a final release follows its pre-releases.
type preKind uint8

const (
	preNone preKind = iota
	preAlpha
	preBeta
	preRC
)

var preNames = [...]string{preAlpha: "a", preBeta: "b", preRC: "rc"}

// localPart is one dot-separated piece of a local version label. Numeric
// parts keep their digits (without leading zeros) as a string so labels of
// any length compare numerically without overflow.
type localPart struct {
	s       string
	numeric bool
}

// ParseVersion parses s as a PEP 440 version, accepting every spelling the
// standard normalizes (see the package documentation). The error quotes s.
func ParseVersion(s string) (Version, error) {
	v, msg := parseVersion(s)
	if msg != "" {
		return Version{}, fmt.Errorf("invalid version %q: %s", s, msg)
	}
	return v, nil
}

// MustParseVersion is ParseVersion for literals known to be valid, such as
// those in tests and tables; it panics on an invalid version.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// versionScanner walks a version string; all matching is ASCII
// case-insensitive as in PEP 440.
type versionScanner struct {
	s   string
	pos int
}

func (sc *versionScanner) peek(off int) byte {
	if sc.pos+off < len(sc.s) {
		return lower(sc.s[sc.pos+off])
	}
	return 0
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' }

// number reads a run of digits; ok is false when there is none, msg is set
// when the run does not fit in an int64.
func (sc *versionScanner) number() (n int64, ok bool, msg string) {
	start := sc.pos
	for sc.pos < len(sc.s) && isDigit(sc.s[sc.pos]) {
		d := int64(sc.s[sc.pos] - '0')
		if n > (1<<63-1-d)/10 {
			return 0, false, fmt.Sprintf("number %s… is too large", sc.s[start:sc.pos])
		}
		n = n*10 + d
		sc.pos++
	}
	return n, sc.pos > start, ""
}

// word consumes the longest of the given words at the current position.
func (sc *versionScanner) word(words ...string) string {
	best := ""
	for _, w := range words {
		if len(w) > len(best) && sc.pos+len(w) <= len(sc.s) && strings.EqualFold(sc.s[sc.pos:sc.pos+len(w)], w) {
			best = w
		}
	}
	sc.pos += len(best)
	return best
}

// optNumber reads the optional "[-_.]?N?" after a pre, post or dev label.
// PEP 440's pattern lets the separator stand without a number ("1.0a-" is
// 1.0a0), and a following segment never needs it, so it is always taken.
func (sc *versionScanner) optNumber() (int64, string) {
	if isSep(sc.peek(0)) {
		sc.pos++
	}
	n, _, msg := sc.number()
	return n, msg
}

func parseVersion(s string) (v Version, msg string) {
	sc := versionScanner{s: trimSpace(s)}
	if sc.s == "" {
		return v, "empty string"
	}
	if sc.peek(0) == 'v' {
		sc.pos++
	}
	n, ok, msg := sc.number()
	if msg != "" {
		return v, msg
	}
	if !ok {
		return v, "expected a release number such as 1.0"
	}
	if sc.peek(0) == '!' {
		sc.pos++
		v.epoch = n
		if n, ok, msg = sc.number(); msg != "" {
			return v, msg
		} else if !ok {
			return v, "expected a release number after the epoch"
		}
	}
	v.release = make([]int64, 1, 4)
	v.release[0] = n
	for sc.peek(0) == '.' && isDigit(sc.peek(1)) {
		sc.pos++
		if n, _, msg = sc.number(); msg != "" {
			return v, msg
		}
		v.release = append(v.release, n)
	}

	// Pre-release: [-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?N?
	mark := sc.pos
	if isSep(sc.peek(0)) {
		sc.pos++
	}
	switch sc.word("alpha", "a", "beta", "b", "preview", "pre", "c", "rc") {
	case "alpha", "a":
		v.pre = preAlpha
	case "beta", "b":
		v.pre = preBeta
	case "preview", "pre", "c", "rc":
		v.pre = preRC
	default:
		sc.pos = mark
	}
	if v.pre != preNone {
		if v.preN, msg = sc.optNumber(); msg != "" {
			return v, msg
		}
	}

	// Post-release: -N, or [-_.]?(post|rev|r)[-_.]?N?
	mark = sc.pos
	if sc.peek(0) == '-' && isDigit(sc.peek(1)) {
		sc.pos++
		v.hasPost = true
		if v.postN, _, msg = sc.number(); msg != "" {
			return v, msg
		}
	} else {
		if isSep(sc.peek(0)) {
			sc.pos++
		}
		if sc.word("post", "rev", "r") != "" {
			v.hasPost = true
			if v.postN, msg = sc.optNumber(); msg != "" {
				return v, msg
			}
		} else {
			sc.pos = mark
		}
	}

	// Development release: [-_.]?dev[-_.]?N?
	mark = sc.pos
	if isSep(sc.peek(0)) {
		sc.pos++
	}
	if sc.word("dev") != "" {
		v.hasDev = true
		if v.devN, msg = sc.optNumber(); msg != "" {
			return v, msg
		}
	} else {
		sc.pos = mark
	}

	// Local version label: +[a-z0-9]+([-_.][a-z0-9]+)*
	if sc.peek(0) == '+' {
		sc.pos++
		for {
			start := sc.pos
			for sc.pos < len(sc.s) && isAlnum(sc.s[sc.pos]) {
				sc.pos++
			}
			if sc.pos == start {
				return v, "expected letters or digits in the local version label"
			}
			v.local = append(v.local, newLocalPart(sc.s[start:sc.pos]))
			if !isSep(sc.peek(0)) {
				break
			}
			sc.pos++
		}
	}
	if sc.pos != len(sc.s) {
		return v, fmt.Sprintf("unexpected %q", sc.s[sc.pos:])
	}
	return v, ""
}

func newLocalPart(s string) localPart {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return localPart{s: strings.ToLower(s)}
		}
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		s = "0"
	}
	return localPart{s: s, numeric: true}
}

// trimSpace removes the leading and trailing white space Python's \s
// matches, which includes the ASCII separators U+001C…U+001F.
func trimSpace(s string) string {
	// Most text has no space to trim: printable ASCII at both ends.
	if s == "" || plainASCII(s[0]) && plainASCII(s[len(s)-1]) {
		return s
	}
	return strings.TrimFunc(s, isPySpace)
}

// plainASCII reports whether c is printable ASCII other than space, which
// is never white space in Python, whatever follows.
func plainASCII(c byte) bool { return ' ' < c && c < 0x7f }

func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || 0x1c <= r && r <= 0x1f
}

// String returns the canonical (normalized) form of v, such as "1!2.0rc1.post2.dev3+ubuntu.1".
func (v Version) String() string {
	return string(v.appendTo(make([]byte, 0, 16)))
}

func (v Version) appendTo(b []byte) []byte {
	if v.epoch != 0 {
		b = strconv.AppendInt(b, v.epoch, 10)
		b = append(b, '!')
	}
	if len(v.release) == 0 {
		b = append(b, '0')
	}
	for i, n := range v.release {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	if v.pre != preNone {
		b = append(b, preNames[v.pre]...)
		b = strconv.AppendInt(b, v.preN, 10)
	}
	if v.hasPost {
		b = append(b, ".post"...)
		b = strconv.AppendInt(b, v.postN, 10)
	}
	if v.hasDev {
		b = append(b, ".dev"...)
		b = strconv.AppendInt(b, v.devN, 10)
	}
	for i, p := range v.local {
		if i == 0 {
			b = append(b, '+')
		} else {
			b = append(b, '.')
		}
		b = append(b, p.s...)
	}
	return b
}

// Compare returns -1, 0 or +1 as v sorts before, equal to or after w in
// PEP 440 order. Trailing zeros of the release do not matter; a local label
// sorts after the same public version, numeric label parts after
// alphanumeric ones.
func (v Version) Compare(w Version) int {
	if c := cmpInt(v.epoch, w.epoch); c != 0 {
		return c
	}
	if c := compareRelease(v.release, w.release); c != 0 {
		return c
	}
	if c := cmpInt(v.preKey(), w.preKey()); c != 0 {
		return c
	}
	if v.pre != preNone {
		if c := cmpInt(v.preN, w.preN); c != 0 {
			return c
		}
	}
	if c := cmpInt(v.postKey(), w.postKey()); c != 0 {
		return c
	}
	if c := cmpBool(!v.hasDev, !w.hasDev); c != 0 {
		return c
	}
	if c := cmpInt(v.devN, w.devN); c != 0 {
		return c
	}
	return compareLocal(v.local, w.local)
}

// preKey ranks the pre-release phase: a bare dev release (1.0.dev0) sorts
// before every pre-release of its release, a final release after them.
func (v Version) preKey() int64 {
	switch {
	case v.pre != preNone:
		return int64(v.pre)
	case !v.hasPost && v.hasDev:
		return -1
	default:
		return int64(preRC) + 1
	}
}

func (v Version) postKey() int64 {
	if v.hasPost {
		return v.postN
	}
	return -1
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

func compareRelease(a, b []int64) int {
	n := max(len(a), len(b))
	for i := 0; i < n; i++ {
		var x, y int64
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return cmpInt(x, y)
		}
	}
	return 0
}

func compareLocal(a, b []localPart) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x.numeric && y.numeric:
			if c := cmpInt(int64(len(x.s)), int64(len(y.s))); c != 0 {
				return c
			}
			if c := strings.Compare(x.s, y.s); c != 0 {
				return c
			}
		case x.numeric != y.numeric:
			return cmpBool(x.numeric, y.numeric)
		default:
			if c := strings.Compare(x.s, y.s); c != 0 {
				return c
			}
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}

// Equal reports whether v and w are the same version (Compare == 0).
func (v Version) Equal(w Version) bool { return v.Compare(w) == 0 }

// IsPrerelease reports whether v has a pre-release or development segment.
func (v Version) IsPrerelease() bool { return v.pre != preNone || v.hasDev }

// IsPostRelease reports whether v has a post-release segment.
func (v Version) IsPostRelease() bool { return v.hasPost }

// IsDevRelease reports whether v has a development segment.
func (v Version) IsDevRelease() bool { return v.hasDev }

// Epoch returns v's epoch, 0 when none was written.
func (v Version) Epoch() int { return int(v.epoch) }

// Release returns a copy of v's release numbers as written (trailing zeros kept).
func (v Version) Release() []int {
	if len(v.release) == 0 {
		return []int{0}
	}
	r := make([]int, len(v.release))
	for i, n := range v.release {
		r[i] = int(n)
	}
	return r
}

// Local returns v's normalized local label without the '+', "" when none.
func (v Version) Local() string {
	if v.local == nil {
		return ""
	}
	parts := make([]string, len(v.local))
	for i, p := range v.local {
		parts[i] = p.s
	}
	return strings.Join(parts, ".")
}

// Public returns v without its local label.
func (v Version) Public() Version {
	v.local = nil
	return v
}

// BaseVersion returns v's epoch and release only, as in "1!2.0" for "1!2.0rc1+x".
func (v Version) BaseVersion() Version {
	return Version{epoch: v.epoch, release: v.release}
}
