package nixpkgs

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixtures helper's recorded-shape nixpkgs 25.05 data for Bitpoll's
// closure: the saved query file and the raw output of query.nix.
const (
	fixtureSaved = "../../fixtures/nixpkgs/nixos-25.05-python312.json"
	fixtureEval  = "../../fixtures/nixpkgs/eval-python312.json"
)

func TestLookupFixture(t *testing.T) {
	s, err := Load(fixtureSaved)
	require.NoError(t, err)
	assert.Equal(t, "python312", s.PythonAttr)
	tests := []struct {
		name string
		want []string
	}{
		{"django", []string{"django", "django_5", "django_4"}},
		{"Django", []string{"django", "django_5", "django_4"}},
		{"psycopg2-binary", []string{"psycopg2"}},
		{"PyYAML", []string{"pyyaml"}},
		{"django_widget_tweaks", []string{"django-widget-tweaks"}},
		{"Django.Auth.LDAP", []string{"django-auth-ldap"}},
		{"bitpoll", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, attrs(s.Lookup(tt.name)))
		})
	}
}

// TestQueryFixtureEval replays the recorded query.nix output through a fake
// nix and checks that Query makes of it the same set as the saved file.
func TestQueryFixtureEval(t *testing.T) {
	eval, err := os.ReadFile(fixtureEval)
	require.NoError(t, err)
	nix := newFakeNix(t, `{"rev": null, "query": `+string(eval)+`}`, "", 0)
	got, err := Query(context.Background(), QueryOptions{Ref: "nixos-25.05", Nix: nix.bin})
	require.NoError(t, err)

	want, err := Load(fixtureSaved)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}
