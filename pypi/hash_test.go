package pypi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewHash(t *testing.T) {
	tests := []struct {
		algo, hex, want, wantErr string
	}{
		{algo: "sha256", hex: strings.Repeat("Ab", 32), want: "sha256:" + strings.Repeat("ab", 32)},
		{algo: "md5", hex: strings.Repeat("0", 32), want: "md5:" + strings.Repeat("0", 32)},
		{algo: "blake2b_256", hex: strings.Repeat("f", 64), want: "blake2b_256:" + strings.Repeat("f", 64)},
		{algo: "sha256", hex: "../../" + strings.Repeat("./", 26) + "victim", wantErr: "not hexadecimal"},
		{algo: "sha256", hex: strings.Repeat("0", 63), wantErr: "want 64 hex digits, got 63"},
		{algo: "sha256", hex: strings.Repeat("0", 62) + "é", wantErr: "not hexadecimal"},
		{algo: "sha256", hex: strings.Repeat("0", 63) + "\n", wantErr: "not hexadecimal"},
		{algo: "SHA256", hex: strings.Repeat("0", 64), wantErr: "unknown hash algorithm"},
		{algo: "sha3_256", hex: strings.Repeat("0", 64), wantErr: "unknown hash algorithm"},
	}
	for _, tt := range tests {
		h, err := NewHash(tt.algo, tt.hex)
		if tt.wantErr != "" {
			assert.ErrorContains(t, err, tt.wantErr, tt.hex)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, h.String())
	}
	assert.True(t, Hash{Algorithm: "md5"}.Weak())
	assert.False(t, Hash{Algorithm: "sha256"}.Weak())
}

func TestParseHash(t *testing.T) {
	_, err := ParseHash("md5:" + strings.Repeat("0", 32))
	assert.ErrorContains(t, err, "must be sha256, sha384 or sha512")
	_, err = ParseHash(strings.Repeat("0", 64))
	assert.ErrorContains(t, err, "want sha256:<64 hex digits>")
	h, err := ParseHash("sha384:" + strings.Repeat("A", 96))
	require.NoError(t, err)
	assert.Equal(t, "sha384:"+strings.Repeat("a", 96), h.String())
}

// FuzzNewHash: what validates is lower-case hex of the algorithm's length,
// safe as a file name, and validating it again changes nothing.
func FuzzNewHash(f *testing.F) {
	f.Add("sha256", strings.Repeat("0", 64))
	f.Add("md5", strings.Repeat("F", 32))
	f.Add("sha256", "../../"+strings.Repeat("./", 26)+"victim")
	f.Add("sha512", strings.Repeat("a", 127)+"/")
	f.Fuzz(func(t *testing.T, algo, hexDigest string) {
		h, err := NewHash(algo, hexDigest)
		if err != nil {
			return
		}
		assert.Equal(t, hashAlgorithms[algo].hexLen, len(h.Hex))
		assert.Equal(t, "", strings.Trim(h.Hex, "0123456789abcdef"))
		again, err := NewHash(h.Algorithm, h.Hex)
		require.NoError(t, err)
		assert.Equal(t, h, again)
	})
}

// FuzzHashOption: a --hash option in a requirements line either is refused
// with a file:line error or yields strong hashes that render back to an
// equal line.
func FuzzHashOption(f *testing.F) {
	f.Add("sha256:" + strings.Repeat("0", 64))
	f.Add("sha512:" + strings.Repeat("A", 128) + " --hash=sha384:" + strings.Repeat("b", 96))
	f.Add("md5:" + strings.Repeat("0", 32))
	f.Add("sha256:'" + strings.Repeat("0", 64) + "'")
	f.Fuzz(func(t *testing.T, opt string) {
		if strings.ContainsAny(opt, "\n\r\\#") {
			return
		}
		rf, err := RequirementsParser{}.Parse("r.txt", []byte("foo==1.0 --hash="+opt+"\n"))
		if err != nil {
			assert.Contains(t, err.Error(), "r.txt:1: ")
			return
		}
		require.Len(t, rf.Requirements, 1)
		line := "foo==1.0"
		for _, h := range rf.Requirements[0].Hashes {
			require.False(t, h.Weak())
			line += " --hash=" + h.String()
		}
		again, err := RequirementsParser{}.Parse("r.txt", []byte(line+"\n"))
		require.NoError(t, err)
		assert.Equal(t, rf.Requirements[0].Hashes, again.Requirements[0].Hashes)
	})
}
