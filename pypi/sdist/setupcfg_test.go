package sdist

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setupRequiresVectors reads testdata/setup_requires.json: synthetic
// setup.cfg texts and the setup_requires list Python's configparser and
// setuptools read from each.
func setupRequiresVectors(t testing.TB) []struct {
	Name          string   `json:"name"`
	SetupCfg      string   `json:"setupCfg"`
	SetupRequires []string `json:"setupRequires"`
} {
	data, err := os.ReadFile("testdata/setup_requires.json")
	require.NoError(t, err)
	var v struct {
		Cases []struct {
			Name          string   `json:"name"`
			SetupCfg      string   `json:"setupCfg"`
			SetupRequires []string `json:"setupRequires"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(data, &v))
	require.NotEmpty(t, v.Cases)
	return v.Cases
}

func TestSetupRequires(t *testing.T) {
	for _, tc := range setupRequiresVectors(t) {
		t.Run(tc.Name, func(t *testing.T) {
			got := SetupRequires([]byte(tc.SetupCfg))
			if len(tc.SetupRequires) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.SetupRequires, got)
		})
	}
}

// FuzzSetupRequires checks that any text gives entries that are trimmed,
// single-line, non-empty and found verbatim in the text (the overlay
// rewrites them in place), and that reading is deterministic.
func FuzzSetupRequires(f *testing.F) {
	for _, tc := range setupRequiresVectors(f) {
		f.Add(tc.SetupCfg)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := SetupRequires([]byte(text))
		for _, e := range got {
			assert.NotEmpty(t, e)
			assert.Equal(t, strings.TrimSpace(e), e)
			assert.NotContains(t, e, "\n")
			assert.Contains(t, text, e)
		}
		assert.Equal(t, got, SetupRequires([]byte(text)))
	})
}
