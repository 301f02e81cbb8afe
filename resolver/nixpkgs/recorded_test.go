package nixpkgs

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordedFile is the recorded (partial) query of nixos-25.05's python312.
const recordedFile = "../../recorded/nixpkgs/nixos-25.05-python312.json"

func TestRecordedQueryFile(t *testing.T) {
	s, err := Load(recordedFile)
	require.NoError(t, err)
	assert.True(t, s.Partial, "a recording is partial")
	assert.Equal(t, "python312", s.PythonAttr)
	for _, p := range s.Packages {
		assert.NotNil(t, p.Recipe, "%s: every recorded attribute was read with its recipe", p.Attr)
		assert.NotNil(t, p.License, p.Attr)
	}

	got, err := s.Find("Django")
	require.NoError(t, err)
	assert.Equal(t, []string{"django", "django_5", "django_4"}, attrs(got))
	got, err = s.Find("psycopg2-binary")
	require.NoError(t, err)
	assert.Equal(t, []string{"psycopg2"}, attrs(got))
	got, err = s.Find("python-ldap")
	require.NoError(t, err)
	assert.Equal(t, []string{"python-ldap", "ldap"}, attrs(got))

	// Names the recording leaves out are unknown, not absent.
	for _, name := range []string{"django-token-bucket", "cryptojwt", "django-simple-csp"} {
		_, err := s.Find(name)
		var nr *NotRecordedError
		assert.True(t, errors.As(err, &nr), "%s: %v", name, err)
	}
}
