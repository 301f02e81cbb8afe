package sdist

import (
	"path"
	"sort"
	"strings"
)

// Top-level directories that hold no importable code of the project.
var skipDirs = map[string]bool{
	"tests": true, "test": true, "testing": true, "docs": true, "doc": true,
	"examples": true, "example": true, "benchmarks": true, "benchmark": true,
	"bench": true, "scripts": true, "tools": true, "build": true, "dist": true,
	"ci": true, "__pycache__": true, "src": true,
}

// Top-level modules that are build or project tooling shipped in sdists,
// not part of the installed package.
var skipModules = map[string]bool{
	"setup": true, "conftest": true, "noxfile": true, "tasks": true,
	"fabfile": true, "versioneer": true, "ez_setup": true,
	"distribute_setup": true, "runtests": true, "run_tests": true,
	"manage": true, "bootstrap": true, "pavement": true, "dodo": true,
	"hatch_build": true, "build": true, "test": true, "tests": true,
}

// importNames finds the top-level importable names. The package root is
// maturin's python-source when set, else src/ when it holds Python code,
// else the top directory. Namespace packages (PEP 420: code below a
// directory without __init__.py) count only when no regular package or
// module was found, since a stray data directory looks just like one.
func importNames(paths []string, pythonSource, moduleName string) []string {
	root := ""
	switch {
	case pythonSource != "":
		root = strings.Trim(path.Clean(pythonSource), "/")
		if root == "." {
			root = ""
		}
	case hasPython(paths, "src"):
		root = "src"
	}
	names := map[string]bool{}
	namespaces := map[string]bool{}
	for _, p := range paths {
		rest, ok := under(p, root)
		if !ok {
			continue
		}
		parts := strings.Split(rest, "/")
		switch {
		case len(parts) == 1 && strings.HasSuffix(parts[0], ".py"):
			name := strings.TrimSuffix(parts[0], ".py")
			if identifier(name) && !skipModules[name] && !strings.HasPrefix(name, "test_") {
				names[name] = true
			}
		case len(parts) >= 2 && parts[len(parts)-1] == "__init__.py":
			if !identifier(parts[0]) || skipDirs[parts[0]] {
				continue
			}
			if len(parts) == 2 {
				names[parts[0]] = true
			} else {
				namespaces[parts[0]] = true
			}
		}
	}
	if len(names) == 0 {
		names = namespaces
	}
	// A maturin extension module is built from Rust, so no file shows it.
	if moduleName != "" {
		top, _, _ := strings.Cut(moduleName, ".")
		if identifier(top) {
			names[top] = true
		}
	}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// hasPython reports whether dir holds a Python module directly or a
// package (regular or namespace) at any depth. A src/ with only C sources
// or a helper script deeper down is not a package root.
func hasPython(paths []string, dir string) bool {
	for _, p := range paths {
		rest, ok := under(p, dir)
		if !ok {
			continue
		}
		if (!strings.Contains(rest, "/") && strings.HasSuffix(rest, ".py")) || path.Base(rest) == "__init__.py" {
			return true
		}
	}
	return false
}

func under(p, dir string) (string, bool) {
	if dir == "" {
		return p, true
	}
	return strings.CutPrefix(p, dir+"/")
}

// identifier reports whether s is an ASCII Python identifier; anything else
// cannot be imported by that name.
func identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// NativeKind names a kind of compiled code found in an sdist.
type NativeKind string

// The kinds detectNative reports.
const (
	NativeC       NativeKind = "c"
	NativeCXX     NativeKind = "c++"
	NativeCython  NativeKind = "cython"
	NativeRust    NativeKind = "rust"    // a Cargo.toml (maturin, setuptools-rust)
	NativeFortran NativeKind = "fortran" // Fortran sources
	NativeMeson   NativeKind = "meson"   // a meson.build
	NativeCMake   NativeKind = "cmake"   // a CMakeLists.txt
)

// Native lists the signs of compiled code in an sdist, one finding per kind,
// sorted by kind. Every member counts, wherever it is: the examples show
// where, so a reader can tell an extension from a vendored test fixture.
type Native struct {
	Findings []NativeFinding
}

// NativeFinding is one kind of native code: how many members show it and
// up to three example paths (relative to the top directory, sorted).
type NativeFinding struct {
	Kind     NativeKind
	Count    int
	Examples []string
}

// Has reports whether the sdist shows native code of kind k.
func (n Native) Has(k NativeKind) bool {
	for _, f := range n.Findings {
		if f.Kind == k {
			return true
		}
	}
	return false
}

// Any reports whether the sdist shows any native code at all.
func (n Native) Any() bool { return len(n.Findings) > 0 }

const maxExamples = 3

func nativeKind(p string) (NativeKind, bool) {
	base := path.Base(p)
	switch base {
	case "Cargo.toml":
		return NativeRust, true
	case "meson.build":
		return NativeMeson, true
	case "CMakeLists.txt":
		return NativeCMake, true
	}
	switch strings.ToLower(path.Ext(base)) {
	case ".c":
		return NativeC, true
	case ".cc", ".cpp", ".cxx", ".c++":
		return NativeCXX, true
	case ".pyx":
		return NativeCython, true
	case ".f", ".for", ".f77", ".f90", ".f95", ".f03", ".f08":
		return NativeFortran, true
	}
	return "", false
}

func detectNative(paths []string) Native {
	byKind := map[NativeKind]*NativeFinding{}
	for _, p := range paths {
		k, ok := nativeKind(p)
		if !ok {
			continue
		}
		f := byKind[k]
		if f == nil {
			f = &NativeFinding{Kind: k}
			byKind[k] = f
		}
		f.Count++
		f.Examples = append(f.Examples, p)
	}
	var n Native
	for _, f := range byKind {
		sort.Strings(f.Examples)
		if len(f.Examples) > maxExamples {
			f.Examples = f.Examples[:maxExamples]
		}
		n.Findings = append(n.Findings, *f)
	}
	sort.Slice(n.Findings, func(i, j int) bool { return n.Findings[i].Kind < n.Findings[j].Kind })
	return n
}
