// Package recorded holds facts of the real world — the Python index's
// releases for Bitpoll's closure — recorded from public files with
// citations (see index/README.md and PROVENANCE.md). Its tests load the
// records through package facts, the one reader of their schema, so a
// malformed one fails CI, and check PROVENANCE.md against them; it has no
// API.
package recorded
