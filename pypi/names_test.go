package pypi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeName(t *testing.T) {
	tests := map[string]string{
		"Django":                 "django",
		"simple_openid_connect":  "simple-openid-connect",
		"zope.interface":         "zope-interface",
		"A-_.-b":                 "a-b",
		"typing-extensions":      "typing-extensions",
		"Typing__Extensions...x": "typing-extensions-x",
	}
	for in, want := range tests {
		assert.Equal(t, want, NormalizeName(in), in)
	}
	assert.True(t, ValidName("django-token-bucket"))
	assert.True(t, ValidName("a"))
	for _, bad := range []string{"", "-a", "a-", "a b", "é", "a/b"} {
		assert.False(t, ValidName(bad), bad)
	}
}

// TestNormalizeNameNoAlloc: a name already normalized comes back as it
// is; the resolver normalizes every name it meets several times.
func TestNormalizeNameNoAlloc(t *testing.T) {
	name := string([]byte("django-token-bucket"))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = NormalizeName(name) }))
	for _, in := range []string{"a--b", "-a-", "A", "a_b", "a.b", "é", "a b"} {
		assert.Equal(t, normalizeName(in), NormalizeName(in), in)
	}
}

func TestSdistFilename(t *testing.T) {
	assert.Equal(t, "django_token_bucket-0.2.4.tar.gz", SdistFilename("django-token-bucket", "0.2.4"))
	assert.Equal(t, "python_dateutil-2.9.0.post0.tar.gz", SdistFilename("Python.Dateutil", "2.9.0-0"))
	assert.Equal(t, "django_simple_csp-0.4.dev1.tar.gz", SdistFilename("django-simple-csp", "0.4.dev1"))
}

func TestParseSdistFilename(t *testing.T) {
	tests := []struct{ file, name, version, ext string }{
		{"django-token-bucket-0.2.4.tar.gz", "django-token-bucket", "0.2.4", ".tar.gz"},
		{"Django-5.0.6.tar.gz", "Django", "5.0.6", ".tar.gz"},
		{"python_dateutil-2.9.0.post0.tar.gz", "python_dateutil", "2.9.0.post0", ".tar.gz"},
		{"vobject-0.9.7.zip", "vobject", "0.9.7", ".zip"},
		{"foo-bar-1.0-1.tar.bz2", "foo-bar-1.0", "1", ".tar.bz2"}, // last dash wins
		{"pkg-1.0.TAR.GZ", "pkg", "1.0", ".TAR.GZ"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			name, version, ext, err := ParseSdistFilename(tt.file)
			require.NoError(t, err)
			assert.Equal(t, []string{tt.name, tt.version, tt.ext}, []string{name, version, ext})
		})
	}
	for _, bad := range []string{"django.tar.gz", "django-5.0.whl", "-1.0.tar.gz", ".tar.gz"} {
		_, _, _, err := ParseSdistFilename(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseSdistFilenameFor(t *testing.T) {
	// The last-dash rule misreads "1.0-1" (implicit post-release); knowing
	// the project removes the ambiguity.
	tests := []struct{ project, file, version, ext string }{
		{"foo-bar", "foo-bar-1.0-1.tar.bz2", "1.0-1", ".tar.bz2"},
		{"Foo_Bar", "foo.bar-1.0-1.tar.bz2", "1.0-1", ".tar.bz2"},
		{"django-token-bucket", "django-token-bucket-0.2.4.tar.gz", "0.2.4", ".tar.gz"},
		{"python-dateutil", "python_dateutil-2.9.0.post0.tar.gz", "2.9.0.post0", ".tar.gz"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			version, ext, err := ParseSdistFilenameFor(tt.project, tt.file)
			require.NoError(t, err)
			assert.Equal(t, []string{tt.version, tt.ext}, []string{version, ext})
		})
	}
	_, _, err := ParseSdistFilenameFor("foo", "foobar-1.0.tar.gz")
	assert.ErrorContains(t, err, `"foobar-1.0.tar.gz"`)
	_, _, err = ParseSdistFilenameFor("foo", "foo-bar.tar.gz")
	assert.Error(t, err)
}
