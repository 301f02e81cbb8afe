package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// Accept headers. simpleAccept is exactly what pip sends, so an index answers
// this client as it answers pip.
const (
	jsonAccept   = "application/json"
	simpleAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
	userAgent    = "pip2nix-bitpoll"
)

// document is a fetched response body and where it came from (after
// redirects), for resolving the references inside it.
type document struct {
	url         *url.URL
	contentType string
	body        []byte
	blob        *blobFile // downloads: the file on disk, instead of body
}

// fetch returns the body at u, from the run's memo, the disk cache or the
// index. Concurrent calls for one URL share one request. Downloads are
// checked against want (validated digests) and cached by digest; index
// documents are cached by URL.
func (c *Client) fetch(ctx context.Context, u, accept string, download bool, want []pypi.Hash) (*document, error) {
	key := accept + "\n" + u
	if download {
		key = "download\n" + u
	}
	for {
		d, shared, err := c.fetchOnce(ctx, key, u, accept, download, want)
		// A shared request runs under the context of whoever started it; if
		// that caller gave up, the others ask again.
		if shared && err != nil && ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			continue
		}
		return d, err
	}
}

func (c *Client) fetchOnce(ctx context.Context, key, u, accept string, download bool, want []pypi.Hash) (*document, bool, error) {
	c.mu.Lock()
	d, ok := c.memo[key]
	c.mu.Unlock()
	if ok {
		return d, false, nil
	}
	ch := c.group.DoChan(key, func() (any, error) {
		var d *document
		var err error
		if download {
			d, err = c.loadFile(ctx, u, want)
		} else {
			d, err = c.loadDocument(ctx, u, accept)
		}
		if err != nil {
			return nil, err
		}
		c.remember(key, d)
		return d, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Shared, r.Err
		}
		return r.Val.(*document), r.Shared, nil
	case <-ctx.Done():
		return nil, false, fmt.Errorf("GET %s: %w", u, ctx.Err())
	}
}

// remember memoizes d for the run. Index documents' bodies count against
// maxRetained: the oldest are forgotten to make room, and a body larger
// than the bound is not kept at all. Downloads (on disk) cost nothing.
func (c *Client) remember(key string, d *document) {
	n := int64(len(d.body))
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.memo[key]; ok || n > c.maxRetained {
		return
	}
	for c.retained+n > c.maxRetained {
		old := c.kept[0]
		c.kept = c.kept[1:]
		c.retained -= int64(len(c.memo[old].body))
		delete(c.memo, old)
	}
	c.memo[key] = d
	if n > 0 {
		c.kept = append(c.kept, key)
		c.retained += n
	}
}

// loadDocument fetches an index document, using the disk cache while it is
// fresh and revalidating it afterwards.
func (c *Client) loadDocument(ctx context.Context, u, accept string) (*document, error) {
	pu, err := c.checkURL(u)
	if err != nil {
		return nil, err
	}
	if pu.Scheme == "file" {
		return c.readMirror(pu, accept, c.maxDoc)
	}
	var ent *metaEntry
	if c.cache != nil {
		ent = c.cache.loadMeta(u)
	}
	if ent != nil && (c.offline || c.now().Sub(ent.Fetched) < c.maxAge) {
		c.logf("GET %s (cached)", u)
		return ent.document()
	}
	if c.offline {
		return nil, &OfflineMissError{URLs: []string{u}}
	}
	res, err := c.retrieve(ctx, u, accept, c.maxDoc, ent, false)
	if err != nil {
		return nil, err
	}
	if res.code == http.StatusNotModified {
		ent.Fetched = c.now()
		c.storeMeta(ent)
		c.logf("GET %s (revalidated)", u)
		return ent.document()
	}
	d := &document{url: res.url, contentType: res.header.Get("Content-Type"), body: res.body}
	if c.cache != nil {
		c.storeMeta(&metaEntry{
			URL:          u,
			FinalURL:     res.url.String(),
			ContentType:  d.contentType,
			ETag:         res.header.Get("ETag"),
			LastModified: res.header.Get("Last-Modified"),
			Fetched:      c.now(),
			body:         res.body,
		})
	}
	return d, nil
}

func (c *Client) storeMeta(e *metaEntry) {
	if err := c.cache.storeMeta(e); err != nil {
		// A cache that cannot be written costs speed, not correctness.
		c.logf("cache: %v", err)
	}
}

// ErrUnsafeURL is wrapped by the error for a URL an index may not make this
// client read: a file:// (or any non-HTTP) URL from an HTTP index, a file
// outside a file:// mirror, a redirect to another scheme.
var ErrUnsafeURL = errors.New("URL refused")

// checkURL parses a URL taken from an index response and refuses what the
// index may not point at: an http(s) index serves http(s) URLs only, so it
// cannot make the client read local files; a file:// mirror serves its own
// files and http(s) URLs.
func (c *Client) checkURL(u string) (*url.URL, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	switch pu.Scheme {
	case "http", "https":
		return pu, nil
	case "file":
		if c.base.Scheme != "file" {
			return nil, fmt.Errorf("GET %s: %w: an %s index may only point at http(s) URLs", u, ErrUnsafeURL, c.base.Scheme)
		}
		if rel, err := filepath.Rel(filepath.FromSlash(c.base.Path), filepath.FromSlash(pu.Path)); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("GET %s: %w: outside the mirror %s", u, ErrUnsafeURL, c.base)
		}
		return pu, nil
	}
	return nil, fmt.Errorf("GET %s: %w: scheme %q (want http or https)", u, ErrUnsafeURL, pu.Scheme)
}

// maxRedirects bounds the redirects followed for one request.
const maxRedirects = 10

// checkRedirect follows at most maxRedirects redirects, to http(s) URLs only.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrUnsafeURL, maxRedirects)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: redirect to %s", ErrUnsafeURL, req.URL.Redacted())
	}
	return nil
}

// readMirror reads a file of a file:// mirror. A directory URL (…/simple/p/)
// reads index.json when JSON is acceptable, else index.html.
func (c *Client) readMirror(u *url.URL, accept string, limit int64) (*document, error) {
	p := filepath.FromSlash(u.Path)
	candidates := []string{p}
	if strings.HasSuffix(u.Path, "/") {
		candidates = []string{filepath.Join(p, "index.html")}
		if strings.Contains(accept, "json") {
			candidates = []string{filepath.Join(p, "index.json"), filepath.Join(p, "index.html")}
		}
	}
	for _, name := range candidates {
		data, err := readLimited(name, limit)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", u, err)
		}
		c.logf("GET %s", u)
		ct := "application/octet-stream"
		switch {
		case strings.HasSuffix(name, "index.json"):
			ct = "application/vnd.pypi.simple.v1+json"
		case strings.HasSuffix(name, ".html"):
			ct = "text/html"
		case strings.HasSuffix(name, "json"):
			ct = "application/json"
		}
		fu := *u
		fu.Path = filepath.ToSlash(name)
		return &document{url: &fu, contentType: ct, body: data}, nil
	}
	return nil, fmt.Errorf("read %s: %w", u, ErrNotFound)
}

// readLimited reads a mirror's file: a regular file (a directory reads as
// absent) of at most limit bytes.
func readLimited(name string, limit int64) ([]byte, error) {
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return nil, os.ErrNotExist
	}
	return readRegular(name, limit)
}

// httpResult is a successful (200) or not-modified (304) answer: a body
// read into memory, or a download spooled to disk.
type httpResult struct {
	code   int
	url    *url.URL
	header http.Header
	body   []byte
	file   *spooled
}

// retrieve GETs u with retries. cond, when not nil, makes the request
// conditional on the cached entry's validators. spool streams the body to a
// file (downloads) instead of memory (documents).
func (c *Client) retrieve(ctx context.Context, u, accept string, limit int64, cond *metaEntry, spool bool) (*httpResult, error) {
	for attempt := 1; ; attempt++ {
		res, retryAfter, err := c.attempt(ctx, u, accept, limit, cond, spool)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("GET %s: %w", u, ctx.Err())
		}
		var re *retryableError
		if !errors.As(err, &re) || attempt > c.retries {
			return nil, withAttempts(u, err, attempt)
		}
		wait := c.backoffDelay(attempt, retryAfter)
		c.logf("GET %s: %v; retrying in %v", u, re.err, wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("GET %s: %w (after %d attempts)", u, ctx.Err(), attempt)
		}
	}
}

// retryableError marks a failure worth another attempt.
type retryableError struct{ err error }

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

func withAttempts(u string, err error, attempts int) error {
	var se *StatusError
	if errors.As(err, &se) {
		se.Attempts = attempts
		return se
	}
	if re, ok := err.(*retryableError); ok {
		err = re.err
	}
	if attempts > 1 {
		return fmt.Errorf("GET %s: %w after %d attempts", u, err, attempts)
	}
	return fmt.Errorf("GET %s: %w", u, err)
}

// attempt makes one request. A non-zero duration is the server's Retry-After.
func (c *Client) attempt(ctx context.Context, u, accept string, limit int64, cond *metaEntry, spool bool) (*httpResult, time.Duration, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	defer func() { <-c.sem }()
	// The timeout is a watchdog, not a deadline: it fires when the server
	// sends nothing for c.timeout (no headers yet, or a stalled body), so a
	// large file on a slow but steady link still completes.
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := &idleTimer{d: c.timeout, t: time.AfterFunc(c.timeout, func() { cancel(errIdle) })}
	defer idle.t.Stop()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", userAgent)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if spool {
		// A file is hashed as the index stores it: no transfer encoding
		// may change its bytes (pip asks the same).
		req.Header.Set("Accept-Encoding", "identity")
	}
	if cond != nil {
		if cond.ETag != "" {
			req.Header.Set("If-None-Match", cond.ETag)
		}
		if cond.LastModified != "" {
			req.Header.Set("If-Modified-Since", cond.LastModified)
		}
	}
	c.logf("GET %s", u)
	transient := func(err error) error {
		if ctx.Err() == nil && context.Cause(actx) == errIdle {
			err = fmt.Errorf("no data for %v", c.timeout)
		}
		return &retryableError{err}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, 0, transient(err)
	}
	defer resp.Body.Close()
	body := &idleReader{r: resp.Body, idle: idle}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusNotModified && cond != nil:
		return &httpResult{code: resp.StatusCode, url: resp.Request.URL, header: resp.Header}, 0, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		se := &StatusError{URL: u, Code: resp.StatusCode, Status: resp.Status, Attempts: 1}
		return nil, retryAfter(resp.Header.Get("Retry-After"), c.now()), &retryableError{se}
	default:
		return nil, 0, &StatusError{URL: u, Code: resp.StatusCode, Status: resp.Status, Attempts: 1}
	}
	if resp.ContentLength > limit {
		return nil, 0, fmt.Errorf("response of %d bytes exceeds the limit of %d bytes", resp.ContentLength, limit)
	}
	res := &httpResult{code: resp.StatusCode, url: resp.Request.URL, header: resp.Header}
	var n int64
	if spool {
		res.file, err = c.spool(body, limit)
		if res.file != nil {
			n = res.file.size
		}
	} else {
		res.body, err = c.readBody(ctx, body, limit, resp.ContentLength)
		n = int64(len(res.body))
	}
	var tooBig *limitError
	switch {
	case errors.As(err, &tooBig):
		return nil, 0, err
	case err != nil:
		return nil, 0, transient(fmt.Errorf("reading body: %w", err))
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		res.file.discard()
		return nil, 0, transient(fmt.Errorf("body has %d bytes, Content-Length says %d", n, resp.ContentLength))
	}
	return res, 0, nil
}

// errIdle cancels a request whose server sent nothing for the timeout.
var errIdle = errors.New("idle timeout")

// idleTimer is a request's watchdog, pushed back by every byte received.
type idleTimer struct {
	d time.Duration
	t *time.Timer
}

// idleReader pushes the watchdog back whenever the body makes progress.
type idleReader struct {
	r    io.Reader
	idle *idleTimer
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.idle.t.Reset(r.idle.d)
	}
	return n, err
}

// limitError is a response larger than its limit: not worth a retry.
type limitError struct{ limit int64 }

func (e *limitError) Error() string {
	return fmt.Sprintf("response exceeds the limit of %d bytes", e.limit)
}

// readBody reads a document into memory under the client's memory budget:
// it reserves the declared length (else the limit, for a body of unknown
// length such as a compressed one) before reading, so that the documents
// read at once never hold more than the budget, and releases it after.
// The bytes read are bounded by limit after decompression.
func (c *Client) readBody(ctx context.Context, r io.Reader, limit, declared int64) ([]byte, error) {
	reserve := limit
	if declared >= 0 && declared < limit {
		reserve = declared
	}
	reserve = min(max(reserve, 1), c.budget.size)
	if err := c.budget.sem.Acquire(ctx, reserve); err != nil {
		return nil, err
	}
	defer c.budget.sem.Release(reserve)
	var buf bytes.Buffer
	if declared >= 0 {
		buf.Grow(int(declared) + 1)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, &limitError{limit}
	}
	return buf.Bytes(), nil
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// backoffDelay is exponential backoff with full jitter, at least the server's
// Retry-After, never more than maxWait.
func (c *Client) backoffDelay(attempt int, after time.Duration) time.Duration {
	ceiling := c.maxWait
	if attempt < 30 && c.backoff<<(attempt-1) < ceiling {
		ceiling = c.backoff << (attempt - 1)
	}
	d := time.Duration(rand.Int64N(int64(ceiling) + 1))
	if after > d {
		d = after
	}
	return min(d, c.maxWait)
}
