package pypi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRequirement(t *testing.T) {
	tests := []struct {
		in                           string
		name, spec, url, marker, str string
		extras                       []string
	}{
		{in: "django", name: "django", str: "django"},
		{in: "simple_openid_connect[django]", name: "simple_openid_connect", extras: []string{"django"}, str: "simple_openid_connect[django]"},
		{in: "django-token-bucket>=0.2.2", name: "django-token-bucket", spec: ">=0.2.2", str: "django-token-bucket>=0.2.2"},
		{in: "bleach[css]==6.1.0", name: "bleach", extras: []string{"css"}, spec: "==6.1.0", str: "bleach[css]==6.1.0"},
		{in: "eventlet (>=0.24.1) ; extra == 'eventlet'", name: "eventlet", spec: ">=0.24.1", marker: `extra == "eventlet"`, str: `eventlet>=0.24.1; extra == "eventlet"`},
		{in: " requests [ Socks , security,socks ] < 3 , >= 2.8.1;python_version>='3.8' ", name: "requests", extras: []string{"security", "socks"}, spec: "<3,>=2.8.1", marker: `python_version >= "3.8"`, str: `requests[security,socks]<3,>=2.8.1; python_version >= "3.8"`},
		{in: "pkg @ https://example.org/pkg-1.0.tar.gz#sha256=00 ; os_name == 'posix'", name: "pkg", url: "https://example.org/pkg-1.0.tar.gz#sha256=00", marker: `os_name == "posix"`, str: `pkg @ https://example.org/pkg-1.0.tar.gz#sha256=00 ; os_name == "posix"`},
		{in: "pkg@https://example.org/p.zip;os_name=='x'", name: "pkg", url: "https://example.org/p.zip;os_name=='x'", str: "pkg @ https://example.org/p.zip;os_name=='x'"},
		{in: "foo===1.0-weird", name: "foo", spec: "===1.0-weird", str: "foo===1.0-weird"},
		{in: "Foo.Bar_", name: "Foo.Bar_", str: "Foo.Bar_"},
		{in: "foo[]", name: "foo", str: "foo"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRequirement(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.name, r.Name)
			assert.Equal(t, tt.extras, r.Extras)
			assert.Equal(t, tt.spec, r.Specifier.String())
			assert.Equal(t, tt.url, r.URL)
			assert.Equal(t, tt.marker, r.Marker.String())
			assert.Equal(t, tt.str, r.String())
			again, err := ParseRequirement(r.String())
			require.NoError(t, err)
			assert.Equal(t, r.String(), again.String())
		})
	}
	r, err := ParseRequirement("Zope.Interface")
	require.NoError(t, err)
	assert.Equal(t, "zope-interface", r.NormalizedName())
}

func TestParseRequirementInvalid(t *testing.T) {
	for _, in := range []string{"", ">=1.0", "foo.", "foo bar", "foo>=1.0 bar", "foo[bar", "foo[bar,]", "foo (>=1.0", "foo ~=1", "foo @", "foo; bar", "foo>=1.0;", "foo-", "foo>=1.*", "foo[bar_]", "foo[bar.]"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseRequirement(in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "invalid requirement")
		})
	}
}
