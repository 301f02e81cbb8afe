package nixexpr

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

var update = flag.Bool("update", false, "rewrite golden files")

var testOptions = OverlayOptions{
	Generator: "pip2nix-bitpoll 0.1.0",
	Command:   "pip2nix-bitpoll generate -r requirements.txt -o python-packages.nix",
}

func loadPlan(t testing.TB, path string) *resolver.Plan {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var plan resolver.Plan
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&plan), path)
	return &plan
}

func planFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.plan.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test -update")
	assert.Equal(t, string(want), string(got), path)
}

func TestRenderOverlayGolden(t *testing.T) {
	for _, file := range planFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".plan.json")
		t.Run(name, func(t *testing.T) {
			plan := loadPlan(t, file)
			got, err := RenderOverlay(plan, testOptions)
			require.NoError(t, err)
			golden(t, filepath.Join("testdata", name+".nix.golden"), got)

			again, err := RenderOverlay(plan, testOptions)
			require.NoError(t, err)
			assert.Equal(t, got, again, "output must be byte-stable")
		})
	}
}

// TestOverlaysEvaluate parses every golden overlay with real Nix and
// evaluates it against the stub package set, forcing every derivation the
// overlay defines; the stub's stand-ins check their arguments.
func TestOverlaysEvaluate(t *testing.T) {
	nixInstantiate(t)
	stub, err := filepath.Abs("testdata/stub")
	require.NoError(t, err)
	for _, file := range planFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".plan.json")
		t.Run(name, func(t *testing.T) {
			plan := loadPlan(t, file)
			overlay, err := RenderOverlay(plan, testOptions)
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "python-packages.nix")
			require.NoError(t, os.WriteFile(path, overlay, 0o644))

			runNix(t, "--parse", path)
			out := runNix(t, "--eval", "--strict", "--json", "-E",
				"import "+stub+" (import "+path+")")
			var got map[string]stubPackage
			require.NoError(t, json.Unmarshal(out, &got))
			checkAgainstPlan(t, plan, got)
		})
	}
}

// stubPackage is the stub set's summary of one overlay attribute.
type stubPackage struct {
	PName              string              `json:"pname"`
	Version            string              `json:"version"`
	Src                string              `json:"src"`
	Hash               string              `json:"hash"`
	BuildSystem        []string            `json:"build-system"`
	Dependencies       []string            `json:"dependencies"`
	NativeBuildInputs  []string            `json:"nativeBuildInputs"`
	BuildInputs        []string            `json:"buildInputs"`
	PythonImportsCheck []string            `json:"pythonImportsCheck"`
	Description        *string             `json:"description"`
	Homepage           *string             `json:"homepage"`
	Changelog          *string             `json:"changelog"`
	License            []string            `json:"license"`
	Patches            []string            `json:"patches"`
	PostPatch          *string             `json:"postPatch"`
	DoCheck            bool                `json:"doCheck"`
	PythonRelaxDeps    any                 `json:"pythonRelaxDeps"`
	OptionalDeps       map[string][]string `json:"optional-dependencies"`
}

// checkAgainstPlan compares what Nix evaluated with what the plan says,
// so index text that reached the overlay is proven to be inert data.
func checkAgainstPlan(t *testing.T, plan *resolver.Plan, got map[string]stubPackage) {
	t.Helper()
	want := map[string]resolver.Package{}
	for _, p := range plan.Packages {
		if p.Action != resolver.UseNixpkgs {
			want[p.Attr] = p
		}
	}
	require.Len(t, got, len(want), "the overlay must define exactly the non-use packages")
	for attr, p := range want {
		g, ok := got[attr]
		if !assert.True(t, ok, "attribute %q missing", attr) {
			continue
		}
		assert.Equal(t, p.Version, g.Version, attr)
		if p.Action == resolver.Alias {
			continue
		}
		hash, err := SRI(p.Sdist.SHA256)
		require.NoError(t, err)
		assert.Equal(t, hash, g.Hash, attr)
		if p.Sdist.PName == "" {
			assert.Equal(t, p.Sdist.URL, g.Src, attr)
		} else if p.Sdist.Format == "wheel" {
			assert.Equal(t, "pypi:"+p.Sdist.PName+"-"+p.Version+"-"+p.Sdist.WheelPython+"-none-any.whl", g.Src, attr)
		} else {
			ext := p.Sdist.Extension
			if ext == "" {
				ext = "tar.gz"
			}
			assert.Equal(t, "pypi:"+p.Sdist.PName+"-"+p.Version+"."+ext, g.Src, attr)
		}
		var wantPatches []string
		if fit := p.Recipe; fit != nil {
			for _, d := range fit.Decisions {
				if strings.HasPrefix(d.Part, "patch:") && d.Kept {
					wantPatches = append(wantPatches, "nixpkgs:"+strings.TrimPrefix(d.Part, "patch:"))
				}
			}
			if fit.PostPatch != nil {
				require.NotNil(t, g.PostPatch, attr)
				assert.Equal(t, *fit.PostPatch+relaxScript(p), *g.PostPatch, attr)
			}
			assert.Equal(t, fit.DoCheck, g.DoCheck, attr)
			if fit.RelaxSet {
				assert.Equal(t, len(fit.RelaxDeps), len(g.PythonRelaxDeps.([]any)), attr)
			}
		}
		if relax := relaxScript(p); relax != "" {
			// Added after nixpkgs' own postPatch, or alone.
			require.NotNil(t, g.PostPatch, attr)
			assert.True(t, strings.HasSuffix(*g.PostPatch, relax), "%s: postPatch %q", attr, *g.PostPatch)
		}
		for _, patch := range p.Patches {
			wantPatches = append(wantPatches, "path:"+filepath.Base(patch))
		}
		if len(wantPatches) > 0 || p.Recipe != nil {
			assert.Equal(t, wantPatches, g.Patches, attr)
		}
		// Every extra requested on an edge reaches the dependencies, through
		// nixpkgs' optional-dependencies or directly.
		for _, d := range p.Dependencies {
			for _, x := range d.Extras {
				for _, dep := range extraDeps(plan, d.Name, x) {
					assert.Contains(t, g.Dependencies, dep, "%s: %s[%s]", attr, d.Name, x)
				}
			}
		}
		if p.Action == resolver.Override {
			continue
		}
		for x, deps := range p.ExtraDependencies {
			assert.ElementsMatch(t, deps, g.OptionalDeps[x], "%s: optional-dependencies.%s", attr, x)
		}
		assert.Equal(t, p.Name, g.PName, attr)
		assert.ElementsMatch(t, p.ImportNames, g.PythonImportsCheck, attr)
		if d := description(p.Summary); d != "" {
			require.NotNil(t, g.Description, attr)
			assert.Equal(t, d, *g.Description, attr)
		} else {
			assert.Nil(t, g.Description, attr)
		}
		if p.HomePage != "" {
			require.NotNil(t, g.Homepage, attr)
			assert.Equal(t, p.HomePage, *g.Homepage, attr)
		}
		if p.Changelog != "" {
			require.NotNil(t, g.Changelog, attr)
			assert.Equal(t, p.Changelog, *g.Changelog, attr)
		}
		assert.ElementsMatch(t, p.License.Nix, g.License, attr)
	}
}

// extraDeps returns the pnames the stub gives the dependencies extra x of
// package name adds: the plan's ExtraDependencies, or for the stub's
// bleach[css] (nixpkgs' optional-dependencies) tinycss2.
func extraDeps(plan *resolver.Plan, name, x string) []string {
	for _, p := range plan.Packages {
		if p.Name == name {
			if deps, ok := p.ExtraDependencies[x]; ok {
				return deps
			}
		}
	}
	if name == "bleach" && x == "css" {
		return []string{"tinycss2"}
	}
	return nil
}

func TestSRI(t *testing.T) {
	got, err := SRI("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	require.NoError(t, err)
	assert.Equal(t, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", got)
	for _, bad := range []string{"", "e3b0", "zz" + strings.Repeat("0", 62), strings.Repeat("0", 66)} {
		_, err := SRI(bad)
		assert.Error(t, err, bad)
	}
}

func TestRenderOverlayErrors(t *testing.T) {
	sd := &resolver.Sdist{Filename: "a-1.tar.gz", URL: "https://index.example/a-1.tar.gz", SHA256: strings.Repeat("ab", 32), PName: "a"}
	cases := []struct {
		name string
		pkgs []resolver.Package
		want string
	}{
		{"no attr", []resolver.Package{{Name: "a", Version: "1", Action: resolver.Add, Sdist: sd}}, "a@1: no attribute name"},
		{"no sdist", []resolver.Package{{Name: "a", Version: "1", Action: resolver.Add, Attr: "a"}}, "a@1: no sdist"},
		{"bad digest", []resolver.Package{{Name: "a", Version: "1", Action: resolver.Add, Attr: "a",
			Sdist: &resolver.Sdist{Filename: "a-1.tar.gz", SHA256: "abc", PName: "a"}}}, `sha256 digest "abc"`},
		{"alias without target", []resolver.Package{{Name: "a", Version: "1", Action: resolver.Alias, Attr: "a"}}, "alias without a nixpkgs attribute"},
		{"unknown action", []resolver.Package{{Name: "a", Version: "1", Action: "frobnicate", Attr: "a"}}, `unknown action "frobnicate"`},
		{"duplicate", []resolver.Package{
			{Name: "a", Version: "1", Action: resolver.Add, Attr: "a", Sdist: sd},
			{Name: "b", Version: "2", Action: resolver.Add, Attr: "a", Sdist: sd}}, `define attribute "a"`},
		{"bad input path", []resolver.Package{{Name: "a", Version: "1", Action: resolver.Add, Attr: "a", Sdist: sd,
			BuildInputs: []string{"pkgs..x"}}}, "empty component"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := RenderOverlay(&resolver.Plan{Packages: c.pkgs}, testOptions)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := RenderOverlay(nil, testOptions)
	assert.Error(t, err)
}

func BenchmarkRenderOverlay(b *testing.B) {
	plan := loadPlan(b, "testdata/platform-deps.plan.json")
	for b.Loop() {
		if _, err := RenderOverlay(plan, testOptions); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPatchDir: pip2nix.toml's patch paths are rendered relative to the
// overlay file.
func TestPatchDir(t *testing.T) {
	plan := loadPlan(t, "testdata/extras.plan.json")
	opts := testOptions
	opts.PatchDir = "../reqs"
	out, err := RenderOverlay(plan, opts)
	require.NoError(t, err)
	assert.Contains(t, string(out), "patches = [ ../reqs/patches/markdownify-no-network.patch ];")
	opts.PatchDir = "sub"
	out, err = RenderOverlay(plan, opts)
	require.NoError(t, err)
	assert.Contains(t, string(out), "patches = [ ./sub/patches/markdownify-no-network.patch ];")
}

// TestRelaxSetupCfgEvaluates: a build requirement relaxed because
// setup.cfg's setup_requires spells it is rewritten in setup.cfg (and in
// pyproject.toml too when [build-system] spells it alike), for an added
// package and after nixpkgs' own postPatch of an overridden one; Nix
// evaluates the overlay against the stub set.
func TestRelaxSetupCfgEvaluates(t *testing.T) {
	nixInstantiate(t)
	stub, err := filepath.Abs("testdata/stub")
	require.NoError(t, err)
	plan := loadPlan(t, "testdata/override.plan.json")
	added := loadPlan(t, "testdata/add-fetchurl.plan.json")
	for _, p := range added.Packages {
		if p.Name == "django-friendly-tag-loader" {
			plan.Packages = append(plan.Packages, p)
		}
	}
	for i := range plan.Packages {
		p := &plan.Packages[i]
		switch p.Name {
		case "icalendar": // setuptools>=99 in both files
			p.RelaxBuildRequires = []string{"setuptools>=99", "setuptools_scm[toml]>=9"}
			p.Sdist.Inspection = &sdist.Info{
				BuildSystem:   sdist.BuildSystem{Declared: true, Requires: []string{"setuptools>=99"}, Backend: "setuptools.build_meta"},
				SetupRequires: []string{"setuptools>=99", "setuptools_scm[toml]>=9"},
			}
		case "django-friendly-tag-loader": // no [build-system]: setup.cfg only
			p.Sdist.Inspection = &sdist.Info{BuildSystem: sdist.LegacyBuildSystem(), SetupRequires: []string{"setuptools>=99"}}
		}
	}
	overlay, err := RenderOverlay(plan, testOptions)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "python-packages.nix")
	require.NoError(t, os.WriteFile(path, overlay, 0o644))
	out := runNix(t, "--eval", "--strict", "--json", "-E", "import "+stub+" (import "+path+")")
	var got map[string]stubPackage
	require.NoError(t, json.Unmarshal(out, &got))
	checkAgainstPlan(t, plan, got)

	require.NotNil(t, got["icalendar"].PostPatch)
	// The stub's icalendar postPatch comes first (kept or dropped per the
	// plan's recipe decisions), then the relaxations.
	assert.True(t, strings.HasSuffix(*got["icalendar"].PostPatch,
		"substituteInPlace pyproject.toml --replace-fail 'setuptools>=99' 'setuptools'\n"+
			"substituteInPlace setup.cfg --replace-fail 'setuptools>=99' 'setuptools'\n"+
			"substituteInPlace setup.cfg --replace-fail 'setuptools_scm[toml]>=9' 'setuptools_scm'\n"), *got["icalendar"].PostPatch)
	require.NotNil(t, got["django-friendly-tag-loader"].PostPatch)
	assert.Equal(t, "substituteInPlace setup.cfg --replace-fail 'setuptools>=99' 'setuptools'\n", *got["django-friendly-tag-loader"].PostPatch)
}
