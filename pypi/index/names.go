package index

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// checkName validates a project name and returns its PEP 503 form, the only
// spelling this client puts into URLs (the index would redirect others).
func checkName(name string) (string, error) {
	if !pypi.ValidName(name) {
		return "", fmt.Errorf("invalid project name %q", name)
	}
	return pypi.NormalizeName(name), nil
}

// sameVersion reports whether two spellings name one version (PEP 440
// equality, so "1.0" finds "1.0.0"); unparsable versions compare as text.
func sameVersion(a, b string) bool {
	va, errA := pypi.ParseVersion(a)
	vb, errB := pypi.ParseVersion(b)
	if errA != nil || errB != nil {
		return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
	}
	return va.Equal(vb)
}

// versionKey groups spellings of one version.
func versionKey(v string) string {
	if pv, err := pypi.ParseVersion(v); err == nil {
		return pv.String()
	}
	return v
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
