package sdist

import (
	"archive/zip"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/metadata"
)

// WheelName is a wheel's file name split as PEP 427 defines it:
// {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl, each
// tag possibly a compressed set ("py2.py3").
type WheelName struct {
	Distribution, Version, Build string
	Python, ABI, Platform        string
}

// ParseWheelName splits a wheel file name.
func ParseWheelName(filename string) (WheelName, error) {
	stem, ok := strings.CutSuffix(filename, ".whl")
	if !ok {
		return WheelName{}, fmt.Errorf("wheel %q: no .whl suffix", filename)
	}
	parts := strings.Split(stem, "-")
	var w WheelName
	switch len(parts) {
	case 5:
		w = WheelName{parts[0], parts[1], "", parts[2], parts[3], parts[4]}
	case 6:
		w = WheelName{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]}
	default:
		return WheelName{}, fmt.Errorf("wheel %q: want name-version[-build]-python-abi-platform.whl", filename)
	}
	for _, p := range parts {
		if p == "" {
			return WheelName{}, fmt.Errorf("wheel %q: empty component", filename)
		}
	}
	return w, nil
}

// PurePython3 reports whether the wheel installs on any platform with any
// CPython 3: ABI "none", platform "any" and a "py3" Python tag
// (py3-none-any, py2.py3-none-any).
func (w WheelName) PurePython3() bool {
	if w.ABI != "none" || w.Platform != "any" {
		return false
	}
	for _, t := range strings.Split(w.Python, ".") {
		if t == "py3" {
			return true
		}
	}
	return false
}

// InspectWheel reads a pure wheel (a zip) of size bytes through r within lim: its
// .dist-info/METADATA and its top-level importable names. A wheel needs
// no build system, so Info.BuildSystem is empty; its METADATA lists every
// dependency, so RequiresDistSource is SourcePKGINFO.
func InspectWheel(filename string, r io.ReaderAt, size int64, lim Limits) (*Info, error) {
	lim = lim.withDefaults()
	fail := func(err error) (*Info, error) { return nil, fmt.Errorf("wheel %s: %w", filename, err) }
	w, err := ParseWheelName(filename)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fail(fmt.Errorf("zip: %w", err))
	}
	if len(zr.File) > lim.MaxMembers {
		return fail(fmt.Errorf("%w: more than %d members", ErrLimit, lim.MaxMembers))
	}
	distInfo := w.Distribution + "-" + w.Version + ".dist-info/"
	var paths []string
	var meta *zip.File
	for _, f := range zr.File {
		name, err := safePath(f.Name)
		if err != nil {
			return fail(err)
		}
		if f.Mode().IsDir() || name == "" {
			continue
		}
		if strings.HasSuffix(path.Dir(name), ".dist-info") && path.Base(name) == "METADATA" && strings.Count(name, "/") == 1 {
			if strings.EqualFold(name, distInfo+"METADATA") || meta == nil {
				meta = f
			}
		}
		top, _, _ := strings.Cut(name, "/")
		if strings.HasSuffix(top, ".dist-info") || strings.HasSuffix(top, ".data") {
			continue
		}
		paths = append(paths, name)
	}
	if meta == nil {
		return fail(fmt.Errorf("no %sMETADATA", distInfo))
	}
	if meta.UncompressedSize64 > uint64(lim.MaxMemberSize) {
		return fail(fmt.Errorf("%w: %s is larger than %d bytes", ErrLimit, meta.Name, lim.MaxMemberSize))
	}
	rc, err := meta.Open()
	if err != nil {
		return fail(fmt.Errorf("member %s: %w", meta.Name, err))
	}
	raw, err := io.ReadAll(io.LimitReader(rc, lim.MaxMemberSize+1))
	rc.Close()
	if err != nil {
		return fail(fmt.Errorf("member %s: %w", meta.Name, err))
	}
	md, err := metadata.Parse(raw)
	if err != nil {
		return fail(fmt.Errorf("member %s: %w", meta.Name, err))
	}
	sort.Strings(paths)
	return &Info{
		Metadata:           md,
		RequiresDistSource: SourcePKGINFO,
		ImportNames:        importNames(paths, "", ""),
		Native:             detectNative(paths),
		Files:              paths,
	}, nil
}
