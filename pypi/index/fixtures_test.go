package index

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileKey is what the three views of a project (JSON API, PEP 691, PEP 503)
// must agree on.
type fileKey struct {
	Version, Filename, URL, SHA256 string
	Yanked                         bool
	CoreMetadata                   bool
}

func fileKeys(p *Project) []fileKey {
	var keys []fileKey
	for _, r := range p.Releases {
		for _, f := range r.Files {
			keys = append(keys, fileKey{versionKey(r.Version), f.Filename, f.URL, f.SHA256, f.Yanked, f.CoreMetadata})
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].URL < keys[j].URL })
	return keys
}

// TestFixtureTree runs the client over the committed fixture indexes (a
// file:// mirror in the shared layout): the JSON API and both Simple API
// pages list the same files, every release's metadata loads, and every file
// matches its digest.
func TestFixtureTree(t *testing.T) {
	roots, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "scenarios", "*", "index"))
	require.NoError(t, err)
	if len(roots) == 0 {
		t.Skip("no fixture indexes in this checkout")
	}
	for _, root := range roots {
		abs, err := filepath.Abs(root)
		require.NoError(t, err)
		t.Run(filepath.Base(filepath.Dir(root)), func(t *testing.T) {
			c, err := New(Options{BaseURL: "file://" + filepath.ToSlash(abs)})
			require.NoError(t, err)
			entries, err := os.ReadDir(filepath.Join(abs, "pypi"))
			require.NoError(t, err)
			require.NotEmpty(t, entries)
			for _, e := range entries {
				name := e.Name()
				p, err := c.Project(ctxT(t), name)
				require.NoError(t, err, name)
				assert.Equal(t, name, p.Name)
				want := fileKeys(p)
				for _, accept := range []string{simpleAccept, "text/html"} {
					doc, err := c.fetch(ctxT(t), c.endpoint("simple", name)+"/", accept, false, nil)
					require.NoError(t, err, name)
					sp, err := c.projectFromSimple(name, doc)
					require.NoError(t, err, name)
					assert.Equal(t, want, fileKeys(sp), "%s: %s", name, doc.url)
				}
				for _, rel := range p.Releases {
					r, err := c.Release(ctxT(t), name, rel.Version)
					require.NoError(t, err, "%s==%s", name, rel.Version)
					assert.True(t, sameVersion(rel.Version, r.Version))
					if len(metadataCandidates(r.Files)) > 0 {
						assert.True(t, r.RequiresDistKnown, "%s==%s has a metadata file", name, rel.Version)
					}
					for _, f := range rel.Files {
						data, err := c.Download(ctxT(t), f)
						require.NoError(t, err, f.URL)
						if f.Size > 0 {
							assert.Equal(t, f.Size, int64(len(data)), f.URL)
						}
					}
				}
			}
		})
	}
}
