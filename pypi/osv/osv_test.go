package osv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vectors is testdata/vectors.json, written by scripts/gen-osv-vectors.py
// from pip's vendored packaging (see the script for the rules it applies).
type vectors struct {
	Ranges []struct {
		Name     string              `json:"name"`
		Events   []map[string]string `json:"events"`
		Versions []string            `json:"versions"`
		Cases    [][2]any            `json:"cases"`
	} `json:"ranges"`
	Files []struct {
		File    string   `json:"file"`
		Project string   `json:"project"`
		Cases   [][2]any `json:"cases"`
	} `json:"files"`
}

func loadVectors(t testing.TB) vectors {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	require.NoError(t, err)
	var v vectors
	require.NoError(t, json.Unmarshal(data, &v))
	require.NotEmpty(t, v.Ranges)
	require.NotEmpty(t, v.Files)
	return v
}

// rangeAdvisory builds an advisory for project "p" from vector events.
func rangeAdvisory(events []map[string]string, versions []string) *Advisory {
	af := Affected{Name: "p", Versions: versions}
	if len(events) > 0 {
		var r Range
		for _, e := range events {
			for k, v := range e {
				r.Events = append(r.Events, Event{Kind: EventKind(k), Version: v})
			}
		}
		af.Ranges = []Range{r}
	}
	return &Advisory{ID: "SYNTHETIC-1", Affected: []Affected{af}}
}

func TestRangeVectors(t *testing.T) {
	for _, r := range loadVectors(t).Ranges {
		t.Run(r.Name, func(t *testing.T) {
			a := rangeAdvisory(r.Events, r.Versions)
			if !hasIntroduced(r.Events) && len(r.Events) > 0 {
				// The reader adds the implicit start; do as it does.
				a.Affected[0].Ranges[0].Events = append([]Event{{Kind: Introduced, Version: "0"}}, a.Affected[0].Ranges[0].Events...)
			}
			for _, c := range r.Cases {
				v, want := c[0].(string), c[1].(bool)
				assert.Equal(t, want, a.Affects("p", v), "%s in %v versions %v", v, r.Events, r.Versions)
			}
		})
	}
}

func hasIntroduced(events []map[string]string) bool {
	for _, e := range events {
		if _, ok := e["introduced"]; ok {
			return true
		}
	}
	return false
}

func TestFileVectors(t *testing.T) {
	for _, f := range loadVectors(t).Files {
		t.Run(f.File, func(t *testing.T) {
			db, err := Load(filepath.Join("testdata", f.File))
			require.NoError(t, err)
			require.Equal(t, 1, db.Len())
			a := db.Project(f.Project)[0]
			for _, c := range f.Cases {
				v, want := c[0].(string), c[1].(bool)
				assert.Equal(t, want, a.Affects(f.Project, v), "%s %s", f.Project, v)
			}
		})
	}
}

func TestNoIntroducedEventIsReadAsZero(t *testing.T) {
	db, err := Parse("x.json", []byte(`{"id": "SYNTHETIC-2", "affected": [{"package": {"ecosystem": "PyPI", "name": "p"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1.1"}]}]}]}`))
	require.NoError(t, err)
	a := db.Project("p")[0]
	assert.True(t, a.Affects("p", "1.0"))
	assert.False(t, a.Affects("p", "1.1"))
	assert.Equal(t, []string{"SYNTHETIC-2: affected[0].ranges[0]: no introduced event; the range is taken to start before every version"}, a.Problems)
}

func TestAffectsNames(t *testing.T) {
	a := rangeAdvisory([]map[string]string{{"introduced": "0"}}, nil)
	a.Affected[0].Name = "Django_Auth.LDAP"
	assert.True(t, a.Affects("django-auth-ldap", "1.0"))
	assert.True(t, a.Affects("DJANGO.auth_ldap", "1.0"))
	assert.False(t, a.Affects("django-auth", "1.0"))
	a.Withdrawn = "2024-01-01T00:00:00Z"
	assert.False(t, a.Affects("django-auth-ldap", "1.0"), "withdrawn")
}

func TestAffectsInvalidVersion(t *testing.T) {
	a := rangeAdvisory([]map[string]string{{"introduced": "0"}}, []string{"2004d"})
	assert.True(t, a.Affects("p", "2004d"), "listed exactly")
	assert.False(t, a.Affects("p", "2004e"), "ranges cannot order it")
}

func TestFixedInAndLink(t *testing.T) {
	db, err := Load("testdata/advisory-db/vulns/django/PYSEC-2024-102.yaml")
	require.NoError(t, err)
	a := db.Project("django")[0]
	assert.Equal(t, []string{"4.2.16", "5.0.9", "5.1.1"}, a.FixedIn("Django"))
	assert.Empty(t, a.FixedIn("flask"))
	assert.Equal(t, "https://docs.djangoproject.com/en/dev/releases/security/", a.Link(), "first reference without an ADVISORY one")

	db, err = Load("testdata/json/GHSA-0000-0000-0001.json")
	require.NoError(t, err)
	assert.Equal(t, "https://example.org/advisory", db.Project("example-project")[0].Link())
	assert.Empty(t, (&Advisory{}).Link())
}

func TestSortVersions(t *testing.T) {
	vs := []string{"2.0", "junk", "1.10", "1.9", "1!0.1", "1.0rc1", "1.0", "abc", "1.0.0"}
	SortVersions(vs)
	assert.Equal(t, []string{"1.0rc1", "1.0", "1.0.0", "1.9", "1.10", "2.0", "1!0.1", "abc", "junk"}, vs)
}
