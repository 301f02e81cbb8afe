package index

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// pathDigest is a 64-character "digest" that, taken as a cache blob name,
// leads from the cache's files/sha256/<first two>/ directory to the file
// victim beside the cache directory.
func pathDigest(victim string) string {
	d := "../../" + strings.Repeat("./", 26) + victim
	if len(d) != 64 {
		panic(len(d))
	}
	return d
}

func TestPathShapedDigestTouchesNothing(t *testing.T) {
	fi := newFakeIndex(t)
	root := t.TempDir()
	cacheDir := filepath.Join(root, "cache")
	victim := filepath.Join(root, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("precious"), 0o644))
	digest := pathDigest("victim")
	fi.set("/packages/demo-1.0.tar.gz", "application/octet-stream", []byte("synthetic"))
	c := fi.client(t, Options{CacheDir: cacheDir})

	t.Run("download", func(t *testing.T) {
		_, err := c.Download(ctxT(t), File{Filename: "demo-1.0.tar.gz", URL: fi.srv.URL + "/packages/demo-1.0.tar.gz", SHA256: digest})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not hexadecimal")
		assert.Equal(t, 0, fi.hitsOf("/packages/demo-1.0.tar.gz"), "nothing is fetched for an invalid digest")
	})
	t.Run("JSON API", func(t *testing.T) {
		fi.set("/pypi/demo/json", "application/json", []byte(`{"info":{"name":"demo","version":"1.0","requires_dist":null},"releases":{"1.0":[
			{"filename":"demo-1.0.tar.gz","packagetype":"sdist","url":"/packages/demo-1.0.tar.gz","digests":{"sha256":"`+digest+`"}}]},"urls":[]}`))
		_, err := c.Project(ctxT(t), "demo")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "file demo-1.0.tar.gz: sha256 digest")
	})
	t.Run("Simple API", func(t *testing.T) {
		for _, page := range []string{
			`<a href="/packages/demo-1.0.tar.gz#sha256=` + digest + `">demo-1.0.tar.gz</a>`,
			`<a href="/packages/demo-1.0.tar.gz#md5=../../../../../../../../etc/passwd" >demo-1.0.tar.gz</a>`,
			`<a href="/packages/demo-1.0-py3-none-any.whl" data-core-metadata="sha256=` + digest + `">demo-1.0-py3-none-any.whl</a>`,
		} {
			_, err := parseSimpleHTML([]byte(page))
			assert.Error(t, err, page)
		}
		_, err := parseSimpleJSON([]byte(`{"meta":{"api-version":"1.0"},"files":[{"filename":"demo-1.0.tar.gz","url":"u","hashes":{"sha256":"` + digest + `"}}]}`))
		assert.Error(t, err)
	})
	data, err := os.ReadFile(victim)
	require.NoError(t, err, "the victim survives")
	assert.Equal(t, "precious", string(data))
}

// TestCacheOpensRegularFilesOnly plants a FIFO, a symbolic link and a
// directory where blobs belong: the client neither hangs, nor follows the
// link, nor fails; it fetches the file again.
func TestCacheOpensRegularFilesOnly(t *testing.T) {
	data := []byte("synthetic sdist")
	h, err := pypi.NewHash("sha256", hexSHA256(data))
	require.NoError(t, err)
	outside := filepath.Join(t.TempDir(), "outside")
	require.NoError(t, os.WriteFile(outside, data, 0o644))
	plants := map[string]func(path string) error{
		"fifo":    func(p string) error { return syscall.Mkfifo(p, 0o644) },
		"symlink": func(p string) error { return os.Symlink(outside, p) },
		"dir":     func(p string) error { return os.Mkdir(p, 0o755) },
	}
	for name, plant := range plants {
		t.Run(name, func(t *testing.T) {
			fi := newFakeIndex(t)
			fi.set("/packages/demo-1.0.tar.gz", "application/octet-stream", data)
			dir := t.TempDir()
			c := fi.client(t, Options{CacheDir: dir})
			p, ok := c.cache.blobPath(h)
			require.True(t, ok)
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, plant(p))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := c.Download(ctx, File{Filename: "demo-1.0.tar.gz", URL: fi.srv.URL + "/packages/demo-1.0.tar.gz", SHA256: h.Hex})
				done <- err
			}()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(5 * time.Second):
				t.Fatal("Download hangs on a planted cache entry")
			}
			assert.Equal(t, 1, fi.hitsOf("/packages/demo-1.0.tar.gz"), "the planted entry is not used")
			_, err := os.Stat(outside)
			assert.NoError(t, err, "the link's target is not removed")
		})
	}
}

func TestHTTPIndexCannotPointAtFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "demo-1.0.tar.gz")
	require.NoError(t, os.WriteFile(secret, []byte("secret"), 0o644))
	fileURL := "file://" + filepath.ToSlash(secret)

	t.Run("JSON API", func(t *testing.T) {
		fi := newFakeIndex(t)
		fi.set("/pypi/demo/json", "application/json", []byte(`{"info":{"name":"demo","version":"1.0","requires_dist":null},"releases":{"1.0":[
			{"filename":"demo-1.0.tar.gz","packagetype":"sdist","url":"`+fileURL+`"}]},"urls":[]}`))
		_, err := fi.client(t, Options{}).Project(ctxT(t), "demo")
		assert.ErrorIs(t, err, ErrUnsafeURL)
	})
	t.Run("Simple API", func(t *testing.T) {
		fi := newFakeIndex(t)
		fi.set("/simple/demo/", "text/html", []byte(`<a href="`+fileURL+`">demo-1.0.tar.gz</a>`))
		_, err := fi.client(t, Options{}).Project(ctxT(t), "demo")
		assert.ErrorIs(t, err, ErrUnsafeURL)
	})
	t.Run("other schemes", func(t *testing.T) {
		fi := newFakeIndex(t)
		fi.set("/simple/demo/", "text/html", []byte(`<a href="ftp://h/demo-1.0.tar.gz">demo-1.0.tar.gz</a>`))
		_, err := fi.client(t, Options{}).Project(ctxT(t), "demo")
		assert.ErrorIs(t, err, ErrUnsafeURL)
	})
	t.Run("download", func(t *testing.T) {
		fi := newFakeIndex(t)
		_, err := fi.client(t, Options{}).Download(ctxT(t), File{Filename: "secret.tar.gz", URL: fileURL})
		assert.ErrorIs(t, err, ErrUnsafeURL)
	})
	t.Run("redirect to a file", func(t *testing.T) {
		fi := newFakeIndex(t)
		fi.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
			http.Redirect(w, r, fileURL, http.StatusFound)
			return true
		}
		_, err := fi.client(t, Options{Retries: -1}).Download(ctxT(t), File{Filename: "demo-1.0.tar.gz", URL: fi.srv.URL + "/packages/demo-1.0.tar.gz"})
		assert.ErrorIs(t, err, ErrUnsafeURL)
	})
	t.Run("redirect loop", func(t *testing.T) {
		fi := newFakeIndex(t)
		fi.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
			http.Redirect(w, r, "/loop/"+strings.Repeat("x", n), http.StatusFound)
			return true
		}
		_, err := fi.client(t, Options{Retries: -1}).Download(ctxT(t), File{Filename: "demo-1.0.tar.gz", URL: fi.srv.URL + "/packages/demo-1.0.tar.gz"})
		assert.ErrorIs(t, err, ErrUnsafeURL)
		assert.Equal(t, maxRedirects, fi.requests(), "the first request and %d redirects", maxRedirects-1)
	})
	t.Run("a mirror's files stay inside it", func(t *testing.T) {
		root := t.TempDir()
		c, err := New(Options{BaseURL: "file://" + filepath.ToSlash(root)})
		require.NoError(t, err)
		_, err = c.Download(ctxT(t), File{Filename: "secret.tar.gz", URL: fileURL})
		assert.ErrorIs(t, err, ErrUnsafeURL)
	})
	data, err := os.ReadFile(secret)
	require.NoError(t, err)
	assert.Equal(t, "secret", string(data))
}
