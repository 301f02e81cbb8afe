// Package nixmap maps Python packaging facts to nixpkgs: build
// requirements to attributes of nixpkgs' Python package set, and license
// metadata (SPDX expressions, Trove classifiers, free text) to
// lib.licenses attribute names. It knows nixpkgs' names; pypi and its
// subpackages know only Python packaging.
package nixmap
