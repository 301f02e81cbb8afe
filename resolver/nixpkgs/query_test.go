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

// evalOutput is what the query expression prints for a small package set,
// in the wrapper Query builds around query.nix (synthetic).
const evalOutput = `{"rev":%s,"query":{"python":{"attr":"python312","version":"3.12.10","pythonVersion":"3.12"},` +
	`"packages":{"django":{"pname":"django","version":"4.2.21","pypiName":null},` +
	`"pyyaml":{"pname":"pyyaml","version":"6.0.2","pypiName":"PyYAML"}}}}`

// fakeNix writes a shell script standing in for nix: it appends one line per
// call to DIR/calls, writes its arguments NUL-separated to DIR/argv, copies
// DIR/stderr to stderr and DIR/stdout to stdout, and exits with DIR/status.
type fakeNix struct {
	dir, bin string
}

func newFakeNix(t *testing.T, stdout, stderr string, status int) *fakeNix {
	t.Helper()
	dir := t.TempDir()
	f := &fakeNix{dir: dir, bin: filepath.Join(dir, "nix")}
	script := "#!/bin/sh\n" +
		"echo call >> '" + dir + "/calls'\n" +
		"printf '%s\\0' \"$@\" > '" + dir + "/argv'\n" +
		"cat '" + dir + "/stderr' >&2\n" +
		"cat '" + dir + "/stdout'\n" +
		"exit $(cat '" + dir + "/status')\n"
	require.NoError(t, os.WriteFile(f.bin, []byte(script), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stdout"), []byte(stdout), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stderr"), []byte(stderr), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "status"), []byte(fmt.Sprint(status)), 0o644))
	return f
}

func (f *fakeNix) calls(t *testing.T) int {
	data, err := os.ReadFile(filepath.Join(f.dir, "calls"))
	if os.IsNotExist(err) {
		return 0
	}
	require.NoError(t, err)
	return strings.Count(string(data), "\n")
}

func (f *fakeNix) argv(t *testing.T) []string {
	data, err := os.ReadFile(filepath.Join(f.dir, "argv"))
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}

const pinnedRev = "1111111111111111111111111111111111111111"

func TestQueryFlakeCached(t *testing.T) {
	nix := newFakeNix(t, fmt.Sprintf(evalOutput, "null"), "warning: synthetic\n", 0)
	cache := t.TempDir()
	var progress []string
	var stderr strings.Builder
	o := QueryOptions{
		Ref:      "github:NixOS/nixpkgs/" + pinnedRev,
		Nix:      nix.bin,
		CacheDir: cache,
		Stderr:   &stderr,
		Progress: func(s string) { progress = append(progress, s) },
	}
	s, err := Query(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, "github:NixOS/nixpkgs/"+pinnedRev, s.Ref)
	assert.Equal(t, pinnedRev, s.Rev)
	assert.Equal(t, "3.12.10", s.PythonVersion)
	assert.Equal(t, []string{"django", "pyyaml"}, attrs(s.Packages))
	assert.Equal(t, "warning: synthetic\n", stderr.String())

	argv := nix.argv(t)
	require.Len(t, argv, 7)
	assert.Equal(t, []string{"--extra-experimental-features", "nix-command flakes", "eval", "--json", "--impure", "--expr"}, argv[:6])
	assert.Contains(t, argv[6], `builtins.getFlake "github:NixOS/nixpkgs/`+pinnedRev+`"`)
	assert.Contains(t, argv[6], `python = "python312";`)
	assert.Contains(t, argv[6], queryExpr)

	cached := filepath.Join(cache, "nixpkgs", pinnedRev+"-python312.json")
	require.FileExists(t, cached)
	entries, err := os.ReadDir(filepath.Dir(cached))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary files left behind")

	again, err := Query(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, 1, nix.calls(t), "second query served from the cache")
	assert.Equal(t, s, again)
	assert.Equal(t, []string{
		"nixpkgs github:NixOS/nixpkgs/" + pinnedRev + ": evaluating python312Packages",
		"nixpkgs github:NixOS/nixpkgs/" + pinnedRev + ": using cached query " + cached,
	}, progress)

	// Another interpreter is another cache entry.
	o.Python = "python313"
	_, err = Query(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, 2, nix.calls(t))
	assert.Contains(t, nix.argv(t)[6], `python = "python313";`)
}

func TestQueryUnpinnedNotCached(t *testing.T) {
	nix := newFakeNix(t, fmt.Sprintf(evalOutput, `"`+pinnedRev+`"`), "", 0)
	cache := t.TempDir()
	o := QueryOptions{Ref: "github:NixOS/nixpkgs/nixos-25.05", Nix: nix.bin, CacheDir: cache}
	for range 2 {
		s, err := Query(context.Background(), o)
		require.NoError(t, err)
		assert.Equal(t, pinnedRev, s.Rev, "revision reported by the evaluation")
	}
	assert.Equal(t, 2, nix.calls(t))
	entries, err := os.ReadDir(cache)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestQueryPath(t *testing.T) {
	nix := newFakeNix(t, fmt.Sprintf(evalOutput, "null"), "", 0)
	tree := t.TempDir()
	_, err := Query(context.Background(), QueryOptions{Ref: tree, Nix: nix.bin, CacheDir: t.TempDir()})
	require.NoError(t, err)
	expr := nix.argv(t)[6]
	assert.Contains(t, expr, `let pkgs = import "`+tree+`" { };`)
	assert.NotContains(t, expr, "getFlake")
}

func TestQueryFailure(t *testing.T) {
	var lines []string
	for i := 1; i <= 50; i++ {
		lines = append(lines, fmt.Sprintf("error line %d", i))
	}
	nix := newFakeNix(t, "", strings.Join(lines, "\n")+"\n", 3)
	var stderr strings.Builder
	_, err := Query(context.Background(), QueryOptions{Ref: "nixpkgs", Nix: nix.bin, Stderr: &stderr})
	require.Error(t, err)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "nixpkgs query failed: "+nix.bin+" --extra-experimental-features 'nix-command flakes' eval --json --impure --expr 'let flake = builtins.getFlake \"nixpkgs\"; in {"), msg)
	assert.Contains(t, msg, "': exit status 3\n[… 10 earlier lines]\nerror line 11\n")
	assert.True(t, strings.HasSuffix(msg, "\nerror line 50"), msg)
	assert.NotContains(t, msg, "error line 10\n")
	assert.Equal(t, strings.Join(lines, "\n")+"\n", stderr.String(), "stderr passed through whole")
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, 3, exitErr.ExitCode())
}

func TestQueryBadOutput(t *testing.T) {
	for name, out := range map[string]string{
		"not json":      "warning on stdout",
		"missing query": `{"rev": null}`,
		"no python":     `{"rev": null, "query": {"packages": {}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			nix := newFakeNix(t, out, "", 0)
			_, err := Query(context.Background(), QueryOptions{Ref: "nixpkgs", Nix: nix.bin})
			require.Error(t, err)
			assert.Contains(t, err.Error(), nix.bin+" --extra-experimental-features")
			assert.Contains(t, err.Error(), ": output: ")
		})
	}
}

func TestQueryMissingNix(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "no-such-nix")
	_, err := Query(context.Background(), QueryOptions{Ref: "nixpkgs", Nix: bin})
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "nixpkgs query failed: "+bin+" ")
}

func TestQueryFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-nix")
	s, err := Query(context.Background(), QueryOptions{Ref: testQueryFile, Nix: missing})
	require.NoError(t, err, "a query file needs no Nix")
	assert.Equal(t, "synthetic-test-set", s.Ref)

	_, err = Query(context.Background(), QueryOptions{Ref: testQueryFile, Python: "python312", Nix: missing})
	require.NoError(t, err)
	_, err = Query(context.Background(), QueryOptions{Ref: testQueryFile, Python: "python313", Nix: missing})
	assert.EqualError(t, err, testQueryFile+": query is for python312, not python313")
}

func TestQueryRejectsBadInput(t *testing.T) {
	nix := newFakeNix(t, "", "", 0)
	_, err := Query(context.Background(), QueryOptions{Ref: "nixpkgs", Python: `python3"; builtins.abort "x`, Nix: nix.bin})
	assert.EqualError(t, err, `python attribute "python3\"; builtins.abort \"x": not a Nix identifier`)
	_, err = Query(context.Background(), QueryOptions{Ref: "github:a/b\x00", Nix: nix.bin})
	assert.EqualError(t, err, `nixpkgs reference "github:a/b\x00": control character 0x0 at byte 10`)
	assert.Equal(t, 0, nix.calls(t))
}

func TestQueryCanceled(t *testing.T) {
	nix := newFakeNix(t, fmt.Sprintf(evalOutput, "null"), "", 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Query(ctx, QueryOptions{Ref: "nixpkgs", Nix: nix.bin})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestNixString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"github:NixOS/nixpkgs/nixos-25.05", `"github:NixOS/nixpkgs/nixos-25.05"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"${builtins.abort \"x\"}", `"\${builtins.abort \"x\"}"`},
		{"$$ $x {}", `"$$ $x {}"`},
		{"tab\tnl\ncr\r", `"tab\tnl\ncr\r"`},
		{"ünïcode", `"ünïcode"`},
		{"", `""`},
	}
	for _, tt := range tests {
		got, err := nixString(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
	_, err := nixString("bell\a")
	assert.EqualError(t, err, "control character 0x7 at byte 4")
}
