package index

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// cache is the on-disk cache under one directory:
//
//	files/sha256/<ab>/<hex>   distribution files, content-addressed
//	files/tmp/                downloads being streamed in (then renamed)
//	meta/<sha256(url)>        index documents: a JSON header line, then the body
//
// Every write goes to a temporary file in the target's directory and is
// renamed into place, so concurrent runs sharing a cache never see a partial
// entry. Entries are checked against their digest when read; a damaged one
// reads as absent.
type cache struct {
	dir string
}

// metaEntry is a cached index document with its HTTP validators.
type metaEntry struct {
	URL          string    `json:"url"`
	FinalURL     string    `json:"finalURL"` // after redirects
	ContentType  string    `json:"contentType"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"lastModified,omitempty"`
	Fetched      time.Time `json:"fetched"`
	BodySHA256   string    `json:"bodySHA256"`
	body         []byte
}

func (e *metaEntry) document() (*document, error) {
	u, err := url.Parse(e.FinalURL)
	if err != nil {
		return nil, fmt.Errorf("cached %s: %w", e.URL, err)
	}
	return &document{url: u, contentType: e.ContentType, body: e.body}, nil
}

func (c *cache) metaPath(u string) string {
	sum := sha256.Sum256([]byte(u))
	return filepath.Join(c.dir, "meta", hex.EncodeToString(sum[:]))
}

// loadMeta returns the entry for u, or nil when there is none or it is damaged.
func (c *cache) loadMeta(u string) *metaEntry {
	data, err := readRegular(c.metaPath(u), maxDocumentSize+64<<10)
	if err != nil {
		return nil
	}
	head, body, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		return nil
	}
	var e metaEntry
	if json.Unmarshal(head, &e) != nil || e.URL != u {
		return nil
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != e.BodySHA256 {
		return nil
	}
	e.body = body
	return &e
}

func (c *cache) storeMeta(e *metaEntry) error {
	sum := sha256.Sum256(e.body)
	e.BodySHA256 = hex.EncodeToString(sum[:])
	head, err := json.Marshal(e)
	if err != nil {
		return err
	}
	data := make([]byte, 0, len(head)+1+len(e.body))
	data = append(append(append(data, head...), '\n'), e.body...)
	return writeAtomic(c.metaPath(e.URL), data)
}

// blobPath names the cache entry of a file by its digest. Only a validated
// sha256 Hash (64 lower-case hex digits, see pypi.NewHash) names an entry,
// so the path is always inside the cache directory.
func (c *cache) blobPath(h pypi.Hash) (string, bool) {
	if h.Algorithm != "sha256" {
		return "", false
	}
	if v, err := pypi.NewHash(h.Algorithm, h.Hex); err != nil || v != h {
		return "", false
	}
	return filepath.Join(c.dir, "files", "sha256", h.Hex[:2], h.Hex), true
}

// openRegular opens name for reading only if it is a regular file: the
// final component is not followed when it is a symbolic link, and opening
// does not block on a FIFO (the check after opening rejects it).
func openRegular(name string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|openNoFollow|openNonBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a regular file", name)
	}
	return f, st, nil
}

// readRegular reads a regular file of at most limit bytes.
func readRegular(name string, limit int64) ([]byte, error) {
	f, st, err := openRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes exceed the limit of %d", name, st.Size(), limit)
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

// writeAtomic replaces path with data by renaming a temporary file from the
// same directory over it.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("cache: writing %s: %w", path, werr)
	}
	return nil
}
