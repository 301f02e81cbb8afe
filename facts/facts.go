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
// A record must be consistent, or Load refuses it at the line of the
// [[release]] (or [[release.source]]) at fault: the sdist is
// <project>-<version>.tar.gz or .zip (the name in any PEP 503 spelling);
// a source with a repo names a path, every source a kind, one supporting
// "sdist" a file; one supporting "sha256" says whether it agrees, and
// agrees exactly when its found digest (hex, sha256:<hex> or Nix's
// sha256-<base64>) equals the release's; sha256_status "agree" needs two
// repositories giving the digest, "single" exactly one, "unattributed"
// none (only store excerpts).
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
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

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
	repoRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	sdistRe  = regexp.MustCompile(`^(.+)-([^-]+)\.(tar\.gz|zip)$`)
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
// errors, and its stem must be the project's name. A release's error is
// placed on the line of its [[release]] header, a source's on the line of
// its [[release.source]] header.
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
	case !pypi.ValidName(pf.Project) || pypi.NormalizeName(pf.Project) != pf.Project:
		return nil, fmt.Errorf("%s: project %q is not a PEP 503 normalized name (%q)", path, pf.Project, pypi.NormalizeName(pf.Project))
	case pf.Project != stem:
		return nil, fmt.Errorf("%s: project %q does not match the file name (want %s.toml)", path, pf.Project, pf.Project)
	case len(pf.Release) == 0:
		return nil, fmt.Errorf("%s: no [[release]]", path)
	}
	lines := headerLines(data)
	seen := map[string]bool{}
	for i, r := range pf.Release {
		where := at(path, lines.release(i)) + fmt.Sprintf(" release[%d]", i)
		if r.Version == "" {
			return nil, fmt.Errorf("%s: version is required", where)
		}
		where += " (" + pf.Project + "@" + r.Version + ")"
		if seen[r.Version] {
			return nil, fmt.Errorf("%s: recorded twice", where)
		}
		seen[r.Version] = true
		if j, err := checkRelease(pf.Project, r); err != nil {
			if j >= 0 {
				return nil, fmt.Errorf("%s release[%d] (%s@%s): source[%d]: %w", at(path, lines.source(i, j)), i, pf.Project, r.Version, j, err)
			}
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	return &project{display: pf.Project, file: path, releases: pf.Release}, nil
}

// at is "path:line:", or "path:" when the line is unknown (0).
func at(path string, line int) string {
	if line == 0 {
		return path + ":"
	}
	return fmt.Sprintf("%s:%d:", path, line)
}

// tableLines are the lines of a file's [[release]] headers and, per
// release, of its [[release.source]] headers.
type tableLines struct {
	releases []int
	sources  [][]int
}

// release is the line of release i's header, 0 when it has none (an
// inline table).
func (l tableLines) release(i int) int {
	if i < len(l.releases) {
		return l.releases[i]
	}
	return 0
}

// source is the line of release i's source j's header, 0 when it has none.
func (l tableLines) source(i, j int) int {
	if i < len(l.sources) && j < len(l.sources[i]) {
		return l.sources[i][j]
	}
	return 0
}

// headerLines finds the array-table headers of data, which decodes.
func headerLines(data []byte) tableLines {
	var l tableLines
	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.ArrayTable {
			continue
		}
		var key []string
		line := 0
		for it := e.Key(); it.Next(); {
			n := it.Node()
			if line == 0 {
				line = p.Shape(n.Raw).Start.Line
			}
			key = append(key, string(n.Data))
		}
		switch strings.Join(key, ".") {
		case "release":
			l.releases = append(l.releases, line)
			l.sources = append(l.sources, nil)
		case "release.source":
			if k := len(l.sources) - 1; k >= 0 {
				l.sources[k] = append(l.sources[k], line)
			}
		}
	}
	return l
}

// checkRelease checks one release of project against itself and its
// sources: the index of the source at fault, or -1 for the release.
func checkRelease(project string, r releaseFact) (int, error) {
	for _, q := range derefList(r.RequiresDist) {
		if _, err := pypi.ParseRequirement(q); err != nil {
			return -1, fmt.Errorf("requires_dist %q: %w", q, err)
		}
	}
	switch {
	case r.Sdist == "":
		return -1, fmt.Errorf("sdist is required (the file name as published, or %q / %q)", Unknown, Disputed)
	case r.Sdist != Unknown && r.Sdist != Disputed && (strings.ContainsAny(r.Sdist, "/\\ ") || !isSdistName(r.Sdist)):
		return -1, fmt.Errorf("sdist %q: want a file name ending in .tar.gz or .zip, or %q / %q", r.Sdist, Unknown, Disputed)
	case r.Sdist != Unknown && r.Sdist != Disputed && !sdistOf(r.Sdist, project, r.Version):
		return -1, fmt.Errorf("sdist %q is not %s-%s.tar.gz or .zip (the name in any PEP 503 spelling)", r.Sdist, project, r.Version)
	case r.SHA256 != Unknown && r.SHA256 != Disputed && !hex64.MatchString(r.SHA256):
		return -1, fmt.Errorf("sha256 %q: want 64 lower-case hex digits, %q or %q", r.SHA256, Unknown, Disputed)
	case !slices.Contains(Statuses, r.SHA256Status):
		return -1, fmt.Errorf("sha256_status %q: want one of %s", r.SHA256Status, strings.Join(Statuses, ", "))
	case (r.SHA256 == Unknown) != (r.SHA256Status == "unknown") || (r.SHA256 == Disputed) != (r.SHA256Status == "disagree"):
		return -1, fmt.Errorf("sha256 %q contradicts sha256_status %q", r.SHA256, r.SHA256Status)
	case len(r.Source) == 0:
		return -1, errors.New("cites no [[release.source]]")
	}
	repos := map[string]bool{} // attributed sources giving the digest
	unattributed := 0          // unattributed excerpts giving it
	for j, s := range r.Source {
		if err := checkSource(s, r.SHA256); err != nil {
			return j, err
		}
		if slices.Contains(s.Facts, "sha256") && *s.Agrees {
			if s.Repo == "" {
				unattributed++
			} else {
				repos[s.Repo] = true
			}
		}
	}
	if hex64.MatchString(r.SHA256) && len(repos)+unattributed == 0 {
		return -1, fmt.Errorf("sha256 %s: no [[release.source]] supports it (facts with \"sha256\" and agrees = true)", r.SHA256)
	}
	switch {
	case r.SHA256Status == "agree" && len(repos) < 2:
		return -1, fmt.Errorf("sha256_status \"agree\" needs two repositories giving the digest, has %d", len(repos))
	case r.SHA256Status == "single" && len(repos) != 1:
		return -1, fmt.Errorf("sha256_status \"single\" needs exactly one repository giving the digest, has %d", len(repos))
	case r.SHA256Status == "unattributed" && len(repos) != 0:
		return -1, fmt.Errorf("sha256_status \"unattributed\" needs only unattributed excerpts giving the digest, has %d repositories", len(repos))
	}
	return -1, nil
}

// checkSource checks one source of a release whose recorded digest is
// sha256.
func checkSource(s sourceFact, sha256 string) error {
	for _, f := range s.Facts {
		if !slices.Contains(Facts, f) {
			return fmt.Errorf("facts: %q is not one of %s", f, strings.Join(Facts, ", "))
		}
	}
	switch {
	case s.Repo == "" && s.StoreID == "":
		return errors.New("names neither a repo nor a store_id")
	case s.Repo != "" && !repoRe.MatchString(s.Repo):
		return fmt.Errorf("repo %q: want owner/name", s.Repo)
	case s.Repo != "" && s.Path == "":
		return fmt.Errorf("repo %s: path is required", s.Repo)
	case !commitRe.MatchString(s.Commit):
		return fmt.Errorf("commit %q: want 40 lower-case hex digits", s.Commit)
	case s.Kind == "":
		return errors.New("kind is required (what the file is)")
	case slices.Contains(s.Facts, "sdist") && s.File == "" && s.Found == "":
		return errors.New("supports \"sdist\" but names no file")
	case !slices.Contains(s.Facts, "sha256"):
		return nil
	case s.Agrees == nil:
		return errors.New("supports \"sha256\" but says not whether it agrees")
	}
	h, err := digestHex(s.Found)
	if err != nil {
		return fmt.Errorf("found: %w", err)
	}
	if *s.Agrees != (h == sha256) {
		return fmt.Errorf("agrees = %t, but found %s and the release records %s", *s.Agrees, h, sha256)
	}
	return nil
}

// digestHex converts a digest as written in a source to lower-case hex:
// bare hex in either case, "sha256:<hex>" (lock files) or
// "sha256-<base64>" (Nix SRI).
func digestHex(found string) (string, error) {
	switch {
	case hex64.MatchString(strings.ToLower(found)):
		return strings.ToLower(found), nil
	case strings.HasPrefix(found, "sha256:") && hex64.MatchString(found[len("sha256:"):]):
		return found[len("sha256:"):], nil
	case strings.HasPrefix(found, "sha256-"):
		raw, err := base64.StdEncoding.DecodeString(found[len("sha256-"):])
		if err != nil || len(raw) != 32 {
			return "", fmt.Errorf("SRI digest %q is not 32 bytes of base64", found)
		}
		return hex.EncodeToString(raw), nil
	}
	return "", fmt.Errorf("digest %q is not hex, sha256:<hex> or sha256-<base64>", found)
}

// sdistOf reports whether name is the sdist of project at version:
// <name>-<version>.tar.gz or .zip, the name in any PEP 503 spelling.
func sdistOf(name, project, version string) bool {
	m := sdistRe.FindStringSubmatch(name)
	return m != nil && pypi.NormalizeName(m[1]) == project && m[2] == version
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

// Record summarizes one recorded release as recorded/PROVENANCE.md
// tabulates it.
type Record struct {
	Project         string // PEP 503 normalized
	Version         string // as recorded
	PinnedByBitpoll bool
	SHA256Status    string // one of Statuses
}

// Records lists every recorded release, by project name, each project's in
// the order of its file.
func (x *Index) Records() []Record {
	var out []Record
	for _, name := range slices.Sorted(maps.Keys(x.projects)) {
		for _, r := range x.projects[name].releases {
			out = append(out, Record{Project: name, Version: r.Version, PinnedByBitpoll: r.PinnedByBitpoll, SHA256Status: r.SHA256Status})
		}
	}
	return out
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
