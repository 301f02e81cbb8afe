package index

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/metadata"
)

// FuzzDecodeJSONDoc checks that decoding never panics and is idempotent: a
// decoded document re-encoded and decoded again is unchanged, so nulls and
// empty lists (requires_dist!) survive.
func FuzzDecodeJSONDoc(f *testing.F) {
	f.Add(synthProjectJSON)
	f.Add(synthReleaseJSON)
	f.Add(`{"info":{"name":"x","version":"1","requires_dist":[]},"urls":[{"core-metadata":true}]}`)
	f.Add(`{"info":{"name":"x"},"releases":{"1":[{"data-dist-info-metadata":{"sha256":"AB"}}]}}`)
	f.Fuzz(func(t *testing.T, data string) {
		d, err := decodeJSONDoc([]byte(data))
		if err != nil {
			return
		}
		first, err := json.Marshal(d)
		require.NoError(t, err)
		d2, err := decodeJSONDoc(first)
		require.NoError(t, err)
		second, err := json.Marshal(d2)
		require.NoError(t, err)
		assert.Equal(t, string(first), string(second))
		assert.Equal(t, d.Info.RequiresDist == nil, d2.Info.RequiresDist == nil)
		for _, files := range d.Releases {
			for _, jf := range files {
				cm, sha := coreMetadata(jf.CoreMetadata, jf.DistInfoMetadata)
				assert.True(t, cm || sha == "")
			}
		}
	})
}

// renderSimpleJSON writes files as a PEP 691 page.
func renderSimpleJSON(files []File) []byte {
	type entry struct {
		Filename       string            `json:"filename"`
		URL            string            `json:"url"`
		Hashes         map[string]string `json:"hashes"`
		RequiresPython string            `json:"requires-python,omitempty"`
		Yanked         any               `json:"yanked"`
		Size           int64             `json:"size,omitempty"`
		UploadTime     string            `json:"upload-time,omitempty"`
		CoreMetadata   any               `json:"core-metadata"`
	}
	var es []entry
	for _, f := range files {
		e := entry{Filename: f.Filename, URL: f.URL, Hashes: map[string]string{}, RequiresPython: f.RequiresPython,
			Yanked: f.Yanked, Size: f.Size, UploadTime: f.UploadTime, CoreMetadata: f.CoreMetadata}
		for _, h := range f.Hashes {
			e.Hashes[h.Algorithm] = h.Hex
		}
		if f.YankedReason != "" {
			e.Yanked = f.YankedReason
		}
		if f.CoreMetadataSHA256 != "" {
			e.CoreMetadata = map[string]string{"sha256": f.CoreMetadataSHA256}
		}
		es = append(es, e)
	}
	data, err := json.Marshal(map[string]any{"meta": map[string]string{"api-version": "1.1"}, "files": es})
	if err != nil {
		panic(err)
	}
	return data
}

func FuzzParseSimpleJSON(f *testing.F) {
	f.Add(`{"meta":{"api-version":"1.3","_last-serial":7},"name":"demo-pkg","files":[{"filename":"demo_pkg-1.0.tar.gz","url":"/p/demo_pkg-1.0.tar.gz#sha256=x","hashes":{"sha256":"AB"},"requires-python":null,"yanked":false,"size":3,"core-metadata":false}]}`)
	f.Add(`{"meta":{"api-version":"1.0"},"files":[{"filename":"a.whl","url":"u","yanked":"why","core-metadata":{"sha256":"CD"},"data-dist-info-metadata":true}]}`)
	f.Add(`{"meta":{"api-version":"2.0"},"files":[]}`)
	f.Fuzz(func(t *testing.T, data string) {
		page, err := parseSimpleJSON([]byte(data))
		if err != nil {
			return
		}
		again, err := parseSimpleJSON(renderSimpleJSON(page.Files))
		require.NoError(t, err)
		assert.Equal(t, page.Files, again.Files)
	})
}

// renderSimpleHTML writes files as a PEP 503 page with escaped attributes.
func renderSimpleHTML(files []File) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	for _, f := range files {
		href := f.URL
		var frag []string
		for _, h := range f.Hashes {
			frag = append(frag, h.Algorithm+"="+h.Hex)
		}
		if len(frag) > 0 {
			href += "#" + strings.Join(frag, "&")
		}
		fmt.Fprintf(&b, `<a href="%s"`, html.EscapeString(href))
		if f.RequiresPython != "" {
			fmt.Fprintf(&b, ` data-requires-python="%s"`, html.EscapeString(f.RequiresPython))
		}
		if f.Yanked {
			fmt.Fprintf(&b, ` data-yanked="%s"`, html.EscapeString(f.YankedReason))
		}
		switch {
		case f.CoreMetadataSHA256 != "":
			fmt.Fprintf(&b, ` data-core-metadata="sha256=%s"`, html.EscapeString(f.CoreMetadataSHA256))
		case f.CoreMetadata:
			b.WriteString(` data-core-metadata="true"`)
		}
		fmt.Fprintf(&b, ">%s</a><br/>\n", html.EscapeString(f.Filename))
	}
	b.WriteString("</body></html>\n")
	return []byte(b.String())
}

func FuzzParseSimpleHTML(f *testing.F) {
	f.Add(synthSimpleHTML)
	f.Add(`<a href=x.tar.gz data-yanked>x.tar.gz</a>`)
	f.Add(`<a href='a#sha256=B#c' data-dist-info-metadata="md5=1">t &amp; u</a><!-- <a href="c">`)
	f.Add(`<base href="http://h/"><a href="">e</a><a href = "q" =>`)
	f.Add(string(unclosedLinks(3)))
	f.Add(`<a href="/p/x-1.0.tar.gz#md5=` + strings.Repeat("A", 32) + `&sha256=` + strings.Repeat("0", 64) + `">x</a>`)
	f.Add(`<a href="/p/x-1.0.tar.gz#sha256=../../../../../../../../../../../../../../../../../../../../../../etc/passwd">x</a>`)
	f.Add(`<A HREF=/p/x-1.0.tar.gz DATA-YANKED="a&lt;b"><b>x</b>-1.0<script>alert(1)</script>`)
	f.Fuzz(func(t *testing.T, data string) {
		page, err := parseSimpleHTML([]byte(data))
		if err != nil {
			return
		}
		for _, file := range page.Files {
			for _, h := range file.Hashes {
				v, err := pypi.NewHash(h.Algorithm, h.Hex)
				require.NoError(t, err, "only validated digests come out")
				assert.Equal(t, v, h)
			}
		}
		again, err := parseSimpleHTML(renderSimpleHTML(page.Files))
		require.NoError(t, err)
		assert.Equal(t, page.Files, again.Files)
	})
}

// A release's PEP 658 metadata file, whatever it holds: an error names the
// file; else the dependencies are known and every line read leniently is a
// warning naming the file, one per warning of the metadata parser.
func FuzzCoreMetadata(f *testing.F) {
	f.Add([]byte("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: six\n"))
	f.Add([]byte("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense: MIT\nunindented\n\nbody"))
	f.Add([]byte("Name: demo\nVersion: 1.0\nDescription: a\n       |b\nno colon\n"))
	f.Add([]byte("\xff\xfe"))
	fi := newFakeIndex(f)
	fi.set("/pypi/demo/1.0/json", "application/json", []byte(`{"info":{"name":"demo","version":"1.0","requires_dist":null},"urls":[
		{"core-metadata":true,"digests":{"sha256":"bb00000000000000000000000000000000000000000000000000000000000000"},"filename":"demo-1.0-py3-none-any.whl","packagetype":"bdist_wheel","url":"/packages/demo-1.0-py3-none-any.whl"}]}`))
	const file = "demo-1.0-py3-none-any.whl.metadata"
	hc := defaultHTTPClient(1) // one connection for every client
	f.Fuzz(func(t *testing.T, data []byte) {
		fi.set("/packages/"+file, "binary/octet-stream", data)
		c := fi.client(t, Options{Retries: -1, HTTPClient: hc}) // a new memo
		r, err := c.Release(context.Background(), "demo", "1.0")
		md, perr := metadata.Parse(data)
		if err != nil {
			if perr == nil {
				t.Fatalf("the metadata parses, yet: %v", err)
			}
			if !strings.Contains(err.Error(), file) {
				t.Fatalf("error %q does not name %s", err, file)
			}
			return
		}
		if perr != nil || !r.RequiresDistKnown {
			t.Fatalf("parse error %v, known %v", perr, r.RequiresDistKnown)
		}
		if len(r.MetadataWarnings) != len(md.Warnings) {
			t.Fatalf("%d warnings, the parser gives %d", len(r.MetadataWarnings), len(md.Warnings))
		}
		for _, w := range r.MetadataWarnings {
			if !strings.HasPrefix(w, "the index's core metadata ("+file+"), line ") {
				t.Fatalf("warning %q does not name the file and line", w)
			}
		}
	})
}
