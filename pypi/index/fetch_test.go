package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// fetchAll asks for everything about projects: project, newest release and
// its sdist, the way the resolver does.
func fetchAll(ctx context.Context, c *Client, projects []synthProject) (map[string]any, error) {
	var mu sync.Mutex
	out := map[string]any{}
	g, ctx := errgroup.WithContext(ctx)
	for _, sp := range projects {
		g.Go(func() error {
			v := sp.versions[len(sp.versions)-1]
			p, err := c.Project(ctx, sp.name)
			if err != nil {
				return err
			}
			r, err := c.Release(ctx, sp.name, v)
			if err != nil {
				return err
			}
			data, err := c.Download(ctx, r.Files[0])
			if err != nil {
				return err
			}
			mu.Lock()
			out[sp.name] = []any{p, r, string(data)}
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}

func synthProjects(n int) []synthProject {
	var ps []synthProject
	for i := range n {
		ps = append(ps, synthProject{
			name:         fmt.Sprintf("synth-%02d", i),
			versions:     []string{"1.0", "1.1"},
			requiresDist: []string{fmt.Sprintf("synth-%02d>=1", (i+1)%n)},
			wheel:        i%2 == 0,
		})
	}
	return ps
}

func TestFlakyIndexRecovers(t *testing.T) {
	projects := synthProjects(10)
	clean := newFakeIndex(t)
	flaky := newFakeIndex(t)
	for _, p := range projects {
		clean.add(p)
		flaky.add(p)
	}
	flaky.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n%3 == 0 {
			http.Error(w, "synthetic outage", http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	want, err := fetchAll(ctxT(t), clean.client(t, Options{}), projects)
	require.NoError(t, err)
	// Concurrent requests share the failure count, so one URL may draw
	// several failures in a row: allow enough retries that losing (1/3 per
	// attempt) is negligible.
	got, err := fetchAll(ctxT(t), flaky.client(t, Options{Retries: 20, MaxBackoff: 20 * time.Millisecond}), projects)
	require.NoError(t, err)
	// The servers differ in address only.
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)
	gotJSON, err := json.Marshal(got)
	require.NoError(t, err)
	assert.Contains(t, string(wantJSON), `"RequiresDist":["synth-01\u003e=1"]`)
	assert.Equal(t, string(wantJSON), strings.ReplaceAll(string(gotJSON), flaky.srv.URL, clean.srv.URL))
	assert.Greater(t, flaky.requests(), clean.requests())
}

func TestRetryFaults(t *testing.T) {
	const path = "/pypi/demo/json"
	body := `{"info":{"name":"demo","version":"1.0"},"releases":{"1.0":[]}}`
	tests := []struct {
		name     string
		opts     Options
		fault    func(w http.ResponseWriter, r *http.Request, n int) bool
		wantErr  string // "" → success
		wantHits int
		minTime  time.Duration
		maxTime  time.Duration
	}{
		{
			name: "503 on every attempt names URL and attempts", opts: Options{Retries: 2},
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return true
			},
			wantErr: "GET %s/pypi/demo/json: 503 Service Unavailable after 3 attempts", wantHits: 3,
		},
		{
			name: "no retries", opts: Options{Retries: -1},
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				http.Error(w, "down", http.StatusBadGateway)
				return true
			},
			wantErr: "GET %s/pypi/demo/json: 502 Bad Gateway", wantHits: 1,
		},
		{
			name: "400 is not retried",
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				http.Error(w, "no", http.StatusBadRequest)
				return true
			},
			wantErr: "GET %s/pypi/demo/json: 400 Bad Request", wantHits: 1,
		},
		{
			name: "429 then success",
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					http.Error(w, "slow down", http.StatusTooManyRequests)
					return true
				}
				return false
			},
			wantHits: 2,
		},
		{
			name: "slower than the timeout", opts: Options{Timeout: 100 * time.Millisecond},
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					select {
					case <-r.Context().Done():
					case <-time.After(2 * time.Second):
					}
					return true
				}
				return false
			},
			wantHits: 2, maxTime: time.Second,
		},
		{
			name: "timeout on every attempt", opts: Options{Timeout: 30 * time.Millisecond, Retries: 1},
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				<-r.Context().Done()
				return true
			},
			wantErr: "GET %s/pypi/demo/json: no data for 30ms after 2 attempts", wantHits: 2,
		},
		{
			name: "truncated body",
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					w.Header().Set("Content-Length", "1000")
					_, _ = w.Write([]byte(body[:10]))
					return true
				}
				return false
			},
			wantHits: 2,
		},
		{
			name: "connection reset",
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						_ = conn.Close()
					}
					return true
				}
				return false
			},
			wantHits: 2,
		},
		{
			name: "Retry-After seconds is honoured", opts: Options{MaxBackoff: 5 * time.Second},
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					w.Header().Set("Retry-After", "1")
					http.Error(w, "later", http.StatusServiceUnavailable)
					return true
				}
				return false
			},
			wantHits: 2, minTime: time.Second,
		},
		{
			name: "Retry-After date is honoured", opts: Options{MaxBackoff: 5 * time.Second},
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
					http.Error(w, "later", http.StatusServiceUnavailable)
					return true
				}
				return false
			},
			wantHits: 2, minTime: 900 * time.Millisecond,
		},
		{
			name: "Retry-After is capped", opts: Options{MaxBackoff: 20 * time.Millisecond},
			fault: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					w.Header().Set("Retry-After", "3600")
					http.Error(w, "later", http.StatusServiceUnavailable)
					return true
				}
				return false
			},
			wantHits: 2, maxTime: time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fi := newFakeIndex(t)
			fi.set(path, "application/json", []byte(body))
			fi.fault = tt.fault
			start := time.Now()
			p, err := fi.client(t, tt.opts).Project(ctxT(t), "demo")
			elapsed := time.Since(start)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, fmt.Sprintf(tt.wantErr, fi.srv.URL), err.Error())
			} else {
				require.NoError(t, err)
				assert.Equal(t, []string{"1.0:0"}, versionsOf(p))
			}
			assert.Equal(t, tt.wantHits, fi.hitsOf(path))
			assert.GreaterOrEqual(t, elapsed, tt.minTime)
			if tt.maxTime > 0 {
				assert.Less(t, elapsed, tt.maxTime)
			}
		})
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	assert.Equal(t, 7*time.Second, retryAfter("7", now))
	assert.Equal(t, time.Duration(0), retryAfter("-3", now))
	assert.Equal(t, time.Duration(0), retryAfter("soon", now))
	assert.Equal(t, time.Duration(0), retryAfter("", now))
	assert.Equal(t, 10*time.Second, retryAfter(now.Add(10*time.Second).Format(http.TimeFormat), now))
	assert.Equal(t, time.Duration(0), retryAfter(now.Add(-time.Hour).Format(http.TimeFormat), now))
}

func TestBackoffDelay(t *testing.T) {
	c := &Client{backoff: 100 * time.Millisecond, maxWait: time.Second}
	for attempt := 1; attempt < 70; attempt++ {
		d := c.backoffDelay(attempt, 0)
		assert.GreaterOrEqual(t, d, time.Duration(0))
		assert.LessOrEqual(t, d, min(c.backoff<<min(attempt-1, 20), c.maxWait))
	}
	assert.Equal(t, 500*time.Millisecond, c.backoffDelay(1, 500*time.Millisecond), "Retry-After is a floor")
	assert.Equal(t, time.Second, c.backoffDelay(1, time.Hour), "and is capped")
}

func TestSizeCap(t *testing.T) {
	fi := newFakeIndex(t)
	fi.set("/pypi/demo/json", "application/json", []byte(`{"info":{"name":"demo","version":"1.0"},"releases":{}}`))
	c := fi.client(t, Options{})
	c.maxDoc = 16
	_, err := c.Project(ctxT(t), "demo")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exceeds the limit of 16 bytes")
	assert.Equal(t, 1, fi.hitsOf("/pypi/demo/json"), "an oversized answer is not retried")
}

func TestSingleflight(t *testing.T) {
	fi := newFakeIndex(t)
	p := synthProject{name: "demo", versions: []string{"1.0"}, requiresDist: []string{}}
	fi.add(p)
	fi.latency = 50 * time.Millisecond
	c := fi.client(t, Options{Concurrency: 2})
	var g errgroup.Group
	results := make([]*Project, 50)
	for i := range results {
		g.Go(func() (err error) {
			results[i], err = c.Project(ctxT(t), "demo")
			return err
		})
	}
	require.NoError(t, g.Wait())
	assert.Equal(t, 1, fi.hitsOf("/pypi/demo/json"))
	for _, r := range results {
		assert.Equal(t, results[0], r)
	}
	_, err := c.Project(ctxT(t), "DEMO")
	require.NoError(t, err)
	assert.Equal(t, 1, fi.hitsOf("/pypi/demo/json"), "memoized for the run")
}

func TestConcurrencyBound(t *testing.T) {
	fi := newFakeIndex(t)
	var mu sync.Mutex
	inFlight, peak := 0, 0
	fi.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		return false
	}
	projects := synthProjects(12)
	for _, p := range projects {
		fi.add(p)
	}
	_, err := fetchAll(ctxT(t), fi.client(t, Options{Concurrency: 3}), projects)
	require.NoError(t, err)
	assert.LessOrEqual(t, peak, 3)
	assert.Equal(t, 3, peak, "the bound is reached with 12 projects")
}

func TestCancellation(t *testing.T) {
	t.Run("while waiting for the server", func(t *testing.T) {
		fi := newFakeIndex(t)
		fi.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
			<-r.Context().Done()
			return true
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := fi.client(t, Options{}).Project(ctx, "demo")
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
	t.Run("during backoff", func(t *testing.T) {
		fi := newFakeIndex(t)
		fi.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return true
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := fi.client(t, Options{BackoffBase: time.Minute, MaxBackoff: time.Minute}).Project(ctx, "demo")
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.Equal(t, 1, fi.hitsOf("/pypi/demo/json"))
	})
	t.Run("a waiter leaves while the shared request goes on", func(t *testing.T) {
		fi := newFakeIndex(t)
		fi.add(synthProject{name: "demo", versions: []string{"1.0"}, requiresDist: []string{}})
		fi.latency = 200 * time.Millisecond
		c := fi.client(t, Options{})
		done := make(chan error, 1)
		go func() { _, err := c.Project(ctxT(t), "demo"); done <- err }()
		time.Sleep(20 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := c.Project(ctx, "demo")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NoError(t, <-done)
	})
	t.Run("the starter leaves and a waiter asks again", func(t *testing.T) {
		fi := newFakeIndex(t)
		fi.add(synthProject{name: "demo", versions: []string{"1.0"}, requiresDist: []string{}})
		fi.latency = 100 * time.Millisecond
		c := fi.client(t, Options{})
		starter, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := c.Project(starter, "demo"); done <- err }()
		time.Sleep(20 * time.Millisecond)
		time.AfterFunc(20*time.Millisecond, cancel)
		_, err := c.Project(ctxT(t), "demo")
		assert.NoError(t, err)
		assert.ErrorIs(t, <-done, context.Canceled)
		assert.LessOrEqual(t, fi.hitsOf("/pypi/demo/json"), 2, "one request each at most")
	})
}

func TestDownload(t *testing.T) {
	fi := newFakeIndex(t)
	data := []byte("synthetic sdist bytes")
	fi.set("/packages/demo-1.0.tar.gz", "application/octet-stream", data)
	c := fi.client(t, Options{})
	f := File{Filename: "demo-1.0.tar.gz", URL: fi.srv.URL + "/packages/demo-1.0.tar.gz", SHA256: strings.ToUpper(hexSHA256(data))}

	got, err := c.Download(ctxT(t), f)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	_, err = c.Download(ctxT(t), f)
	require.NoError(t, err)
	assert.Equal(t, 1, fi.hitsOf("/packages/demo-1.0.tar.gz"))

	bad := f
	bad.SHA256 = strings.Repeat("0", 64)
	_, err = c.Download(ctxT(t), bad)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrDigestMismatch))
	assert.Equal(t, fmt.Sprintf("GET %s: digest mismatch: the index says sha256:%s, got sha256:%s", bad.URL, bad.SHA256, hexSHA256(data)), err.Error())

	fi.set("/packages/other-1.0.tar.gz", "application/octet-stream", data)
	fresh := File{Filename: "other-1.0.tar.gz", URL: fi.srv.URL + "/packages/other-1.0.tar.gz", SHA256: bad.SHA256}
	_, err = c.Download(ctxT(t), fresh)
	assert.ErrorIs(t, err, ErrDigestMismatch)
	assert.Equal(t, 1, fi.hitsOf("/packages/other-1.0.tar.gz"), "a mismatch is not retried")

	unhashed := File{Filename: "demo-1.0.tar.gz", URL: fi.srv.URL + "/packages/demo-1.0.tar.gz#frag"}
	got, err = c.Download(ctxT(t), unhashed)
	require.NoError(t, err)
	assert.Equal(t, data, got)

	_, err = c.Download(ctxT(t), File{Filename: "x", URL: fi.srv.URL + "/packages/missing.tar.gz"})
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = c.Download(ctxT(t), File{Filename: "x"})
	assert.ErrorContains(t, err, "download x: no URL")
}

func TestNew(t *testing.T) {
	tests := []struct {
		name, base, env, want, wantErr string
	}{
		{name: "default", want: DefaultIndexURL + "/"},
		{name: "PIP_INDEX_URL without /simple/", env: "https://mirror.example/root/simple/", want: "https://mirror.example/root/"},
		{name: "PIP_INDEX_URL without /simple", env: "https://mirror.example/simple", want: "https://mirror.example/"},
		{name: "explicit base wins", base: "http://localhost:8080/idx", env: "https://mirror.example/simple", want: "http://localhost:8080/idx/"},
		{name: "file mirror", base: "file:///srv/mirror", want: "file:///srv/mirror/"},
		{name: "bad scheme", base: "ftp://x", wantErr: "scheme must be"},
		{name: "no host", base: "https:///x", wantErr: "no host"},
		{name: "unparsable", base: "http://[::1", wantErr: "index URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PIP_INDEX_URL", tt.env)
			c, err := New(Options{BaseURL: tt.base})
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

func TestProgress(t *testing.T) {
	fi := newFakeIndex(t)
	fi.add(synthProject{name: "demo", versions: []string{"1.0"}, requiresDist: []string{}})
	var mu sync.Mutex
	var events []string
	c := fi.client(t, Options{Progress: func(e string) { mu.Lock(); events = append(events, e); mu.Unlock() }})
	_, err := c.Project(ctxT(t), "demo")
	require.NoError(t, err)
	assert.Equal(t, []string{"GET " + fi.srv.URL + "/pypi/demo/json"}, events)
}

// The documents a client keeps for the run stay within maxRetained: the
// oldest are dropped to make room and read again when asked for.
func TestRetainedDocumentsBounded(t *testing.T) {
	fi := newFakeIndex(t)
	pad := strings.Repeat("x", 1000)
	for _, n := range []string{"a", "b", "c", "d"} {
		fi.set("/pypi/"+n+"/json", "application/json", []byte(`{"info":{"name":"`+n+`","version":"1","summary":"`+pad+`"},"releases":{"1":[]}}`))
	}
	c := fi.client(t, Options{})
	c.maxRetained = 2500 // two documents of about 1.1 kB
	for _, n := range []string{"a", "b", "c", "d"} {
		_, err := c.Project(ctxT(t), n)
		require.NoError(t, err)
		assert.LessOrEqual(t, c.retained, c.maxRetained)
	}
	assert.Len(t, c.memo, 2, "only the newest two are kept")
	var sum int64
	for _, d := range c.memo {
		sum += int64(len(d.body))
	}
	assert.Equal(t, sum, c.retained)
	_, err := c.Project(ctxT(t), "d")
	require.NoError(t, err)
	assert.Equal(t, 1, fi.hitsOf("/pypi/d/json"), "a kept document is not fetched again")
	_, err = c.Project(ctxT(t), "a")
	require.NoError(t, err)
	assert.Equal(t, 2, fi.hitsOf("/pypi/a/json"), "a dropped one is fetched again")

	c.maxRetained = 100 // a document larger than the bound is not kept
	fi.set("/pypi/e/json", "application/json", []byte(`{"info":{"name":"e","version":"1","summary":"`+pad+`"},"releases":{"1":[]}}`))
	_, err = c.Project(ctxT(t), "e")
	require.NoError(t, err)
	assert.NotContains(t, c.memo, jsonAccept+"\n"+c.endpoint("pypi", "e", "json"))
}
