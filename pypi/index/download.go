package index

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/crypto/blake2b"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// Blob is a downloaded distribution file, verified against every digest the
// index gives for it. It stays on disk (in the cache, or an unlinked
// temporary file without one): only what a reader asks for is read.
type Blob struct {
	Size int64
	// Hashes are the file's digests in every algorithm pypi.NewHash knows,
	// computed here (so a file the index lists with md5 or sha512 only still
	// has its sha256), sorted by algorithm.
	Hashes []pypi.Hash
	r      io.ReaderAt
}

// NewBlob wraps bytes already in memory (an in-memory index, a test) as a
// Blob, with their digests computed.
func NewBlob(data []byte) *Blob {
	d := newDigester()
	d.Write(data)
	return &Blob{Size: int64(len(data)), Hashes: d.sums(), r: bytes.NewReader(data)}
}

// ReadAt implements io.ReaderAt; it is safe for concurrent use.
func (b *Blob) ReadAt(p []byte, off int64) (int, error) { return b.r.ReadAt(p, off) }

// Digest returns the file's digest in algorithm ("" when not computed).
func (b *Blob) Digest(algorithm string) string {
	for _, h := range b.Hashes {
		if h.Algorithm == algorithm {
			return h.Hex
		}
	}
	return ""
}

// blobFile is a download the client keeps open for its lifetime.
type blobFile struct {
	f      *os.File
	size   int64
	hashes []pypi.Hash
}

// ErrDigestMismatch is wrapped by the error for a download whose digest
// differs from the index's.
var ErrDigestMismatch = errors.New("digest mismatch")

// Open downloads a distribution file (or finds it in the cache) and verifies
// it against every digest the index gives (f.Hashes and f.SHA256, validated
// again here). Concurrent and repeated calls for one URL share one download.
func (c *Client) Open(ctx context.Context, f File) (*Blob, error) {
	if f.URL == "" {
		return nil, &Error{Err: fmt.Errorf("download %s: no URL", f.Filename)}
	}
	want, err := wantedHashes(f)
	if err != nil {
		return nil, &Error{Err: fmt.Errorf("download %s: %w", f.Filename, err)}
	}
	d, err := c.fetch(ctx, f.URL, "", true, want)
	if err != nil {
		return nil, c.noteMisses(err)
	}
	// The run's memo is keyed by URL: a second File naming the same URL
	// with other digests must not slip through.
	if err := verify(f.URL, want, d.blob.hashes); err != nil {
		return nil, &Error{Err: err}
	}
	return &Blob{Size: d.blob.size, Hashes: d.blob.hashes, r: d.blob.f}, nil
}

// Download is Open for small files: it returns the verified file's bytes.
func (c *Client) Download(ctx context.Context, f File) ([]byte, error) {
	b, err := c.Open(ctx, f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.NewSectionReader(b, 0, b.Size))
}

// Close releases the files the client keeps open for its downloads.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for k, d := range c.memo {
		if d.blob != nil {
			errs = append(errs, d.blob.f.Close())
			delete(c.memo, k)
		}
	}
	return errors.Join(errs...)
}

// wantedHashes validates a File's digests.
func wantedHashes(f File) ([]pypi.Hash, error) {
	var want []pypi.Hash
	for _, h := range f.Hashes {
		v, err := pypi.NewHash(h.Algorithm, h.Hex)
		if err != nil {
			return nil, err
		}
		want = append(want, v)
	}
	if f.SHA256 != "" {
		v, err := pypi.NewHash("sha256", f.SHA256)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(want, v) {
			want = append(want, v)
		}
	}
	return want, nil
}

// verify checks computed digests against every wanted one.
func verify(u string, want, got []pypi.Hash) error {
	for _, w := range want {
		g := ""
		for _, h := range got {
			if h.Algorithm == w.Algorithm {
				g = h.Hex
			}
		}
		if g != w.Hex {
			return fmt.Errorf("GET %s: %w: the index says %s, got %s:%s", u, ErrDigestMismatch, w, w.Algorithm, g)
		}
	}
	return nil
}

// digester computes every digest pypi.NewHash knows in one pass.
type digester struct {
	hs map[string]hash.Hash
	w  io.Writer
}

func newDigester() *digester {
	b2, _ := blake2b.New256(nil) // cannot fail without a key
	d := &digester{hs: map[string]hash.Hash{
		"md5": md5.New(), "sha1": sha1.New(), "sha224": sha256.New224(), "sha256": sha256.New(),
		"sha384": sha512.New384(), "sha512": sha512.New(), "blake2b_256": b2,
	}}
	ws := make([]io.Writer, 0, len(d.hs))
	for _, h := range d.hs {
		ws = append(ws, h)
	}
	d.w = io.MultiWriter(ws...)
	return d
}

func (d *digester) Write(p []byte) (int, error) { return d.w.Write(p) }

func (d *digester) sums() []pypi.Hash {
	out := make([]pypi.Hash, 0, len(d.hs))
	for algo, h := range d.hs {
		out = append(out, pypi.Hash{Algorithm: algo, Hex: hex.EncodeToString(h.Sum(nil))})
	}
	slices.SortFunc(out, func(a, b pypi.Hash) int {
		switch {
		case a.Algorithm < b.Algorithm:
			return -1
		case a.Algorithm > b.Algorithm:
			return 1
		}
		return 0
	})
	return out
}

// spooled is a body streamed to a temporary file while being hashed.
type spooled struct {
	f      *os.File
	size   int64
	hashes []pypi.Hash
	named  bool // f still has a name (inside the cache) to rename or remove
}

// discard removes a spooled file that will not be used; nil is fine.
func (s *spooled) discard() {
	if s == nil {
		return
	}
	s.f.Close()
	if s.named {
		os.Remove(s.f.Name())
	}
}

// spool streams r (at most limit bytes) to a temporary file while hashing
// it: inside the cache (files/tmp) when there is one, so that the verified
// file is renamed into place; else an unlinked file in the system's
// temporary directory, which disappears with its descriptor.
func (c *Client) spool(r io.Reader, limit int64) (*spooled, error) {
	dir, named := os.TempDir(), false
	if c.cache != nil {
		dir, named = filepath.Join(c.cache.dir, "files", "tmp"), true
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
	}
	f, err := os.CreateTemp(dir, ".download-*")
	if err != nil {
		return nil, err
	}
	s := &spooled{f: f, named: named}
	if !named {
		os.Remove(f.Name())
	}
	d := newDigester()
	n, err := io.Copy(io.MultiWriter(f, d), io.LimitReader(r, limit+1))
	switch {
	case err != nil:
		s.discard()
		return nil, err
	case n > limit:
		s.discard()
		return nil, &limitError{limit}
	}
	s.size, s.hashes = n, d.sums()
	return s, nil
}

// hashFile hashes an open file from its start.
func hashFile(f *os.File) ([]pypi.Hash, int64, error) {
	d := newDigester()
	n, err := io.Copy(d, io.NewSectionReader(f, 0, 1<<62))
	if err != nil {
		return nil, 0, err
	}
	return d.sums(), n, nil
}

// loadFile fetches a distribution file, from the content-addressed cache
// when its sha256 is known, and verifies it against want (validated
// digests).
func (c *Client) loadFile(ctx context.Context, u string, want []pypi.Hash) (*document, error) {
	if i := slices.IndexFunc(want, func(h pypi.Hash) bool { return h.Algorithm == "sha256" }); i >= 0 && c.cache != nil {
		if b := c.cachedBlob(u, want[i], want); b != nil {
			return &document{blob: b}, nil
		}
	}
	pu, err := c.checkURL(u)
	if err != nil {
		return nil, err
	}
	var b *blobFile
	switch {
	case pu.Scheme == "file":
		if b, err = c.openMirrorFile(pu); err != nil {
			return nil, err
		}
	case c.offline:
		return nil, &OfflineMissError{URLs: []string{u}}
	default:
		res, err := c.retrieve(ctx, u, "", c.maxFile, nil, true)
		if err != nil {
			return nil, err
		}
		if b, err = c.keep(res.file); err != nil {
			return nil, err
		}
	}
	if err := verify(u, want, b.hashes); err != nil {
		b.f.Close()
		return nil, err
	}
	return &document{blob: b}, nil
}

// cachedBlob opens the cached file with digest h when it is intact and
// matches want; a damaged one is removed.
func (c *Client) cachedBlob(u string, h pypi.Hash, want []pypi.Hash) *blobFile {
	p, ok := c.cache.blobPath(h)
	if !ok {
		return nil
	}
	f, st, err := openRegular(p)
	if err != nil {
		return nil
	}
	hashes, n, err := hashFile(f)
	if err != nil || n != st.Size() || verify(u, want, hashes) != nil {
		f.Close()
		if err == nil && slices.Contains(hashes, h) {
			return nil // intact, but the index names other digests: fetch and fail there
		}
		_ = os.Remove(p)
		c.logf("cache: discarded corrupt blob %s for %s", h, u)
		return nil
	}
	c.logf("GET %s (cached)", u)
	return &blobFile{f: f, size: n, hashes: hashes}
}

// keep turns a spooled download into a kept file: renamed into the cache
// under its sha256 when there is a cache.
func (c *Client) keep(s *spooled) (*blobFile, error) {
	b := &blobFile{f: s.f, size: s.size, hashes: s.hashes}
	if !s.named {
		return b, nil
	}
	sha := pypi.Hash{Algorithm: "sha256"}
	for _, h := range s.hashes {
		if h.Algorithm == "sha256" {
			sha = h
		}
	}
	p, ok := c.cache.blobPath(sha)
	if !ok {
		s.discard()
		return nil, fmt.Errorf("cache: no sha256 computed")
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
		err = os.Rename(s.f.Name(), p)
		if err == nil {
			return b, nil
		}
	}
	// A cache that cannot be written costs speed, not correctness: the
	// open file is still good.
	os.Remove(s.f.Name())
	c.logf("cache: could not keep %s", sha)
	return b, nil
}

// openMirrorFile opens a file of a file:// mirror (a regular file only) and
// hashes it.
func (c *Client) openMirrorFile(u *url.URL) (*blobFile, error) {
	f, st, err := openRegular(filepath.FromSlash(u.Path))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", u, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	if st.Size() > c.maxFile {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", u, &limitError{c.maxFile})
	}
	hashes, n, err := hashFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	c.logf("GET %s", u)
	return &blobFile{f: f, size: n, hashes: hashes}, nil
}
