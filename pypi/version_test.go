package pypi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVersionCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.0", "1.0"},
		{"1!2.0", "1!2.0"},
		{"1.0RC1", "1.0rc1"},
		{"1.0-1", "1.0.post1"},
		{"1.0.post0", "1.0.post0"},
		{"1.0.dev3", "1.0.dev3"},
		{"1.0c1", "1.0rc1"},
		{"1.0-r4", "1.0.post4"},
		{"1.0.post", "1.0.post0"},
		{"1.0-dev", "1.0.dev0"},
		{"1.0+ubuntu.1", "1.0+ubuntu.1"},
		{"1.0+ubuntu-1", "1.0+ubuntu.1"},
		{"1.0+Ubuntu_01", "1.0+ubuntu.1"},
		{"v1.0", "1.0"},
		{"  1.0\n", "1.0"},
		{"01.002", "1.2"},
		{"1.0.0-alpha.1", "1.0.0a1"},
		{"1.0a.1", "1.0a1"},
		{"1.0preview2", "1.0rc2"},
		{"1.0-beta", "1.0b0"},
		{"1.0.a.dev", "1.0a0.dev0"},
		{"1.0_rev_3", "1.0.post3"},
		{"20240202", "20240202"},
		{"2.9.0.post0", "2.9.0.post0"},
		{"0.4.dev1", "0.4.dev1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := ParseVersion(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, v.String())
		})
	}
}

func TestParseVersionInvalid(t *testing.T) {
	for _, in := range []string{"", "1.0-", "1.0.dev1.post1", "2004d", "1.0+", "1.0+a..b", "v", "1!", "1.0a1b1", "1.0 1", "99999999999999999999"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseVersion(in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `"`+in+`"`)
		})
	}
}

func TestVersionOrder(t *testing.T) {
	chain := []string{"1.0.dev0", "1.0a1", "1.0b2.post345.dev456", "1.0rc1.post1", "1.0", "1.0+abc", "1.0+5", "1.0.post1.dev1", "1.0.post1", "2.0", "1!0.1"}
	for i := range chain {
		for j := range chain {
			a, b := MustParseVersion(chain[i]), MustParseVersion(chain[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			assert.Equal(t, want, a.Compare(b), "%s vs %s", chain[i], chain[j])
		}
	}
	assert.True(t, MustParseVersion("1.0").Equal(MustParseVersion("1.0.0")))
	assert.True(t, MustParseVersion("1.0+abc.01").Equal(MustParseVersion("1.0+abc.1")))
	assert.Equal(t, -1, MustParseVersion("1.0+9").Compare(MustParseVersion("1.0+10")))
	assert.Equal(t, -1, MustParseVersion("1.0+zzz").Compare(MustParseVersion("1.0+0")))
	assert.Equal(t, -1, MustParseVersion("1.0+a").Compare(MustParseVersion("1.0+a.b")))
}

func TestVersionAccessors(t *testing.T) {
	v := MustParseVersion("1!2.3rc1.post2.dev3+Ubuntu-1")
	assert.Equal(t, 1, v.Epoch())
	assert.Equal(t, []int{2, 3}, v.Release())
	assert.Equal(t, "ubuntu.1", v.Local())
	assert.Equal(t, "1!2.3rc1.post2.dev3", v.Public().String())
	assert.Equal(t, "1!2.3", v.BaseVersion().String())
	assert.True(t, v.IsPrerelease())
	assert.True(t, v.IsPostRelease())
	assert.True(t, v.IsDevRelease())
	assert.False(t, MustParseVersion("1.0.post1").IsPrerelease())
	assert.Equal(t, "0", Version{}.String())
	assert.Panics(t, func() { MustParseVersion("nope") })
}
