package sdist

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// All sdists below are synthetic, shaped after what each build backend
// writes.

const setuptoolsPKGINFO = "Metadata-Version: 2.1\nName: django-simple-csp\nVersion: 0.1.0\n" +
	"Summary: CSP headers\nLicense: BSD\nClassifier: License :: OSI Approved :: BSD License\n"

func legacySetuptools() map[string]string {
	return map[string]string{
		"django-simple-csp-0.1.0/PKG-INFO":                                 setuptoolsPKGINFO,
		"django-simple-csp-0.1.0/setup.py":                                 "from setuptools import setup\nsetup()\n",
		"django-simple-csp-0.1.0/setup.cfg":                                "[egg_info]\ntag_build =\n",
		"django-simple-csp-0.1.0/django_simple_csp.egg-info/PKG-INFO":      setuptoolsPKGINFO,
		"django-simple-csp-0.1.0/django_simple_csp.egg-info/requires.txt":  "Django>=2.2\n\n[dev]\npytest\n\n[:python_version < \"3.8\"]\nimportlib-metadata\n",
		"django-simple-csp-0.1.0/django_simple_csp.egg-info/top_level.txt": "csp\n",
		"django-simple-csp-0.1.0/csp/__init__.py":                          "",
		"django-simple-csp-0.1.0/csp/middleware.py":                        "",
		"django-simple-csp-0.1.0/tests/__init__.py":                        "",
		"django-simple-csp-0.1.0/conftest.py":                              "",
		"django-simple-csp-0.1.0/docs/conf.py":                             "",
	}
}

func TestInspect(t *testing.T) {
	tests := []struct {
		name     string
		filename string
		zip      bool
		files    map[string]string
		check    func(t *testing.T, info *Info)
	}{
		{
			name:     "setuptools without pyproject, legacy requires.txt",
			filename: "django-simple-csp-0.1.0.tar.gz",
			files:    legacySetuptools(),
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, "django-simple-csp", info.Metadata.Name)
				assert.Equal(t, SourceRequiresTxt, info.RequiresDistSource)
				assert.Equal(t, []string{
					"Django>=2.2",
					`pytest; extra == "dev"`,
					`importlib-metadata; python_version < "3.8"`,
				}, info.Metadata.RequiresDist)
				assert.Equal(t, BuildSystem{Requires: []string{"setuptools>=40.8.0"}, Backend: "setuptools.build_meta:__legacy__"}, info.BuildSystem)
				assert.Nil(t, info.Project)
				assert.Equal(t, []string{"csp"}, info.ImportNames)
				assert.False(t, info.Native.Any())
			},
		},
		{
			name:     "setup.cfg's setup_requires",
			filename: "scm-1.0.tar.gz",
			files: map[string]string{
				"scm-1.0/PKG-INFO":  "Metadata-Version: 2.1\nName: scm\nVersion: 1.0\n",
				"scm-1.0/setup.py":  "from setuptools import setup\nsetup()\n",
				"scm-1.0/setup.cfg": "[metadata]\nname = scm\n\n[options]\nsetup_requires =\n    setuptools_scm>=8\n    wheel\n",
				"scm-1.0/scm.py":    "",
			},
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, []string{"setuptools_scm>=8", "wheel"}, info.SetupRequires)
				assert.Equal(t, LegacyBuildSystem(), info.BuildSystem, "setup_requires is not [build-system]")
			},
		},
		{
			name:     "egg-info without requires.txt means no dependencies",
			filename: "tiny-1.0.tar.gz",
			files: map[string]string{
				"tiny-1.0/PKG-INFO":                  "Metadata-Version: 1.0\nName: tiny\nVersion: 1.0\n",
				"tiny-1.0/tiny.egg-info/PKG-INFO":    "Metadata-Version: 1.0\nName: tiny\nVersion: 1.0\n",
				"tiny-1.0/tiny.py":                   "",
				"tiny-1.0/setup.py":                  "",
				"tiny-1.0/versioneer.py":             "",
				"tiny-1.0/test_tiny.py":              "",
				"tiny-1.0/not-importable/x.py":       "",
				"tiny-1.0/not-importable.py":         "",
				"tiny-1.0/tiny.egg-info/SOURCES.txt": "",
			},
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, SourceRequiresTxt, info.RequiresDistSource)
				assert.Empty(t, info.Metadata.RequiresDist)
				assert.Equal(t, []string{"tiny"}, info.ImportNames)
			},
		},
		{
			name:     "old PKG-INFO without egg-info: dependencies unknown",
			filename: "old-0.1.tar.gz",
			files: map[string]string{
				"old-0.1/PKG-INFO": "Metadata-Version: 1.1\nName: old\nVersion: 0.1\n",
				"old-0.1/old.py":   "",
			},
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, "", info.RequiresDistSource)
				assert.Empty(t, info.Metadata.RequiresDist)
			},
		},
		{
			name:     "Metadata 2.1 without Requires-Dist: no dependencies",
			filename: "nodeps-0.1.tar.gz",
			files: map[string]string{
				"nodeps-0.1/PKG-INFO":  "Metadata-Version: 2.1\nName: nodeps\nVersion: 0.1\n",
				"nodeps-0.1/nodeps.py": "",
			},
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, SourcePKGINFO, info.RequiresDistSource)
				assert.Empty(t, info.Metadata.RequiresDist)
			},
		},
		{
			name:     "hatchling, src layout, Metadata 2.2 static",
			filename: "qrcode_gen-2.0.tar.gz",
			files: map[string]string{
				"qrcode_gen-2.0/PKG-INFO": "Metadata-Version: 2.3\nName: qrcode-gen\nVersion: 2.0\nLicense-Expression: MIT\n",
				"qrcode_gen-2.0/pyproject.toml": `[build-system]
requires = ["hatchling>=1.18", "hatch-vcs"]
build-backend = "hatchling.build"

[project]
name = "qrcode-gen"
dynamic = ["version"]
requires-python = ">=3.9"
dependencies = []
license = "MIT"

[project.optional-dependencies]
pil = ["pillow>=9"]
`,
				"qrcode_gen-2.0/src/qrcode_gen/__init__.py":     "",
				"qrcode_gen-2.0/src/qrcode_gen/main.py":         "",
				"qrcode_gen-2.0/src/qrcode_gen/sub/__init__.py": "",
				"qrcode_gen-2.0/tests/test_x.py":                "",
			},
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, SourcePKGINFO, info.RequiresDistSource)
				assert.Equal(t, BuildSystem{Declared: true, Requires: []string{"hatchling>=1.18", "hatch-vcs"}, Backend: "hatchling.build"}, info.BuildSystem)
				require.NotNil(t, info.Project)
				assert.Equal(t, &Project{
					Name: "qrcode-gen", RequiresPython: ">=3.9", Dependencies: []string{}, License: "MIT",
					OptionalDependencies: map[string][]string{"pil": {"pillow>=9"}}, Dynamic: []string{"version"},
				}, info.Project)
				assert.Equal(t, []string{"qrcode_gen"}, info.ImportNames)
			},
		},
		{
			name:     "poetry-core with license table",
			filename: "pendulum_lite-3.0.0.tar.gz",
			files: map[string]string{
				"pendulum_lite-3.0.0/PKG-INFO": "Metadata-Version: 2.1\nName: pendulum-lite\nVersion: 3.0.0\n" +
					"Requires-Dist: python-dateutil (>=2.6,<3.0)\nRequires-Dist: tzdata (>=2020.1)\n",
				"pendulum_lite-3.0.0/pyproject.toml": "[build-system]\nrequires = [\"poetry-core>=1.0.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n" +
					"[project]\nname = \"pendulum-lite\"\nversion = \"3.0.0\"\nlicense = { text = \"MIT\" }\n",
				"pendulum_lite-3.0.0/pendulum_lite/__init__.py": "",
			},
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, SourcePKGINFO, info.RequiresDistSource)
				assert.Len(t, info.Metadata.RequiresDist, 2)
				assert.Equal(t, "poetry.core.masonry.api", info.BuildSystem.Backend)
				assert.Equal(t, "MIT", info.Project.LicenseText)
				assert.Equal(t, "", info.Project.License)
			},
		},
		{
			name:     "maturin: Rust, python-source and module-name",
			filename: "rpds_lite-0.18.0.tar.gz",
			files: map[string]string{
				"rpds_lite-0.18.0/PKG-INFO": "Metadata-Version: 2.3\nName: rpds-lite\nVersion: 0.18.0\n",
				"rpds_lite-0.18.0/pyproject.toml": "[build-system]\nrequires = [\"maturin>=1.2,<2.0\"]\nbuild-backend = \"maturin\"\n" +
					"[tool.maturin]\npython-source = \"python\"\nmodule-name = \"rpds_native._core\"\n",
				"rpds_lite-0.18.0/Cargo.toml":                   "[package]\nname = \"rpds-lite\"\n",
				"rpds_lite-0.18.0/src/lib.rs":                   "",
				"rpds_lite-0.18.0/python/rpds_lite/__init__.py": "",
			},
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, "maturin", info.BuildSystem.Backend)
				assert.True(t, info.Native.Has(NativeRust))
				assert.Equal(t, []NativeFinding{{Kind: NativeRust, Count: 1, Examples: []string{"Cargo.toml"}}}, info.Native.Findings)
				assert.Equal(t, []string{"rpds_lite", "rpds_native"}, info.ImportNames)
			},
		},
		{
			name:     "C extension and Cython",
			filename: "speedups-1.2.tar.gz",
			files: map[string]string{
				"speedups-1.2/PKG-INFO":                "Metadata-Version: 2.1\nName: speedups\nVersion: 1.2\n",
				"speedups-1.2/pyproject.toml":          "[build-system]\nrequires = [\"setuptools\", \"cython>=3\"]\n",
				"speedups-1.2/speedups/__init__.py":    "",
				"speedups-1.2/speedups/_fast.c":        "",
				"speedups-1.2/speedups/_fast2.c":       "",
				"speedups-1.2/speedups/_fast3.c":       "",
				"speedups-1.2/speedups/_fast4.c":       "",
				"speedups-1.2/speedups/_cy.pyx":        "",
				"speedups-1.2/speedups/_helper.cpp":    "",
				"speedups-1.2/speedups/include/fast.h": "",
			},
			check: func(t *testing.T, info *Info) {
				// No build-backend key: PEP 517's legacy backend with the
				// declared requirements.
				assert.Equal(t, BuildSystem{Declared: true, Requires: []string{"setuptools", "cython>=3"}, Backend: "setuptools.build_meta:__legacy__"}, info.BuildSystem)
				assert.Equal(t, []NativeFinding{
					{Kind: NativeC, Count: 4, Examples: []string{"speedups/_fast.c", "speedups/_fast2.c", "speedups/_fast3.c"}},
					{Kind: NativeCXX, Count: 1, Examples: []string{"speedups/_helper.cpp"}},
					{Kind: NativeCython, Count: 1, Examples: []string{"speedups/_cy.pyx"}},
				}, info.Native.Findings)
			},
		},
		{
			name:     "meson, cmake and fortran",
			filename: "numlib-1.0.tar.gz",
			files: map[string]string{
				"numlib-1.0/PKG-INFO":           "Metadata-Version: 2.1\nName: numlib\nVersion: 1.0\n",
				"numlib-1.0/meson.build":        "",
				"numlib-1.0/CMakeLists.txt":     "",
				"numlib-1.0/numlib/__init__.py": "",
				"numlib-1.0/numlib/solve.f90":   "",
			},
			check: func(t *testing.T, info *Info) {
				for _, k := range []NativeKind{NativeMeson, NativeCMake, NativeFortran} {
					assert.True(t, info.Native.Has(k), "%s", k)
				}
				assert.False(t, info.Native.Has(NativeC))
			},
		},
		{
			name:     "namespace package only",
			filename: "zope_thing-1.0.tar.gz",
			files: map[string]string{
				"zope_thing-1.0/PKG-INFO":                   "Metadata-Version: 2.1\nName: zope.thing\nVersion: 1.0\n",
				"zope_thing-1.0/src/zope/thing/__init__.py": "",
			},
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, []string{"zope"}, info.ImportNames)
			},
		},
		{
			name:     "zip sdist",
			filename: "Legacy-Zip-0.9.zip",
			zip:      true,
			files: map[string]string{
				"Legacy-Zip-0.9/":                                 "",
				"Legacy-Zip-0.9/PKG-INFO":                         "Metadata-Version: 1.0\nName: Legacy-Zip\nVersion: 0.9\n",
				"Legacy-Zip-0.9/legacy_zip.py":                    "",
				"Legacy-Zip-0.9/Legacy_Zip.egg-info/PKG-INFO":     "Metadata-Version: 1.0\nName: Legacy-Zip\nVersion: 0.9\n",
				"Legacy-Zip-0.9/Legacy_Zip.egg-info/requires.txt": "six\n",
			},
			check: func(t *testing.T, info *Info) {
				assert.Equal(t, []string{"six"}, info.Metadata.RequiresDist)
				assert.Equal(t, []string{"legacy_zip"}, info.ImportNames)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var data []byte
			if tt.zip {
				data = buildZip(t, files(tt.files))
			} else {
				data = buildTarGz(t, files(tt.files))
			}
			info, err := Inspect(tt.filename, data, Limits{})
			require.NoError(t, err)
			tt.check(t, info)
		})
	}
}

func TestInspectBzip2(t *testing.T) {
	// testdata/bz2demo-1.0.tar.bz2 is synthetic: made with Python's tarfile
	// module, since Go has no bzip2 writer.
	data, err := os.ReadFile("testdata/bz2demo-1.0.tar.bz2")
	require.NoError(t, err)
	info, err := Inspect("bz2demo-1.0.tar.bz2", data, Limits{})
	require.NoError(t, err)
	assert.Equal(t, "bz2demo", info.Metadata.Name)
	assert.Equal(t, []string{"bz2demo"}, info.ImportNames)
}

func TestInspectErrors(t *testing.T) {
	pkg := "x-1.0/PKG-INFO"
	pkgInfo := "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n"
	many := map[string]string{pkg: pkgInfo}
	for i := range 20 {
		many[fmt.Sprintf("x-1.0/m%02d.py", i)] = ""
	}
	tests := []struct {
		name     string
		filename string
		data     func(t *testing.T) []byte
		lim      Limits
		is       error
		msg      string
	}{
		{
			name: "decompression bomb", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: pkg, body: pkgInfo}, {name: "x-1.0/zeros.bin", size: 8 << 20}})
			},
			lim: Limits{MaxTotalSize: 4 << 20},
			is:  ErrLimit, msg: "more than 4194304 bytes uncompressed",
		},
		{
			name: "member too large", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: pkg, body: pkgInfo}, {name: "x-1.0/big.py", body: strings.Repeat("#", 2048)}})
			},
			lim: Limits{MaxMemberSize: 1024},
			is:  ErrLimit, msg: `member "x-1.0/big.py"`,
		},
		{
			name: "too many members", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte { return buildTarGz(t, files(many)) },
			lim:  Limits{MaxMembers: 10},
			is:   ErrLimit, msg: "more than 10 members",
		},
		{
			name: "too many members in zip", filename: "x-1.0.zip",
			data: func(t *testing.T) []byte { return buildZip(t, files(many)) },
			lim:  Limits{MaxMembers: 10},
			is:   ErrLimit, msg: "more than 10 members",
		},
		{
			name: "dot-dot path", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: pkg, body: pkgInfo}, {name: "x-1.0/../../etc/passwd", body: "root"}})
			},
			is: ErrUnsafePath, msg: `member "x-1.0/../../etc/passwd"`,
		},
		{
			name: "absolute path", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: "/x-1.0/PKG-INFO", body: pkgInfo}})
			},
			is: ErrUnsafePath, msg: "absolute path",
		},
		{
			name: "symlink escape", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: pkg, body: pkgInfo}, {name: "x-1.0/a/evil", link: "../../../etc/shadow"}})
			},
			is: ErrUnsafePath, msg: "symlink",
		},
		{
			name: "absolute symlink", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: pkg, body: pkgInfo}, {name: "x-1.0/evil", link: "/etc/shadow"}})
			},
			is: ErrUnsafePath, msg: "link to absolute path",
		},
		{
			name: "hard link escape", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: pkg, body: pkgInfo}, {name: "x-1.0/evil", link: "other/file", hard: true}})
			},
			is: ErrUnsafePath, msg: "hard link",
		},
		{
			name: "zip symlink escape", filename: "x-1.0.zip",
			data: func(t *testing.T) []byte {
				return buildZip(t, []entry{{name: pkg, body: pkgInfo}, {name: "x-1.0/evil", link: "../../x"}})
			},
			is: ErrUnsafePath, msg: "symlink",
		},
		{
			name: "two top directories", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: pkg, body: pkgInfo}, {name: "y-1.0/setup.py"}})
			},
			msg: `member "y-1.0/setup.py": outside the top directory "x-1.0"`,
		},
		{
			name: "no PKG-INFO", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte { return buildTarGz(t, []entry{{name: "x-1.0/setup.py"}}) },
			msg:  "no x-1.0/PKG-INFO",
		},
		{
			name: "bad PKG-INFO", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte { return buildTarGz(t, []entry{{name: pkg, body: "Name: x\nnonsense\n"}}) },
			msg:  "member x-1.0/PKG-INFO: line 1: missing required field Version",
		},
		{
			name: "bad pyproject", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: pkg, body: pkgInfo}, {name: "x-1.0/pyproject.toml", body: "[build-system\n"}})
			},
			msg: "member x-1.0/pyproject.toml",
		},
		{
			name: "license of the wrong type", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte {
				return buildTarGz(t, []entry{{name: pkg, body: pkgInfo}, {name: "x-1.0/pyproject.toml", body: "[project]\nlicense = 3\n"}})
			},
			msg: "project.license: want a string or a table",
		},
		{
			name: "not gzip", filename: "x-1.0.tar.gz",
			data: func(t *testing.T) []byte { return []byte("plain text") },
			msg:  "sdist x-1.0.tar.gz: gzip:",
		},
		{
			name: "unknown extension", filename: "x-1.0.rar",
			data: func(t *testing.T) []byte { return nil },
			msg:  "unsupported archive type",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Inspect(tt.filename, tt.data(t), tt.lim)
			require.Error(t, err)
			if tt.is != nil {
				assert.True(t, errors.Is(err, tt.is), "want %v, got %v", tt.is, err)
			}
			assert.Contains(t, err.Error(), tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "sdist "+tt.filename+": "), err.Error())
		})
	}
}

func TestInsideLinksAllowed(t *testing.T) {
	data := buildTarGz(t, []entry{
		{name: "x-1.0/PKG-INFO", body: "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n"},
		{name: "x-1.0/x/__init__.py"},
		{name: "x-1.0/docs/README", link: "../README"},
		{name: "x-1.0/x/copy.py", link: "x-1.0/x/__init__.py", hard: true},
	})
	info, err := Inspect("x-1.0.tar.gz", data, Limits{})
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, info.ImportNames)
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"Django_Simple.CSP": "django-simple-csp", "a--b": "a-b", "_x_": "-x-", "": ""} {
		assert.Equal(t, want, normalize(in), in)
	}
}

// sample is a ~1 MiB sdist (2 MiB uncompressed): a hatchling project with
// many modules of poorly compressible text.
func sample(t testing.TB) []byte {
	m := map[string]string{
		"bench_pkg-1.0/PKG-INFO":       "Metadata-Version: 2.3\nName: bench-pkg\nVersion: 1.0\nRequires-Dist: requests\n",
		"bench_pkg-1.0/pyproject.toml": "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
	}
	seed := sha256.Sum256([]byte("bench"))
	for i := range 512 {
		var body strings.Builder
		for body.Len() < 4096 {
			seed = sha256.Sum256(seed[:])
			fmt.Fprintf(&body, "# %x\n", seed)
		}
		m[fmt.Sprintf("bench_pkg-1.0/src/bench_pkg/mod%03d.py", i)] = body.String()
	}
	m["bench_pkg-1.0/src/bench_pkg/__init__.py"] = ""
	return buildTarGz(t, files(m))
}

func BenchmarkInspect(b *testing.B) {
	data := sample(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Inspect("bench_pkg-1.0.tar.gz", data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// fuzzSeeds are small sdists covering the layouts TestInspect checks.
func fuzzSeeds() []map[string]string {
	return []map[string]string{
		legacySetuptools(),
		{
			"h-1.0/PKG-INFO":          "Metadata-Version: 2.3\nName: h\nVersion: 1.0\n",
			"h-1.0/pyproject.toml":    "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n[project]\nname = \"h\"\nlicense = {text = \"MIT\"}\n",
			"h-1.0/src/h/__init__.py": "",
			"h-1.0/Cargo.toml":        "",
			"h-1.0/h/_x.c":            "",
		},
	}
}

// FuzzInspect checks that arbitrary archives never panic, that errors name
// the file and that accepted ones give consistent, deterministic results.
// Inputs are kilobytes, so minimizing each new one is slow; run it with
// -fuzzminimizetime=0 to keep the fuzzer executing.
func FuzzInspect(f *testing.F) {
	for _, m := range fuzzSeeds() {
		var raw bytes.Buffer
		writeTar(f, &raw, files(m))
		f.Add(uint8(0), raw.Bytes())
		f.Add(uint8(1), buildZip(f, files(m)))
	}
	lim := Limits{MaxMembers: 200, MaxMemberSize: 1 << 20, MaxTotalSize: 4 << 20}
	f.Fuzz(func(t *testing.T, kind uint8, payload []byte) {
		name := "f-1.0.tar.gz"
		var info *Info
		var err error
		switch kind % 3 {
		case 0:
			// A bare tar stream: skipping gzip here lets mutations reach
			// the tar layer and keeps executions cheap.
			var tr *tree
			tr, err = readTar(bytes.NewReader(payload), lim, wanted)
			if err == nil {
				info, err = inspectTree(tr)
			}
			if err != nil {
				return
			}
		case 1:
			name = "f-1.0.zip"
			fallthrough
		default:
			info, err = Inspect(name, payload, lim)
			if err != nil {
				assert.True(t, strings.HasPrefix(err.Error(), "sdist "+name+": "), err.Error())
				return
			}
		}
		require.NotNil(t, info.Metadata)
		assert.Contains(t, []string{"", SourcePKGINFO, SourceRequiresTxt}, info.RequiresDistSource)
		assert.True(t, sort.StringsAreSorted(info.ImportNames))
		assert.NotEmpty(t, info.BuildSystem.Backend)
		if kind%3 != 0 {
			again, err := Inspect(name, payload, lim)
			require.NoError(t, err)
			assert.Equal(t, info, again, "Inspect is deterministic")
		}
	})
}

func TestFilesAndReadMembers(t *testing.T) {
	data := buildTarGz(t, files(legacySetuptools()))
	info, err := Inspect("django-simple-csp-0.1.0.tar.gz", data, Limits{})
	require.NoError(t, err)
	assert.Contains(t, info.Files, "PKG-INFO")
	assert.True(t, sort.StringsAreSorted(info.Files))
	got, err := ReadMembers("django-simple-csp-0.1.0.tar.gz", bytes.NewReader(data), int64(len(data)), Limits{}, []string{"PKG-INFO", "no/such/file"})
	require.NoError(t, err)
	assert.Equal(t, []string{"PKG-INFO"}, keysOf(got))
	assert.Contains(t, string(got["PKG-INFO"]), "Name: django-simple-csp")
	_, err = ReadMembers("x.rar", bytes.NewReader(data), int64(len(data)), Limits{}, nil)
	assert.ErrorContains(t, err, "sdist x.rar: unsupported archive type")
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
