package index

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// A synthetic project document in the JSON API's exact shape: nulls where the
// index sends nulls, an old-style requirement string, a yanked file, a release
// without files, core-metadata present on one file only.
const synthProjectJSON = `{"info":{"author":"","classifiers":["Framework :: Django"],"description":"","home_page":null,"license":"","license_expression":null,"name":"Demo-Pkg","project_urls":null,"provides_extra":null,"requires_dist":["eventlet (>=0.24.1) ; extra == 'eventlet'"],"requires_python":"","summary":null,"version":"1.1","yanked":false,"yanked_reason":null},
"last_serial":42,"ownership":{},
"releases":{
 "0.9":[],
 "1.0":[{"comment_text":"","digests":{"blake2b_256":"0000000000000000000000000000000000000000000000000000000000000000","md5":"11000000000000000000000000000000","sha256":"AAAA000000000000000000000000000000000000000000000000000000000000"},"downloads":-1,"filename":"Demo-Pkg-1.0.tar.gz","has_sig":false,"md5_digest":"11","packagetype":"sdist","python_version":"source","requires_python":null,"size":10,"upload_time":"2020-01-01T00:00:00","upload_time_iso_8601":"2020-01-01T00:00:00.123456Z","url":"/packages/ab/cd/Demo-Pkg-1.0.tar.gz","yanked":true,"yanked_reason":"broken"}],
 "1.1":[{"digests":{"sha256":"bbbb000000000000000000000000000000000000000000000000000000000000"},"filename":"demo_pkg-1.1.tar.gz","packagetype":"sdist","python_version":"source","requires_python":">=3.8","size":11,"upload_time":"2021-01-01T00:00:00","upload_time_iso_8601":"2021-01-01T00:00:00Z","url":"https://files.example/packages/ef/gh/demo_pkg-1.1.tar.gz","yanked":false,"yanked_reason":null},
        {"core-metadata":{"sha256":"CCCC000000000000000000000000000000000000000000000000000000000000"},"digests":{"sha256":"dddd000000000000000000000000000000000000000000000000000000000000"},"filename":"demo_pkg-1.1-py3-none-any.whl","packagetype":"bdist_wheel","python_version":"py3","requires_python":">=3.8","size":12,"upload_time":"2021-01-01T00:00:01","url":"/packages/ij/kl/demo_pkg-1.1-py3-none-any.whl","yanked":false,"yanked_reason":null}]},
"urls":[],"vulnerabilities":[]}`

func TestProjectJSON(t *testing.T) {
	fi := newFakeIndex(t)
	fi.set("/pypi/demo-pkg/json", "application/json", []byte(synthProjectJSON))
	c := fi.client(t, Options{})

	// A non-normalized name is normalized before asking, as the index would
	// redirect it anyway.
	p, err := c.Project(ctxT(t), "Demo_Pkg")
	require.NoError(t, err)
	assert.Equal(t, "demo-pkg", p.Name)
	require.Len(t, p.Releases, 3)
	assert.Equal(t, []string{"0.9", "1.0", "1.1"}, []string{p.Releases[0].Version, p.Releases[1].Version, p.Releases[2].Version})
	assert.Empty(t, p.Releases[0].Files)
	assert.False(t, p.Releases[0].Yanked())

	old := p.Releases[1]
	assert.True(t, old.Yanked())
	assert.Equal(t, File{
		Filename: "Demo-Pkg-1.0.tar.gz", URL: fi.srv.URL + "/packages/ab/cd/Demo-Pkg-1.0.tar.gz", Kind: Sdist,
		SHA256: "aaaa000000000000000000000000000000000000000000000000000000000000", Size: 10,
		Hashes: []pypi.Hash{{Algorithm: "blake2b_256", Hex: "0000000000000000000000000000000000000000000000000000000000000000"}, {Algorithm: "md5", Hex: "11000000000000000000000000000000"}, {Algorithm: "sha256", Hex: "aaaa000000000000000000000000000000000000000000000000000000000000"}}, Yanked: true, YankedReason: "broken", UploadTime: "2020-01-01T00:00:00.123456Z",
	}, old.Files[0])

	cur := p.Releases[2].Files
	require.Len(t, cur, 2)
	assert.Equal(t, "https://files.example/packages/ef/gh/demo_pkg-1.1.tar.gz", cur[0].URL, "absolute URLs are kept")
	assert.False(t, cur[0].CoreMetadata)
	assert.Equal(t, Wheel, cur[1].Kind)
	assert.True(t, cur[1].CoreMetadata)
	assert.Equal(t, "cccc000000000000000000000000000000000000000000000000000000000000", cur[1].CoreMetadataSHA256)
	assert.Equal(t, "2021-01-01T00:00:01", cur[1].UploadTime, "falls back to upload_time")
	assert.Equal(t, 1, fi.hitsOf("/pypi/demo-pkg/json"))
}

const synthReleaseJSON = `{"info":{"name":"demo-pkg","version":"2.0","summary":"A demo","home_page":"","license":"BSD-3-Clause","license_expression":"BSD-3-Clause","classifiers":[],
"project_urls":{"Source":"https://example.org/src"},"provides_extra":["eventlet"],
"requires_dist":["eventlet (>=0.24.1) ; extra == 'eventlet'","sqlparse>=0.3.1"],"requires_python":">=3.10","yanked":true,"yanked_reason":"oops"},
"urls":[{"digests":{"sha256":"ee00000000000000000000000000000000000000000000000000000000000000"},"filename":"demo_pkg-2.0.tar.gz","packagetype":"sdist","url":"../../../packages/x/demo_pkg-2.0.tar.gz","yanked":true,"yanked_reason":"oops"}],
"vulnerabilities":[{"aliases":["CVE-0000-0000"],"details":"synthetic","fixed_in":["2.0.1"],"id":"PYSEC-0000-0","link":"https://example.org/adv","source":"osv","summary":null,"withdrawn":null}]}`

func TestReleaseJSON(t *testing.T) {
	fi := newFakeIndex(t)
	fi.set("/pypi/demo-pkg/2.0/json", "application/json", []byte(synthReleaseJSON))
	c := fi.client(t, Options{})

	r, err := c.Release(ctxT(t), "demo.pkg", "2.0")
	require.NoError(t, err)
	assert.Equal(t, &ReleaseInfo{
		Name: "demo-pkg", Version: "2.0", Summary: "A demo", License: "BSD-3-Clause", LicenseExpression: "BSD-3-Clause",
		Classifiers: []string{}, ProjectURLs: map[string]string{"Source": "https://example.org/src"},
		RequiresDist:      []string{"eventlet (>=0.24.1) ; extra == 'eventlet'", "sqlparse>=0.3.1"},
		RequiresDistKnown: true, RequiresPython: ">=3.10", ProvidesExtra: []string{"eventlet"},
		Yanked: true, YankedReason: "oops",
		Files: []File{{Filename: "demo_pkg-2.0.tar.gz", URL: fi.srv.URL + "/packages/x/demo_pkg-2.0.tar.gz", Kind: Sdist,
			SHA256: "ee00000000000000000000000000000000000000000000000000000000000000", Hashes: []pypi.Hash{{Algorithm: "sha256", Hex: "ee00000000000000000000000000000000000000000000000000000000000000"}}, Yanked: true, YankedReason: "oops"}},
		Vulnerabilities: []Vulnerability{{ID: "PYSEC-0000-0", Aliases: []string{"CVE-0000-0000"}, Details: "synthetic",
			FixedIn: []string{"2.0.1"}, Link: "https://example.org/adv", Source: "osv"}},
	}, r)
}

func TestReleaseRequiresDist(t *testing.T) {
	tests := []struct {
		name      string
		info      string // the info.requires_dist value
		wheel     string // a wheel entry's core-metadata value; "" for no wheel
		simple    bool   // serve a Simple API page flagging the metadata file
		metadata  string // the .metadata file; "" for none
		wantKnown bool
		want      []string
		wantWarn  []string // ReleaseInfo.MetadataWarnings
		wantErr   string
	}{
		{name: "empty list means no dependencies", info: `[]`, wantKnown: true, want: []string{}},
		{name: "null without metadata is unknown", info: `null`, wantKnown: false},
		{name: "null, wheel metadata", info: `null`, wheel: `true`, metadata: "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: six>=1.0\n", wantKnown: true, want: []string{"six>=1.0"}},
		{name: "null, wheel metadata without requirements", info: `null`, wheel: `true`, metadata: "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", wantKnown: true, want: []string{}},
		{name: "null, metadata flagged by the Simple API only", info: `null`, wheel: `absent`, simple: true, metadata: "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: idna\n", wantKnown: true, want: []string{"idna"}},
		{name: "metadata digest mismatch", info: `null`, wheel: `{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}`, metadata: "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", wantErr: "digest mismatch"},
		{name: "flagged but missing metadata file", info: `null`, wheel: `true`, wantKnown: false},
		{name: "metadata read leniently, with a warning", info: `null`, wheel: `true`,
			metadata:  "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense: MIT\nunindented\nRequires-Dist: six\n",
			wantKnown: true, want: []string{"six"},
			wantWarn: []string{`the index's core metadata (demo-1.0-py3-none-any.whl.metadata), line 5: line skipped, want "Field: value" or an indented continuation: "unindented"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fi := newFakeIndex(t)
			urls := `{"digests":{"sha256":"aa00000000000000000000000000000000000000000000000000000000000000"},"filename":"demo-1.0.tar.gz","packagetype":"sdist","url":"/packages/demo-1.0.tar.gz"}`
			if tt.wheel != "" {
				cm := ""
				if tt.wheel != "absent" {
					cm = `"core-metadata":` + tt.wheel + `,`
				}
				urls += `,{` + cm + `"digests":{"sha256":"bb00000000000000000000000000000000000000000000000000000000000000"},"filename":"demo-1.0-py3-none-any.whl","packagetype":"bdist_wheel","url":"/packages/demo-1.0-py3-none-any.whl"}`
			}
			fi.set("/pypi/demo/1.0/json", "application/json", []byte(`{"info":{"name":"demo","version":"1.0","requires_dist":`+tt.info+`},"urls":[`+urls+`]}`))
			if tt.simple {
				fi.set("/simple/demo/", "application/vnd.pypi.simple.v1+json", []byte(`{"meta":{"api-version":"1.1"},"name":"demo","files":[
					{"filename":"demo-1.0-py3-none-any.whl","url":"/packages/demo-1.0-py3-none-any.whl","hashes":{"sha256":"bb00000000000000000000000000000000000000000000000000000000000000"},"core-metadata":true}]}`))
			}
			if tt.metadata != "" {
				fi.set("/packages/demo-1.0-py3-none-any.whl.metadata", "binary/octet-stream", []byte(tt.metadata))
			}
			r, err := fi.client(t, Options{}).Release(ctxT(t), "demo", "1.0")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Contains(t, err.Error(), "demo-1.0-py3-none-any.whl.metadata")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantKnown, r.RequiresDistKnown)
			assert.Equal(t, tt.want, r.RequiresDist)
			assert.Equal(t, tt.wantWarn, r.MetadataWarnings)
		})
	}
}

func TestJSONErrors(t *testing.T) {
	fi := newFakeIndex(t)
	fi.set("/pypi/bad/json", "application/json", []byte(`{"info":{"name":"bad","version":"1"},"releases":{"1":[{"url":3}]}}`))
	fi.set("/pypi/noinfo/json", "application/json", []byte(`{"releases":{}}`))
	c := fi.client(t, Options{})

	_, err := c.Project(ctxT(t), "bad")
	require.Error(t, err)
	assert.Contains(t, err.Error(), fi.srv.URL+"/pypi/bad/json")

	_, err = c.Project(ctxT(t), "noinfo")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no info.name")

	_, err = c.Project(ctxT(t), "missing")
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrNotFound), "%v", err)
	assert.Contains(t, err.Error(), "/simple/missing/")
	assert.Equal(t, 1, fi.hitsOf("/pypi/missing/json"), "a 404 is not retried")

	_, err = c.Release(ctxT(t), "missing", "1.0")
	assert.True(t, errors.Is(err, ErrNotFound), "%v", err)

	for _, bad := range []string{"", "a b", "ü", "../x"} {
		_, err := c.Project(ctxT(t), bad)
		assert.Error(t, err, "%q", bad)
	}
	before := fi.requests()
	_, err = c.Release(ctxT(t), "demo", "1.0/../../x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid version")
	assert.Equal(t, before, fi.requests(), "nothing was asked")
}

// A release asked for in another spelling is found through the project's
// listing and fetched under the index's spelling.
func TestReleaseCanonicalVersion(t *testing.T) {
	fi := newFakeIndex(t)
	fi.add(synthProject{name: "demo", versions: []string{"2.0.0rc1"}, requiresDist: []string{"six"}})
	c := fi.client(t, Options{})
	r, err := c.Release(ctxT(t), "demo", "2.0-RC1")
	require.NoError(t, err)
	assert.Equal(t, "2.0.0rc1", r.Version)
	assert.Equal(t, []string{"six"}, r.RequiresDist)
	assert.Equal(t, 1, fi.hitsOf("/pypi/demo/2.0-RC1/json"))
	assert.Equal(t, 1, fi.hitsOf("/pypi/demo/2.0.0rc1/json"))
}
