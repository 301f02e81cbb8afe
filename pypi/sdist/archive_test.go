package sdist

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io/fs"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// entry is one archive member for the test archive builders. Entries with
// a link are symlinks (hard links when hard is set); names ending in "/"
// are directories.
type entry struct {
	name string
	body string
	link string
	hard bool
	size int64 // overrides len(body) in the tar header when > 0 (for bombs)
}

// files turns a name → contents map into entries in name order, so built
// archives are deterministic.
func files(m map[string]string) []entry {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]entry, 0, len(names))
	for _, n := range names {
		out = append(out, entry{name: n, body: m[n]})
	}
	return out
}

func buildTarGz(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	writeTar(t, zw, entries)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func writeTar(t testing.TB, w interface{ Write([]byte) (int, error) }, entries []entry) {
	t.Helper()
	tw := tar.NewWriter(w)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		switch {
		case e.link != "" && e.hard:
			h.Typeflag, h.Linkname, h.Size = tar.TypeLink, e.link, 0
		case e.link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		case len(e.name) > 0 && e.name[len(e.name)-1] == '/':
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		}
		if e.size > 0 {
			h.Size = e.size
		}
		require.NoError(t, tw.WriteHeader(h))
		if e.size > 0 {
			// A bomb: a long run of zeros compresses to almost nothing.
			zeros := make([]byte, 1<<20)
			for left := e.size; left > 0; left -= int64(len(zeros)) {
				n := min(left, int64(len(zeros)))
				_, err := tw.Write(zeros[:n])
				require.NoError(t, err)
			}
			continue
		}
		if h.Size > 0 {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
}

func buildZip(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		body := e.body
		switch {
		case e.link != "":
			h.SetMode(fs.ModeSymlink | 0o777)
			body = e.link
		case len(e.name) > 0 && e.name[len(e.name)-1] == '/':
			h.SetMode(fs.ModeDir | 0o755)
		default:
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}
