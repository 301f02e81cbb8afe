package index

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// benchIndex serves 60 synthetic projects (64 KiB sdists) with 50 ms of
// latency per request, about the closure of Bitpoll over a slow link.
func benchIndex(b *testing.B) (*fakeIndex, []synthProject) {
	fi := newFakeIndex(b)
	var projects []synthProject
	for i := range 60 {
		p := synthProject{name: fmt.Sprintf("bench-%02d", i), versions: []string{"1.0", "2.0"},
			requiresDist: []string{"dep"}, sdistSize: 64 << 10}
		fi.add(p)
		projects = append(projects, p)
	}
	fi.latency = 50 * time.Millisecond
	return fi, projects
}

// BenchmarkFetchCold fetches Project, Release and the sdist of 60 projects
// with no cache (one op = the whole closure, 180 requests).
func BenchmarkFetchCold(b *testing.B) {
	fi, projects := benchIndex(b)
	for b.Loop() {
		c := fi.client(b, Options{Concurrency: 32})
		_, err := fetchAll(context.Background(), c, projects)
		require.NoError(b, err)
	}
}

// BenchmarkFetchWarm does the same from a fresh disk cache with a new Client,
// as a second run of the tool would.
func BenchmarkFetchWarm(b *testing.B) {
	fi, projects := benchIndex(b)
	dir := b.TempDir()
	_, err := fetchAll(context.Background(), fi.client(b, Options{CacheDir: dir, Concurrency: 32}), projects)
	require.NoError(b, err)
	before := fi.requests()
	for b.Loop() {
		c := fi.client(b, Options{CacheDir: dir})
		_, err := fetchAll(context.Background(), c, projects)
		require.NoError(b, err)
	}
	require.Equal(b, before, fi.requests(), "a warm run asks nothing")
}

func BenchmarkParseSimpleHTML(b *testing.B) {
	data := []byte(synthSimpleHTML)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parseSimpleHTML(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeJSONDoc(b *testing.B) {
	data := []byte(synthProjectJSON)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := decodeJSONDoc(data); err != nil {
			b.Fatal(err)
		}
	}
}

// unclosedLinks is a page of n anchors none of which is closed.
func unclosedLinks(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "<a href=\"/p/demo-1.%d.tar.gz#sha256=%064x\">demo-1.%d.tar.gz\n", i, i, i)
	}
	return b.Bytes()
}

// BenchmarkParseSimpleHTMLUnclosed parses 40,000 anchors without </a>: the
// tokenizer is linear (0.56 s on a loaded 2-core machine; the hand-rolled
// scanner it replaced searched for </a> after every anchor: 298 s there).
func BenchmarkParseSimpleHTMLUnclosed(b *testing.B) {
	data := unclosedLinks(40000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		p, err := parseSimpleHTML(data)
		if err != nil || len(p.Files) != 40000 {
			b.Fatal(err, len(p.Files))
		}
	}
}
