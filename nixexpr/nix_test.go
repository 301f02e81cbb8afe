package nixexpr

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// nixInstantiate returns the path of nix-instantiate, skipping the test when
// it is absent unless PIP2NIX_REQUIRE_NIX is set (CI sets it, so the Nix
// checks cannot silently stop running there).
func nixInstantiate(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("nix-instantiate")
	if err != nil {
		if os.Getenv("PIP2NIX_REQUIRE_NIX") != "" {
			t.Fatalf("nix-instantiate not found and PIP2NIX_REQUIRE_NIX is set: %v", err)
		}
		t.Skip("nix-instantiate not found; set PIP2NIX_REQUIRE_NIX to make this a failure")
	}
	return path
}

// runNix runs nix-instantiate with args in an empty store-less mode and
// returns its stdout; a failure reports stderr.
func runNix(t testing.TB, args ...string) []byte {
	t.Helper()
	bin := nixInstantiate(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "NIX_PATH=")
	require.NoError(t, cmd.Run(), "nix-instantiate %v\n%s", args, stderr.String())
	return stdout.Bytes()
}
