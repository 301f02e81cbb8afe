package pypi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpecifierContains(t *testing.T) {
	tests := []struct {
		spec, version string
		pre, want     bool
	}{
		{"==1.1.*", "1.1.post1", true, true},
		{"==1.1.*", "1.1a1", true, true},
		{"==1.1.*", "1.10", true, false},
		{"==1.0.0.*", "1", true, true},
		{"!=1.1.*", "1.1.3", true, false},
		{"==1.7", "1.7+local", true, true},
		{"==1.7+local", "1.7", true, false},
		{"==1.7+local", "1.7+LOCAL", true, true},
		{">1.7", "1.7.post1", true, false},
		{">1.7", "1.7+local", true, false},
		{">1.7", "1.8", true, true},
		{">1.7.post2", "1.7.post3", true, true},
		{"<1.7", "1.7rc1", true, false},
		{"<1.7", "1.7.dev0", true, false},
		{"<1.7", "1.6.9", true, true},
		{"<1.7rc2", "1.7rc1", true, true},
		{"<=2", "2.0a1", true, true},
		{"<=2", "2.0a1", false, false},
		{"~=2.2", "2.3", true, true},
		{"~=2.2", "3.0", true, false},
		{"~=2.2.0", "2.3", true, false},
		{"~=1.4.5a4", "1.4.5", true, true},
		{"===1.0", "1.0", true, true},
		{"===1.0.0", "1.0", true, false},
		{">=1.0, <2.0", "1.5", true, true},
		{">=1.0, <2.0", "2.0", true, false},
		{"", "5.0", false, true},
		{"", "5.0a1", false, false},
		{"==1!1.0.*", "1.0", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.spec+" "+tt.version, func(t *testing.T) {
			s, err := ParseSpecifierSet(tt.spec)
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.Contains(MustParseVersion(tt.version), tt.pre))
		})
	}
}

func TestParseSpecifierSetInvalid(t *testing.T) {
	for _, in := range []string{"~=1", "1.0", ">=1.0.*", "<1.0+local", "==1.0a1.*", "=>1.0", ">= 1.0 .*", "===a b", "==1.0,foo"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseSpecifierSet(in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `"`+in+`"`)
		})
	}
}

func TestSpecifierSetString(t *testing.T) {
	s, err := ParseSpecifierSet(" <2.0 , >=1.0 ,, >=1.0,== 1.1.*,~=V1.0.0")
	require.NoError(t, err)
	assert.Equal(t, "<2.0,==1.1.*,>=1.0,~=1.0.0", s.String())
	assert.False(t, s.IsEmpty())
	assert.True(t, SpecifierSet{}.IsEmpty())
	u, err := ParseSpecifierSet("!=1.5")
	require.NoError(t, err)
	assert.Equal(t, "!=1.5,<2.0,==1.1.*,>=1.0,~=1.0.0", s.Intersect(u).String())
}

func TestSpecifierFilter(t *testing.T) {
	vs := func(ss ...string) []Version {
		out := make([]Version, len(ss))
		for i, s := range ss {
			out[i] = MustParseVersion(s)
		}
		return out
	}
	tests := []struct {
		spec string
		in   []string
		want []string
	}{
		{">=1.0", []string{"0.9", "1.0", "1.1a1", "1.2"}, []string{"1.0", "1.2"}},
		{">=1.0", []string{"0.9", "1.1a1"}, []string{"1.1a1"}},
		{">=1.0a1", []string{"1.1a1", "1.2"}, []string{"1.1a1", "1.2"}},
		{"", []string{"1.0a1", "2.0b1"}, []string{"1.0a1", "2.0b1"}},
		{"<1.0", []string{"1.0", "2.0"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := ParseSpecifierSet(tt.spec)
			require.NoError(t, err)
			var got []string
			for _, v := range s.Filter(vs(tt.in...)) {
				got = append(got, v.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSpecifierClauses(t *testing.T) {
	tests := []struct {
		spec    string
		clauses []string // operator and version, space-separated
		pin     string   // "" when the set pins nothing
	}{
		{"", nil, ""},
		{">=1.0, <2", []string{"< 2", ">= 1.0"}, ""},
		{"==1.1.*", []string{"== 1.1.*"}, ""},
		{"==01.02", []string{"== 1.2"}, "1.2"},
		{"!=1.5,==2.0rc1", []string{"!= 1.5", "== 2.0rc1"}, "2.0rc1"},
		{"===1.0-1", []string{"=== 1.0-1"}, "1.0.post1"},
		{"===foo", []string{"=== foo"}, ""},
		{"~=2.2", []string{"~= 2.2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := ParseSpecifierSet(tt.spec)
			require.NoError(t, err)
			var got []string
			for _, c := range s.Specifiers() {
				got = append(got, c.Operator+" "+c.Version)
				assert.Contains(t, s.String(), c.String())
			}
			assert.Equal(t, tt.clauses, got)
			pin, ok := s.Pin()
			assert.Equal(t, tt.pin != "", ok)
			if ok {
				assert.Equal(t, tt.pin, pin.String())
			}
		})
	}
}
