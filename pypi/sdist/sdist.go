// Package sdist inspects a Python source distribution (and, for releases
// published only as one, a pure-Python wheel) in memory, without
// running any of its code: core metadata from PKG-INFO (or the legacy
// egg-info requires.txt), the pyproject.toml build system and [project]
// table, the importable top-level names and signs of native code. What
// those facts mean in nixpkgs is package nixmap's business.
package sdist

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/metadata"
)

// Where Info.RequiresDist came from.
const (
	SourcePKGINFO     = "PKG-INFO"
	SourceRequiresTxt = "egg-info/requires.txt"
)

// Info is what Inspect learns from an sdist.
type Info struct {
	// Metadata comes from the top-level PKG-INFO. Its RequiresDist is
	// filled from *.egg-info/requires.txt when PKG-INFO lists none.
	Metadata *metadata.Metadata
	// RequiresDistSource says how far Metadata.RequiresDist can be trusted:
	// SourcePKGINFO (listed there, or PKG-INFO is Metadata 1.2+ — which has
	// Requires-Dist — and does not mark it dynamic, so an empty list means
	// none),
	// SourceRequiresTxt (from setuptools' egg-info; an egg-info directory
	// without requires.txt means none), or "" (unknown: the sdist does not
	// say what the project depends on).
	RequiresDistSource string
	BuildSystem        BuildSystem
	// SetupRequires are setup.cfg's `[options] setup_requires` entries, as
	// written (see SetupRequires); setup.py is never executed, so those it
	// passes to setup() are not known.
	SetupRequires []string
	Project       *Project // pyproject.toml's [project] table; nil when absent
	// ImportNames are the top-level importable names, sorted: packages
	// (directories with __init__.py) and modules at the top or under src/
	// (or maturin's python-source directory), without tests, docs, setup.py
	// and similar tooling files.
	ImportNames []string
	Native      Native
	// Files are the paths of every regular file under the top directory,
	// relative to it, sorted.
	Files []string
}

// BuildSystem is pyproject.toml's [build-system] table, or the setuptools
// legacy default PEP 517 prescribes when there is none.
type BuildSystem struct {
	Declared bool     // the sdist has a [build-system] table
	Requires []string // PEP 508 strings, as written
	Backend  string   // e.g. "hatchling.build"
}

// The PEP 517 fallback for sdists without [build-system] (or without a
// build-backend key in it).
const (
	legacyBackend  = "setuptools.build_meta:__legacy__"
	legacyRequires = "setuptools>=40.8.0"
)

// LegacyBuildSystem is what PEP 517 prescribes for a project that declares
// no [build-system]: setuptools' legacy backend.
func LegacyBuildSystem() BuildSystem {
	return BuildSystem{Requires: []string{legacyRequires}, Backend: legacyBackend}
}

// Project is the part of pyproject.toml's [project] table (PEP 621) the tool
// uses.
type Project struct {
	Name                 string
	Version              string
	RequiresPython       string
	Dependencies         []string
	OptionalDependencies map[string][]string
	// License is the PEP 639 SPDX expression when "license" is a string;
	// LicenseText and LicenseFile hold the older table form's text or file.
	License     string
	LicenseText string
	LicenseFile string
	Dynamic     []string
}

type pyproject struct {
	BuildSystem *struct {
		Requires []string `toml:"requires"`
		Backend  string   `toml:"build-backend"`
	} `toml:"build-system"`
	Project *struct {
		Name                 string              `toml:"name"`
		Version              string              `toml:"version"`
		RequiresPython       string              `toml:"requires-python"`
		Dependencies         []string            `toml:"dependencies"`
		OptionalDependencies map[string][]string `toml:"optional-dependencies"`
		License              any                 `toml:"license"`
		Dynamic              []string            `toml:"dynamic"`
	} `toml:"project"`
	Tool struct {
		Maturin struct {
			PythonSource string `toml:"python-source"`
			ModuleName   string `toml:"module-name"`
		} `toml:"maturin"`
	} `toml:"tool"`
}

// Inspect reads the sdist named filename (.tar.gz, .tgz, .tar.bz2 or .zip)
// from data, within lim. It never writes to disk and never runs code.
// Errors name the file and, where there is one, the member.
func Inspect(filename string, data []byte, lim Limits) (*Info, error) {
	return InspectReaderAt(filename, bytes.NewReader(data), int64(len(data)), lim)
}

// InspectReaderAt is Inspect for an archive of size bytes read through r
// (a file on disk, say): only the archive's index and the members Inspect
// needs are read, so memory stays within lim whatever the archive's size.
func InspectReaderAt(filename string, r io.ReaderAt, size int64, lim Limits) (*Info, error) {
	t, err := readArchive(filename, r, size, lim.withDefaults(), wanted)
	if err != nil {
		return nil, fmt.Errorf("sdist %s: %w", filename, err)
	}
	info, err := inspectTree(t)
	if err != nil {
		return nil, fmt.Errorf("sdist %s: %w", filename, err)
	}
	return info, nil
}

// ReadMembers reads the members at the given paths (relative to the
// sdist's top directory) from the sdist named filename, within lim. Paths
// the archive does not hold are absent from the result.
func ReadMembers(filename string, r io.ReaderAt, size int64, lim Limits, paths []string) (map[string][]byte, error) {
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	t, err := readArchive(filename, r, size, lim.withDefaults(), func(rel string) bool { return want[rel] })
	if err != nil {
		return nil, fmt.Errorf("sdist %s: %w", filename, err)
	}
	out := map[string][]byte{}
	for _, m := range t.files {
		if m.data != nil {
			out[m.path] = m.data
		}
	}
	return out, nil
}

// wanted selects the members whose contents Inspect reads; every other
// member only contributes its path.
func wanted(rel string) bool {
	switch rel {
	case "PKG-INFO", "pyproject.toml", "setup.cfg":
		return true
	}
	return isEggInfoRequires(rel)
}

// isEggInfoRequires matches "<x>.egg-info/requires.txt" at the top or one
// directory down (setuptools writes it next to the package root, e.g. src/).
func isEggInfoRequires(rel string) bool {
	dir, file := path.Split(rel)
	if file != "requires.txt" {
		return false
	}
	dir = strings.TrimSuffix(dir, "/")
	if !strings.HasSuffix(dir, ".egg-info") {
		return false
	}
	return strings.Count(dir, "/") <= 1
}

func inspectTree(t *tree) (*Info, error) {
	contents := map[string][]byte{}
	var paths []string
	for _, m := range t.files {
		paths = append(paths, m.path)
		if m.data != nil {
			contents[m.path] = m.data
		}
	}
	member := func(rel string) string { return t.top + "/" + rel }

	pkgInfo, ok := contents["PKG-INFO"]
	if !ok {
		return nil, fmt.Errorf("no %s", member("PKG-INFO"))
	}
	md, err := metadata.Parse(pkgInfo)
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", member("PKG-INFO"), err)
	}
	info := &Info{Metadata: md}

	if err := info.fillRequires(paths, contents, member); err != nil {
		return nil, err
	}

	var pp pyproject
	info.BuildSystem = LegacyBuildSystem()
	if data, ok := contents["pyproject.toml"]; ok {
		if err := toml.Unmarshal(data, &pp); err != nil {
			return nil, fmt.Errorf("member %s: %w", member("pyproject.toml"), err)
		}
		if bs := pp.BuildSystem; bs != nil {
			info.BuildSystem = BuildSystem{Declared: true, Requires: bs.Requires, Backend: bs.Backend}
			if bs.Backend == "" {
				info.BuildSystem.Backend = legacyBackend
			}
		}
		if pp.Project != nil {
			info.Project, err = newProject(pp)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", member("pyproject.toml"), err)
			}
		}
	}

	info.SetupRequires = SetupRequires(contents["setup.cfg"])

	info.Files = append([]string(nil), paths...)
	sort.Strings(info.Files)
	info.ImportNames = importNames(paths, pp.Tool.Maturin.PythonSource, pp.Tool.Maturin.ModuleName)
	info.Native = detectNative(paths)
	return info, nil
}

func newProject(pp pyproject) (*Project, error) {
	p := pp.Project
	out := &Project{
		Name: p.Name, Version: p.Version, RequiresPython: p.RequiresPython,
		Dependencies: p.Dependencies, OptionalDependencies: p.OptionalDependencies,
		Dynamic: p.Dynamic,
	}
	switch l := p.License.(type) {
	case nil:
	case string:
		out.License = l
	case map[string]any:
		text, _ := l["text"].(string)
		file, _ := l["file"].(string)
		out.LicenseText, out.LicenseFile = text, file
	default:
		return nil, fmt.Errorf("project.license: want a string or a table, got %T", l)
	}
	return out, nil
}

// fillRequires decides where the dependency list comes from; see
// Info.RequiresDistSource.
func (info *Info) fillRequires(paths []string, contents map[string][]byte, member func(string) string) error {
	md := info.Metadata
	if len(md.RequiresDist) > 0 {
		info.RequiresDistSource = SourcePKGINFO
		return nil
	}
	eggDirs := eggInfoDirs(paths)
	if dir, ok := chooseEggInfo(eggDirs, md.Name); ok {
		info.RequiresDistSource = SourceRequiresTxt
		rel := dir + "/requires.txt"
		if data, ok := contents[rel]; ok {
			reqs, err := metadata.ParseRequiresTxt(data)
			if err != nil {
				return fmt.Errorf("member %s: %w", member(rel), err)
			}
			md.RequiresDist = reqs
		}
		return nil
	}
	if staticRequires(md) {
		info.RequiresDistSource = SourcePKGINFO
	}
	return nil
}

// eggInfoDirs lists the egg-info directories (at the top or one level down)
// that setuptools filled: they hold a PKG-INFO of their own.
func eggInfoDirs(paths []string) []string {
	var dirs []string
	for _, p := range paths {
		dir, file := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		if file == "PKG-INFO" && strings.HasSuffix(dir, ".egg-info") && strings.Count(dir, "/") <= 1 {
			dirs = append(dirs, dir)
		}
	}
	sort.Strings(dirs)
	return dirs
}

// chooseEggInfo picks the egg-info directory of the project itself: the one
// named after it, or the only one. Several unrelated ones decide nothing.
func chooseEggInfo(dirs []string, name string) (string, bool) {
	want := normalize(name)
	for _, d := range dirs {
		if normalize(strings.TrimSuffix(path.Base(d), ".egg-info")) == want {
			return d, true
		}
	}
	if len(dirs) == 1 {
		return dirs[0], true
	}
	return "", false
}

// staticRequires reports whether an empty Requires-Dist in this PKG-INFO
// means "no dependencies": the field exists (Metadata 1.2+) and is not
// listed as Dynamic (PEP 643).
func staticRequires(md *metadata.Metadata) bool {
	major, minor, ok := strings.Cut(md.MetadataVersion, ".")
	if !ok {
		return false
	}
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	// Requires-Dist exists since Metadata 1.2: a writer of 1.2 or later
	// that lists none declares none (setuptools, which may not, puts them
	// in egg-info/requires.txt, read before this).
	if err1 != nil || err2 != nil || ma < 1 || (ma == 1 && mi < 2) {
		return false
	}
	for _, d := range md.Dynamic {
		if strings.EqualFold(d, "Requires-Dist") {
			return false
		}
	}
	return true
}

// normalize is PEP 503 name normalization (runs of -_. become "-",
// lower-cased), kept local because egg-info directory names are the only
// names this package compares.
func normalize(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	if sep {
		b.WriteByte('-')
	}
	return b.String()
}
