package pypi

import (
	"fmt"
	"strings"
)

// Hash is a file digest: an algorithm name and the digest as lower-case hex
// of exactly the algorithm's length. The zero value is "no hash".
type Hash struct {
	Algorithm string // "sha256", "sha512", "md5", …
	Hex       string
}

// String returns "algorithm:hex", as pip's --hash option spells it.
func (h Hash) String() string { return h.Algorithm + ":" + h.Hex }

// IsZero reports whether h is the zero value.
func (h Hash) IsZero() bool { return h.Algorithm == "" && h.Hex == "" }

// Weak reports whether the algorithm is weaker than sha256 (md5, sha1,
// sha224): a match proves less than pip's hash-checking mode promises.
func (h Hash) Weak() bool { return hashAlgorithms[h.Algorithm].weak }

type hashAlgorithm struct {
	hexLen int
	weak   bool
	strong bool // accepted by pip's --hash
}

// hashAlgorithms are the digests an index may publish (PEP 503 names
// hashlib's guaranteed algorithms; the JSON API adds blake2b_256) and
// their lengths in hex digits. Only sha256, sha384 and sha512 are accepted
// by pip's --hash.
var hashAlgorithms = map[string]hashAlgorithm{
	"md5":         {hexLen: 32, weak: true},
	"sha1":        {hexLen: 40, weak: true},
	"sha224":      {hexLen: 56, weak: true},
	"sha256":      {hexLen: 64, strong: true},
	"sha384":      {hexLen: 96, strong: true},
	"sha512":      {hexLen: 128, strong: true},
	"blake2b_256": {hexLen: 64},
}

// KnownHashAlgorithm reports whether NewHash knows the algorithm's digest
// length; an index's digests in other algorithms are ignored, never used.
func KnownHashAlgorithm(algorithm string) bool {
	_, ok := hashAlgorithms[algorithm]
	return ok
}

// NewHash validates a digest: the algorithm must be one of md5, sha1,
// sha224, sha256, sha384, sha512 or blake2b_256, and hexDigest exactly that
// algorithm's length in hex digits (ASCII; upper-case letters are folded to
// lower case). Nothing else — no separators, no path characters — passes, so
// a Hash's Hex is safe to use as a file name.
func NewHash(algorithm, hexDigest string) (Hash, error) {
	a, ok := hashAlgorithms[algorithm]
	if !ok {
		return Hash{}, fmt.Errorf("unknown hash algorithm %q", algorithm)
	}
	if len(hexDigest) != a.hexLen {
		return Hash{}, fmt.Errorf("%s digest %q: want %d hex digits, got %d characters", algorithm, truncate(hexDigest), a.hexLen, len(hexDigest))
	}
	b := []byte(hexDigest)
	for i, c := range b {
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			b[i] = c + ('a' - 'A')
		default:
			return Hash{}, fmt.Errorf("%s digest %q: not hexadecimal", algorithm, truncate(hexDigest))
		}
	}
	return Hash{Algorithm: algorithm, Hex: string(b)}, nil
}

// ParseHash parses pip's --hash value "algorithm:hex". Only sha256, sha384
// and sha512 are accepted, as pip accepts them.
func ParseHash(s string) (Hash, error) {
	algo, hexDigest, ok := strings.Cut(s, ":")
	if !ok {
		return Hash{}, fmt.Errorf("bad --hash %q (want sha256:<64 hex digits>, sha384:<96> or sha512:<128>)", truncate(s))
	}
	if !hashAlgorithms[algo].strong {
		return Hash{}, fmt.Errorf("bad --hash %q: the algorithm must be sha256, sha384 or sha512", truncate(s))
	}
	h, err := NewHash(algo, hexDigest)
	if err != nil {
		return Hash{}, fmt.Errorf("bad --hash: %w", err)
	}
	return h, nil
}

// truncate keeps messages about hostile input short.
func truncate(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}
