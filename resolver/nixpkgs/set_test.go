package nixpkgs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testQueryFile = "testdata/query-python312.json"

func loadTestSet(t testing.TB) *Set {
	t.Helper()
	s, err := Load(testQueryFile)
	require.NoError(t, err)
	return s
}

func attrs(ps []Package) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Attr)
	}
	return out
}

func TestLoad(t *testing.T) {
	s := loadTestSet(t)
	assert.Equal(t, "synthetic-test-set", s.Ref)
	assert.Equal(t, "", s.Rev)
	assert.Equal(t, "python312", s.PythonAttr)
	assert.Equal(t, "3.12.10", s.PythonVersion)
	assert.Equal(t, "3.12", s.PythonMajorMinor)
	assert.Equal(t, []string{
		"django", "django-widget-tweaks", "django_4", "django_5", "markdown", "msgpack",
		"psycopg2", "pyyaml", "recorded-elsewhere", "zope-interface",
	}, attrs(s.Packages), "sorted by attribute")
	assert.Equal(t, Package{Attr: "pyyaml", PName: "pyyaml", Version: "6.0.2", PyPIName: "PyYAML"}, s.Packages[7])
	assert.Equal(t, []string{"CVE-0000-0004", "Django 4.1 is end of life (synthetic)"}, s.Packages[2].KnownVulnerabilities, "meta.knownVulnerabilities")
	assert.Equal(t, DefaultAliases(), s.Aliases)
}

func TestLookup(t *testing.T) {
	s := loadTestSet(t)
	tests := []struct {
		name string
		want []string
	}{
		{"django", []string{"django", "django_5", "django_4"}},
		{"Django", []string{"django", "django_5", "django_4"}},
		{"DJANGO", []string{"django", "django_5", "django_4"}},
		{"django_widget.tweaks", []string{"django-widget-tweaks"}},
		{"Django-Widget-Tweaks", []string{"django-widget-tweaks"}},
		{"psycopg2-binary", []string{"psycopg2"}},
		{"psycopg2_binary", []string{"psycopg2"}},
		{"psycopg2", []string{"psycopg2"}},
		{"msgpack-python", []string{"msgpack"}},
		{"PyYAML", []string{"pyyaml"}},
		{"markdown", []string{"markdown"}},
		// pypiName wins over pname: zope-interface-fork is found under the
		// project it records, and its pname finds nothing.
		{"zope.interface", []string{"zope-interface", "recorded-elsewhere"}},
		{"zope-interface-fork", nil},
		// An alias whose attribute the set lacks finds nothing.
		{"opencv-python", nil},
		{"not-in-nixpkgs", nil},
		{"", nil},
		{"---", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, attrs(s.Lookup(tt.name)))
		})
	}
}

func TestLookupUserAliases(t *testing.T) {
	s := loadTestSet(t)
	s.Aliases["Bitpoll_Markdown"] = "markdown" // any PEP 503 spelling
	s.Aliases["psycopg2-binary"] = "django"    // overrides the default entry
	assert.Equal(t, []string{"markdown"}, attrs(s.Lookup("bitpoll-markdown")))
	assert.Equal(t, []string{"django"}, attrs(s.Lookup("psycopg2-binary")))

	// A normalized key wins over other spellings of the same project.
	s.Aliases["Markdown_Extra"] = "django"
	s.Aliases["markdown-extra"] = "markdown"
	s.Aliases["markdown.extra"] = "psycopg2"
	assert.Equal(t, []string{"markdown"}, attrs(s.Lookup("MARKDOWN_EXTRA")))
	delete(s.Aliases, "markdown-extra")
	assert.Equal(t, []string{"django"}, attrs(s.Lookup("markdown-extra")), "first in sorted order")

	// The alias target ranks after the usual attribute, before the others.
	s.Aliases["django"] = "django_4"
	assert.Equal(t, []string{"django", "django_4", "django_5"}, attrs(s.Lookup("django")))
}

func TestLookupNilAliases(t *testing.T) {
	s := loadTestSet(t)
	s.Aliases = nil
	assert.Nil(t, s.Lookup("psycopg2-binary"))
	assert.Equal(t, []string{"psycopg2"}, attrs(s.Lookup("psycopg2")))
}

func TestSaveRoundTrip(t *testing.T) {
	s := loadTestSet(t)
	var buf bytes.Buffer
	require.NoError(t, s.Save(&buf))
	out := buf.Bytes()
	assert.True(t, bytes.HasSuffix(out, []byte("}\n")), "trailing newline")
	assert.Less(t, bytes.Index(out, []byte(`"django_4"`)), bytes.Index(out, []byte(`"django_5"`)), "keys sorted")

	path := filepath.Join(t.TempDir(), "q.json")
	require.NoError(t, os.WriteFile(path, out, 0o644))
	again, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, s, again)

	var buf2 bytes.Buffer
	require.NoError(t, again.Save(&buf2))
	assert.Equal(t, out, buf2.Bytes(), "deterministic")
}

// TestPartialSet reads a query file with every field of the contract and
// "partial": true, round-trips it byte for byte, and checks that Find
// refuses names the partial set does not record.
func TestPartialSet(t *testing.T) {
	const path = "testdata/query-partial.json"
	s, err := Load(path)
	require.NoError(t, err)
	assert.True(t, s.Partial)
	bleach, ok := s.Package("bleach")
	require.True(t, ok)
	assert.Equal(t, []string{"Apache-2.0"}, bleach.License)
	assert.Equal(t, map[string][]string{"css": {"tinycss2"}}, bleach.OptionalDependencies)
	assert.Equal(t, RelaxDeps{Names: []string{"webencodings"}}, bleach.Recipe.PythonRelaxDeps)
	assert.Equal(t, []string{"CVE-0000-0009.patch"}, bleach.Recipe.FetchedPatches)
	certifi, ok := s.Package("certifi")
	require.True(t, ok)
	assert.True(t, certifi.Broken)
	assert.Nil(t, certifi.License)
	assert.Equal(t, Recipe{Src: SrcGitHub, Patches: []string{"env.patch"}, PostPatch: certifi.Recipe.PostPatch,
		PythonRelaxDeps: RelaxDeps{All: true}}, certifi.Recipe)
	_, ok = s.Package("django")
	assert.False(t, ok)

	found, err := s.Find("Bleach")
	require.NoError(t, err)
	assert.Equal(t, []string{"bleach"}, attrs(found))
	_, err = s.Find("django")
	assert.ErrorIs(t, err, ErrNotRecorded)
	s.Partial = false
	found, err = s.Find("django")
	assert.NoError(t, err, "a complete set lacks what it does not list")
	assert.Empty(t, found)
	s.Partial = true

	var buf bytes.Buffer
	require.NoError(t, s.Save(&buf))
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), buf.String())
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"syntax", "{\n  \"format\": \"x\",\n  oops\n}", `q.json:3: invalid character 'o' looking for beginning of object key string`},
		{"type", "{\n\"format\": 1}", `q.json:2: json: cannot unmarshal number into Go struct field fileJSON.format of type string`},
		{"unknown field", `{"format": "pip2nix-bitpoll/nixpkgs-query/v1", "extra": 1}`, `q.json: json: unknown field "extra"`},
		{"trailing data", `{"format": "pip2nix-bitpoll/nixpkgs-query/v1"} {}`, `q.json: unexpected data after the top-level object`},
		{"format", `{"format": "other/v2"}`, `q.json: format "other/v2", want "pip2nix-bitpoll/nixpkgs-query/v1"`},
		{"no python", `{"format": "pip2nix-bitpoll/nixpkgs-query/v1"}`, `q.json: "python" needs non-empty "attr", "version" and "pythonVersion"`},
		{"empty pname", `{"format": "pip2nix-bitpoll/nixpkgs-query/v1", "python": {"attr": "python312", "version": "3.12.10", "pythonVersion": "3.12"}, "packages": {"x": {"pname": "", "version": "1"}}}`,
			`q.json: package "x": needs a non-empty attribute name, "pname" and "version"`},
		{"recipe src", `{"format": "pip2nix-bitpoll/nixpkgs-query/v1", "python": {"attr": "python312", "version": "3.12.10", "pythonVersion": "3.12"}, "packages": {"x": {"pname": "x", "version": "1", "recipe": {"src": "ftp"}}}}`,
			`q.json: package "x": recipe.src "ftp", want "pypi", "github" or "other"`},
		{"fetched patch not among patches", `{"format": "pip2nix-bitpoll/nixpkgs-query/v1", "python": {"attr": "python312", "version": "3.12.10", "pythonVersion": "3.12"}, "packages": {"x": {"pname": "x", "version": "1", "recipe": {"src": "pypi", "patches": ["a.patch"], "fetchedPatches": ["b.patch"]}}}}`,
			`q.json: package "x": recipe.fetchedPatches names "b.patch", which recipe.patches does not`},
		{"relax deps", `{"format": "pip2nix-bitpoll/nixpkgs-query/v1", "python": {"attr": "python312", "version": "3.12.10", "pythonVersion": "3.12"}, "packages": {"x": {"pname": "x", "version": "1", "recipe": {"src": "pypi", "pythonRelaxDeps": 3}}}}`,
			`q.json: pythonRelaxDeps: want a bool or a list of strings`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "q.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.data), 0o644))
			_, err := Load(path)
			require.Error(t, err)
			assert.Equal(t, filepath.Dir(path)+"/"+tt.want, err.Error())
		})
	}
	_, err := Load(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "missing.json")
}

func FuzzLoad(f *testing.F) {
	seed, err := os.ReadFile(testQueryFile)
	require.NoError(f, err)
	f.Add(seed)
	partial, err := os.ReadFile("testdata/query-partial.json")
	require.NoError(f, err)
	f.Add(partial)
	f.Add([]byte(`{"format": "pip2nix-bitpoll/nixpkgs-query/v1", "python": {"attr": "p", "version": "3", "pythonVersion": "3"}, "packages": {}}`))
	f.Add([]byte(`{"format": 1}`))
	f.Add([]byte(recordedQuery))
	f.Add([]byte(`{"packages": {"a": {"pname": "a", "version": "1", "pypiName": "A"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decodeFile("fuzz.json", data)
		if err != nil {
			return
		}
		// Whatever loads must save and load back to the same set.
		var buf bytes.Buffer
		require.NoError(t, s.Save(&buf))
		again, err := decodeFile("fuzz.json", buf.Bytes())
		require.NoError(t, err, "saved:\n%s", buf.String())
		assert.Equal(t, s, again)
	})
}

func BenchmarkLookup(b *testing.B) {
	s := loadTestSet(b)
	for b.Loop() {
		s.Lookup("Django")
	}
}

func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile(testQueryFile)
	require.NoError(b, err)
	for b.Loop() {
		if _, err := decodeFile(testQueryFile, data); err != nil {
			b.Fatal(err)
		}
	}
}
