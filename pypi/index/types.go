// Package index talks to a PyPI-compatible package index: the JSON API, the
// PEP 691/503 Simple API and PEP 658 metadata files, with retries, an on-disk
// cache and an offline mode.
package index

import "github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"

// FileKind says what sort of distribution a File is.
type FileKind string

// The kinds of distribution files an index lists.
const (
	Sdist FileKind = "sdist"
	Wheel FileKind = "wheel"
	Other FileKind = "other"
)

// File is one distribution file of a release, as the index lists it. URLs are
// taken from the index's responses, never built.
type File struct {
	Filename string
	URL      string
	Kind     FileKind
	SHA256   string // lower-case hex; "" when the index gives none
	// Hashes are every digest the index gives in an algorithm
	// pypi.NewHash knows (sha256 included), validated, sorted by algorithm.
	Hashes         []pypi.Hash
	Size           int64
	RequiresPython string // as published; "" when absent
	Yanked         bool
	YankedReason   string
	UploadTime     string // RFC 3339 as published; "" when absent
	// CoreMetadata is true when a PEP 658 ".metadata" file is served next to
	// the file; CoreMetadataSHA256 is its digest when the index gives one.
	CoreMetadata       bool
	CoreMetadataSHA256 string
}

// Project is everything the index knows about a project's releases.
type Project struct {
	Name     string    // PEP 503 normalized
	Releases []Release // in the index's order; callers sort by version
}

// Release is one version of a project and its files. A release may have no
// files at all.
type Release struct {
	Version string // as the index spells it
	Files   []File
}

// Yanked reports whether every file of the release is yanked (a release with
// no files is not yanked).
func (r Release) Yanked() bool {
	if len(r.Files) == 0 {
		return false
	}
	for _, f := range r.Files {
		if !f.Yanked {
			return false
		}
	}
	return true
}

// ReleaseInfo is the metadata of one release: the JSON API's info block, the
// release's files and its advisories.
type ReleaseInfo struct {
	Name              string // as the project spells it
	Version           string
	Summary           string
	HomePage          string
	ProjectURLs       map[string]string // label → URL
	License           string            // free text; may be long or "UNKNOWN"
	LicenseExpression string            // SPDX (Metadata 2.4); "" before
	Classifiers       []string
	// RequiresDist lists PEP 508 requirement strings. RequiresDistKnown is
	// false when neither the JSON API nor a PEP 658 metadata file said what
	// the release depends on (the index's null is not "no dependencies").
	RequiresDist      []string
	RequiresDistKnown bool
	RequiresPython    string
	ProvidesExtra     []string
	Yanked            bool
	YankedReason      string
	Files             []File
	Vulnerabilities   []Vulnerability
	// MetadataWarnings name the lines of a PEP 658 metadata file that
	// were read leniently (as pip reads them), each beginning with the
	// file: "the index's core metadata (x-1.0.tar.gz.metadata), line 7: …".
	MetadataWarnings []string
}

// Vulnerability is one advisory the index publishes for a release.
type Vulnerability struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Summary   string   `json:"summary,omitempty"`
	Details   string   `json:"details,omitempty"`
	FixedIn   []string `json:"fixedIn"`
	Link      string   `json:"link,omitempty"`
	Source    string   `json:"source,omitempty"`
	Withdrawn string   `json:"withdrawn,omitempty"`
}
