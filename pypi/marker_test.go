package pypi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMarkerEvaluate(t *testing.T) {
	linux := LinuxCPython("3.12.8")
	darwin := DarwinCPython("3.8.10")
	tests := []struct {
		marker string
		env    Environment
		want   bool
	}{
		{`python_version >= "3.8"`, linux, true},
		{`python_version < '3.10'`, linux, false},
		{`'3.8' <= python_version`, linux, true},
		{`python_version > "3.8"`, darwin, false},
		{`python_full_version >= "3.12.0rc1"`, linux, true},
		{`sys_platform == "linux" and platform_machine == "x86_64"`, linux, true},
		{`sys_platform == "win32" or sys_platform == "darwin"`, darwin, true},
		{`sys_platform == "win32" or sys_platform == "darwin" and python_version >= "3.9"`, darwin, false},
		{`(sys_platform == "win32" or sys_platform == "darwin") and python_version >= "3.8"`, darwin, true},
		{`"linux" in sys_platform`, linux, true},
		{`"lin" not in sys_platform`, linux, false},
		{`extra == "Django_Extra"`, Environment{"extra": "django-extra"}, true},
		{`extra == "ldap"`, linux, false},
		{`os.name == "posix"`, linux, true},
		{`python_implementation == "CPython"`, linux, true},
		{`platform_release >= "6"`, Environment{"platform_release": "6.5.0-1025-azure"}, true},
		{`platform_release >= "7"`, Environment{"platform_release": "6.5.0-1025-azure"}, false},
		// Non-version variables compare as strings even when they look like versions.
		{`platform_machine > "10"`, Environment{"platform_machine": "9"}, true},
		{`python_version ~= "3.8"`, linux, true},
		{`python_version === "3.12"`, linux, true},
		{`os_name ~= "posix"`, linux, false},
		{`python_version == "3.12.*"`, linux, true},
	}
	for _, tt := range tests {
		t.Run(tt.marker, func(t *testing.T) {
			m, err := ParseMarker(tt.marker)
			require.NoError(t, err)
			assert.Equal(t, tt.want, m.Evaluate(tt.env))
		})
	}
	assert.True(t, Marker{}.Evaluate(linux))
	assert.True(t, Marker{}.IsEmpty())
}

func TestMarkerString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`python_version>='3.8'`, `python_version >= "3.8"`},
		{`(os_name=="a") and extra=='Foo_Bar'`, `os_name == "a" and extra == "foo-bar"`},
		{`((os_name=="a" or os_name=="b"))`, `os_name == "a" or os_name == "b"`},
		{`((os_name=="a" or os_name=="b")) and extra == "x"`, `(os_name == "a" or os_name == "b") and extra == "x"`},
		{`platform.machine=="x" and python_implementation=='PyPy'`, `platform_machine == "x" and platform_python_implementation == "PyPy"`},
		{`os_name == 'a"b'`, `os_name == 'a"b'`},
		{"sys_platform\tnot   in 'win32'", `sys_platform not in "win32"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := ParseMarker(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, m.String())
			again, err := ParseMarker(m.String())
			require.NoError(t, err)
			assert.Equal(t, m.String(), again.String())
		})
	}
}

func TestParseMarkerInvalid(t *testing.T) {
	for _, in := range []string{``, `python_version`, `python_version >= `, `python_version >= "3`, `foo == "1"`, `(os_name == "a"`, `os_name == "a" and`, `os_name notin "a"`, `os_name == "a" xor os_name == "b"`, `os_name = "a"`} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseMarker(in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "invalid marker")
		})
	}
}
