package resolver

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
)

// noArchives is an index that lists files but serves none of them, like
// recorded facts or a metadata-only mirror.
type noArchives struct{ *fakeIndex }

func (noArchives) Open(context.Context, index.File) (*index.Blob, error) {
	return nil, errors.New("synthetic: no archive bytes here")
}

// digestless lists every sdist without a digest, as recorded facts do when
// no public source names one.
type digestless struct{ noArchives }

func (d digestless) Project(ctx context.Context, name string) (*index.Project, error) {
	p, err := d.fakeIndex.Project(ctx, name)
	if err != nil {
		return nil, err
	}
	for i := range p.Releases {
		for j := range p.Releases[i].Files {
			p.Releases[i].Files[j].SHA256 = ""
		}
	}
	return p, nil
}

type cacheMap map[[2]string]*sdist.Info

func (c cacheMap) Inspection(filename, sha256 string) (*sdist.Info, bool) {
	info, ok := c[[2]string{filename, sha256}]
	return info, ok
}

func TestResolveReusesRecordedInspections(t *testing.T) {
	lines, err := reqLines("foo==1.0")
	require.NoError(t, err)
	fake := newFake(map[string][]rel{"foo": {{version: "1.0"}}})
	files := fake.files("foo", rel{version: "1.0"})
	recorded := &sdist.Info{
		BuildSystem: sdist.BuildSystem{Declared: true, Requires: []string{"flit-core"}, Backend: "flit_core.buildapi"},
		ImportNames: []string{"foo_recorded"},
	}
	in := Input{Requirements: lines, Nixpkgs: nixSet("flit-core=flit-core@3.12.0")}

	_, err = Resolve(context.Background(), in, noArchives{fake})
	require.Error(t, err, "without a recorded inspection the archive is needed")

	in.Inspections = cacheMap{{files[0].Filename, files[0].SHA256}: recorded}
	plan, err := Resolve(context.Background(), in, noArchives{fake})
	require.NoError(t, err)
	require.Len(t, plan.Packages, 1)
	p := plan.Packages[0]
	assert.Equal(t, []string{"foo_recorded"}, p.ImportNames)
	assert.Equal(t, []string{"flit-core"}, p.BuildSystem)
	assert.Same(t, recorded, p.Sdist.Inspection)
	assert.Equal(t, files[0].SHA256, p.Sdist.SHA256)
	assert.NotContains(t, p.Notes, NeedsRegenerationNote)

	// A file listed without a digest: its inspection is found under the
	// empty digest, and the package is marked for regeneration online.
	in.Inspections = cacheMap{{files[0].Filename, ""}: recorded}
	plan, err = Resolve(context.Background(), in, digestless{noArchives{fake}})
	require.NoError(t, err)
	p = plan.Packages[0]
	assert.Equal(t, "", p.Sdist.SHA256)
	assert.Contains(t, p.Notes, NeedsRegenerationNote)
	assert.Contains(t, plan.Warnings, "foo 1.0: the digest of foo-1.0.tar.gz is unknown; it needs regeneration online")
}
