package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/fixtures/testindex"
)

// runIn runs the tool in dir and returns its exit code, stdout and stderr.
func runIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, workDir: dir, getenv: func(k string) string {
		if k == "XDG_CACHE_HOME" {
			return filepath.Join(dir, ".cache")
		}
		return ""
	}}
	t.Chdir(dir)
	return run(context.Background(), e, args), out.String(), errOut.String()
}

// Index options in requirements files: --index-url replaces the index given
// on the command line; --extra-index-url adds indexes asked in order.
func TestRequirementsFileIndexOptions(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	srv := testindex.New(t, testindex.Root(), testindex.Options{})
	empty := httptest.NewServer(http.NotFoundHandler()) // knows no project
	t.Cleanup(empty.Close)
	query := "--nixpkgs=" + filepath.Join(root, "fixtures/nixpkgs/nixos-25.05-python312.json")

	t.Run("--index-url", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "r.txt"), []byte("--index-url "+srv.URL()+"/simple\ndjango-token-bucket==0.2.4\n"), 0o644))
		code, _, stderr := runIn(t, dir, "generate", "-q", "-r", "r.txt", "--index-url", empty.URL, query)
		require.Equal(t, 0, code, stderr)
		overlay, err := os.ReadFile(filepath.Join(dir, "python-packages.nix"))
		require.NoError(t, err)
		assert.Contains(t, string(overlay), srv.URL()+"/")
		assert.NotContains(t, string(overlay), empty.URL)
	})
	t.Run("--extra-index-url", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "r.txt"), []byte("--extra-index-url "+srv.URL()+"\ndjango-token-bucket==0.2.4\n"), 0o644))
		code, _, stderr := runIn(t, dir, "generate", "-q", "-r", "r.txt", "--index-url", empty.URL, query)
		require.Equal(t, 0, code, stderr)
		overlay, err := os.ReadFile(filepath.Join(dir, "python-packages.nix"))
		require.NoError(t, err)
		assert.Contains(t, string(overlay), "the first index that has a project provides all of it")
	})
	t.Run("--index-url path in an included file", func(t *testing.T) {
		// The path is relative to the file that names it, not to the
		// first -r file.
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
		require.NoError(t, os.Symlink(filepath.Join(root, "fixtures/index"), filepath.Join(dir, "sub", "mirror")))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "r.txt"), []byte("-r sub/inc.txt\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "inc.txt"), []byte("--index-url mirror\ndjango-token-bucket==0.2.4\n"), 0o644))
		code, _, stderr := runIn(t, dir, "generate", "-q", "-r", "r.txt", "--index-url", empty.URL, query)
		require.Equal(t, 0, code, stderr)
		overlay, err := os.ReadFile(filepath.Join(dir, "python-packages.nix"))
		require.NoError(t, err)
		assert.Contains(t, string(overlay), "django-token-bucket")
		assert.NotContains(t, string(overlay), empty.URL)
	})
	t.Run("--no-index and --find-links", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "r.txt"), []byte("--no-index\n--find-links ./wheels\ndjango-token-bucket==0.2.4\n"), 0o644))
		code, _, stderr := runIn(t, dir, "generate", "-q", "-r", "r.txt", "--index-url", srv.URL(), query)
		assert.Equal(t, exitInput, code)
		assert.Contains(t, stderr, "r.txt:1: --no-index in a requirements file is refused")
		assert.Contains(t, stderr, "r.txt:2: --find-links ./wheels in a requirements file is refused")
		_, err := os.Stat(filepath.Join(dir, "python-packages.nix"))
		assert.True(t, os.IsNotExist(err))
	})
	t.Run("--trusted-host", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "r.txt"), []byte("django-token-bucket==0.2.4\n--trusted-host "+srv.URL()[len("http://"):]+"\n"), 0o644))
		code, _, stderr := runIn(t, dir, "generate", "-q", "-r", "r.txt", "--index-url", srv.URL(), query)
		assert.Equal(t, exitInput, code)
		assert.Contains(t, stderr, "r.txt:2: --trusted-host in a requirements file is refused")
	})
}

// A server that never answers: each request is given up after --timeout,
// and the whole run after --deadline.
func TestDeadline(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(silent.Close)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.txt"), []byte("django-token-bucket==0.2.4\n"), 0o644))
	code, _, stderr := runIn(t, dir, "generate", "-q", "-r", "r.txt", "--index-url", silent.URL,
		"--nixpkgs", filepath.Join(root, "fixtures/nixpkgs/nixos-25.05-python312.json"), "--timeout", "50ms", "--deadline", "400ms")
	assert.Equal(t, exitIndex, code)
	assert.Contains(t, stderr, "the run's --deadline of 400ms passed: ")
	_, err = os.Stat(filepath.Join(dir, "python-packages.nix"))
	assert.True(t, os.IsNotExist(err))
}
