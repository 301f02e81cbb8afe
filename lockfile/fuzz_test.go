package lockfile

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParse: Parse never panics, and what it accepts survives Marshal and
// Parse again unchanged (the canonical form is a fixed point).
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version": 1, "packages": [{"name": "a", "version": "1", "sdist": {"filename": "a-1.tar.gz", "sha256": ""}}]}`))
	f.Add([]byte(`{"version": 1, "inputs": [{"path": "r.txt", "sha256": "` + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + `"}]}`))
	f.Add([]byte(`{"version": 2}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("fuzz.lock", data)
		if err != nil {
			return
		}
		out, err := Marshal(l)
		require.NoError(t, err)
		back, err := Parse("fuzz.lock", out)
		require.NoError(t, err)
		again, err := Marshal(back)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
	})
}
