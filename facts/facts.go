// Package facts reads recorded facts about an index's releases — one TOML
// file per project, recorded/index/<project>.toml — and serves them as an
// index without archives: the resolver lists releases and reads their
// metadata from them, and the inspection results they record (build
// backend and requirements, import names) stand in for reading the sdists.
// So python-packages.nix can be rendered from public records where the
// index itself cannot be reached.
//
// A file looks like this (every key of a release but version optional):
//
//	name = "Django"                        # as the index spells it; default: the file's stem
//
//	[[release]]
//	version = "5.1.9"
//	sdist = "django-5.1.9.tar.gz"           # the sdist's file name on the index
//	sha256 = "…64 hex digits…"              # or "unknown": never guessed
//	url = "https://…/django-5.1.9.tar.gz"   # when fetchPypi cannot rebuild the name
//	requires_dist = ["asgiref>=3.8.1"]      # absent: unknown; [] means none
//	requires_python = ">=3.10"
//	yanked = false
//	yanked_reason = ""
//	license = "BSD-3-Clause"                # SPDX expression or the text as published
//	build_backend = "setuptools.build_meta" # absent: PEP 517's setuptools fallback
//	build_requires = ["setuptools>=61"]
//	import_names = ["django"]
//
//	[[release.source]]                     # at least one when sha256 is known
//	repository = "…"
//	commit = "…"
//	path = "…"
//	facts = ["sha256", "requires_dist"]
//
// Sources are citations for people; the tool only requires one for every
// known digest and keeps their keys free-form.
package facts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/lockfile"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
)

// Unknown is the sha256 value of a digest no public record gives.
const Unknown = "unknown"

// ErrNoArchive is wrapped by Download: recorded facts hold no file bytes.
var ErrNoArchive = errors.New("recorded facts hold no archive bytes")

type projectFile struct {
	Name    string        `toml:"name"`
	Release []releaseFact `toml:"release"`
}

type releaseFact struct {
	Version        string           `toml:"version"`
	Sdist          string           `toml:"sdist"`
	SHA256         string           `toml:"sha256"`
	URL            string           `toml:"url"`
	RequiresDist   *[]string        `toml:"requires_dist"`
	RequiresPython string           `toml:"requires_python"`
	Yanked         bool             `toml:"yanked"`
	YankedReason   string           `toml:"yanked_reason"`
	License        string           `toml:"license"`
	BuildBackend   string           `toml:"build_backend"`
	BuildRequires  []string         `toml:"build_requires"`
	ImportNames    []string         `toml:"import_names"`
	Source         []map[string]any `toml:"source"`
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
		key := pypi.NormalizeName(p.display)
		if prev, dup := x.projects[key]; dup {
			errs = append(errs, fmt.Errorf("%s: project %s is also recorded in %s", path, key, prev.file))
			continue
		}
		x.projects[key] = p
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
// errors and gives the default project name.
func parseFile(path string, data []byte) (*project, error) {
	var pf projectFile
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&pf); err != nil {
		return nil, decodeError(path, err)
	}
	p := &project{display: pf.Name, file: path, releases: pf.Release}
	if p.display == "" {
		p.display = strings.TrimSuffix(filepath.Base(path), ".toml")
	}
	seen := map[string]bool{}
	for i, r := range pf.Release {
		where := fmt.Sprintf("%s: release[%d]", path, i)
		if r.Version == "" {
			return nil, fmt.Errorf("%s: version is required", where)
		}
		where += " (" + r.Version + ")"
		if seen[r.Version] {
			return nil, fmt.Errorf("%s: recorded twice", where)
		}
		seen[r.Version] = true
		for _, q := range derefList(r.RequiresDist) {
			if _, err := pypi.ParseRequirement(q); err != nil {
				return nil, fmt.Errorf("%s: requires_dist %q: %w", where, q, err)
			}
		}
		if r.Sdist == "" {
			if r.SHA256 != "" || r.URL != "" {
				return nil, fmt.Errorf("%s: sha256 or url without an sdist file name", where)
			}
			continue
		}
		switch {
		case r.SHA256 == "":
			return nil, fmt.Errorf("%s: sha256 is required with sdist (64 hex digits, or %q)", where, Unknown)
		case r.SHA256 == Unknown:
		case !lockfile.IsSHA256Hex(strings.ToLower(r.SHA256)):
			return nil, fmt.Errorf("%s: sha256 %q: want 64 hex digits or %q", where, r.SHA256, Unknown)
		case len(r.Source) == 0:
			return nil, fmt.Errorf("%s: the digest of %s cites no [[release.source]]", where, r.Sdist)
		}
	}
	return p, nil
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

// digest is the file's recorded sha256, "" when unknown.
func (r releaseFact) digest() string {
	if r.SHA256 == Unknown {
		return ""
	}
	return strings.ToLower(r.SHA256)
}

func (r releaseFact) files() []index.File {
	if r.Sdist == "" {
		return nil
	}
	return []index.File{{
		Filename: r.Sdist, URL: r.URL, Kind: index.Sdist, SHA256: r.digest(),
		RequiresPython: r.RequiresPython, Yanked: r.Yanked, YankedReason: r.YankedReason,
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
		out.Releases = append(out.Releases, index.Release{Version: r.Version, Files: r.files()})
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
		if r.Version != version {
			continue
		}
		return &index.ReleaseInfo{
			Name: p.display, Version: r.Version, License: r.License,
			RequiresDist: derefList(r.RequiresDist), RequiresDistKnown: r.RequiresDist != nil,
			RequiresPython: r.RequiresPython, Yanked: r.Yanked, YankedReason: r.YankedReason,
			Files: r.files(),
		}, nil
	}
	return nil, fmt.Errorf("%s==%s is not among the recorded facts in %s: %w", name, version, p.file, index.ErrNotFound)
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
			if r.Sdist == "" {
				continue
			}
			bs := sdist.LegacyBuildSystem()
			if r.BuildBackend != "" {
				bs = sdist.BuildSystem{Declared: true, Backend: r.BuildBackend, Requires: r.BuildRequires}
			}
			c[lockfile.FileKey{Filename: r.Sdist, SHA256: r.digest()}] = lockfile.NewInspection(&sdist.Info{
				BuildSystem: bs,
				ImportNames: r.ImportNames,
			})
		}
	}
	return c
}
