package nixpkgs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireNix returns the path of the real nix binary. It skips the test when
// Nix is not installed, unless PIP2NIX_REQUIRE_NIX is set (as CI does), in
// which case a missing Nix fails the test instead of hiding it.
func requireNix(t testing.TB) string {
	t.Helper()
	_, errInstantiate := exec.LookPath("nix-instantiate")
	nix, errNix := exec.LookPath("nix")
	if errInstantiate != nil || errNix != nil {
		if os.Getenv("PIP2NIX_REQUIRE_NIX") != "" {
			t.Fatalf("PIP2NIX_REQUIRE_NIX is set but Nix is missing: %v %v", errInstantiate, errNix)
		}
		t.Skip("Nix is not installed (set PIP2NIX_REQUIRE_NIX to make this a failure)")
	}
	return nix
}

// TestQueryRealNix evaluates query.nix with the real Nix against the stub
// tree in testdata, which holds the hostile shapes of real package sets.
func TestQueryRealNix(t *testing.T) {
	nix := requireNix(t)
	t.Setenv("HOME", t.TempDir()) // nix writes its caches under $HOME
	var stderr strings.Builder
	s, err := Query(context.Background(), QueryOptions{
		Ref:    "testdata/stub-nixpkgs",
		Nix:    nix,
		Stderr: &stderr,
	})
	require.NoError(t, err, "nix stderr:\n%s", stderr.String())

	assert.Equal(t, "python312", s.PythonAttr)
	assert.Equal(t, "3.12.10", s.PythonVersion)
	assert.Equal(t, "3.12", s.PythonMajorMinor)
	assert.Empty(t, s.Rev, "the stub tree records no revision")
	assert.True(t, strings.HasSuffix(s.Ref, "/testdata/stub-nixpkgs"), s.Ref)
	var attrs []string
	byAttr := map[string]Package{}
	for _, p := range s.Packages {
		attrs = append(attrs, p.Attr)
		byAttr[p.Attr] = p
	}
	assert.Equal(t, []string{"asgiref", "bleach", "brokenPackage", "certifi", "dateutil", "django", "django_5",
		"nonStringPypiName", "psycopg2", "python-dateutil", "pyyaml", "setuptools", "sqlparse", "throwingDeps", "throwingMeta",
		"tinycss2", "webencodings", "wheel"}, attrs)
	assert.Equal(t, Package{Attr: "pyyaml", PName: "pyyaml", Version: "6.0.2", PyPIName: "PyYAML", Recipe: Recipe{Src: SrcOther}}, byAttr["pyyaml"])
	assert.Equal(t, Recipe{Src: SrcOther, Patches: []string{"fix-paths.patch"}}, byAttr["psycopg2"].Recipe,
		"a patch built from a file (replaceVars) is not fetched")
	assert.True(t, byAttr["brokenPackage"].Broken)
	postPatch := "substituteInPlace tests/utils_tests/test_autoreload.py --replace-fail \"/usr/bin/python\" \"python\"\n"
	assert.Equal(t, Package{
		Attr: "django", PName: "django", Version: "4.2.21",
		License: []string{"BSD-3-Clause"}, KnownVulnerabilities: []string{"CVE-0000-0001 (synthetic)"},
		// The interpreter among the propagated inputs is no package of the set.
		Dependencies: []string{"asgiref", "sqlparse"},
		Recipe: Recipe{Src: SrcPyPI, Patches: []string{"django_4_tests.patch", "CVE-0000-0002.patch"},
			FetchedPatches: []string{"CVE-0000-0002.patch"}, PostPatch: &postPatch, DisabledTests: true},
	}, byAttr["django"])
	certifi := byAttr["certifi"]
	assert.Equal(t, SrcGitHub, certifi.Recipe.Src)
	assert.Equal(t, RelaxDeps{All: true}, certifi.Recipe.PythonRelaxDeps)
	assert.Equal(t, []string{"python-dateutil"}, certifi.Dependencies, "an alias's derivation maps to the attribute named like its pname")
	require.NotNil(t, certifi.Recipe.PostPatch)
	assert.Contains(t, *certifi.Recipe.PostPatch, "/nix/store/")
	bleach := byAttr["bleach"]
	assert.Equal(t, map[string][]string{"css": {"tinycss2"}}, bleach.OptionalDependencies)
	assert.Equal(t, RelaxDeps{Names: []string{"webencodings"}}, bleach.Recipe.PythonRelaxDeps)
	assert.True(t, bleach.Recipe.DisabledTests, "disabledTestPaths count")
	assert.Nil(t, bleach.License, "no meta.license: unknown")
	assert.Nil(t, byAttr["webencodings"].License, "a license without an SPDX id: unknown")
	assert.Equal(t, Package{Attr: "throwingDeps", PName: "throwing-deps", Version: "1.0", Recipe: Recipe{Src: SrcOther}},
		byAttr["throwingDeps"], "throwing fields fall back to their unknown values")
}

// TestQueryRealNixFlake evaluates the flake form of the query: a local flake
// whose legacyPackages is the stub tree.
func TestQueryRealNixFlake(t *testing.T) {
	nix := requireNix(t)
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	stub, err := os.ReadFile("testdata/stub-nixpkgs/default.nix")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stub.nix"), stub, 0o644))
	// Flakes cannot read builtins.currentSystem, so the system is spelled out.
	flake := "{ outputs = { self }: { legacyPackages.x86_64-linux = import ./stub.nix { }; }; }\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(flake), 0o644))

	system, err := exec.Command(nix, "--extra-experimental-features", "nix-command", "eval", "--raw", "--impure", "--expr", "builtins.currentSystem").Output()
	require.NoError(t, err)
	if string(system) != "x86_64-linux" {
		t.Skipf("the test flake is written for x86_64-linux, not %s", system)
	}

	var stderr strings.Builder
	s, err := Query(context.Background(), QueryOptions{Ref: "path:" + dir, Nix: nix, Stderr: &stderr, CacheDir: t.TempDir()})
	require.NoError(t, err, "nix stderr:\n%s", stderr.String())
	assert.Equal(t, "path:"+dir, s.Ref)
	assert.Equal(t, "3.12.10", s.PythonVersion)
	assert.Equal(t, []string{"django", "django_5"}, attrs(s.Lookup("Django")))
}

// TestQueryRealNixFailure checks that a failing evaluation reports the
// command and Nix's own message.
func TestQueryRealNixFailure(t *testing.T) {
	nix := requireNix(t)
	t.Setenv("HOME", t.TempDir())
	_, err := Query(context.Background(), QueryOptions{Ref: "testdata/stub-nixpkgs", Python: "python311", Nix: nix})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nixpkgs query failed: "+nix+" --extra-experimental-features 'nix-command flakes' eval --json --impure --expr ")
	assert.Contains(t, err.Error(), "python311")
	var exitErr *exec.ExitError
	assert.ErrorAs(t, err, &exitErr)
}

// TestCompareVersionsMatchesNix checks CompareVersions against
// builtins.compareVersions on versions of the kinds nixpkgs uses.
func TestCompareVersionsMatchesNix(t *testing.T) {
	nix := requireNix(t)
	t.Setenv("HOME", t.TempDir())
	versions := []string{
		"", "0", "1", "1.0", "1.0.0", "1.0a", "1.0pre", "1.0-pre1", "1.0rc1", "1.0.post1",
		"2.3a", "2.3.1", "2.3", "4.2.21", "5.1.9", "10.0", "0-unstable-2024-05-01",
		"0-unstable-2023-12-31", "2024.1", "1.2.3-beta", "1.2.3-alpha", "a", "b", "1..2", "-1",
	}
	var b strings.Builder
	b.WriteString("[")
	for _, x := range versions {
		for _, y := range versions {
			lx, err := nixString(x)
			require.NoError(t, err)
			ly, err := nixString(y)
			require.NoError(t, err)
			fmt.Fprintf(&b, " (builtins.compareVersions %s %s)", lx, ly)
		}
	}
	b.WriteString(" ]")
	out, err := exec.Command(nix, "--extra-experimental-features", "nix-command", "eval", "--json", "--expr", b.String()).Output()
	require.NoError(t, err)
	var want []int
	require.NoError(t, strictUnmarshal(out, &want))
	require.Len(t, want, len(versions)*len(versions))
	i := 0
	for _, x := range versions {
		for _, y := range versions {
			assert.Equal(t, want[i], CompareVersions(x, y), "compareVersions %q %q", x, y)
			i++
		}
	}
}

// TestNixStringRealNix checks that nixString's literals read back, through
// the real Nix, as the exact text they quote.
func TestNixStringRealNix(t *testing.T) {
	nix := requireNix(t)
	t.Setenv("HOME", t.TempDir())
	inputs := []string{
		`plain`, `a"b\c`, "${builtins.abort \"x\"}", "$${x}", `\${x}`, "$", "x$", "tab\tnl\ncr\r",
		"''${x}", "ünïcode", `\`, `\\"`, "",
	}
	var b strings.Builder
	b.WriteString("[")
	for _, in := range inputs {
		lit, err := nixString(in)
		require.NoError(t, err)
		b.WriteString(" " + lit)
	}
	b.WriteString(" ]")
	out, err := exec.Command(nix, "--extra-experimental-features", "nix-command", "eval", "--json", "--expr", b.String()).CombinedOutput()
	require.NoError(t, err, "%s", out)
	var got []string
	require.NoError(t, strictUnmarshal(out, &got))
	assert.Equal(t, inputs, got)
}

// BenchmarkQueryStubNix measures query.nix per attribute on the synthetic
// large stub (testdata/stub-large: real-style recipes, licenses,
// dependencies). Measured here with Nix 2.8: 9,000 attributes in 1.1 s and
// 185 MB (the query before recipes and dependencies: 0.18 s, 60 MB); see
// the README for the estimate on nixpkgs.
func BenchmarkQueryStubNix(b *testing.B) {
	nix := requireNix(b)
	b.Setenv("HOME", b.TempDir())
	expr := "(import ./query.nix) { pkgs = import ./testdata/stub-large { n = 1000; }; python = \"python312\"; }"
	for b.Loop() {
		out, err := exec.Command(nix, "--extra-experimental-features", "nix-command", "eval", "--json", "--impure", "--expr", expr).Output()
		if err != nil {
			b.Fatal(err)
		}
		if len(out) < 1000 {
			b.Fatalf("short output: %s", out)
		}
	}
}

// TestPatchTextsRealNix reads the patch texts of the stub's django with
// the real Nix: the file patch's text, null for the fetchpatch.
func TestPatchTextsRealNix(t *testing.T) {
	nix := requireNix(t)
	t.Setenv("HOME", t.TempDir())
	texts, err := PatchTexts(context.Background(), QueryOptions{Ref: "testdata/stub-nixpkgs", Nix: nix}, []string{"django", "asgiref"})
	require.NoError(t, err)
	want, err := os.ReadFile("testdata/stub-nixpkgs/django_4_tests.patch")
	require.NoError(t, err)
	require.Len(t, texts["django"], 2)
	require.NotNil(t, texts["django"][0])
	assert.Equal(t, string(want), *texts["django"][0])
	assert.Nil(t, texts["django"][1], "a fetchpatch has no text at evaluation time")
	assert.Empty(t, texts["asgiref"])

	_, err = PatchTexts(context.Background(), QueryOptions{Ref: "testdata/query-partial.json", Nix: nix}, []string{"x"})
	assert.ErrorContains(t, err, "holds no patch texts")
}
