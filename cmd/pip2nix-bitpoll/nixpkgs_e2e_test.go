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

// TestGenerateAgainstStubNixpkgs runs generate against an evaluable
// nixpkgs (the query test's stub tree, real Nix): the query records
// django's recipe, a second evaluation reads its patch texts, and the
// overlay's override of django keeps only what fits the new sdist.
func TestGenerateAgainstStubNixpkgs(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		if os.Getenv("PIP2NIX_REQUIRE_NIX") != "" {
			t.Fatalf("nix not found and PIP2NIX_REQUIRE_NIX is set: %v", err)
		}
		t.Skip("nix not found; set PIP2NIX_REQUIRE_NIX to make this a failure")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	work := t.TempDir()
	t.Setenv("HOME", work)
	require.NoError(t, os.WriteFile(filepath.Join(work, "requirements.txt"), []byte("django==5.0.6\n"), 0o644))
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, workDir: work, getenv: func(string) string { return "" }}
	status := run(context.Background(), e, []string{"generate", "-q", "-r", filepath.Join(work, "requirements.txt"),
		"--index-url", filepath.Join(root, "fixtures", "index"), "--nixpkgs", filepath.Join(root, "resolver", "nixpkgs", "testdata", "stub-nixpkgs"),
		"--policy", "exact", "--cache-dir", filepath.Join(work, "cache"),
		"-o", filepath.Join(work, "python-packages.nix"), "--report-json", filepath.Join(work, "report.json")})
	require.Equal(t, 0, status, "stderr:\n%s", errOut.String())

	data, err := os.ReadFile(filepath.Join(work, "report.json"))
	require.NoError(t, err)
	var report struct {
		Packages []struct {
			Name   string `json:"name"`
			Action string `json:"action"`
			Recipe []struct {
				Part string `json:"part"`
				Kept bool   `json:"kept"`
				Why  string `json:"why"`
			} `json:"recipe"`
		} `json:"packages"`
	}
	require.NoError(t, json.Unmarshal(data, &report))
	var why []string
	for _, p := range report.Packages {
		if p.Name != "django" {
			continue
		}
		assert.Equal(t, "override", p.Action)
		for i, d := range p.Recipe {
			assert.Equal(t, i == 0, d.Kept, d.Part)
			why = append(why, d.Part+": "+d.Why)
		}
	}
	require.Len(t, why, 4, "%v", why)
	// The file patch's text reached the check and applies; the
	// fetchpatch is recorded as fetched and dropped with its own reason.
	assert.Equal(t, "patch:django_4_tests.patch: it applies to the sdist", why[0])
	assert.Equal(t, "patch:CVE-0000-0002.patch: fetched patch: cannot be test-applied offline; dropped — keep it with keep-recipe if it still applies", why[1])
	assert.Contains(t, why[2], "tests/utils_tests/test_autoreload.py is not in the sdist")
	assert.Contains(t, why[3], "disabledTests")

	overlay, err := os.ReadFile(filepath.Join(work, "python-packages.nix"))
	require.NoError(t, err)
	for _, want := range []string{"patches = [ (builtins.elemAt old.patches 0) ];", `postPatch = "";`, "doCheck = false;"} {
		assert.True(t, strings.Contains(string(overlay), want), "overlay lacks %q:\n%s", want, overlay)
	}
}
