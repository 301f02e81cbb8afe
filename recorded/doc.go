// Package recorded holds facts of the real world — the Python index's
// releases for Bitpoll's closure — recorded from public files with
// citations (see index/README.md and PROVENANCE.md). Its tests validate the
// records so a malformed one fails CI; it has no API.
package recorded
