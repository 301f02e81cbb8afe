package index

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

const synthSimpleHTML = `<!DOCTYPE html>
<html><head><meta name="pypi:repository-version" content="1.1"><title>Links for demo-pkg</title>
<base href="/mirror/">
</head><body><h1>Links for demo-pkg</h1>
<!-- <a href="commented-1.0.tar.gz">commented</a> -->
<a href="../packages/aa/Demo-Pkg-1.0.tar.gz#sha256=ABCD000000000000000000000000000000000000000000000000000000000000" data-requires-python="&gt;=3.6">Demo-Pkg-1.0.tar.gz</a><br/>
<A HREF='https://files.example/p/demo_pkg-1.1-py3-none-any.whl#md5=00000000000000000000000000000000' data-dist-info-metadata="sha256=EF01000000000000000000000000000000000000000000000000000000000000" data-yanked="bad &amp; wrong">demo_pkg-1.1-py3-none-any.whl</A>
<a href=demo-pkg-1.1.zip data-yanked data-core-metadata=true>demo-pkg-1.1.zip</a>
<a href="other-project-1.0.tar.gz">other-project-1.0.tar.gz</a>
<a>no href</a>
</body></html>`

func TestParseSimpleHTML(t *testing.T) {
	page, err := parseSimpleHTML([]byte(synthSimpleHTML))
	require.NoError(t, err)
	assert.Equal(t, "/mirror/", page.Base)
	assert.Equal(t, []File{
		{Filename: "Demo-Pkg-1.0.tar.gz", URL: "../packages/aa/Demo-Pkg-1.0.tar.gz", Kind: Sdist, SHA256: "abcd000000000000000000000000000000000000000000000000000000000000", Hashes: []pypi.Hash{{Algorithm: "sha256", Hex: "abcd000000000000000000000000000000000000000000000000000000000000"}}, RequiresPython: ">=3.6"},
		{Filename: "demo_pkg-1.1-py3-none-any.whl", URL: "https://files.example/p/demo_pkg-1.1-py3-none-any.whl", Kind: Wheel,
			Hashes: []pypi.Hash{{Algorithm: "md5", Hex: "00000000000000000000000000000000"}},
			Yanked: true, YankedReason: "bad & wrong", CoreMetadata: true, CoreMetadataSHA256: "ef01000000000000000000000000000000000000000000000000000000000000"},
		{Filename: "demo-pkg-1.1.zip", URL: "demo-pkg-1.1.zip", Kind: Sdist, Yanked: true, CoreMetadata: true},
		{Filename: "other-project-1.0.tar.gz", URL: "other-project-1.0.tar.gz", Kind: Sdist},
	}, page.Files)
}

func TestParseSimpleJSON(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    []File
		wantErr string
	}{
		{
			name: "v1.1 with every yanked and core-metadata form and unknown keys",
			doc: `{"meta":{"api-version":"1.3","_last-serial":7},"name":"demo-pkg","project-status":{"status":"active"},"versions":["1.0"],"alternate-locations":[],"files":[
				{"filename":"demo_pkg-1.0.tar.gz","url":"/p/demo_pkg-1.0.tar.gz#sha256=x","hashes":{"sha256":"AB00000000000000000000000000000000000000000000000000000000000000","blake2b_256":"0000000000000000000000000000000000000000000000000000000000000000","sha3_256":"unknown algorithms are ignored"},"requires-python":null,"yanked":false,"size":3,"upload-time":"2024-01-01T00:00:00Z","provenance":null,"data-dist-info-metadata":false,"core-metadata":false},
				{"filename":"demo_pkg-1.0-py3-none-any.whl","url":"https://h/x.whl","hashes":{},"requires-python":">=3.9","yanked":"security","core-metadata":{"sha256":"CD00000000000000000000000000000000000000000000000000000000000000"},"data-dist-info-metadata":{"sha256":"CD00000000000000000000000000000000000000000000000000000000000000"}},
				{"filename":"demo_pkg-1.0-py2-none-any.whl","url":"y.whl","hashes":{},"yanked":true,"data-dist-info-metadata":true}]}`,
			want: []File{
				{Filename: "demo_pkg-1.0.tar.gz", URL: "/p/demo_pkg-1.0.tar.gz", Kind: Sdist, SHA256: "ab00000000000000000000000000000000000000000000000000000000000000", Hashes: []pypi.Hash{{Algorithm: "blake2b_256", Hex: "0000000000000000000000000000000000000000000000000000000000000000"}, {Algorithm: "sha256", Hex: "ab00000000000000000000000000000000000000000000000000000000000000"}}, Size: 3, UploadTime: "2024-01-01T00:00:00Z"},
				{Filename: "demo_pkg-1.0-py3-none-any.whl", URL: "https://h/x.whl", Kind: Wheel, RequiresPython: ">=3.9", Yanked: true, YankedReason: "security", CoreMetadata: true, CoreMetadataSHA256: "cd00000000000000000000000000000000000000000000000000000000000000"},
				{Filename: "demo_pkg-1.0-py2-none-any.whl", URL: "y.whl", Kind: Wheel, Yanked: true, CoreMetadata: true},
			},
		},
		{name: "api-version 2", doc: `{"meta":{"api-version":"2.0"},"name":"x","files":[]}`, wantErr: `unsupported Simple API version "2.0"`},
		{name: "yanked of the wrong type", doc: `{"meta":{"api-version":"1.0"},"files":[{"filename":"a-1.tar.gz","url":"a","yanked":3}]}`, wantErr: "yanked"},
		{name: "file without url", doc: `{"meta":{"api-version":"1.0"},"files":[{"filename":"a-1.tar.gz"}]}`, wantErr: "without filename or url"},
		{name: "not JSON", doc: `<html>`, wantErr: "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := parseSimpleJSON([]byte(tt.doc))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, page.Files)
		})
	}
}

func TestFilenameVersion(t *testing.T) {
	tests := []struct {
		project, filename, want string
	}{
		{"django", "Django-5.0.6.tar.gz", "5.0.6"},
		{"django-rest-framework", "django_rest_framework-3.15.1.tar.gz", "3.15.1"},
		{"django-rest-framework", "django-rest-framework-3.15.1.zip", "3.15.1"},
		{"zope-interface", "zope.interface-6.0.tar.bz2", "6.0"},
		{"demo", "demo-1.0-1-py3-none-any.whl", "1.0"},
		{"demo", "demo-1.0-py3-none-any.whl", "1.0"},
		{"demo", "demo-1.0-py3-none.whl", ""},
		{"demo", "other-1.0.tar.gz", ""},
		{"demo", "demo-.tar.gz", ""},
		{"demo", "demo-1.0-py2.7.egg", ""},
		{"demo", "demo.tar.gz", ""},
		{"demo", "demo-latest.tar.gz", ""},
		{"demo", "demo-final-py3-none-any.whl", ""},
		{"demo", "Demo-1.0RC1.tar.gz", "1.0RC1"},
	}
	for _, tt := range tests {
		got, ok := filenameVersion(tt.project, tt.filename)
		assert.Equal(t, tt.want, got, tt.filename)
		assert.Equal(t, tt.want != "", ok, tt.filename)
	}
}

func TestProjectSimpleFallback(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        []string
		wantURL     string // of the first file
		wantErr     string
	}{
		{
			name: "PEP 503 HTML with base", contentType: "text/html", body: synthSimpleHTML,
			want:    []string{"1.0:1", "1.1:2"},
			wantURL: "/packages/aa/Demo-Pkg-1.0.tar.gz",
		},
		{
			name: "PEP 691 JSON", contentType: "application/vnd.pypi.simple.v1+json",
			body:    `{"meta":{"api-version":"1.1"},"name":"demo-pkg","files":[{"filename":"demo_pkg-2.0.tar.gz","url":"../../packages/demo_pkg-2.0.tar.gz","hashes":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}]}`,
			want:    []string{"2.0:1"},
			wantURL: "/packages/demo_pkg-2.0.tar.gz",
		},
		{
			name: "api-version 2 fails clearly", contentType: "application/vnd.pypi.simple.v2+json",
			body:    `{"meta":{"api-version":"2.0"},"name":"demo-pkg","files":[]}`,
			wantErr: `/simple/demo-pkg/: unsupported Simple API version "2.0"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fi := newFakeIndex(t)
			fi.set("/simple/demo-pkg/", tt.contentType, []byte(tt.body))
			p, err := fi.client(t, Options{}).Project(ctxT(t), "Demo.Pkg")
			assert.Equal(t, simpleAccept, fi.acceptOf("/simple/demo-pkg/"), "the Accept header pip sends")
			assert.Equal(t, 1, fi.hitsOf("/pypi/demo-pkg/json"))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, versionsOf(p))
			assert.Equal(t, fi.srv.URL+tt.wantURL, p.Releases[0].Files[0].URL)
		})
	}
}

// Without a JSON API a release is assembled from the Simple API and its PEP
// 658 metadata file.
func TestReleaseSimpleOnly(t *testing.T) {
	fi := newFakeIndex(t)
	md := []byte("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Python: >=3.9\nRequires-Dist: six\nProvides-Extra: fast\n")
	fi.set("/simple/demo/", "text/html", []byte(`<a href="/p/demo-1.0.tar.gz#sha256=aa00000000000000000000000000000000000000000000000000000000000000">demo-1.0.tar.gz</a>
<a href="/p/demo-1.0-py3-none-any.whl#sha256=bb00000000000000000000000000000000000000000000000000000000000000" data-core-metadata="sha256=`+hexSHA256(md)+`">w</a>
<a href="/p/demo-2.0.tar.gz#sha256=cc00000000000000000000000000000000000000000000000000000000000000">demo-2.0.tar.gz</a>`))
	fi.set("/p/demo-1.0-py3-none-any.whl.metadata", "text/plain", md)
	c := fi.client(t, Options{})

	r, err := c.Release(ctxT(t), "demo", "1.0")
	require.NoError(t, err)
	assert.Equal(t, "1.0", r.Version)
	assert.Len(t, r.Files, 2)
	assert.True(t, r.RequiresDistKnown)
	assert.Equal(t, []string{"six"}, r.RequiresDist)
	assert.Equal(t, []string{"fast"}, r.ProvidesExtra)
	assert.Equal(t, ">=3.9", r.RequiresPython)

	r, err = c.Release(ctxT(t), "demo", "2.0")
	require.NoError(t, err)
	assert.False(t, r.RequiresDistKnown)

	r, err = c.Release(ctxT(t), "demo", "1.0.0")
	require.NoError(t, err)
	assert.Equal(t, "1.0", r.Version, "versions match in canonical form")

	_, err = c.Release(ctxT(t), "demo", "3.0")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, 1, fi.hitsOf("/simple/demo/"), "the page is fetched once per run")
}

// References resolve against the URL a page finally came from.
func TestRedirectedPage(t *testing.T) {
	fi := newFakeIndex(t)
	fi.set("/elsewhere/simple/demo/", "text/html", []byte(`<a href="files/demo-1.0.tar.gz#sha256=aa00000000000000000000000000000000000000000000000000000000000000">demo-1.0.tar.gz</a>`))
	fi.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/simple/demo/" {
			http.Redirect(w, r, "/elsewhere/simple/demo/", http.StatusMovedPermanently)
			return true
		}
		return false
	}
	dir := t.TempDir()
	p, err := fi.client(t, Options{CacheDir: dir}).Project(ctxT(t), "demo")
	require.NoError(t, err)
	assert.Equal(t, fi.srv.URL+"/elsewhere/simple/demo/files/demo-1.0.tar.gz", p.Releases[0].Files[0].URL)

	cached, err := fi.client(t, Options{CacheDir: dir, Offline: true}).Project(ctxT(t), "demo")
	require.NoError(t, err)
	assert.Equal(t, p, cached, "the cache keeps the final URL")
}
