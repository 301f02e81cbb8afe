package osv

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.golden")

func ids(as []*Advisory) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// TestDjango506 checks real advisories: Bitpoll pins Django 5.0.6.
func TestDjango506(t *testing.T) {
	db, err := Load("testdata/advisory-db")
	require.NoError(t, err)
	assert.Equal(t, 10, db.Len())
	assert.Equal(t, "2024-10-08T19:19:01.400873Z", db.Modified())

	got := db.Affecting("Django", "5.0.6")
	assert.Equal(t, []string{"PYSEC-2024-102", "PYSEC-2024-56"}, ids(got))
	a := got[1]
	assert.Equal(t, []string{"CVE-2024-38875"}, a.Aliases)
	assert.Equal(t, []string{"4.2.14", "5.0.7"}, a.FixedIn("django"))
	assert.Equal(t, "testdata/advisory-db/vulns/django/PYSEC-2024-56.yaml", a.File)
	assert.True(t, strings.HasPrefix(a.Details, "An issue was discovered in Django 4.2 before 4.2.14"))
	assert.Equal(t, "2024-07-10T05:15:00Z", a.Published, "a YAML timestamp stays text")

	assert.Equal(t, []string{"PYSEC-2024-102"}, ids(db.Affecting("django", "5.0.7")))
	assert.Empty(t, db.Affecting("django", "5.1.9"))
	assert.Empty(t, db.Affecting("django", "5.0.9"))
	assert.Equal(t, []string{"PYSEC-2023-74"}, ids(db.Affecting("requests", "2.30.0")))
	assert.Empty(t, db.Affecting("requests", "2.31.0"), "fixed exactly at Bitpoll's pin")
	assert.Equal(t, []string{"PYSEC-2023-192"}, ids(db.Affecting("urllib3", "1.26.16")), "unsorted events")
	assert.Empty(t, db.Affecting("urllib3", "2.2.1"))
	assert.Equal(t, []string{"PYSEC-2022-42969"}, ids(db.Affecting("py", "1.11.0")), "last_affected is inclusive")
	assert.Empty(t, db.Affecting("py", "1.11.1"))
	assert.Empty(t, db.Affecting("redis", "4.5.4"), "withdrawn")
	assert.Len(t, db.Project("redis"), 1)
	assert.Equal(t, []string{"PYSEC-2024-60"}, ids(db.Affecting("idna", "3.6")))
	assert.Empty(t, db.Affecting("idna", "3.7"))

	steam := db.Project("steam")[0]
	assert.Equal(t, []string{`PYSEC-2019-125: affected[0].ranges[0]: line 15: fixed "2019-09-12" is not a PEP 440 version; the range is evaluated without it`}, steam.Problems)
	assert.True(t, steam.Affects("steam", "1.0"), "not reported clean")
}

func TestParseJSON(t *testing.T) {
	db, err := Load("testdata/json")
	require.NoError(t, err)
	assert.Equal(t, 1, db.Len(), "the npm-only record is skipped")
	a := db.Project("example.project")[0]
	assert.Equal(t, "GHSA-0000-0000-0001", a.ID)
	assert.Equal(t, []string{"CVE-0000-0001", "PYSEC-0000-1"}, a.Aliases)
	assert.Equal(t, "SYNTHETIC advisory in osv.dev's JSON export shape", a.Summary)
	require.Len(t, a.Affected, 1, "npm entry dropped")
	assert.True(t, a.Affects("example-project", "1.1.9"))
	assert.False(t, a.Affects("example-project", "1.2"))
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, path := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		data := []byte(path)
		if !strings.HasPrefix(path, "{") {
			data, err = os.ReadFile(path)
			require.NoError(t, err)
		}
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestParseZip(t *testing.T) {
	data := zipOf(t, map[string]string{
		"PYSEC-2024-56.yaml":       "testdata/advisory-db/vulns/django/PYSEC-2024-56.yaml",
		"GHSA-0000-0000-0001.json": "testdata/json/GHSA-0000-0000-0001.json",
		"modified_id.csv":          "{not an advisory, ignored",
	})
	db, err := Parse("all.zip", data)
	require.NoError(t, err)
	assert.Equal(t, 2, db.Len())
	assert.Equal(t, "all.zip:PYSEC-2024-56.yaml", db.Project("django")[0].File)

	bad := zipOf(t, map[string]string{"x.json": `{"id": 1}`})
	_, err = Parse("bad.zip", bad)
	assert.EqualError(t, err, "bad.zip:x.json:1: id: expected a string, found a JSON number")

	_, err = Parse("broken.zip", []byte("PK not really"))
	assert.ErrorContains(t, err, "broken.zip: not a zip archive")
}

func TestZipLimits(t *testing.T) {
	big := zipOf(t, map[string]string{"big.json": "{" + strings.Repeat(" ", maxMemberSize) + "}"})
	_, err := Parse("big.zip", big)
	assert.EqualError(t, err, "big.zip:big.json: larger than the limit of 16777216 bytes")

	defer func(n int64) { maxArchiveSize = n }(maxArchiveSize)
	maxArchiveSize = 2000
	db, err := Parse("two.zip", zipOf(t, map[string]string{"a.yaml": "testdata/advisory-db/vulns/django/PYSEC-2024-56.yaml"}))
	require.NoError(t, err, "one member fits")
	assert.Equal(t, 1, db.Len())
	_, err = Parse("two.zip", zipOf(t, map[string]string{
		"a.yaml": "testdata/advisory-db/vulns/django/PYSEC-2024-56.yaml",
		"b.yaml": "testdata/advisory-db/vulns/django/PYSEC-2024-102.yaml",
	}))
	assert.EqualError(t, err, "two.zip: members larger than the limit of 2000 bytes in all")
}

func TestDuplicateIDsKeepTheNewest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, modified, fixed string) {
		doc := `{"id": "SYNTHETIC-9", "modified": "` + modified + `", "affected": [{"package": {"ecosystem": "PyPI", "name": "p"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "` + fixed + `"}]}]}]}`
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644))
	}
	write("a.json", "2024-01-01T00:00:00Z", "1.0")
	write("b.json", "2024-02-01T00:00:00Z", "2.0")
	write("c.json", "2024-02-01T00:00:00Z", "3.0")
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".id-allocator"), []byte("ignored"), 0o644))
	db, err := Load(dir)
	require.NoError(t, err)
	assert.Equal(t, 1, db.Len())
	assert.Equal(t, []string{"2.0"}, db.Project("p")[0].FixedIn("p"), "newest wins, the first read on a tie")
}

func TestLoadErrors(t *testing.T) {
	_, err := Load("testdata/missing")
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = Parse("notes.txt", []byte("x"))
	assert.EqualError(t, err, "notes.txt: not an advisory file: want .yaml, .yml, .json or .zip")
}

// TestBadGolden reads every testdata/bad file and compares the error with
// its .golden file (go test -update rewrites them).
func TestBadGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*")
	require.NoError(t, err)
	for _, file := range files {
		if strings.HasSuffix(file, ".golden") {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			_, err := Load(file)
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e), "%v is an *Error", err)
			assert.Equal(t, file, e.File)
			got := err.Error() + "\n"
			golden := file + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update")
			assert.Equal(t, string(want), got)
		})
	}
}

// BenchmarkLoad reads the ten-advisory extract. Measured here (2 shared
// cores, under load): about 22 ms, 2 ms a YAML file; the whole PyPA
// database of 2024-10-10 (2,661 files) loads in about 3 s. Target: loading
// stays a small part of a run, under 5 ms a file.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load("testdata/advisory-db"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAffecting looks up Django 5.0.6. Measured here: about 50 µs
// (ranges are parsed on each lookup). Target: under 1 ms a package, so a
// closure of hundreds of packages is checked in well under a second.
func BenchmarkAffecting(b *testing.B) {
	db, err := Load("testdata/advisory-db")
	require.NoError(b, err)
	for b.Loop() {
		db.Affecting("django", "5.0.6")
	}
}
