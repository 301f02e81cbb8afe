package facts

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/lockfile"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

const synthetic = "testdata/synthetic"

func TestLoadServesReleases(t *testing.T) {
	x, err := Load(filepath.Join(synthetic, "index"))
	require.NoError(t, err)
	ctx := context.Background()

	p, err := x.Project(ctx, "Tiny_Dep")
	require.NoError(t, err)
	assert.Equal(t, "tiny-dep", p.Name)
	require.Len(t, p.Releases, 2)
	assert.Equal(t, "1.1", p.Releases[1].Version)
	assert.Equal(t, []index.File{{Filename: "tiny_dep-1.1.tar.gz", Kind: index.Sdist}}, p.Releases[1].Files, "unknown digest → empty")

	ri, err := x.Release(ctx, "demo-app", "1.0")
	require.NoError(t, err)
	assert.Equal(t, "Demo-App", ri.Name)
	assert.True(t, ri.RequiresDistKnown)
	assert.Equal(t, "MIT", ri.License)
	assert.Equal(t, ">=3.9", ri.RequiresPython)
	assert.Len(t, ri.RequiresDist, 3)

	_, err = x.Release(ctx, "demo-app", "9.9")
	assert.ErrorIs(t, err, index.ErrNotFound)
	_, err = x.Project(ctx, "absent")
	assert.ErrorIs(t, err, index.ErrNotFound)
	_, err = x.Open(ctx, p.Releases[0].Files[0])
	assert.ErrorIs(t, err, ErrNoArchive)

	cache := x.Inspections()
	info, ok := cache.Inspection("tiny_dep-1.1.tar.gz", "")
	require.True(t, ok)
	assert.Equal(t, []string{"tiny_dep"}, info.ImportNames)
	assert.Equal(t, "setuptools.build_meta:__legacy__", info.BuildSystem.Backend, "no backend recorded: PEP 517's fallback")
	info, ok = cache.Inspection("demo_app-1.0.tar.gz", p0digest(t, x, "demo-app"))
	require.True(t, ok)
	assert.Equal(t, "hatchling.build", info.BuildSystem.Backend)
	assert.Equal(t, []string{"hatchling"}, info.BuildSystem.Requires)
}

func p0digest(t *testing.T, x *Index, name string) string {
	p, err := x.Project(context.Background(), name)
	require.NoError(t, err)
	return p.Releases[0].Files[0].SHA256
}

// TestResolveFromFacts resolves the synthetic requirements against the
// recorded facts alone: no archive is read, the unknown digest stays
// unknown and is marked.
func TestResolveFromFacts(t *testing.T) {
	x, err := Load(filepath.Join(synthetic, "index"))
	require.NoError(t, err)
	set, err := nixpkgs.Load(filepath.Join(synthetic, "nixpkgs-python312.json"))
	require.NoError(t, err)
	rf, err := pypi.ParseRequirementsFile(filepath.Join(synthetic, "requirements.txt"))
	require.NoError(t, err)
	plan, err := resolver.Resolve(context.Background(), resolver.Input{
		Requirements: rf.Requirements, Nixpkgs: set, Inspections: x.Inspections(),
	}, x)
	require.NoError(t, err)
	got := map[string]resolver.Package{}
	for _, p := range plan.Packages {
		got[p.Name] = p
	}
	require.Len(t, got, 3)
	assert.Equal(t, resolver.UseNixpkgs, got["nixdep"].Action)
	demo := got["demo-app"]
	assert.Equal(t, resolver.Add, demo.Action)
	assert.Equal(t, []string{"hatchling"}, demo.BuildSystem)
	assert.Equal(t, []string{"mit"}, demo.License.Nix)
	assert.Equal(t, "demo_app", demo.Sdist.PName)
	tiny := got["tiny-dep"]
	assert.Equal(t, "1.1", tiny.Version)
	assert.Equal(t, "", tiny.Sdist.SHA256)
	assert.Contains(t, tiny.Notes, resolver.NeedsRegenerationNote)
}

func TestLoadErrors(t *testing.T) {
	good := strings.Repeat("a", 64)
	cases := []struct {
		name, file, data, want string
	}{
		{"unknown key", "x.toml", "[[release]]\nversion = \"1\"\nsha265 = \"x\"\n", `x.toml:3: unknown key "release.sha265"`},
		{"type", "x.toml", "[[release]]\nversion = 1\n", "x.toml:2:"},
		{"syntax", "x.toml", "[[release]\n", "x.toml:1:"},
		{"no version", "x.toml", "[[release]]\nsdist = \"x-1.tar.gz\"\n", "x.toml: release[0]: version is required"},
		{"twice", "x.toml", "[[release]]\nversion = \"1\"\n[[release]]\nversion = \"1\"\n", "x.toml: release[1] (1): recorded twice"},
		{"no digest", "x.toml", "[[release]]\nversion = \"1\"\nsdist = \"x-1.tar.gz\"\n", `x.toml: release[0] (1): sha256 is required with sdist (64 hex digits, or "unknown")`},
		{"bad digest", "x.toml", "[[release]]\nversion = \"1\"\nsdist = \"x-1.tar.gz\"\nsha256 = \"abc\"\n", `x.toml: release[0] (1): sha256 "abc": want 64 hex digits or "unknown"`},
		{"uncited", "x.toml", "[[release]]\nversion = \"1\"\nsdist = \"x-1.tar.gz\"\nsha256 = \"" + good + "\"\n", "x.toml: release[0] (1): the digest of x-1.tar.gz cites no [[release.source]]"},
		{"digest without file", "x.toml", "[[release]]\nversion = \"1\"\nsha256 = \"" + good + "\"\n", "x.toml: release[0] (1): sha256 or url without an sdist file name"},
		{"bad requirement", "x.toml", "[[release]]\nversion = \"1\"\nrequires_dist = [\"a (((\"]\n", `x.toml: release[0] (1): requires_dist "a ((("`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseFile(c.file, []byte(c.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestLoadDirectoryErrors(t *testing.T) {
	_, err := Load(t.TempDir())
	assert.ErrorContains(t, err, "no recorded facts")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.toml"), []byte("name = \"Same_Name\"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.toml"), []byte("name = \"same-name\"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.toml"), []byte("bogus = 1\n"), 0o644))
	_, err = Load(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "b.toml: project same-name is also recorded in "+filepath.Join(dir, "a.toml"))
	assert.Contains(t, err.Error(), `c.toml:1: unknown key "bogus"`)
	assert.False(t, errors.Is(err, os.ErrNotExist))
}

// FuzzParseFile: never a panic; an accepted file serves every release it
// records, with digests as recorded.
func FuzzParseFile(f *testing.F) {
	for _, name := range []string{"demo-app", "tiny-dep", "nixdep"} {
		data, err := os.ReadFile(filepath.Join(synthetic, "index", name+".toml"))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte("[[release]]\nversion = \"1\"\nsdist = \"x-1.tar.gz\"\nsha256 = \"unknown\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseFile("fuzz.toml", data)
		if err != nil {
			return
		}
		x := &Index{dir: "fuzz", projects: map[string]*project{pypi.NormalizeName(p.display): p}}
		proj, err := x.Project(context.Background(), p.display)
		require.NoError(t, err)
		require.Len(t, proj.Releases, len(p.releases))
		for i, r := range p.releases {
			ri, err := x.Release(context.Background(), p.display, r.Version)
			require.NoError(t, err)
			require.Equal(t, r.Version, ri.Version)
			for _, f := range proj.Releases[i].Files {
				require.True(t, f.SHA256 == "" || lockfile.IsSHA256Hex(f.SHA256), "digest %q", f.SHA256)
				_, ok := x.Inspections().Inspection(f.Filename, f.SHA256)
				require.True(t, ok, "every listed file has its recorded inspection")
			}
		}
	})
}
