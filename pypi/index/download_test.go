package index

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// bigFile is synthetic content of n bytes.
func bigFile(n int) []byte {
	return bytes.Repeat([]byte("synthetic sdist content\n"), n/24+1)[:n]
}

// allocated returns the bytes fn allocates on the heap.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A download streams to the cache while being hashed: opening a 64 MiB file
// allocates a small fraction of it, and the file lands in the cache by its
// digest with no temporary file left behind.
func TestOpenStreamsToDisk(t *testing.T) {
	data := bigFile(64 << 20)
	fi := newFakeIndex(t)
	fi.set("/packages/big-1.0.tar.gz", "application/octet-stream", data)
	dir := t.TempDir()
	c := fi.client(t, Options{CacheDir: dir})
	t.Cleanup(func() { c.Close() })
	f := File{Filename: "big-1.0.tar.gz", URL: fi.srv.URL + "/packages/big-1.0.tar.gz", SHA256: hexSHA256(data)}
	var b *Blob
	var err error
	n := allocated(func() { b, err = c.Open(ctxT(t), f) })
	require.NoError(t, err)
	assert.Less(t, n, uint64(8<<20), "bytes allocated to download 64 MiB (the test server's share included)")
	assert.Equal(t, int64(len(data)), b.Size)
	assert.Equal(t, hexSHA256(data), b.Digest("sha256"))
	got := make([]byte, 10)
	_, err = b.ReadAt(got, int64(len(data)-10))
	require.NoError(t, err)
	assert.Equal(t, data[len(data)-10:], got)
	_, err = os.Stat(filepath.Join(dir, "files", "sha256", hexSHA256(data)[:2], hexSHA256(data)))
	assert.NoError(t, err)
	tmp, err := os.ReadDir(filepath.Join(dir, "files", "tmp"))
	require.NoError(t, err)
	assert.Empty(t, tmp)
}

// A file the index lists with md5 or sha512 only is verified against that
// digest, and its sha256 is computed.
func TestOpenVerifiesOtherDigests(t *testing.T) {
	data := []byte("synthetic sdist")
	sum := sha512.Sum512(data)
	sha512Hex := hex.EncodeToString(sum[:])
	fi := newFakeIndex(t)
	fi.set("/packages/demo-1.0.tar.gz", "application/octet-stream", data)
	c := fi.client(t, Options{CacheDir: t.TempDir()})
	u := fi.srv.URL + "/packages/demo-1.0.tar.gz"
	for _, h := range []pypi.Hash{{Algorithm: "md5", Hex: hexMD5(data)}, {Algorithm: "sha512", Hex: sha512Hex}} {
		b, err := c.Open(ctxT(t), File{Filename: "demo-1.0.tar.gz", URL: u, Hashes: []pypi.Hash{h}})
		require.NoError(t, err, h.Algorithm)
		assert.Equal(t, hexSHA256(data), b.Digest("sha256"))
		bad := pypi.Hash{Algorithm: h.Algorithm, Hex: strings.Repeat("0", len(h.Hex))}
		_, err = c.Open(ctxT(t), File{Filename: "demo-1.0.tar.gz", URL: u, Hashes: []pypi.Hash{bad}})
		assert.ErrorIs(t, err, ErrDigestMismatch, h.Algorithm)
	}
}

// A compressed document is bounded after decompression: a gzip bomb fails
// at the limit, without retries.
func TestGzipBombBounded(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	_, err := io.Copy(zw, io.LimitReader(zeros{}, 64<<20))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	fi := newFakeIndex(t)
	fi.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
		return true
	}
	c := fi.client(t, Options{})
	c.maxDoc = 1 << 20
	var perr error
	n := allocated(func() { _, perr = c.Project(ctxT(t), "demo") })
	require.Error(t, perr)
	assert.Contains(t, perr.Error(), "exceeds the limit of 1048576 bytes")
	assert.Equal(t, 1, fi.requests(), "not retried")
	assert.Less(t, n, uint64(16<<20), "bytes allocated reading a 64 MiB bomb under a 1 MiB limit")
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// BenchmarkOpen64MiB measures a cold 64 MiB download to the cache; the
// allocated bytes per download stay far below the file's size (about
// 0.3 MiB here, against 64 MiB held in memory before streaming).
func BenchmarkOpen64MiB(b *testing.B) {
	data := bigFile(64 << 20)
	fi := newFakeIndex(b)
	fi.set("/packages/big-1.0.tar.gz", "application/octet-stream", data)
	f := File{Filename: "big-1.0.tar.gz", URL: fi.srv.URL + "/packages/big-1.0.tar.gz", SHA256: hexSHA256(data)}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		c := fi.client(b, Options{CacheDir: b.TempDir()})
		if _, err := c.Open(ctxT(b), f); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// The timeout is an idle timeout: a body that keeps arriving, slower in all
// than the timeout, completes; one that stalls is cut off and retried.
func TestIdleTimeout(t *testing.T) {
	data := bigFile(10)
	chunks := func(pause time.Duration, stallAt int) func(w http.ResponseWriter, r *http.Request, n int) bool {
		return func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.Header().Set("Content-Length", "10")
			w.WriteHeader(http.StatusOK)
			for i := range data {
				w.Write(data[i : i+1])
				w.(http.Flusher).Flush()
				if i == stallAt {
					time.Sleep(10 * pause)
				}
				time.Sleep(pause)
			}
			return true
		}
	}
	fi := newFakeIndex(t)
	fi.fault = chunks(30*time.Millisecond, -1) // 300 ms in all, 30 ms between bytes
	c := fi.client(t, Options{Timeout: 150 * time.Millisecond, Retries: -1})
	got, err := c.Download(ctxT(t), File{Filename: "x-1.0.tar.gz", URL: fi.srv.URL + "/packages/x-1.0.tar.gz"})
	require.NoError(t, err)
	assert.Equal(t, data, got)

	fi = newFakeIndex(t)
	fi.fault = chunks(20*time.Millisecond, 4) // stalls 200 ms after 5 bytes
	c = fi.client(t, Options{Timeout: 100 * time.Millisecond, Retries: 1})
	_, err = c.Download(ctxT(t), File{Filename: "x-1.0.tar.gz", URL: fi.srv.URL + "/packages/x-1.0.tar.gz"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no data for 100ms after 2 attempts")
}

// Documents wait for the memory budget, which clients can share.
func TestBudgetShared(t *testing.T) {
	fi := newFakeIndex(t)
	fi.add(synthProject{name: "demo", versions: []string{"1.0"}, requiresDist: []string{}})
	b := NewBudget(1 << 20)
	c := fi.client(t, Options{Budget: b, Retries: -1})
	require.NoError(t, b.sem.Acquire(ctxT(t), b.size)) // another client's documents hold it all
	ctx, cancel := context.WithTimeout(ctxT(t), 100*time.Millisecond)
	defer cancel()
	_, err := c.Project(ctx, "demo")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	b.sem.Release(b.size)
	_, err = c.Project(ctxT(t), "demo")
	require.NoError(t, err)
}
