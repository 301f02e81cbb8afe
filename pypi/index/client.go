package index

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/sync/singleflight"
)

// DefaultIndexURL is the public Python package index, the base of its JSON API
// (/pypi/<project>/json) and Simple API (/simple/<project>/).
const DefaultIndexURL = "https://pypi.org"

// Defaults for the zero values of Options.
const (
	DefaultRetries     = 4
	DefaultConcurrency = 8
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAge      = 10 * time.Minute
	DefaultBackoffBase = 250 * time.Millisecond
	DefaultMaxBackoff  = 15 * time.Second
	// DefaultMemoryBudget bounds the documents read at once (Options.Budget).
	DefaultMemoryBudget = 256 << 20
	// MaxRetained bounds the bytes of index documents a Client keeps for
	// the rest of its run once read; the oldest are dropped to make room.
	MaxRetained = 256 << 20
)

// Size caps, so that a hostile or broken index cannot exhaust memory.
const (
	maxDocumentSize = 64 << 20 // JSON and HTML documents
	maxFileSize     = 1 << 30  // distribution files
)

// Options configure a Client. The zero value talks to $PIP_INDEX_URL or else
// DefaultIndexURL, without a disk cache.
type Options struct {
	// BaseURL is the index's base: http(s)://host[/prefix] serving
	// /pypi/<p>/json and /simple/<p>/, or file:///dir for a mirror laid out as
	// plain files (dir/pypi/<p>/json, dir/pypi/<p>/<v>/json,
	// dir/simple/<p>/index.json or index.html, dir/packages/…). "" means
	// $PIP_INDEX_URL (without its trailing /simple) or else DefaultIndexURL.
	BaseURL string
	// HTTPClient is used for every request; nil means one with sane
	// connection timeouts.
	HTTPClient *http.Client
	// CacheDir holds the on-disk cache; "" means no disk cache.
	CacheDir string
	// Offline answers from the cache only; a miss is an *OfflineMissError.
	Offline bool
	// Retries is how often a failed request is retried (default 4; negative
	// means never).
	Retries int
	// Concurrency is the maximum number of requests in flight (default 8).
	Concurrency int
	// Timeout is how long a request may go without receiving anything:
	// before the response headers, or between reads of the body (default
	// 30s). A slow body that keeps arriving is never cut off; bound a whole
	// run with the context instead.
	Timeout time.Duration
	// MaxAge is how long a cached index document is used without asking the
	// index again (default 10 minutes); older entries are revalidated.
	MaxAge time.Duration
	// BackoffBase is the first retry's maximum delay (default 250ms); each
	// retry doubles it, up to MaxBackoff (default 15s), which also caps a
	// server's Retry-After.
	BackoffBase time.Duration
	MaxBackoff  time.Duration
	// Budget bounds the bytes of index documents being read at once; share
	// one between the clients of a run (--extra-index-url) to bound them
	// all. nil means a budget of DefaultMemoryBudget for this client alone.
	// Downloads stream to disk and take none.
	Budget *Budget
	// Progress, when set, is told about every request, e.g.
	// "GET https://…/pypi/django/json (cached)". It may be called from
	// several goroutines at once.
	Progress func(event string)
}

// Client fetches project and release data from one index. It is safe for
// concurrent use. Every URL is fetched at most once per Client while its
// document is kept: documents kept for the run hold at most MaxRetained
// bytes, the oldest are dropped to make room (asked again, they come from
// the disk cache or the index).
type Client struct {
	base     *url.URL
	http     *http.Client
	cache    *cache // nil without CacheDir
	offline  bool
	retries  int
	timeout  time.Duration
	maxAge   time.Duration
	backoff  time.Duration
	maxWait  time.Duration
	progress func(string)
	sem      chan struct{}
	maxDoc   int64
	maxFile  int64
	budget   *Budget // memory for documents being read (readBody)
	now      func() time.Time

	maxRetained int64 // MaxRetained; lowered in tests

	group singleflight.Group
	mu    sync.Mutex
	memo  map[string]*document
	miss  map[string]bool
	// kept lists the memo's keys of documents with a body, oldest first;
	// retained is the sum of their bodies' lengths.
	kept     []string
	retained int64
}

// New returns a Client for the index o describes.
func New(o Options) (*Client, error) {
	raw := o.BaseURL
	if raw == "" {
		raw = strings.TrimSpace(os.Getenv("PIP_INDEX_URL"))
	}
	// pip's index URLs point at the Simple API; the base is one level up.
	raw = strings.TrimSuffix(strings.TrimSuffix(raw, "/"), "/simple")
	if raw == "" {
		raw = DefaultIndexURL
	}
	base, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("index URL %q: %w", raw, err)
	}
	switch base.Scheme {
	case "http", "https":
		if base.Host == "" {
			return nil, fmt.Errorf("index URL %q: no host", raw)
		}
	case "file":
	default:
		return nil, fmt.Errorf("index URL %q: scheme must be http, https or file", raw)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	base.RawPath = ""
	c := &Client{
		base:        base,
		http:        o.HTTPClient,
		offline:     o.Offline,
		retries:     o.Retries,
		timeout:     o.Timeout,
		maxAge:      o.MaxAge,
		backoff:     o.BackoffBase,
		maxWait:     o.MaxBackoff,
		progress:    o.Progress,
		maxDoc:      maxDocumentSize,
		maxFile:     maxFileSize,
		now:         time.Now,
		maxRetained: MaxRetained,
		memo:        map[string]*document{},
		miss:        map[string]bool{},
	}
	n := o.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	c.sem = make(chan struct{}, n)
	if c.http == nil {
		c.http = defaultHTTPClient(n)
	} else {
		hc := *c.http
		c.http = &hc
	}
	c.http.CheckRedirect = checkRedirect
	if c.retries == 0 {
		c.retries = DefaultRetries
	} else if c.retries < 0 {
		c.retries = 0
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxAge <= 0 {
		c.maxAge = DefaultMaxAge
	}
	if c.backoff <= 0 {
		c.backoff = DefaultBackoffBase
	}
	if c.maxWait <= 0 {
		c.maxWait = DefaultMaxBackoff
	}
	if o.CacheDir != "" {
		c.cache = &cache{dir: o.CacheDir}
	}
	c.budget = o.Budget
	if c.budget == nil {
		c.budget = NewBudget(DefaultMemoryBudget)
	}
	return c, nil
}

// Budget is memory that index documents being read share: a reader reserves
// the document's declared length (else the size limit) before reading.
type Budget struct {
	sem  *semaphore.Weighted
	size int64
}

// NewBudget returns a budget of size bytes (at least 1 MiB).
func NewBudget(size int64) *Budget {
	size = max(size, 1<<20)
	return &Budget{sem: semaphore.NewWeighted(size), size: size}
}

// defaultHTTPClient keeps as many idle connections per host as requests may
// be in flight, so that a burst of requests reuses them. Waiting for
// headers is bounded by the request's idle watchdog (Options.Timeout).
func defaultHTTPClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = conns
	return &http.Client{Transport: t}
}

// BaseURL returns the index's base URL, with a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// ErrNotFound is wrapped by the errors for 404 and 410 answers and for missing
// files in a file:// mirror.
var ErrNotFound = errors.New("not found")

// ErrOffline is wrapped by *OfflineMissError.
var ErrOffline = errors.New("not in the cache (offline)")

// OfflineMissError lists the URLs an offline Client needed but did not find in
// its cache.
type OfflineMissError struct {
	URLs []string // sorted
}

// Error implements error.
func (e *OfflineMissError) Error() string {
	return fmt.Sprintf("offline: %d URL(s) not in the cache:\n\t%s", len(e.URLs), strings.Join(e.URLs, "\n\t"))
}

// Unwrap makes errors.Is(err, ErrOffline) hold.
func (e *OfflineMissError) Unwrap() error { return ErrOffline }

// OfflineMisses returns every cache miss an offline Client has met so far, or
// nil when there was none, so a caller can report all that is lacking at once.
func (c *Client) OfflineMisses() *OfflineMissError {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.miss) == 0 {
		return nil
	}
	urls := make([]string, 0, len(c.miss))
	for u := range c.miss {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	return &OfflineMissError{URLs: urls}
}

// Error is returned for every failure of a Client's request methods
// (Project, Release, Download): network faults, HTTP statuses, malformed
// responses, digest mismatches, refused URLs, offline misses. It adds
// nothing to the message; errors.As finds the details inside
// (*StatusError, *OfflineMissError, ErrNotFound, ErrDigestMismatch, …).
type Error struct {
	Err error
}

// Error returns the underlying message.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// StatusError is an unexpected HTTP status, after all attempts.
type StatusError struct {
	URL      string
	Code     int
	Status   string // e.g. "503 Service Unavailable"
	Attempts int
}

// Error implements error.
func (e *StatusError) Error() string {
	if e.Attempts > 1 {
		return fmt.Sprintf("GET %s: %s after %d attempts", e.URL, e.Status, e.Attempts)
	}
	return fmt.Sprintf("GET %s: %s", e.URL, e.Status)
}

// Unwrap makes errors.Is(err, ErrNotFound) hold for 404 and 410.
func (e *StatusError) Unwrap() error {
	if e.Code == http.StatusNotFound || e.Code == http.StatusGone {
		return ErrNotFound
	}
	return nil
}

func (c *Client) logf(format string, args ...any) {
	if c.progress != nil {
		c.progress(fmt.Sprintf(format, args...))
	}
}
