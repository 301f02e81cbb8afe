package index

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeIndex is a small in-test index: fixed responses by path, request
// counting and a fault hook. All data in it is synthetic.
type fakeIndex struct {
	srv *httptest.Server

	mu      sync.Mutex
	routes  map[string]route
	hits    map[string]int
	total   int
	accepts map[string]string
	// fault, when set, runs before routing with the 1-based request number;
	// returning true means it has answered.
	fault func(w http.ResponseWriter, r *http.Request, n int) bool
	// latency delays every answer.
	latency time.Duration
}

type route struct {
	contentType string
	body        []byte
	etag        string
}

func newFakeIndex(t testing.TB) *fakeIndex {
	f := &fakeIndex{routes: map[string]route{}, hits: map[string]int{}, accepts: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIndex) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.total++
	n := f.total
	f.hits[r.URL.Path]++
	f.accepts[r.URL.Path] = r.Header.Get("Accept")
	fault, latency := f.fault, f.latency
	rt, ok := f.routes[r.URL.Path]
	f.mu.Unlock()
	if latency > 0 {
		time.Sleep(latency)
	}
	if fault != nil && fault(w, r, n) {
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if rt.etag != "" {
		w.Header().Set("ETag", rt.etag)
		if r.Header.Get("If-None-Match") == rt.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", rt.contentType)
	_, _ = w.Write(rt.body)
}

func (f *fakeIndex) set(path, contentType string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[path] = route{contentType: contentType, body: body}
}

func (f *fakeIndex) setJSON(path string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	f.set(path, "application/json", data)
}

func (f *fakeIndex) hitsOf(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

func (f *fakeIndex) acceptOf(path string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accepts[path]
}

func (f *fakeIndex) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

func (f *fakeIndex) client(t testing.TB, o Options) *Client {
	if o.BaseURL == "" {
		o.BaseURL = f.srv.URL
	}
	if o.BackoffBase == 0 {
		o.BackoffBase = time.Millisecond
	}
	c, err := New(o)
	require.NoError(t, err)
	return c
}

func hexMD5(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

func hexSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// synthProject is a synthetic project with one sdist (and optionally a wheel
// with a PEP 658 metadata file) per version.
type synthProject struct {
	name         string
	versions     []string
	requiresDist []string // nil → the JSON API says null
	wheel        bool
	sdistSize    int
}

func (p synthProject) sdist(version string) []byte {
	n := p.sdistSize
	if n == 0 {
		n = 64
	}
	b := []byte(strings.Repeat(fmt.Sprintf("synthetic sdist %s-%s\n", p.name, version), n/32+1))
	return b[:n]
}

func (p synthProject) stem() string { return strings.ReplaceAll(p.name, "-", "_") }

func (p synthProject) files(version string) []map[string]any {
	sd := p.sdist(version)
	files := []map[string]any{{
		"filename":             p.stem() + "-" + version + ".tar.gz",
		"packagetype":          "sdist",
		"python_version":       "source",
		"url":                  "/packages/aa/bb/" + p.stem() + "-" + version + ".tar.gz",
		"size":                 len(sd),
		"digests":              map[string]string{"sha256": hexSHA256(sd), "md5": hexMD5(sd)},
		"requires_python":      ">=3.8",
		"yanked":               false,
		"yanked_reason":        nil,
		"upload_time":          "2024-01-02T03:04:05",
		"upload_time_iso_8601": "2024-01-02T03:04:05Z",
	}}
	if p.wheel {
		files = append(files, map[string]any{
			"filename":             p.stem() + "-" + version + "-py3-none-any.whl",
			"packagetype":          "bdist_wheel",
			"url":                  "/packages/cc/dd/" + p.stem() + "-" + version + "-py3-none-any.whl",
			"digests":              map[string]string{"sha256": hexSHA256([]byte("wheel"))},
			"yanked":               false,
			"upload_time_iso_8601": "2024-01-02T03:04:06Z",
			"core-metadata":        map[string]string{"sha256": hexSHA256(p.metadataFile(version))},
		})
	}
	return files
}

func (p synthProject) metadataFile(version string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\nRequires-Python: >=3.8\n", p.name, version)
	for _, r := range p.requiresDist {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", r)
	}
	return []byte(b.String())
}

// add serves p's JSON API documents, sdists and metadata files.
func (f *fakeIndex) add(p synthProject) {
	releases := map[string]any{}
	for _, v := range p.versions {
		releases[v] = p.files(v)
		var rd any
		if p.requiresDist != nil && !p.wheel {
			rd = p.requiresDist
		}
		f.setJSON("/pypi/"+p.name+"/"+v+"/json", map[string]any{
			"info": map[string]any{
				"name": p.name, "version": v, "summary": "synthetic " + p.name,
				"requires_dist": rd, "requires_python": ">=3.8", "license": "MIT",
				"project_urls": nil, "provides_extra": nil, "yanked": false, "yanked_reason": nil,
			},
			"urls":            p.files(v),
			"vulnerabilities": []any{},
			"last_serial":     1,
		})
		f.set("/packages/aa/bb/"+p.stem()+"-"+v+".tar.gz", "application/octet-stream", p.sdist(v))
		if p.wheel {
			f.set("/packages/cc/dd/"+p.stem()+"-"+v+"-py3-none-any.whl.metadata", "binary/octet-stream", p.metadataFile(v))
		}
	}
	last := p.versions[len(p.versions)-1]
	f.setJSON("/pypi/"+p.name+"/json", map[string]any{
		"info":            map[string]any{"name": p.name, "version": last, "requires_dist": nil},
		"urls":            p.files(last),
		"releases":        releases,
		"vulnerabilities": []any{},
	})
}

// versionsOf lists a project's release versions, sorted, with file counts.
func versionsOf(p *Project) []string {
	var out []string
	for _, r := range p.Releases {
		out = append(out, fmt.Sprintf("%s:%d", r.Version, len(r.Files)))
	}
	sort.Strings(out)
	return out
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
