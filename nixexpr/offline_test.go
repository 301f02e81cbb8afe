package nixexpr

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

// evalStub evaluates expr (with STUB and OVERLAY standing for the stub set
// and the overlay file) and returns stdout, stderr and whether it succeeded.
func evalStub(t *testing.T, overlay []byte, expr string) (string, string, bool) {
	t.Helper()
	bin := nixInstantiate(t)
	stub, err := filepath.Abs("testdata/stub")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "python-packages.nix")
	require.NoError(t, os.WriteFile(path, overlay, 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := "let set = import " + stub + " (import " + path + "); in " + expr
	cmd := exec.CommandContext(ctx, bin, "--eval", "--strict", "--json", "-E", full)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "NIX_PATH=")
	err = cmd.Run()
	return stdout.String(), stderr.String(), err == nil
}

// withUnknownDigest is unknown-license's plan with the first added package's
// digest blanked, as recorded facts leave it when no public record names
// one.
func withUnknownDigest(t *testing.T) (*resolver.Plan, resolver.Package) {
	plan := loadPlan(t, "testdata/unknown-license.plan.json")
	for i := range plan.Packages {
		if p := &plan.Packages[i]; p.Action == resolver.Add && p.Sdist != nil {
			p.Sdist.SHA256 = ""
			return plan, *p
		}
	}
	t.Fatal("unknown-license.plan.json has no added package")
	return nil, resolver.Package{}
}

func TestUnknownDigestThrowsAtEvaluation(t *testing.T) {
	plan, unknown := withUnknownDigest(t)
	got, err := RenderOverlay(plan, testOptions)
	require.NoError(t, err)
	golden(t, "testdata/unknown-digest.nix.golden", got)
	assert.Contains(t, string(got), "# Needs regeneration online: no public record gives the sdist digest of\n#   "+unknown.Name+" "+unknown.Version+"\n")
	assert.NotContains(t, string(got), "fakeHash")

	// The other attributes evaluate; the unknown one throws with the
	// message and the command.
	var others []string
	for _, p := range plan.Packages {
		if p.Action != resolver.UseNixpkgs && p.Attr != unknown.Attr {
			others = append(others, p.Attr)
		}
	}
	require.NotEmpty(t, others, "the scenario needs another overlay attribute")
	for _, attr := range others {
		_, stderr, ok := evalStub(t, got, "set."+attr)
		assert.True(t, ok, "%s: %s", attr, stderr)
	}
	_, stderr, ok := evalStub(t, got, "set."+unknown.Attr)
	require.False(t, ok, "evaluating %s must fail", unknown.Attr)
	assert.Contains(t, stderr, unknown.Name+" "+unknown.Version+" needs regeneration online")
	assert.Contains(t, stderr, "On a machine with network access run: "+testOptions.Command)
}

func TestNixpkgsDriftWarns(t *testing.T) {
	plan := loadPlan(t, "testdata/override.plan.json")
	same, err := RenderOverlay(plan, testOptions)
	require.NoError(t, err)
	_, stderr, ok := evalStub(t, same, "set")
	require.True(t, ok, stderr)
	assert.NotContains(t, stderr, "warning", "the stub has the versions the plan saw")

	// The plan's Version is PEP 440's spelling; the check compares
	// nixpkgs' own (certifi "2025.06.15" is version 2025.6.15).
	spelled := loadPlan(t, "testdata/override.plan.json")
	for i := range spelled.Packages {
		if p := &spelled.Packages[i]; p.Attr == "pytz" {
			nix := p.Version
			p.Version, p.NixpkgsVersion = p.Version+".0", &nix
		}
	}
	rendered, err := RenderOverlay(spelled, testOptions)
	require.NoError(t, err)
	_, stderr, ok = evalStub(t, rendered, "set")
	require.True(t, ok, stderr)
	assert.NotContains(t, stderr, "warning", "nixpkgs' spelling is compared, not the normalized version")

	for i := range plan.Packages {
		if p := &plan.Packages[i]; p.Attr == "pytz" {
			old := "2024.1"
			p.Version, p.NixpkgsVersion = old, &old
		}
	}
	plan.Packages = append(plan.Packages, resolver.Package{Name: "gone", Version: "1.0", Action: resolver.UseNixpkgs, Attr: "gone", Source: resolver.FromNixpkgs})
	drifted, err := RenderOverlay(plan, testOptions)
	require.NoError(t, err)
	out, stderr, ok := evalStub(t, drifted, "set")
	require.True(t, ok, "a drift warns, it does not fail: %s", stderr)
	assert.Contains(t, stderr, "evaluation warning: python-packages.nix was generated for other nixpkgs versions of gone missing (generated for 1.0), pytz 2025.2 (generated for 2024.1); regenerate it")
	assert.Contains(t, out, `"icalendar"`, "the overlay still evaluates")
}
