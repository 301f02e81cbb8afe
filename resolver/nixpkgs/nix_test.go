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
func requireNix(t *testing.T) string {
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
	assert.Equal(t, []Package{
		{Attr: "brokenPackage", PName: "broken-package", Version: "1.0"},
		{Attr: "django", PName: "django", Version: "4.2.21"},
		{Attr: "django_5", PName: "django", Version: "5.1.9"},
		{Attr: "nonStringPypiName", PName: "non-string-pypi-name", Version: "3.0"},
		{Attr: "psycopg2", PName: "psycopg2", Version: "2.9.10"},
		{Attr: "pyyaml", PName: "pyyaml", Version: "6.0.2", PyPIName: "PyYAML"},
		{Attr: "throwingMeta", PName: "throwing-meta", Version: "2.0"},
	}, s.Packages)
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
