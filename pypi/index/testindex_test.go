package index

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/fixtures/testindex"
)

// closureProjects lists the projects of the committed Bitpoll fixture index.
func closureProjects(tb testing.TB) []string {
	entries, err := os.ReadDir(filepath.Join(testindex.Root(), "pypi"))
	require.NoError(tb, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.NotEmpty(tb, names)
	return names
}

// fetchClosure loads every project, every release and every sdist, as JSON
// with the index's base URL replaced by "BASE" so that an HTTP index and a
// file:// mirror of one tree compare equal.
func fetchClosure(ctx context.Context, c *Client, names []string) (string, error) {
	var mu sync.Mutex
	out := map[string]any{}
	g, ctx := errgroup.WithContext(ctx)
	for _, name := range names {
		g.Go(func() error {
			p, err := c.Project(ctx, name)
			if err != nil {
				return err
			}
			var rels []any
			for _, rel := range p.Releases {
				r, err := c.Release(ctx, name, rel.Version)
				if err != nil {
					return err
				}
				var sdists []int
				for _, f := range r.Files {
					if f.Kind != Sdist {
						continue
					}
					data, err := c.Download(ctx, f)
					if err != nil {
						return err
					}
					sdists = append(sdists, len(data))
				}
				rels = append(rels, []any{r, sdists})
			}
			mu.Lock()
			out[name] = []any{p, rels}
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return "", err
	}
	data, err := json.Marshal(out)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(data), strings.TrimSuffix(c.BaseURL(), "/"), "BASE"), nil
}

// TestBitpollClosure reads Bitpoll's whole fixture closure over HTTP, and
// checks it against the same tree read as a file:// mirror and against an
// index that fails every third request.
func TestBitpollClosure(t *testing.T) {
	names := closureProjects(t)
	srv := testindex.New(t, testindex.Root(), testindex.Options{})
	c := newTestClient(t, Options{BaseURL: srv.URL()})
	got, err := fetchClosure(ctxT(t), c, names)
	require.NoError(t, err)
	assert.Contains(t, got, `"Name":"django"`)
	assert.Contains(t, got, `"RequiresDistKnown":true`)

	mirror := newTestClient(t, Options{BaseURL: "file://" + filepath.ToSlash(testindex.Root())})
	fromFiles, err := fetchClosure(ctxT(t), mirror, names)
	require.NoError(t, err)
	assert.Equal(t, fromFiles, got, "HTTP and file:// read one tree alike")

	// Concurrent requests share the failure count, so one URL may draw
	// several failures in a row: allow enough retries that the chance of
	// losing (1/3 per attempt) is negligible.
	flaky := testindex.New(t, testindex.Root(), testindex.Options{FailEvery: 3})
	fromFlaky, err := fetchClosure(ctxT(t), newTestClient(t, Options{BaseURL: flaky.URL(), Retries: 20, MaxBackoff: 20 * time.Millisecond}), names)
	require.NoError(t, err)
	assert.Equal(t, got, fromFlaky, "retries recover the clean result")
}

func newTestClient(t testing.TB, o Options) *Client {
	if o.BackoffBase == 0 {
		o.BackoffBase = time.Millisecond
	}
	c, err := New(o)
	require.NoError(t, err)
	return c
}

func TestTestIndexFaults(t *testing.T) {
	t.Run("corrupt file", func(t *testing.T) {
		clean := testindex.New(t, testindex.Root(), testindex.Options{})
		p, err := newTestClient(t, Options{BaseURL: clean.URL()}).Project(ctxT(t), "six")
		require.NoError(t, err)
		f := p.Releases[len(p.Releases)-1].Files[0]
		path := strings.TrimPrefix(f.URL, clean.URL())

		srv := testindex.New(t, testindex.Root(), testindex.Options{CorruptPath: path})
		f.URL = srv.URL() + path
		_, err = newTestClient(t, Options{BaseURL: srv.URL()}).Download(ctxT(t), f)
		assert.ErrorIs(t, err, ErrDigestMismatch)
		assert.ErrorContains(t, err, f.URL)
	})
	t.Run("always too slow", func(t *testing.T) {
		srv := testindex.New(t, testindex.Root(), testindex.Options{Slow: 5 * time.Second, SlowPath: "/pypi/six/"})
		c := newTestClient(t, Options{BaseURL: srv.URL(), Timeout: 50 * time.Millisecond, Retries: 2})
		_, err := c.Project(ctxT(t), "six")
		require.Error(t, err)
		assert.Equal(t, "GET "+srv.URL()+"/pypi/six/json: no data for 50ms after 3 attempts", err.Error())
		_, err = c.Project(ctxT(t), "idna")
		assert.NoError(t, err, "other paths are unaffected")
	})
	t.Run("always truncated", func(t *testing.T) {
		srv := testindex.New(t, testindex.Root(), testindex.Options{Truncate: true})
		_, err := newTestClient(t, Options{BaseURL: srv.URL(), Retries: 1}).Project(ctxT(t), "six")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "GET "+srv.URL()+"/pypi/six/json: reading body: ")
		assert.Contains(t, err.Error(), "after 2 attempts")
	})
	t.Run("revalidation", func(t *testing.T) {
		srv := testindex.New(t, testindex.Root(), testindex.Options{})
		dir := t.TempDir()
		first, err := newTestClient(t, Options{BaseURL: srv.URL(), CacheDir: dir}).Project(ctxT(t), "django")
		require.NoError(t, err)
		var events []string
		stale := newTestClient(t, Options{BaseURL: srv.URL(), CacheDir: dir, MaxAge: time.Nanosecond,
			Progress: func(e string) { events = append(events, e) }})
		second, err := stale.Project(ctxT(t), "django")
		require.NoError(t, err)
		assert.Equal(t, first, second)
		assert.Contains(t, events, "GET "+srv.URL()+"/pypi/django/json (revalidated)")
	})
}

// BenchmarkBitpollClosureCold reads Bitpoll's fixture closure (every
// release's metadata and every sdist) over HTTP with 50 ms latency per
// request and no cache.
func BenchmarkBitpollClosureCold(b *testing.B) {
	names := closureProjects(b)
	srv := testindex.New(b, testindex.Root(), testindex.Options{Latency: 50 * time.Millisecond})
	for b.Loop() {
		_, err := fetchClosure(context.Background(), newTestClient(b, Options{BaseURL: srv.URL(), Concurrency: 32}), names)
		require.NoError(b, err)
	}
}

// BenchmarkBitpollClosureWarm does the same from a fresh disk cache.
func BenchmarkBitpollClosureWarm(b *testing.B) {
	names := closureProjects(b)
	srv := testindex.New(b, testindex.Root(), testindex.Options{Latency: 50 * time.Millisecond})
	dir := b.TempDir()
	_, err := fetchClosure(context.Background(), newTestClient(b, Options{BaseURL: srv.URL(), CacheDir: dir, Concurrency: 32}), names)
	require.NoError(b, err)
	before := srv.Requests()
	for b.Loop() {
		_, err := fetchClosure(context.Background(), newTestClient(b, Options{BaseURL: srv.URL(), CacheDir: dir}), names)
		require.NoError(b, err)
	}
	require.Equal(b, before, srv.Requests(), "a warm run asks nothing")
}

// TestReleaseFromListing: once a project's listing is at hand, its current
// release comes from the listing's info block, equal to the release
// document, without asking for it.
func TestReleaseFromListing(t *testing.T) {
	srv := testindex.New(t, testindex.Root(), testindex.Options{})
	for _, name := range closureProjects(t) {
		t.Run(name, func(t *testing.T) {
			direct, err := New(Options{BaseURL: srv.URL()})
			require.NoError(t, err)
			listed, err := New(Options{BaseURL: srv.URL()})
			require.NoError(t, err)
			p, err := listed.Project(ctxT(t), name)
			require.NoError(t, err)
			doc, err := decodeJSONDoc(listed.memo[jsonAccept+"\n"+listed.endpoint("pypi", name, "json")].body)
			require.NoError(t, err)
			v := doc.Info.Version
			path := "/pypi/" + name + "/" + v + "/json"
			before := srv.RequestsFor(path)
			got, err := listed.Release(ctxT(t), p.Name, v)
			require.NoError(t, err)
			if got.RequiresDistKnown && doc.Info.RequiresDist != nil {
				assert.Equal(t, before, srv.RequestsFor(path), "the release document is not asked for")
			}
			want, err := direct.Release(ctxT(t), name, v)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}
