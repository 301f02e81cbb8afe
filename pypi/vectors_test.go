package pypi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The vectors under testdata/vectors come from pip's vendored packaging via
// scripts/gen-vectors.py; see that script for how each field is computed.

func loadVectors(t testing.TB, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "vectors", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v), name)
}

type versionVector struct {
	Input     string `json:"input"`
	Valid     bool   `json:"valid"`
	Canonical string `json:"canonical"`
	Public    string `json:"public"`
	Base      string `json:"base"`
	Epoch     int    `json:"epoch"`
	Release   []int  `json:"release"`
	Local     string `json:"local"`
	Pre       bool   `json:"pre"`
	Post      bool   `json:"post"`
	Dev       bool   `json:"dev"`
}

func TestVersionVectors(t *testing.T) {
	var vectors []versionVector
	loadVectors(t, "versions.json", &vectors)
	require.GreaterOrEqual(t, len(vectors), 2000)
	for _, vec := range vectors {
		v, err := ParseVersion(vec.Input)
		if !vec.Valid {
			assert.Error(t, err, "%q should be invalid", vec.Input)
			continue
		}
		if !assert.NoError(t, err, "%q", vec.Input) {
			continue
		}
		assert.Equal(t, vec.Canonical, v.String(), "%q", vec.Input)
		assert.Equal(t, vec.Public, v.Public().String(), "public of %q", vec.Input)
		assert.Equal(t, vec.Base, v.BaseVersion().String(), "base of %q", vec.Input)
		assert.Equal(t, vec.Epoch, v.Epoch(), "epoch of %q", vec.Input)
		assert.Equal(t, vec.Release, v.Release(), "release of %q", vec.Input)
		assert.Equal(t, vec.Local, v.Local(), "local of %q", vec.Input)
		assert.Equal(t, []bool{vec.Pre, vec.Post, vec.Dev}, []bool{v.IsPrerelease(), v.IsPostRelease(), v.IsDevRelease()}, "flags of %q", vec.Input)
	}
}

type orderVectors struct {
	Versions []string `json:"versions"`
	Pairs    [][3]int `json:"pairs"`
}

func TestVersionOrderVectors(t *testing.T) {
	var vec orderVectors
	loadVectors(t, "version_order.json", &vec)
	require.GreaterOrEqual(t, len(vec.Pairs), 20000)
	parsed := make([]Version, len(vec.Versions))
	for i, s := range vec.Versions {
		parsed[i] = MustParseVersion(s)
	}
	for _, p := range vec.Pairs {
		a, b := parsed[p[0]], parsed[p[1]]
		assert.Equal(t, p[2], a.Compare(b), "%s vs %s", vec.Versions[p[0]], vec.Versions[p[1]])
		assert.Equal(t, p[2] == 0, a.Equal(b), "%s == %s", vec.Versions[p[0]], vec.Versions[p[1]])
	}
}

type specifierVectors struct {
	Versions   []string `json:"versions"`
	Specifiers []struct {
		Input             string   `json:"input"`
		Valid             bool     `json:"valid"`
		Canonical         string   `json:"canonical"`
		AllowsPrereleases bool     `json:"allows_prereleases"`
		ContainsTrue      string   `json:"contains_true"`
		ContainsFalse     string   `json:"contains_false"`
		ContainsDefault   string   `json:"contains_default"`
		Filter            []string `json:"filter"`
	} `json:"specifiers"`
}

func TestSpecifierVectors(t *testing.T) {
	var vec specifierVectors
	loadVectors(t, "specifiers.json", &vec)
	versions := make([]Version, len(vec.Versions))
	for i, s := range vec.Versions {
		versions[i] = MustParseVersion(s)
	}
	bits := func(s SpecifierSet, pre bool) string {
		b := make([]byte, len(versions))
		for i, v := range versions {
			b[i] = '0'
			if s.Contains(v, pre) {
				b[i] = '1'
			}
		}
		return string(b)
	}
	for _, sv := range vec.Specifiers {
		t.Run(sv.Input, func(t *testing.T) {
			s, err := ParseSpecifierSet(sv.Input)
			if !sv.Valid {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, sv.Canonical, s.String())
			assert.Equal(t, sv.AllowsPrereleases, s.AllowsPrereleases())
			assert.Equal(t, sv.ContainsTrue, bits(s, true), "prereleases=True")
			assert.Equal(t, sv.ContainsFalse, bits(s, false), "prereleases=False")
			assert.Equal(t, sv.ContainsDefault, bits(s, s.AllowsPrereleases()), "default")
			// Filter keeps input order, so each result is the next input
			// with its spelling.
			var got []string
			next := 0
			for _, v := range s.Filter(versions) {
				i := slices.IndexFunc(versions[next:], func(w Version) bool { return w.String() == v.String() })
				require.GreaterOrEqual(t, i, 0, "filter returned %s out of order", v)
				got = append(got, vec.Versions[next+i])
				next += i + 1
			}
			want := sv.Filter
			if len(want) == 0 {
				want = nil
			}
			assert.Equal(t, want, got, "filter")
		})
	}
}

type markerVectors struct {
	Environments map[string]Environment `json:"environments"`
	Markers      []struct {
		Input   string           `json:"input"`
		Valid   bool             `json:"valid"`
		String  string           `json:"string"`
		Results map[string]*bool `json:"results"`
	} `json:"markers"`
}

func TestMarkerVectors(t *testing.T) {
	var vec markerVectors
	loadVectors(t, "markers.json", &vec)
	compared := 0
	for _, mv := range vec.Markers {
		t.Run(mv.Input, func(t *testing.T) {
			m, err := ParseMarker(mv.Input)
			if !mv.Valid {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, mv.String, m.String())
			for name, want := range mv.Results {
				if want == nil {
					continue
				}
				compared++
				assert.Equal(t, *want, m.Evaluate(vec.Environments[name]), "in %s", name)
			}
		})
	}
	assert.Greater(t, compared, 500)
}

// The environment constructors match the vectors' environments, so the
// marker vectors also check what the resolver evaluates against.
func TestEnvironmentsMatchVectors(t *testing.T) {
	var vec markerVectors
	loadVectors(t, "markers.json", &vec)
	for _, full := range []string{"3.8.18", "3.11.7", "3.12.1"} {
		assert.Equal(t, vec.Environments["linux-cpython-"+full], LinuxCPython(full))
		assert.Equal(t, vec.Environments["darwin-cpython-"+full], DarwinCPython(full))
	}
}

type requirementVector struct {
	Input      string   `json:"input"`
	Valid      bool     `json:"valid"`
	Name       string   `json:"name"`
	Normalized string   `json:"normalized"`
	Extras     []string `json:"extras"`
	Specifier  string   `json:"specifier"`
	URL        string   `json:"url"`
	Marker     string   `json:"marker"`
}

func TestRequirementVectors(t *testing.T) {
	var vectors []requirementVector
	loadVectors(t, "requirements.json", &vectors)
	for _, rv := range vectors {
		t.Run(rv.Input, func(t *testing.T) {
			r, err := ParseRequirement(rv.Input)
			if !rv.Valid {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, rv.Name, r.Name)
			assert.Equal(t, rv.Normalized, r.NormalizedName())
			if len(rv.Extras) == 0 {
				rv.Extras = nil
			}
			assert.Equal(t, rv.Extras, r.Extras)
			assert.Equal(t, rv.Specifier, r.Specifier.String())
			assert.Equal(t, rv.URL, r.URL)
			assert.Equal(t, rv.Marker, r.Marker.String())
		})
	}
}

func TestNameVectors(t *testing.T) {
	var vectors []struct {
		Input      string `json:"input"`
		Normalized string `json:"normalized"`
		Valid      bool   `json:"valid"`
	}
	loadVectors(t, "names.json", &vectors)
	for _, nv := range vectors {
		assert.Equal(t, nv.Normalized, NormalizeName(nv.Input), "%q", nv.Input)
		assert.Equal(t, nv.Valid, ValidName(nv.Input), "%q", nv.Input)
	}
}
