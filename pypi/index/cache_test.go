package index

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

func TestCacheWarmAndOffline(t *testing.T) {
	fi := newFakeIndex(t)
	projects := synthProjects(4)
	for _, p := range projects {
		fi.add(p)
	}
	dir := t.TempDir()
	want, err := fetchAll(ctxT(t), fi.client(t, Options{CacheDir: dir}), projects)
	require.NoError(t, err)
	cold := fi.requests()

	// A new client on the same cache answers from disk while entries are fresh.
	got, err := fetchAll(ctxT(t), fi.client(t, Options{CacheDir: dir}), projects)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, cold, fi.requests(), "fresh entries are not asked for again")

	// Offline, even with the index gone.
	offline := fi.client(t, Options{CacheDir: dir, Offline: true, BaseURL: fi.srv.URL})
	fi.srv.Close()
	got, err = fetchAll(ctxT(t), offline, projects)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Nil(t, offline.OfflineMisses())
}

func TestOfflineMissesListEveryURL(t *testing.T) {
	fi := newFakeIndex(t)
	fi.add(synthProject{name: "known", versions: []string{"1.0"}, requiresDist: []string{}})
	dir := t.TempDir()
	_, err := fi.client(t, Options{CacheDir: dir}).Project(ctxT(t), "known")
	require.NoError(t, err)

	c := fi.client(t, Options{CacheDir: dir, Offline: true})
	_, err = c.Project(ctxT(t), "known")
	require.NoError(t, err)
	_, err = c.Project(ctxT(t), "alpha")
	var miss *OfflineMissError
	require.ErrorAs(t, err, &miss)
	assert.True(t, errors.Is(err, ErrOffline))
	assert.Equal(t, []string{fi.srv.URL + "/pypi/alpha/json", fi.srv.URL + "/simple/alpha/"}, miss.URLs)
	_, err = c.Release(ctxT(t), "beta", "2.0")
	assert.ErrorIs(t, err, ErrOffline)
	_, err = c.Download(ctxT(t), File{Filename: "gamma-1.0.tar.gz", URL: fi.srv.URL + "/packages/gamma-1.0.tar.gz", SHA256: strings.Repeat("0", 64)})
	assert.ErrorIs(t, err, ErrOffline)

	all := c.OfflineMisses()
	require.NotNil(t, all)
	assert.Equal(t, []string{
		fi.srv.URL + "/packages/gamma-1.0.tar.gz",
		fi.srv.URL + "/pypi/alpha/json",
		fi.srv.URL + "/pypi/beta/2.0/json",
		fi.srv.URL + "/pypi/beta/json",
		fi.srv.URL + "/simple/alpha/",
		fi.srv.URL + "/simple/beta/",
	}, all.URLs)
	assert.Contains(t, all.Error(), "offline: 6 URL(s) not in the cache:\n\t")
	assert.Equal(t, 1, fi.hitsOf("/pypi/known/json"), "offline never asks the index")
}

func TestCacheRevalidation(t *testing.T) {
	fi := newFakeIndex(t)
	fi.add(synthProject{name: "demo", versions: []string{"1.0"}, requiresDist: []string{}})
	fi.mu.Lock()
	rt := fi.routes["/pypi/demo/json"]
	rt.etag = `"v1"`
	fi.routes["/pypi/demo/json"] = rt
	fi.mu.Unlock()
	dir := t.TempDir()

	first, err := fi.client(t, Options{CacheDir: dir}).Project(ctxT(t), "demo")
	require.NoError(t, err)

	// Stale: the entry is revalidated, and the index's 304 serves the cached body.
	var events []string
	var mu sync.Mutex
	stale := fi.client(t, Options{CacheDir: dir, MaxAge: time.Nanosecond, Progress: func(e string) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	second, err := stale.Project(ctxT(t), "demo")
	require.NoError(t, err)
	assert.Equal(t, first, second)
	assert.Equal(t, 2, fi.hitsOf("/pypi/demo/json"))
	assert.Contains(t, events, "GET "+fi.srv.URL+"/pypi/demo/json (revalidated)")

	// A changed document replaces the entry.
	fi.mu.Lock()
	rt.etag = `"v2"`
	rt.body = []byte(`{"info":{"name":"demo","version":"2.0"},"releases":{"2.0":[]}}`)
	fi.routes["/pypi/demo/json"] = rt
	fi.mu.Unlock()
	third, err := fi.client(t, Options{CacheDir: dir, MaxAge: time.Nanosecond}).Project(ctxT(t), "demo")
	require.NoError(t, err)
	assert.Equal(t, []string{"2.0:0"}, versionsOf(third))
	hits := fi.hitsOf("/pypi/demo/json")
	fourth, err := fi.client(t, Options{CacheDir: dir, Offline: true, MaxAge: time.Nanosecond}).Project(ctxT(t), "demo")
	require.NoError(t, err)
	assert.Equal(t, third, fourth, "offline, stale entries are used as they are")
	assert.Equal(t, hits, fi.hitsOf("/pypi/demo/json"))
}

func TestCacheCorruption(t *testing.T) {
	fi := newFakeIndex(t)
	p := synthProject{name: "demo", versions: []string{"1.0"}, requiresDist: []string{}}
	fi.add(p)
	dir := t.TempDir()
	data := p.sdist("1.0")
	f := File{Filename: "demo-1.0.tar.gz", URL: fi.srv.URL + "/packages/aa/bb/demo-1.0.tar.gz", SHA256: hexSHA256(data)}
	_, err := fi.client(t, Options{CacheDir: dir}).Download(ctxT(t), f)
	require.NoError(t, err)
	_, err = fi.client(t, Options{CacheDir: dir}).Project(ctxT(t), "demo")
	require.NoError(t, err)

	blob := filepath.Join(dir, "files", "sha256", f.SHA256[:2], f.SHA256)
	require.FileExists(t, blob)
	require.NoError(t, os.WriteFile(blob, []byte("bit rot"), 0o644))
	metas, err := filepath.Glob(filepath.Join(dir, "meta", "*"))
	require.NoError(t, err)
	require.Len(t, metas, 1)
	meta, err := os.ReadFile(metas[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(metas[0], meta[:len(meta)-3], 0o644))

	// Offline, damaged entries are misses, not wrong answers.
	off := fi.client(t, Options{CacheDir: dir, Offline: true})
	_, err = off.Download(ctxT(t), f)
	assert.ErrorIs(t, err, ErrOffline)
	_, err = off.Project(ctxT(t), "demo")
	assert.ErrorIs(t, err, ErrOffline)

	// Online, they are fetched again and repaired.
	got, err := fi.client(t, Options{CacheDir: dir}).Download(ctxT(t), f)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	assert.Equal(t, 2, fi.hitsOf("/packages/aa/bb/demo-1.0.tar.gz"))
	repaired, err := os.ReadFile(blob)
	require.NoError(t, err)
	assert.Equal(t, data, repaired)
	_, err = fi.client(t, Options{CacheDir: dir}).Project(ctxT(t), "demo")
	require.NoError(t, err)
	assert.Equal(t, 2, fi.hitsOf("/pypi/demo/json"))
}

// Two runs sharing one cache directory at once leave it whole.
func TestCacheConcurrentClients(t *testing.T) {
	fi := newFakeIndex(t)
	projects := synthProjects(16)
	for _, p := range projects {
		fi.add(p)
	}
	dir := t.TempDir()
	var g errgroup.Group
	results := make([]map[string]any, 2)
	for i := range results {
		g.Go(func() (err error) {
			results[i], err = fetchAll(ctxT(t), fi.client(t, Options{CacheDir: dir}), projects)
			return err
		})
	}
	require.NoError(t, g.Wait())
	assert.Equal(t, results[0], results[1])

	off := fi.client(t, Options{CacheDir: dir, Offline: true})
	got, err := fetchAll(ctxT(t), off, projects)
	require.NoError(t, err)
	assert.Equal(t, results[0], got)
	tmp, err := filepath.Glob(filepath.Join(dir, "*", ".tmp-*"))
	require.NoError(t, err)
	assert.Empty(t, tmp, "no temporary files are left behind")
}

func TestCacheUnwritable(t *testing.T) {
	fi := newFakeIndex(t)
	fi.add(synthProject{name: "demo", versions: []string{"1.0"}, requiresDist: []string{}})
	file := filepath.Join(t.TempDir(), "not-a-dir")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	var events []string
	c := fi.client(t, Options{CacheDir: file, Progress: func(e string) { events = append(events, e) }})
	_, err := c.Project(ctxT(t), "demo")
	require.NoError(t, err, "a broken cache costs speed, not correctness")
	assert.Contains(t, events[len(events)-1], "cache: ")
}
