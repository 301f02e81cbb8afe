package index

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

var nameSeparators = regexp.MustCompile(`[-_.]+`)

// normalizeName is PEP 503 normalization, needed before the pypi package's
// NormalizeName is available to this package.
func normalizeName(name string) string {
	return strings.ToLower(nameSeparators.ReplaceAllString(strings.TrimSpace(name), "-"))
}

// sameVersion reports whether two spellings name one version.
func sameVersion(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
