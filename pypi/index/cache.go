package index

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// cache is the on-disk cache under one directory:
//
//	files/sha256/<ab>/<hex>   distribution files, content-addressed
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
	data, err := os.ReadFile(c.metaPath(u))
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

func (c *cache) blobPath(hexDigest string) string {
	return filepath.Join(c.dir, "files", "sha256", hexDigest[:2], hexDigest)
}

// readBlob returns the cached file with the given SHA-256, or nil. A blob
// whose content does not match its name is removed and reported as corrupt.
func (c *cache) readBlob(hexDigest string) (data []byte, corrupt bool) {
	if len(hexDigest) != sha256.Size*2 {
		return nil, false
	}
	p := c.blobPath(hexDigest)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != hexDigest {
		_ = os.Remove(p)
		return nil, true
	}
	return data, false
}

func (c *cache) writeBlob(hexDigest string, data []byte) error {
	return writeAtomic(c.blobPath(hexDigest), data)
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
