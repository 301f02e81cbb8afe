package nixmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBuildAttr(t *testing.T) {
	attr, ok := BuildAttr("Setuptools_SCM")
	assert.True(t, ok)
	assert.Equal(t, "setuptools-scm", attr)
	_, ok = BuildAttr("poetry")
	assert.False(t, ok, "nixpkgs ships poetry as an application")
}
