package facts

import (
	"context"
	"encoding/hex"
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
		cites  = "[[release.source]]\nrepo = \"o/r\"\npath = \"p\"\nkind = \"k\"\n"
		agrees = cites + "facts = [\"sha256\"]\nfound = \"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\nagrees = true\n"
	)
	cases := []struct {
		name, data, want string
	}{
		{"unknown key", head + "sha265 = \"x\"\n", `x.toml:4: unknown key "release.sha265"`},
		{"old name key", "name = \"x\"\n", `x.toml:1: unknown key "name"`},
		{"unknown source key", head + file + known + cites + "url = \"u\"\n", `x.toml:11: unknown key "release.source.url"`},
		{"type", "project = \"x\"\n[[release]]\nversion = 1\n", "x.toml:3:"},
		{"syntax", "[[release]\n", "x.toml:1:"},
		{"no project", "[[release]]\nversion = \"1\"\n", "x.toml: project is required"},
		{"not normalized", "project = \"X_y\"\n", `x.toml: project "X_y" is not a PEP 503 normalized name ("x-y")`},
		{"other stem", "project = \"y\"\n", `x.toml: project "y" does not match the file name (want y.toml)`},
		{"no release", "project = \"x\"\n", "x.toml: no [[release]]"},
		{"no version", "project = \"x\"\n[[release]]\n" + file, "x.toml:2: release[0]: version is required"},
		{"twice", head + file + known + agrees + "[[release]]\nversion = \"1\"\n", "x.toml:14: release[1] (x@1): recorded twice"},
		{"no sdist", head + known + agrees, `x.toml:2: release[0] (x@1): sdist is required (the file name as published, or "unknown" / "disputed")`},
		{"bad sdist", head + "sdist = \"x-1.whl\"\n" + known + agrees, `sdist "x-1.whl": want a file name ending in .tar.gz or .zip`},
		{"sdist path", head + "sdist = \"a/x-1.tar.gz\"\n" + known + agrees, `sdist "a/x-1.tar.gz": want a file name`},
		{"bad digest", head + file + "sha256 = \"ABC\"\nsha256_status = \"single\"\n" + agrees, `x.toml:2: release[0] (x@1): sha256 "ABC": want 64 lower-case hex digits, "unknown" or "disputed"`},
		{"upper-case digest", head + file + "sha256 = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"\nsha256_status = \"single\"\n" + agrees, "want 64 lower-case hex digits"},
		{"bad status", head + file + "sha256 = \"unknown\"\nsha256_status = \"maybe\"\n" + cites, `sha256_status "maybe": want one of agree, single, unattributed, disagree, unknown`},
		{"unknown but agreed", head + file + "sha256 = \"unknown\"\nsha256_status = \"agree\"\n" + cites, `sha256 "unknown" contradicts sha256_status "agree"`},
		{"disputed but single", head + file + "sha256 = \"disputed\"\nsha256_status = \"single\"\n" + cites, `sha256 "disputed" contradicts sha256_status "single"`},
		{"known but disagree", head + file + "sha256 = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\nsha256_status = \"disagree\"\n" + agrees, `contradicts sha256_status "disagree"`},
		{"uncited", head + file + known, "x.toml:2: release[0] (x@1): cites no [[release.source]]"},
		{"digest unsupported", head + file + known + cites + "facts = [\"sdist\"]\nfile = \"x-1.tar.gz\"\nagrees = true\n", "sha256 " + strings.Repeat("a", 64) + ": no [[release.source]] supports it"},
		{"digest disagreeing", head + file + known + cites + "facts = [\"sha256\"]\nfound = \"" + strings.Repeat("b", 64) + "\"\nagrees = false\n", "no [[release.source]] supports it"},
		{"digest agrees unsaid", head + file + known + cites + "facts = [\"sha256\"]\n", `x.toml:7: release[0] (x@1): source[0]: supports "sha256" but says not whether it agrees`},
		{"unknown fact", head + file + known + agrees + "[[release.source]]\nrepo = \"o/r\"\nfacts = [\"colour\"]\n", `x.toml:14: release[0] (x@1): source[1]: facts: "colour" is not one of`},
		{"anonymous source", head + file + known + agrees + "[[release.source]]\nkind = \"k\"\n", "x.toml:14: release[0] (x@1): source[1]: names neither a repo nor a store_id"},
		{"bad commit", head + file + known + agrees + "[[release.source]]\nrepo = \"o/r\"\npath = \"p\"\ncommit = \"abc\"\n", `source[1]: commit "abc": want 40 lower-case hex digits`},
		{"repo without path", head + file + known + agrees + "[[release.source]]\nrepo = \"o/r\"\nkind = \"k\"\n", "x.toml:14: release[0] (x@1): source[1]: repo o/r: path is required"},
		{"no kind", head + file + known + agrees + "[[release.source]]\nrepo = \"o/r\"\npath = \"p\"\n", "x.toml:14: release[0] (x@1): source[1]: kind is required"},
		{"sdist unnamed", head + file + known + agrees + cites + "facts = [\"sdist\"]\n", `x.toml:14: release[0] (x@1): source[1]: supports "sdist" but names no file`},
		{"found no digest", head + file + known + cites + "facts = [\"sha256\"]\nfound = \"md5:abc\"\nagrees = false\n", `x.toml:7: release[0] (x@1): source[0]: found: digest "md5:abc" is not hex`},
		{"single from two repositories", head + file + known + agrees + strings.Replace(agrees, "o/r", "o/s", 1), `x.toml:2: release[0] (x@1): sha256_status "single" needs exactly one repository giving the digest, has 2`},
		{"unattributed from a repository", head + file + strings.Replace(known, "single", "unattributed", 1) + agrees, `x.toml:2: release[0] (x@1): sha256_status "unattributed" needs only unattributed excerpts giving the digest, has 1 repositories`},
		{"inline release, no header line", "project = \"x\"\nrelease = [{version = \"1\"}]\n", "x.toml: release[0] (x@1): sdist is required"},
		{"bad requirement", head + file + "sha256 = \"unknown\"\nsha256_status = \"unknown\"\nrequires_dist = [\"a (((\"]\n" + cites, `x.toml:2: release[0] (x@1): requires_dist "a ((("`},
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
	f.Add("x", []byte("project = \"x\"\n[[release]]\nversion = \"1\"\nsdist = \"x-1.tar.gz\"\nsha256 = \"unknown\"\nsha256_status = \"unknown\"\n[[release.source]]\nrepo = \"o/r\"\npath = \"p\"\nkind = \"k\"\n"))
	f.Add("six", []byte(sixRecord))
	f.Add("x", []byte("project = \"x\"\n[[release]]\n"))
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

// sixRecord is a SYNTHETIC record in the real records' shape (its source
// cites a recipe path but was not read): the base each TestParseFileRejects
// case breaks in one place.
const sixRecord = `project = "six"

[[release]]
version = "1.16.0"
pinned_by_bitpoll = true
sdist = "six-1.16.0.tar.gz"
sha256 = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"
sha256_status = "single"
import_names = ["six"]

[[release.source]]
facts = ["sha256", "sdist"]
repo = "conda-forge/six-feedstock"
commit = "dc17668f47aad0b1a0f2ec5dd4b3e7d2d0fc26cb"
path = "recipe/meta.yaml"
kind = "synthetic test record"
found = "sha256-HmHDdHehYmRY4297HYKqXJsJT6SAKJIHLknenGDEySY="
file = "six-1.16.0.tar.gz"
agrees = true
`

// TestParseFileRejects: one inconsistency per case, each refused at its
// file:line by its own check.
func TestParseFileRejects(t *testing.T) {
	const (
		digest = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"
		rel    = "six.toml:3: release[0] (six@1.16.0): "
		src    = "six.toml:11: release[0] (six@1.16.0): source[0]: "
	)
	tests := []struct {
		name, file, old, new, want string
	}{
		{"file name differs", "Six.toml", "", "", `Six.toml: project "six" does not match the file name (want six.toml)`},
		{"not normalized", "six.toml", `project = "six"`, `project = "Six_x"`, `six.toml: project "Six_x" is not a PEP 503 normalized name ("six-x")`},
		{"not a name", "six-.toml", `project = "six"`, `project = "six-"`, `six-.toml: project "six-" is not a PEP 503 normalized name`},
		{"short digest", "six.toml", `sha256 = "1e61c3`, `sha256 = "1e61c`, rel + `sha256 "1e61c` + digest[6:] + `": want 64 lower-case hex digits, "unknown" or "disputed"`},
		{"upper-case digest", "six.toml", `sha256 = "1e61c3`, `sha256 = "1E61C3`, rel + `sha256 "1E61C3` + digest[6:] + `": want 64 lower-case hex digits`},
		{"digest without agreeing source", "six.toml", `facts = ["sha256", "sdist"]`, `facts = ["sdist"]`, rel + "sha256 " + digest + ": no [[release.source]] supports it"},
		{"agrees on a different digest", "six.toml", `found = "sha256-HmHD`, `found = "sha256-AmHD`, src + "agrees = true, but found 0261c3" + digest[6:] + " and the release records " + digest},
		{"says it disagrees with its own digest", "six.toml", `agrees = true`, `agrees = false`, src + "agrees = false, but found " + digest + " and the release records " + digest},
		{"unknown field", "six.toml", `import_names`, `yanked_by = "x"` + "\nimport_names", `six.toml:9: unknown key "release.yanked_by"`},
		{"duplicate version", "six.toml", "\n[[release]]\n", "\n[[release]]\nversion = \"1.16.0\"\nsdist = \"unknown\"\nsha256 = \"unknown\"\nsha256_status = \"unknown\"\n[[release.source]]\nfacts = []\nrepo = \"a/b\"\npath = \"p\"\nkind = \"k\"\n\n[[release]]\n", "six.toml:14: release[1] (six@1.16.0): recorded twice"},
		{"no source", "six.toml", "[[release.source]]", "[[release.sourcex]]", `six.toml:11: unknown key "release.sourcex"`},
		{"status overstated", "six.toml", `sha256_status = "single"`, `sha256_status = "agree"`, rel + `sha256_status "agree" needs two repositories giving the digest, has 1`},
		{"unknown status", "six.toml", `sha256_status = "single"`, `sha256_status = "probably"`, rel + `sha256_status "probably": want one of agree, single, unattributed, disagree, unknown`},
		{"unknown digest with a status", "six.toml", `sha256 = "` + digest + `"`, `sha256 = "unknown"`, rel + `sha256 "unknown" contradicts sha256_status "single"`},
		{"sdist of another version", "six.toml", `sdist = "six-1.16.0.tar.gz"`, `sdist = "six-1.15.0.tar.gz"`, rel + `sdist "six-1.15.0.tar.gz" is not six-1.16.0.tar.gz or .zip`},
		{"sdist of another project", "six.toml", `sdist = "six-1.16.0.tar.gz"`, `sdist = "sux-1.16.0.tar.gz"`, rel + `sdist "sux-1.16.0.tar.gz" is not six-1.16.0.tar.gz or .zip`},
		{"bad repo", "six.toml", `repo = "conda-forge/six-feedstock"`, `repo = "six-feedstock"`, src + `repo "six-feedstock": want owner/name`},
		{"unattributed without store id", "six.toml", `repo = "conda-forge/six-feedstock"`, `repo = ""`, src + "names neither a repo nor a store_id"},
		{"bad commit", "six.toml", `commit = "dc17`, `commit = "zz17`, src + `commit "zz17668f47aad0b1a0f2ec5dd4b3e7d2d0fc26cb": want 40 lower-case hex digits`},
		{"unknown fact", "six.toml", `facts = ["sha256", "sdist"]`, `facts = ["sha256", "sdist", "color"]`, src + `facts: "color" is not one of sha256, sdist,`},
		{"not TOML", "six.toml", `project = "six"`, `project = `, "six.toml:1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := sixRecord
			if tt.old != "" {
				require.Contains(t, data, tt.old, "the case does not apply")
				data = strings.Replace(data, tt.old, tt.new, 1)
			}
			_, err := parseFile(tt.file, []byte(data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := parseFile("six.toml", []byte(sixRecord))
	assert.NoError(t, err, "the base record is valid")
}

func TestDigestHex(t *testing.T) {
	const want = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"
	for _, in := range []string{want, strings.ToUpper(want), "sha256:" + want, "sha256-HmHDdHehYmRY4297HYKqXJsJT6SAKJIHLknenGDEySY="} {
		got, err := digestHex(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range []string{"", "sha256:xyz", "sha256:" + strings.ToUpper(want), "sha256-AAAA", "sha256-!!", "md5:" + want[:32]} {
		got, err := digestHex(in)
		assert.Error(t, err, "digestHex(%q) = %q", in, got)
	}
}

// FuzzDigestHex: never a panic; an accepted digest is 32 bytes in
// lower-case hex, which digestHex returns unchanged.
func FuzzDigestHex(f *testing.F) {
	for _, s := range []string{"1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926", "sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926", "sha256-HmHDdHehYmRY4297HYKqXJsJT6SAKJIHLknenGDEySY=", "sha256-AAAA", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, found string) {
		h, err := digestHex(found)
		if err != nil {
			return
		}
		raw, err := hex.DecodeString(h)
		require.NoError(t, err)
		require.Len(t, raw, 32)
		again, err := digestHex(h)
		require.NoError(t, err)
		require.Equal(t, h, again)
	})
}
