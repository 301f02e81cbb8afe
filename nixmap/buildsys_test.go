package nixmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBuildSystems(t *testing.T) {
	tests := []struct {
		name     string
		requires []string
		attrs    []string
		unmapped []string
	}{
		{"legacy default", []string{"setuptools>=40.8.0"}, []string{"setuptools"}, nil},
		{"setuptools-scm spellings", []string{"setuptools_scm[toml]>=6.2", "wheel", "Setuptools-SCM"}, []string{"setuptools-scm", "wheel"}, nil},
		{"hatch plugins", []string{"hatchling", "hatch-vcs", "hatch-fancy-pypi-readme>=22.5.0"}, []string{"hatch-fancy-pypi-readme", "hatch-vcs", "hatchling"}, nil},
		{"compiled", []string{"Cython>=3.0", "cffi>=1.0 ; platform_python_implementation != 'PyPy'", "pybind11", "scikit-build-core", "meson-python", "maturin>=1,<2", "setuptools-rust"},
			[]string{"cffi", "cython", "maturin", "meson-python", "pybind11", "scikit-build-core", "setuptools-rust"}, nil},
		{"unmapped reported as written", []string{"poetry>=0.12", "flit_core >=3.2,<4", "oldest-supported-numpy", "pdm-backend"},
			[]string{"flit-core", "pdm-backend"}, []string{"poetry>=0.12", "oldest-supported-numpy"}},
		{"empty", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs, unmapped := BuildSystems(tt.requires)
			assert.Equal(t, tt.attrs, attrs)
			assert.Equal(t, tt.unmapped, unmapped)
		})
	}
}

func TestBuildAttr(t *testing.T) {
	attr, ok := BuildAttr("Setuptools_SCM")
	assert.True(t, ok)
	assert.Equal(t, "setuptools-scm", attr)
	_, ok = BuildAttr("poetry")
	assert.False(t, ok, "nixpkgs ships poetry as an application")
}
