package sdist

import (
	"archive/zip"
	"bytes"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func buildWheel(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedNames(files) {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(files[name]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func sortedNames(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestParseWheelName(t *testing.T) {
	tests := []struct {
		file string
		want WheelName
		pure bool
	}{
		{"django_token_bucket-0.2.4-py3-none-any.whl", WheelName{"django_token_bucket", "0.2.4", "", "py3", "none", "any"}, true},
		{"six-1.16.0-py2.py3-none-any.whl", WheelName{"six", "1.16.0", "", "py2.py3", "none", "any"}, true},
		{"x-1.0-1-py3-none-any.whl", WheelName{"x", "1.0", "1", "py3", "none", "any"}, true},
		{"cffi-1.17.1-cp312-cp312-manylinux_2_17_x86_64.whl", WheelName{"cffi", "1.17.1", "", "cp312", "cp312", "manylinux_2_17_x86_64"}, false},
		{"old-1.0-py2-none-any.whl", WheelName{"old", "1.0", "", "py2", "none", "any"}, false},
		{"abi3-1.0-cp38-abi3-any.whl", WheelName{"abi3", "1.0", "", "cp38", "abi3", "any"}, false},
	}
	for _, tt := range tests {
		w, err := ParseWheelName(tt.file)
		require.NoError(t, err, tt.file)
		assert.Equal(t, tt.want, w, tt.file)
		assert.Equal(t, tt.pure, w.PurePython3(), tt.file)
	}
	for _, bad := range []string{"x-1.0.tar.gz", "x-1.0-py3-any.whl", "x--py3-none-any.whl"} {
		_, err := ParseWheelName(bad)
		assert.Error(t, err, bad)
	}
}

func TestInspectWheel(t *testing.T) {
	data := buildWheel(t, map[string]string{
		"token_bucket/__init__.py":                      "",
		"token_bucket/models.py":                        "",
		"tb_helper.py":                                  "",
		"django_token_bucket-0.2.4.dist-info/METADATA":  "Metadata-Version: 2.1\nName: django-token-bucket\nVersion: 0.2.4\nRequires-Dist: Django>=2.2\nLicense: MIT\n",
		"django_token_bucket-0.2.4.dist-info/RECORD":    "",
		"django_token_bucket-0.2.4.data/scripts/run.py": "",
	})
	info, err := InspectWheel("django_token_bucket-0.2.4-py3-none-any.whl", bytes.NewReader(data), int64(len(data)), Limits{})
	require.NoError(t, err)
	assert.Equal(t, "django-token-bucket", info.Metadata.Name)
	assert.Equal(t, []string{"Django>=2.2"}, info.Metadata.RequiresDist)
	assert.Equal(t, SourcePKGINFO, info.RequiresDistSource)
	assert.Equal(t, []string{"tb_helper", "token_bucket"}, info.ImportNames)
	assert.Empty(t, info.BuildSystem.Requires, "a wheel is not built")

	nameless := buildWheel(t, map[string]string{"x/__init__.py": ""})
	_, err = InspectWheel("x-1.0-py3-none-any.whl", bytes.NewReader(nameless), int64(len(nameless)), Limits{})
	assert.EqualError(t, err, "wheel x-1.0-py3-none-any.whl: no x-1.0.dist-info/METADATA")
	evil := buildWheel(t, map[string]string{"../evil.py": ""})
	_, err = InspectWheel("x-1.0-py3-none-any.whl", bytes.NewReader(evil), int64(len(evil)), Limits{})
	assert.ErrorIs(t, err, ErrUnsafePath)
	_, err = InspectWheel("x-1.0-py3-none-any.whl", bytes.NewReader([]byte("not a zip")), int64(len("not a zip")), Limits{})
	assert.ErrorContains(t, err, "wheel x-1.0-py3-none-any.whl: zip:")
}

// FuzzInspectWheel: any bytes give an Info or an error, never a panic,
// and an Info always carries metadata.
func FuzzInspectWheel(f *testing.F) {
	f.Add(buildWheel(f, map[string]string{"x/__init__.py": "", "x-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n"}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := InspectWheel("x-1.0-py3-none-any.whl", bytes.NewReader(data), int64(len(data)), Limits{MaxMembers: 100, MaxMemberSize: 1 << 16, MaxTotalSize: 1 << 20})
		if err == nil && info.Metadata == nil {
			t.Fatal("an Info without metadata")
		}
	})
}
