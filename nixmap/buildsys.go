package nixmap

import "github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"

// nixBuildAttrs maps the PEP 503 name of a build requirement to its
// attribute in nixpkgs' Python package set. Only names whose attribute was
// checked against nixpkgs' python-modules tree are listed; anything else is
// reported as unmapped rather than guessed (e.g. "poetry", which nixpkgs
// ships as an application, not a Python library, and "oldest-supported-numpy").
var nixBuildAttrs = map[string]string{
	"setuptools":                "setuptools",
	"wheel":                     "wheel",
	"setuptools-scm":            "setuptools-scm",
	"setuptools-git":            "setuptools-git",
	"setuptools-git-versioning": "setuptools-git-versioning",
	"setuptools-rust":           "setuptools-rust",
	"poetry-core":               "poetry-core",
	"poetry-dynamic-versioning": "poetry-dynamic-versioning",
	"hatchling":                 "hatchling",
	"hatch-vcs":                 "hatch-vcs",
	"hatch-fancy-pypi-readme":   "hatch-fancy-pypi-readme",
	"hatch-requirements-txt":    "hatch-requirements-txt",
	"hatch-jupyter-builder":     "hatch-jupyter-builder",
	"hatch-nodejs-version":      "hatch-nodejs-version",
	"flit":                      "flit",
	"flit-core":                 "flit-core",
	"flit-scm":                  "flit-scm",
	"pdm-backend":               "pdm-backend",
	"pdm-pep517":                "pdm-pep517",
	"uv-build":                  "uv-build",
	"maturin":                   "maturin",
	"scikit-build":              "scikit-build",
	"scikit-build-core":         "scikit-build-core",
	"meson-python":              "meson-python",
	"cmake":                     "cmake",
	"ninja":                     "ninja",
	"pkgconfig":                 "pkgconfig",
	"cython":                    "cython",
	"cffi":                      "cffi",
	"pybind11":                  "pybind11",
	"nanobind":                  "nanobind",
	"cppy":                      "cppy",
	"numpy":                     "numpy",
	"pythran":                   "pythran",
	"versioneer":                "versioneer",
	"incremental":               "incremental",
	"pbr":                       "pbr",
	"calver":                    "calver",
	"jupyter-packaging":         "jupyter-packaging",
	"sip":                       "sip",
	"pyqt-builder":              "pyqt-builder",
	"babel":                     "babel",
	"packaging":                 "packaging",
	"tomli":                     "tomli",
	"toml":                      "toml",
	"trove-classifiers":         "trove-classifiers",
}

// BuildAttr returns the nixpkgs attribute of the build tool name (any
// PEP 503 spelling), if the table knows it.
func BuildAttr(name string) (string, bool) {
	attr, ok := nixBuildAttrs[pypi.NormalizeName(name)]
	return attr, ok
}
