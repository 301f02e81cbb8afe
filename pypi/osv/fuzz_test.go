package osv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// osvJSON writes a as an OSV JSON record, for the round trip.
func osvJSON(t *testing.T, a *Advisory) []byte {
	type event map[string]string
	type rng struct {
		Type   string  `json:"type"`
		Events []event `json:"events"`
	}
	type affected struct {
		Package  map[string]string `json:"package"`
		Ranges   []rng             `json:"ranges"`
		Versions []string          `json:"versions"`
	}
	doc := map[string]any{
		"id": a.ID, "summary": a.Summary, "details": a.Details, "aliases": a.Aliases,
		"published": a.Published, "modified": a.Modified, "withdrawn": a.Withdrawn,
	}
	var refs []map[string]string
	for _, r := range a.References {
		refs = append(refs, map[string]string{"type": r.Type, "url": r.URL})
	}
	doc["references"] = refs
	var afs []affected
	for _, af := range a.Affected {
		out := affected{Package: map[string]string{"ecosystem": Ecosystem, "name": af.Name}, Versions: af.Versions}
		for _, r := range af.Ranges {
			var events []event
			for _, e := range r.Events {
				events = append(events, event{string(e.Kind): e.Version})
			}
			out.Ranges = append(out.Ranges, rng{Type: "ECOSYSTEM", Events: events})
		}
		afs = append(afs, out)
	}
	doc["affected"] = afs
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	return data
}

// withoutPositions drops what depends on where the advisory was read.
func withoutPositions(a *Advisory) Advisory {
	c := *a
	c.File, c.Problems = "", nil
	c.Affected = nil
	for _, af := range a.Affected {
		af2 := Affected{Name: af.Name, Versions: af.Versions}
		for _, r := range af.Ranges {
			var r2 Range
			for _, e := range r.Events {
				e.Line = 0
				r2.Events = append(r2.Events, e)
			}
			af2.Ranges = append(af2.Ranges, r2)
		}
		c.Affected = append(c.Affected, af2)
	}
	return c
}

// FuzzParse checks that the reader never panics, that what it accepts is
// complete (an ID, named packages, its listed versions affected unless
// withdrawn, problems prefixed by the ID), and that an accepted advisory
// written back as OSV JSON reads the same.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/advisory-db/vulns/*/*.yaml", "testdata/json/*.json", "testdata/bad/*[ln]"} {
		files, err := filepath.Glob(glob)
		require.NoError(f, err)
		for _, file := range files {
			data, err := os.ReadFile(file)
			require.NoError(f, err)
			f.Add(filepath.Ext(file) == ".json", data)
		}
	}
	f.Fuzz(func(t *testing.T, isJSON bool, data []byte) {
		name := "fuzz.yaml"
		if isJSON {
			name = "fuzz.json"
		}
		db, err := Parse(name, data)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), name), "error names the file: %v", err)
			return
		}
		for _, a := range db.byID {
			require.NotEmpty(t, a.ID)
			for _, p := range a.Problems {
				require.True(t, strings.HasPrefix(p, a.ID+": "), p)
			}
			for _, af := range a.Affected {
				require.NotEmpty(t, af.Name)
				for _, v := range af.Versions {
					require.Equal(t, a.Withdrawn == "", a.Affects(af.Name, v), "%s %s", af.Name, v)
				}
				a.FixedIn(af.Name)
			}
			again, err := Parse("again.json", osvJSON(t, a))
			require.NoError(t, err)
			require.Equal(t, 1, again.Len())
			require.Equal(t, withoutPositions(a), withoutPositions(again.byID[a.ID]))
		}
	})
}
