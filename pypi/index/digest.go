package index

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// fileHashes validates the digests an index lists for a file (algorithm →
// hex). Digests in algorithms pypi.NewHash does not know are ignored, never
// used; a known algorithm with a malformed digest makes the entry invalid,
// so that nothing derived from it (a cache path above all) is ever built
// from unchecked text. It returns every valid digest, sorted by algorithm,
// and the sha256 one ("" when absent).
func fileHashes(filename string, digests map[string]string) ([]pypi.Hash, string, error) {
	var out []pypi.Hash
	sha := ""
	for algo, v := range digests {
		algo = strings.ToLower(algo)
		if !pypi.KnownHashAlgorithm(algo) {
			continue
		}
		h, err := pypi.NewHash(algo, v)
		if err != nil {
			return nil, "", fmt.Errorf("file %s: %w", filename, err)
		}
		if algo == "sha256" {
			sha = h.Hex
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Algorithm < out[j].Algorithm })
	return out, sha, nil
}

// metadataHash validates a PEP 658 metadata file's sha256 digest ("" stays "").
func metadataHash(filename, digest string) (string, error) {
	if digest == "" {
		return "", nil
	}
	h, err := pypi.NewHash("sha256", digest)
	if err != nil {
		return "", fmt.Errorf("file %s: core metadata: %w", filename, err)
	}
	return h.Hex, nil
}
