package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUpToDateNixCheck evaluates nix/checks/up-to-date.nix with a stand-in
// runCommand that returns its build script, and runs that script the way
// the sandbox would (PATH holding the tool, $out set): it passes on a fresh
// lock and fails on changed requirements, another nixpkgs revision and a
// stale overlay. Needs nix-instantiate (skipped without it unless
// PIP2NIX_REQUIRE_NIX is set), nixpkgs' lib in NIXPKGS_LIB and bash.
func TestUpToDateNixCheck(t *testing.T) {
	nixBin, err := exec.LookPath("nix-instantiate")
	if err != nil {
		if os.Getenv("PIP2NIX_REQUIRE_NIX") != "" {
			t.Fatalf("nix-instantiate not found and PIP2NIX_REQUIRE_NIX is set: %v", err)
		}
		t.Skip("nix-instantiate not found")
	}
	// The check is evaluated with nixpkgs' own lib, as the flake does.
	nixpkgsLib := os.Getenv("NIXPKGS_LIB")
	if nixpkgsLib == "" {
		t.Skip("NIXPKGS_LIB is not set (a nixpkgs checkout or nixpkgs' lib alone; .ci/run sets it)")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(root, "nix/checks/up-to-date.nix")); err != nil {
		t.Skip("nix/checks/up-to-date.nix is outside the Go source (the Nix build's check phase)")
	}
	work := t.TempDir()
	synthetic := filepath.Join(root, "facts/testdata/synthetic")
	req := filepath.Join(work, "requirements.txt")
	data, err := os.ReadFile(filepath.Join(synthetic, "requirements.txt"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(req, data, 0o644))

	var stderr bytes.Buffer
	e := &env{stdout: &bytes.Buffer{}, stderr: &stderr, getenv: func(string) string { return "" }, workDir: work}
	code := run(context.Background(), e, []string{"generate", "-q", "-r", req, "--recorded", filepath.Join(synthetic, "index"),
		"--nixpkgs", filepath.Join(synthetic, "nixpkgs-python312.json"), "-o", filepath.Join(work, "python-packages.nix")})
	require.Equal(t, 0, code, stderr.String())

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "pip2nix-bitpoll"), ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	script := func(rev string, config ...string) string {
		t.Helper()
		revArg, configArg := "null", "null"
		if rev != "" {
			revArg = `"` + rev + `"`
		}
		if len(config) > 0 {
			configArg = `"` + config[0] + `"`
		}
		expr := `import ` + root + `/nix/checks/up-to-date.nix {
			lib = import ` + nixpkgsLib + `/lib;
			runCommand = name: env: script: script;
			pip2nix-bitpoll = null;
			src = "` + work + `";
			requirements = [ "` + req + `" ];
			nixpkgsRev = ` + revArg + `;
			config = ` + configArg + `;
		}`
		cmd := exec.Command(nixBin, "--eval", "--strict", "--json", "-E", expr)
		cmd.Env = append(os.Environ(), "NIX_PATH=")
		out, err := cmd.Output()
		require.NoError(t, err, "%s", err)
		var s string
		require.NoError(t, json.Unmarshal(out, &s))
		return s
	}
	sandbox := func(s string) (string, bool) {
		dir := t.TempDir()
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", s)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "out=" + filepath.Join(dir, "out"), "HOME=/homeless-shelter"}
		out, err := cmd.CombinedOutput()
		return string(out), err == nil
	}

	rev := "0000000000000000000000000000000000000001"
	log, ok := sandbox(script(rev))
	assert.True(t, ok, "a fresh lock passes: %s", log)
	log, ok = sandbox(script(""))
	assert.True(t, ok, "without a revision to compare: %s", log)

	log, ok = sandbox(script("0000000000000000000000000000000000000002"))
	assert.False(t, ok)
	assert.Contains(t, log, "nixpkgs revision 0000000000000000000000000000000000000002, the lock was made for "+rev)

	overlay := filepath.Join(work, "python-packages.nix")
	good, err := os.ReadFile(overlay)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(overlay, []byte(strings.Replace(string(good), `version = "1.0";`, `version = "1.1";`, 1)), 0o644))
	log, ok = sandbox(script(rev))
	assert.False(t, ok)
	assert.Contains(t, log, `-    version = "1.1";`, "the log shows the diff")
	require.NoError(t, os.WriteFile(overlay, good, 0o644))

	require.NoError(t, os.WriteFile(req, append(data, []byte("nixdep\n")...), 0o644))
	log, ok = sandbox(script(rev))
	assert.False(t, ok)
	assert.Contains(t, log, "requirements.txt changed")
	require.NoError(t, os.WriteFile(req, data, 0o644))

	// Settings given with --config (the flake passes its pip2nix.toml, away
	// from Bitpoll's requirements) are an input the check reads too.
	require.NoError(t, os.MkdirAll(filepath.Join(work, "conf"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(work, "conf", "pip2nix.toml"), []byte("[packages.tiny-dep]\npin = \"==1.0\"\n"), 0o644))
	code = run(context.Background(), e, []string{"generate", "-q", "-r", req, "--recorded", filepath.Join(synthetic, "index"),
		"--nixpkgs", filepath.Join(synthetic, "nixpkgs-python312.json"), "-o", overlay,
		"--config", filepath.Join(work, "conf", "pip2nix.toml"), "--nixpkgs-rev", rev})
	require.Equal(t, 0, code, stderr.String())
	log, ok = sandbox(script(rev, "conf/pip2nix.toml"))
	assert.True(t, ok, "the lock names the settings it was made with: %s", log)
	log, ok = sandbox(script(rev))
	assert.False(t, ok, "without them the inputs differ")
	assert.Contains(t, log, "pip2nix.toml")
}
