// Package facts reads recorded facts about an index's releases — one TOML
// file per project, recorded/index/<project>.toml — and serves them as an
// index without archives: the resolver lists releases and reads their
// metadata from them, and the inspection results they record (build
// backend and requirements, import names) stand in for reading the sdists.
// So python-packages.nix can be rendered from public records where the
// index itself cannot be reached.
//
// The schema is recorded/index/README.md's; every key outside it is an
// error at its line:
//
//	project = "django"                     # PEP 503 normalized; equals the file's stem
//
//	[[release]]
//	version = "5.0.6"
//	pinned_by_bitpoll = true               # false: another version (nixpkgs')
//	sdist = "Django-5.0.6.tar.gz"          # as published, or "unknown" / "disputed"
//	sha256 = "…64 lower-case hex…"         # or "unknown" / "disputed": never guessed
//	sha256_status = "agree"                # agree | single | unattributed | disagree | unknown
//	requires_python = ">=3.10"             # optional, like every key below
//	requires_dist = ["asgiref>=3.7.0,<4"]  # absent: unknown; [] means none
//	license = "BSD-3-Clause"               # the declared text, verbatim
//	build_backend = "setuptools.build_meta" # absent: PEP 517's setuptools fallback
//	build_requires = ["setuptools>=61"]
//	import_names = ["django"]
//
//	[[release.source]]                     # at least one; one per file read
//	facts = ["sha256", "sdist"]            # the release's keys this file supports
//	repo = "owner/name"                    # "" when the store names none; then store_id
//	commit = "…40 hex…"
//	path = "recipe/meta.yaml"
//	store_id = "…"
//	tag = "5.0.6"
//	kind = "what the file is"
//	found = "…the digest as written there…"
//	file = "Django-5.0.6.tar.gz"
//	agrees = true                          # found (or file) equals the recorded value
//
// A known digest is served only when at least one source supports it
// (facts has "sha256" and agrees = true). A "disputed" or "unknown" digest
// is served as unknown, so the overlay names the package as needing
// regeneration online: none of the disputed values is ever chosen. A
// release whose sdist file name is "unknown" or "disputed" cannot be
// fetched either: it is served with UnknownSdist's placeholder name (never
// a real file's) and no digest, whatever its sha256 says.
package facts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/lockfile"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
)

// The values of sha256 and sdist that record no single fact.
const (
	Unknown  = "unknown"  // no public file read gives it
	Disputed = "disputed" // sources disagree; each value stands in its source
)

// Statuses are the values of sha256_status.
var Statuses = []string{"agree", "single", "unattributed", "disagree", "unknown"}

// Facts are the values of a source's facts list: the release keys a file
// can support.
var Facts = []string{"sha256", "sdist", "requires_python", "requires_dist", "license", "build_backend", "build_requires", "import_names"}

// ErrNoArchive is wrapped by Download: recorded facts hold no file bytes.
var ErrNoArchive = errors.New("recorded facts hold no archive bytes")

var (
	hex64    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	commitRe = regexp.MustCompile(`^([0-9a-f]{40})?$`)
)

type projectFile struct {
	Project string        `toml:"project"`
	Release []releaseFact `toml:"release"`
}

type releaseFact struct {
	Version         string       `toml:"version"`
	PinnedByBitpoll bool         `toml:"pinned_by_bitpoll"`
	Sdist           string       `toml:"sdist"`
	SHA256          string       `toml:"sha256"`
	SHA256Status    string       `toml:"sha256_status"`
	RequiresPython  string       `toml:"requires_python"`
	RequiresDist    *[]string    `toml:"requires_dist"`
	License         string       `toml:"license"`
	BuildBackend    string       `toml:"build_backend"`
	BuildRequires   []string     `toml:"build_requires"`
	ImportNames     []string     `toml:"import_names"`
	Source          []sourceFact `toml:"source"`
}

type sourceFact struct {
	Facts   []string `toml:"facts"`
	Repo    string   `toml:"repo"`
	Commit  string   `toml:"commit"`
	Path    string   `toml:"path"`
	StoreID string   `toml:"store_id"`
	Tag     string   `toml:"tag"`
	Kind    string   `toml:"kind"`
	Found   string   `toml:"found"`
	File    string   `toml:"file"`
	Agrees  *bool    `toml:"agrees"`
}

// Index serves recorded facts as a resolver.IndexSource.
type Index struct {
	dir      string
	projects map[string]*project // by PEP 503 normalized name
}

type project struct {
	display  string
	file     string
	releases []releaseFact
}

// Load reads every *.toml file of dir. Errors name the file and, for
// syntax and unknown keys, the line.
func Load(dir string) (*Index, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no recorded facts (*.toml)", dir)
	}
	sort.Strings(paths)
	x := &Index{dir: dir, projects: map[string]*project{}}
	var errs []error
	for _, path := range paths {
		p, err := loadFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		x.projects[p.display] = p
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return x, nil
}

func loadFile(path string) (*project, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseFile(path, data)
}

// parseFile decodes and checks one project's facts; path names it in
// errors, and its stem must be the project's name.
func parseFile(path string, data []byte) (*project, error) {
	var pf projectFile
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&pf); err != nil {
		return nil, decodeError(path, err)
	}
	stem := strings.TrimSuffix(filepath.Base(path), ".toml")
	switch {
	case pf.Project == "":
		return nil, fmt.Errorf("%s: project is required", path)
	case pypi.NormalizeName(pf.Project) != pf.Project:
		return nil, fmt.Errorf("%s: project %q is not a PEP 503 normalized name (%q)", path, pf.Project, pypi.NormalizeName(pf.Project))
	case pf.Project != stem:
		return nil, fmt.Errorf("%s: project %q does not match the file name (want %s.toml)", path, pf.Project, pf.Project)
	case len(pf.Release) == 0:
		return nil, fmt.Errorf("%s: no [[release]]", path)
	}
	seen := map[string]bool{}
	for i, r := range pf.Release {
		where := fmt.Sprintf("%s: release[%d]", path, i)
		if r.Version == "" {
			return nil, fmt.Errorf("%s: version is required", where)
		}
		where += " (" + pf.Project + "@" + r.Version + ")"
		if seen[r.Version] {
			return nil, fmt.Errorf("%s: recorded twice", where)
		}
		seen[r.Version] = true
		if err := checkRelease(r); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	return &project{display: pf.Project, file: path, releases: pf.Release}, nil
}

// checkRelease checks one release's values against each other and its
// sources.
func checkRelease(r releaseFact) error {
	for _, q := range derefList(r.RequiresDist) {
		if _, err := pypi.ParseRequirement(q); err != nil {
			return fmt.Errorf("requires_dist %q: %w", q, err)
		}
	}
	switch {
	case r.Sdist == "":
		return fmt.Errorf("sdist is required (the file name as published, or %q / %q)", Unknown, Disputed)
	case r.Sdist != Unknown && r.Sdist != Disputed && (strings.ContainsAny(r.Sdist, "/\\ ") || !isSdistName(r.Sdist)):
		return fmt.Errorf("sdist %q: want a file name ending in .tar.gz or .zip, or %q / %q", r.Sdist, Unknown, Disputed)
	case r.SHA256 != Unknown && r.SHA256 != Disputed && !hex64.MatchString(r.SHA256):
		return fmt.Errorf("sha256 %q: want 64 lower-case hex digits, %q or %q", r.SHA256, Unknown, Disputed)
	case !slices.Contains(Statuses, r.SHA256Status):
		return fmt.Errorf("sha256_status %q: want one of %s", r.SHA256Status, strings.Join(Statuses, ", "))
	case (r.SHA256 == Unknown) != (r.SHA256Status == "unknown") || (r.SHA256 == Disputed) != (r.SHA256Status == "disagree"):
		return fmt.Errorf("sha256 %q contradicts sha256_status %q", r.SHA256, r.SHA256Status)
	case len(r.Source) == 0:
		return errors.New("cites no [[release.source]]")
	}
	supported := false
	for j, s := range r.Source {
		if err := checkSource(s); err != nil {
			return fmt.Errorf("source[%d]: %w", j, err)
		}
		supported = supported || (slices.Contains(s.Facts, "sha256") && s.Agrees != nil && *s.Agrees)
	}
	if hex64.MatchString(r.SHA256) && !supported {
		return fmt.Errorf("sha256 %s: no [[release.source]] supports it (facts with \"sha256\" and agrees = true)", r.SHA256)
	}
	return nil
}

func checkSource(s sourceFact) error {
	for _, f := range s.Facts {
		if !slices.Contains(Facts, f) {
			return fmt.Errorf("facts: %q is not one of %s", f, strings.Join(Facts, ", "))
		}
	}
	switch {
	case s.Repo == "" && s.StoreID == "":
		return errors.New("names neither a repo nor a store_id")
	case !commitRe.MatchString(s.Commit):
		return fmt.Errorf("commit %q: want 40 lower-case hex digits", s.Commit)
	}
	return nil
}

func isSdistName(name string) bool {
	return strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".zip")
}

func derefList(l *[]string) []string {
	if l == nil {
		return nil
	}
	return *l
}

// decodeError places go-toml's errors on their line.
func decodeError(path string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var errs []error
		for i := range strict.Errors {
			e := &strict.Errors[i]
			line, _ := e.Position()
			errs = append(errs, fmt.Errorf("%s:%d: unknown key %q", path, line, strings.Join(e.Key(), ".")))
		}
		return errors.Join(errs...)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		return fmt.Errorf("%s:%d: %s", path, line, strings.TrimPrefix(de.Error(), "toml: "))
	}
	return fmt.Errorf("%s: %w", path, err)
}

// UnknownSdist is the placeholder file name served for a release whose
// sdist file name is not recorded ("unknown" or "disputed"): it names no
// real file (it has spaces), carries no digest, and so renders as needing
// regeneration online.
func UnknownSdist(project, version string) string {
	return project + "-" + version + " (sdist file name unknown)"
}

// usable reports whether the release's sdist can be fetched as recorded:
// its file name and its digest are both single recorded values.
func (r releaseFact) usable() bool {
	return r.Sdist != Unknown && r.Sdist != Disputed && hex64.MatchString(r.SHA256)
}

// filename is the sdist's recorded name, or UnknownSdist's placeholder.
func (r releaseFact) filename(project string) string {
	if r.Sdist == Unknown || r.Sdist == Disputed {
		return UnknownSdist(project, r.Version)
	}
	return r.Sdist
}

// digest is the file's recorded sha256, "" unless usable.
func (r releaseFact) digest() string {
	if !r.usable() {
		return ""
	}
	return r.SHA256
}

func (r releaseFact) files(project string) []index.File {
	return []index.File{{
		Filename: r.filename(project), Kind: index.Sdist, SHA256: r.digest(),
		RequiresPython: r.RequiresPython,
	}}
}

func (x *Index) lookup(name string) (*project, error) {
	p, ok := x.projects[pypi.NormalizeName(name)]
	if !ok {
		return nil, fmt.Errorf("project %s is not among the recorded facts in %s: %w", name, x.dir, index.ErrNotFound)
	}
	return p, nil
}

// Project lists the recorded releases of name.
func (x *Index) Project(ctx context.Context, name string) (*index.Project, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := x.lookup(name)
	if err != nil {
		return nil, err
	}
	out := &index.Project{Name: pypi.NormalizeName(name)}
	for _, r := range p.releases {
		out.Releases = append(out.Releases, index.Release{Version: r.Version, Files: r.files(p.display)})
	}
	return out, nil
}

// Release returns one release's recorded metadata.
func (x *Index) Release(ctx context.Context, name, version string) (*index.ReleaseInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := x.lookup(name)
	if err != nil {
		return nil, err
	}
	for _, r := range p.releases {
		if !sameVersion(r.Version, version) {
			continue
		}
		return &index.ReleaseInfo{
			Name: p.display, Version: r.Version, License: r.License,
			RequiresDist: derefList(r.RequiresDist), RequiresDistKnown: r.RequiresDist != nil,
			RequiresPython: r.RequiresPython,
			Files:          r.files(p.display),
		}, nil
	}
	return nil, fmt.Errorf("%s==%s is not among the recorded facts in %s: %w", name, version, p.file, index.ErrNotFound)
}

// sameVersion reports whether two version texts name the same release: equal
// text, or equal under PEP 440 (nixpkgs writes certifi "2025.06.15", the
// index publishes "2025.6.15").
func sameVersion(recorded, asked string) bool {
	if recorded == asked {
		return true
	}
	a, err := pypi.ParseVersion(recorded)
	if err != nil {
		return false
	}
	b, err := pypi.ParseVersion(asked)
	return err == nil && a.Equal(b)
}

// Open always fails: recorded facts hold no archives. A resolution finds
// what it needs in Inspections instead.
func (x *Index) Open(_ context.Context, f index.File) (*index.Blob, error) {
	return nil, fmt.Errorf("%s: %w (run against the index to read it)", f.Filename, ErrNoArchive)
}

// Inspections returns the recorded inspection results by sdist file name
// and digest ("" when unknown).
func (x *Index) Inspections() lockfile.Inspections {
	c := lockfile.Inspections{}
	for _, p := range x.projects {
		for _, r := range p.releases {
			bs := sdist.LegacyBuildSystem()
			if r.BuildBackend != "" {
				bs = sdist.BuildSystem{Declared: true, Backend: r.BuildBackend, Requires: r.BuildRequires}
			}
			c[lockfile.FileKey{Filename: r.filename(p.display), SHA256: r.digest()}] = lockfile.NewInspection(&sdist.Info{
				BuildSystem: bs,
				ImportNames: r.ImportNames,
			})
		}
	}
	return c
}
