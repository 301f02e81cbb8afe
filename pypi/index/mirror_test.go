package index

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeTree writes files (path → content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// A file:// mirror in the shared fixture layout: JSON API documents as plain
// files, root-relative file URLs inside them, Simple API pages as
// index.json/index.html. All content is synthetic.
func TestFileMirror(t *testing.T) {
	dir := t.TempDir()
	sdist := "synthetic sdist\n"
	md := "Metadata-Version: 2.1\nName: legacy\nVersion: 0.1\nRequires-Dist: demo>=1\n"
	writeTree(t, dir, map[string]string{
		"pypi/demo/json": `{"info":{"name":"demo","version":"1.0","requires_dist":null},"releases":{"1.0":[
			{"filename":"demo-1.0.tar.gz","packagetype":"sdist","url":"/packages/ab/cd/demo-1.0.tar.gz","digests":{"sha256":"` + hexSHA256([]byte(sdist)) + `"}}],
			"1.1":[{"filename":"demo-1.1.tar.gz","packagetype":"sdist","url":"/packages/ab/cd/demo-1.1.tar.gz","digests":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}]},"urls":[]}`,
		"pypi/demo/1.0/json": `{"info":{"name":"demo","version":"1.0","requires_dist":["six"]},"urls":[
			{"filename":"demo-1.0.tar.gz","packagetype":"sdist","url":"/packages/ab/cd/demo-1.0.tar.gz","digests":{"sha256":"` + hexSHA256([]byte(sdist)) + `"}}]}`,
		"packages/ab/cd/demo-1.0.tar.gz":                   sdist,
		"simple/legacy/index.html":                         `<a href="/packages/ef/legacy-0.1-py3-none-any.whl#sha256=0000000000000000000000000000000000000000000000000000000000000000" data-core-metadata="true">legacy-0.1-py3-none-any.whl</a><a href="../../packages/ef/legacy-0.1.tar.gz#sha256=0100000000000000000000000000000000000000000000000000000000000000">legacy-0.1.tar.gz</a>`,
		"packages/ef/legacy-0.1-py3-none-any.whl.metadata": md,
		"simple/jsononly/index.json":                       `{"meta":{"api-version":"1.0"},"name":"jsononly","files":[{"filename":"jsononly-3.0.tar.gz","url":"/packages/jsononly-3.0.tar.gz","hashes":{}}]}`,
	})
	c, err := New(Options{BaseURL: "file://" + dir, CacheDir: t.TempDir()})
	require.NoError(t, err)

	p, err := c.Project(ctxT(t), "Demo")
	require.NoError(t, err)
	require.Len(t, p.Releases, 2)
	f := p.Releases[0].Files[0]
	assert.Equal(t, "file://"+dir+"/packages/ab/cd/demo-1.0.tar.gz", f.URL, "root-relative URLs resolve under the mirror")
	data, err := c.Download(ctxT(t), f)
	require.NoError(t, err)
	assert.Equal(t, sdist, string(data))

	r, err := c.Release(ctxT(t), "demo", "1.0")
	require.NoError(t, err)
	assert.Equal(t, []string{"six"}, r.RequiresDist)

	// No release document for 1.1: the project listing has its files.
	r, err = c.Release(ctxT(t), "demo", "1.1")
	require.NoError(t, err)
	assert.Equal(t, "1.1", r.Version)
	assert.Len(t, r.Files, 1)
	assert.False(t, r.RequiresDistKnown)

	legacy, err := c.Project(ctxT(t), "legacy")
	require.NoError(t, err)
	assert.Equal(t, []string{"0.1:2"}, versionsOf(legacy))
	assert.Equal(t, "file://"+dir+"/packages/ef/legacy-0.1.tar.gz", legacy.Releases[0].Files[1].URL, "relative URLs resolve against the page")
	lr, err := c.Release(ctxT(t), "legacy", "0.1")
	require.NoError(t, err)
	assert.True(t, lr.RequiresDistKnown)
	assert.Equal(t, []string{"demo>=1"}, lr.RequiresDist)

	jo, err := c.Project(ctxT(t), "jsononly")
	require.NoError(t, err)
	assert.Equal(t, []string{"3.0:1"}, versionsOf(jo))

	_, err = c.Project(ctxT(t), "absent")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = c.Download(ctxT(t), File{Filename: "x.tar.gz", URL: "file://" + dir + "/packages/x.tar.gz"})
	assert.ErrorIs(t, err, ErrNotFound)

	// Mirrors are local: offline changes nothing.
	off, err := New(Options{BaseURL: "file://" + dir, Offline: true})
	require.NoError(t, err)
	_, err = off.Project(ctxT(t), "demo")
	assert.NoError(t, err)
}
