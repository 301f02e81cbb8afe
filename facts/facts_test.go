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
	require.Len(t, p.Releases, 4)
	assert.Equal(t, "1.1", p.Releases[1].Version)
	assert.Equal(t, []index.File{{Filename: "tiny_dep-1.1.tar.gz", Kind: index.Sdist}}, p.Releases[1].Files, "unknown digest → empty")
	assert.Equal(t, []index.File{{Filename: "tiny_dep-1.2.tar.gz", Kind: index.Sdist}}, p.Releases[2].Files, "disputed digest → empty, no value chosen")
	assert.Equal(t, []index.File{{Filename: "tiny-dep-1.3 (sdist file name unknown)", Kind: index.Sdist}}, p.Releases[3].Files,
		"unknown file name → placeholder and no digest, though one is recorded")

	ri, err := x.Release(ctx, "demo-app", "1.0")
	require.NoError(t, err)
	assert.Equal(t, "demo-app", ri.Name)
	assert.True(t, ri.RequiresDistKnown)
	assert.Equal(t, "MIT", ri.License)
	assert.Equal(t, ">=3.9", ri.RequiresPython)
	assert.Len(t, ri.RequiresDist, 3)

	ri, err = x.Release(ctx, "demo-app", "01.0.0")
	require.NoError(t, err, "a version equal under PEP 440 names the same release")
	assert.Equal(t, "1.0", ri.Version, "the recorded text is served")
	_, err = x.Release(ctx, "demo-app", "not a version")
	assert.ErrorIs(t, err, index.ErrNotFound)
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

	// A disputed digest and an unknown file name need regeneration too.
	for version, file := range map[string]string{"1.2": "tiny_dep-1.2.tar.gz", "1.3": UnknownSdist("tiny-dep", "1.3")} {
		req, err := pypi.ParseRequirement("tiny-dep==" + version)
		require.NoError(t, err)
		plan, err := resolver.Resolve(context.Background(), resolver.Input{
			Requirements: []pypi.RequirementLine{{Requirement: req}}, Nixpkgs: set, Inspections: x.Inspections(),
		}, x)
		require.NoError(t, err, version)
		require.Len(t, plan.Packages, 1)
		p := plan.Packages[0]
		assert.Equal(t, file, p.Sdist.Filename, version)
		assert.Equal(t, "", p.Sdist.SHA256, version)
		assert.Contains(t, p.Notes, resolver.NeedsRegenerationNote, version)
	}
}

func TestLoadErrors(t *testing.T) {
	const (
		head   = "project = \"x\"\n[[release]]\nversion = \"1\"\n"
		file   = "sdist = \"x-1.tar.gz\"\n"
		known  = "sha256 = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\nsha256_status = \"single\"\n"
		cites  = "[[release.source]]\nrepo = \"o/r\"\n"
		agrees = "[[release.source]]\nrepo = \"o/r\"\nfacts = [\"sha256\"]\nagrees = true\n"
	)
	cases := []struct {
		name, data, want string
	}{
		{"unknown key", head + "sha265 = \"x\"\n", `x.toml:4: unknown key "release.sha265"`},
		{"old name key", "name = \"x\"\n", `x.toml:1: unknown key "name"`},
		{"unknown source key", head + file + known + cites + "url = \"u\"\n", `x.toml:9: unknown key "release.source.url"`},
		{"type", "project = \"x\"\n[[release]]\nversion = 1\n", "x.toml:3:"},
		{"syntax", "[[release]\n", "x.toml:1:"},
		{"no project", "[[release]]\nversion = \"1\"\n", "x.toml: project is required"},
		{"not normalized", "project = \"X_y\"\n", `x.toml: project "X_y" is not a PEP 503 normalized name ("x-y")`},
		{"other stem", "project = \"y\"\n", `x.toml: project "y" does not match the file name (want y.toml)`},
		{"no release", "project = \"x\"\n", "x.toml: no [[release]]"},
		{"no version", "project = \"x\"\n[[release]]\n" + file, "x.toml: release[0]: version is required"},
		{"twice", head + file + known + agrees + "[[release]]\nversion = \"1\"\n", "x.toml: release[1] (x@1): recorded twice"},
		{"no sdist", head + known + agrees, `x.toml: release[0] (x@1): sdist is required (the file name as published, or "unknown" / "disputed")`},
		{"bad sdist", head + "sdist = \"x-1.whl\"\n" + known + agrees, `sdist "x-1.whl": want a file name ending in .tar.gz or .zip`},
		{"sdist path", head + "sdist = \"a/x-1.tar.gz\"\n" + known + agrees, `sdist "a/x-1.tar.gz": want a file name`},
		{"bad digest", head + file + "sha256 = \"ABC\"\nsha256_status = \"single\"\n" + agrees, `x.toml: release[0] (x@1): sha256 "ABC": want 64 lower-case hex digits, "unknown" or "disputed"`},
		{"upper-case digest", head + file + "sha256 = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"\nsha256_status = \"single\"\n" + agrees, "want 64 lower-case hex digits"},
		{"bad status", head + file + "sha256 = \"unknown\"\nsha256_status = \"maybe\"\n" + cites, `sha256_status "maybe": want one of agree, single, unattributed, disagree, unknown`},
		{"unknown but agreed", head + file + "sha256 = \"unknown\"\nsha256_status = \"agree\"\n" + cites, `sha256 "unknown" contradicts sha256_status "agree"`},
		{"disputed but single", head + file + "sha256 = \"disputed\"\nsha256_status = \"single\"\n" + cites, `sha256 "disputed" contradicts sha256_status "single"`},
		{"known but disagree", head + file + "sha256 = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\nsha256_status = \"disagree\"\n" + agrees, `contradicts sha256_status "disagree"`},
		{"uncited", head + file + known, "x.toml: release[0] (x@1): cites no [[release.source]]"},
		{"digest unsupported", head + file + known + cites + "facts = [\"sdist\"]\nagrees = true\n", "sha256 " + strings.Repeat("a", 64) + ": no [[release.source]] supports it"},
		{"digest disagreeing", head + file + known + cites + "facts = [\"sha256\"]\nagrees = false\n", "no [[release.source]] supports it"},
		{"digest agrees unsaid", head + file + known + cites + "facts = [\"sha256\"]\n", "no [[release.source]] supports it"},
		{"unknown fact", head + file + known + agrees + "[[release.source]]\nrepo = \"o/r\"\nfacts = [\"colour\"]\n", `source[1]: facts: "colour" is not one of`},
		{"anonymous source", head + file + known + agrees + "[[release.source]]\nkind = \"k\"\n", "source[1]: names neither a repo nor a store_id"},
		{"bad commit", head + file + known + agrees + "[[release.source]]\nrepo = \"o/r\"\ncommit = \"abc\"\n", `source[1]: commit "abc": want 40 lower-case hex digits`},
		{"bad requirement", head + file + "sha256 = \"unknown\"\nsha256_status = \"unknown\"\nrequires_dist = [\"a (((\"]\n" + cites, `x.toml: release[0] (x@1): requires_dist "a ((("`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseFile("x.toml", []byte(c.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := parseFile("x.toml", []byte(head+file+known+agrees))
	assert.NoError(t, err, "the base case is valid: each case above fails for its own reason")
}

func TestLoadDirectoryErrors(t *testing.T) {
	_, err := Load(t.TempDir())
	assert.ErrorContains(t, err, "no recorded facts")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.toml"), []byte("project = \"b\"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.toml"), []byte("bogus = 1\n"), 0o644))
	_, err = Load(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "a.toml")+`: project "b" does not match the file name`)
	assert.Contains(t, err.Error(), `c.toml:1: unknown key "bogus"`)
	assert.False(t, errors.Is(err, os.ErrNotExist))
}

// FuzzParseFile: never a panic; an accepted file serves every release it
// records, with digests as recorded.
func FuzzParseFile(f *testing.F) {
	for _, name := range []string{"demo-app", "tiny-dep", "nixdep"} {
		data, err := os.ReadFile(filepath.Join(synthetic, "index", name+".toml"))
		require.NoError(f, err)
		f.Add(name, data)
	}
	f.Add("x", []byte("project = \"x\"\n[[release]]\nversion = \"1\"\nsdist = \"x-1.tar.gz\"\nsha256 = \"unknown\"\nsha256_status = \"unknown\"\n[[release.source]]\nrepo = \"o/r\"\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		p, err := parseFile(name+".toml", data)
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
				require.True(t, f.SHA256 == "" || (r.SHA256 == f.SHA256 && r.Sdist == f.Filename), "a served digest is the recorded one, of the recorded file")
				_, ok := x.Inspections().Inspection(f.Filename, f.SHA256)
				require.True(t, ok, "every listed file has its recorded inspection")
			}
		}
	})
}
