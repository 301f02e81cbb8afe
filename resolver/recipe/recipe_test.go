package recipe

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// SYNTHETIC sources and recipes in the style of nixpkgs' certifi and
// django recipes: an integration patch (NIX_SSL_CERT_FILE), a postPatch
// relaxing a build requirement, a test patch for another release.
var certifiSdist = map[string]string{
	"PKG-INFO":        "Metadata-Version: 2.1\nName: certifi\nVersion: 2024.2.2\n",
	"certifi/core.py": "import os\n\ndef where():\n    return os.path.join(os.path.dirname(__file__), \"cacert.pem\")\n",
	"pyproject.toml":  "[build-system]\nrequires = [\"setuptools>=75.8.1\"]\n",
	"setup.py":        "from setuptools import setup\nsetup()\n",
}

const envPatch = `--- a/certifi/core.py
+++ b/certifi/core.py
@@ -2,3 +2,4 @@
 
 def where():
-    return os.path.join(os.path.dirname(__file__), "cacert.pem")
+    env = os.environ.get("NIX_SSL_CERT_FILE")
+    return env or os.path.join(os.path.dirname(__file__), "cacert.pem")
`

const testsPatch = `--- a/tests/test_certify.py
+++ b/tests/test_certify.py
@@ -1 +1 @@
-old
+new
`

func input(recipe nixpkgs.Recipe, texts ...*string) Input {
	var files []string
	for f := range certifiSdist {
		files = append(files, f)
	}
	return Input{
		Attr: "certifi", Version: "2024.2.2", Recipe: recipe, PatchTexts: texts, Files: files,
		Read: func(paths []string) (map[string][]byte, error) {
			out := map[string][]byte{}
			for _, p := range paths {
				if c, ok := certifiSdist[p]; ok {
					out[p] = []byte(c)
				}
			}
			return out, nil
		},
		Requires: []string{"charset-normalizer"},
	}
}

func str(s string) *string { return &s }

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		in    Input
		want  Fit
		whys  []string // substrings of the decisions' reasons, in order
		kept  []bool
		parts []string
	}{
		{
			name: "integration patch and postPatch that fit stay",
			in: input(nixpkgs.Recipe{Src: nixpkgs.SrcPyPI, Patches: []string{"env.patch"},
				PostPatch: str("substituteInPlace pyproject.toml \\\n  --replace-fail \"setuptools>=75.8.1\" setuptools\n")}, str(envPatch)),
			want:  Fit{Patches: []int{0}, AllPatches: true, DoCheck: true},
			parts: []string{"patch:env.patch", "postPatch"},
			kept:  []bool{true, true},
			whys:  []string{"applies", "every file it edits exists"},
		},
		{
			name: "a patch for another release's tests, a fetched patch, a missing search string",
			in: input(nixpkgs.Recipe{Src: nixpkgs.SrcGitHub, Patches: []string{"env.patch", "tests.patch", "CVE.patch"},
				PostPatch:     str("substituteInPlace certifi/core.py --replace-fail 'cacert.pem' 'ca.pem'\nsubstituteInPlace setup.py --replace-fail \"version='2025'\" \"version='1'\"\nrm -f certifi/cacert.pem\n"),
				DisabledTests: true}, str(envPatch), str(testsPatch)),
			want:  Fit{Patches: []int{0}, PostPatch: str("substituteInPlace certifi/core.py --replace-fail 'cacert.pem' 'ca.pem'\n")},
			parts: []string{"patch:env.patch", "patch:tests.patch", "patch:CVE.patch", "postPatch", "checks"},
			kept:  []bool{true, false, false, false, false},
			whys: []string{"applies", "no such file", "not available", `"version='2025'" does not occur in setup.py`,
				"disabledTests were chosen for its own release; nixpkgs' tests run on a github source tree"},
		},
		{
			name: "kept commands naming store paths cannot be rendered",
			in: input(nixpkgs.Recipe{Src: nixpkgs.SrcPyPI,
				PostPatch: str("substituteInPlace certifi/core.py --replace-fail cacert.pem /nix/store/0-cacert/ca-bundle.crt\nsed -i s/a/b/ setup.py\n")}),
			want:  Fit{AllPatches: true, DoCheck: true, PostPatch: str("")},
			parts: []string{"postPatch"},
			kept:  []bool{false},
			whys:  []string{"only substituteInPlace and rm can be checked"},
		},
		{
			name: "pythonRelaxDeps reduced to what the release requires",
			in: input(nixpkgs.Recipe{Src: nixpkgs.SrcPyPI,
				PythonRelaxDeps: nixpkgs.RelaxDeps{Names: []string{"Charset_Normalizer", "idna"}}}),
			want:  Fit{AllPatches: true, DoCheck: true, RelaxDeps: []string{"Charset_Normalizer"}, RelaxSet: true},
			parts: []string{"pythonRelaxDeps"},
			kept:  []bool{false},
			whys:  []string{"2024.2.2 does not require idna"},
		},
		{
			name:  "unknown recipe: nothing verified, everything dropped",
			in:    input(nixpkgs.Recipe{}),
			want:  Fit{PostPatch: str("")},
			parts: []string{"patches", "postPatch", "checks"},
			kept:  []bool{false, false, false},
			whys:  []string{"records no recipe", "records no recipe", "records no recipe"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fit, err := Check(tt.in)
			require.NoError(t, err)
			var parts []string
			var kept []bool
			for i, d := range fit.Decisions {
				parts = append(parts, d.Part)
				kept = append(kept, d.Kept)
				if i < len(tt.whys) {
					assert.Contains(t, d.Why, tt.whys[i], d.Part)
				}
			}
			assert.Equal(t, tt.parts, parts)
			assert.Equal(t, tt.kept, kept)
			fit.Decisions = nil
			assert.Equal(t, tt.want, *fit)
		})
	}
}

// TestConfigOverrides checks that pip2nix.toml's keep-recipe and
// drop-recipe override each decision and say so.
func TestConfigOverrides(t *testing.T) {
	in := input(nixpkgs.Recipe{Src: nixpkgs.SrcGitHub, Patches: []string{"env.patch", "CVE.patch"},
		PostPatch: str("substituteInPlace setup.py --replace-fail nope yes\n"), DisabledTests: true}, str(envPatch))
	in.Keep = []string{"patch:CVE.patch", "checks", "postPatch"}
	in.Drop = []string{"patch:env.patch"}
	fit, err := Check(in)
	require.NoError(t, err)
	assert.Equal(t, []int{1}, fit.Patches)
	assert.False(t, fit.AllPatches)
	assert.Nil(t, fit.PostPatch, "kept as nixpkgs has it")
	assert.True(t, fit.DoCheck)
	for _, d := range fit.Decisions {
		assert.True(t, d.ByConfig, d.Part)
		assert.Contains(t, d.Why, "pip2nix.toml", d.Part)
	}
}

// TestFetchedPatch: a patch the query records as fetched is dropped with
// its own reason, which points at keep-recipe; keep-recipe keeps it. A
// patch without text that is not recorded as fetched keeps the generic
// reason.
func TestFetchedPatch(t *testing.T) {
	recipe := nixpkgs.Recipe{Src: nixpkgs.SrcPyPI, Patches: []string{"env.patch", "CVE.patch", "local.patch"}, FetchedPatches: []string{"CVE.patch"}}
	fit, err := Check(input(recipe, str(envPatch)))
	require.NoError(t, err)
	assert.Equal(t, []int{0}, fit.Patches)
	require.Len(t, fit.Decisions, 3)
	assert.Equal(t, Decision{Part: "patch:CVE.patch", Why: "fetched patch: cannot be test-applied offline; dropped — keep it with keep-recipe if it still applies"}, fit.Decisions[1])
	assert.False(t, fit.Decisions[2].Kept)
	assert.Contains(t, fit.Decisions[2].Why, "its text is not available")

	in := input(recipe, str(envPatch))
	in.Keep = []string{"patch:CVE.patch"}
	fit, err = Check(in)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1}, fit.Patches)
	assert.Equal(t, Decision{Part: "patch:CVE.patch", Kept: true, ByConfig: true, Why: "pip2nix.toml keeps it (fetched patch: cannot be test-applied offline)"}, fit.Decisions[1])
}

func TestParseScript(t *testing.T) {
	cmds, err := parseScript("# comment\nsubstituteInPlace a.py \\\n  --replace-fail 'x y' \"a\\\"b\" && rm -rf tests; echo $out\n")
	require.NoError(t, err)
	require.Len(t, cmds, 3)
	assert.Equal(t, []word{{"substituteInPlace", true}, {"a.py", true}, {"--replace-fail", true}, {"x y", true}, {`a"b`, true}}, cmds[0].words)
	assert.Equal(t, "substituteInPlace a.py \\\n  --replace-fail 'x y' \"a\\\"b\"", cmds[0].text)
	assert.Equal(t, []word{{"rm", true}, {"-rf", true}, {"tests", true}}, cmds[1].words)
	assert.Equal(t, []word{{"echo", true}, {"$out", false}}, cmds[2].words)
	_, err = parseScript("echo 'open")
	assert.EqualError(t, err, "unterminated ' quote at byte 5")
	_, err = parseScript("echo \"open")
	assert.EqualError(t, err, "unterminated \" quote at byte 5")
}

// FuzzParseScript checks that every command's text re-parses to the same
// words, so a reduced script means what the kept commands meant.
func FuzzParseScript(f *testing.F) {
	f.Add("substituteInPlace a.py --replace-fail 'x' \"y\"\nrm -f b\n")
	f.Add("a \\\n b; c && d || e # f\n")
	f.Add(`x "a\$b" 'c\d' e\ f`)
	f.Fuzz(func(t *testing.T, script string) {
		cmds, err := parseScript(script)
		if err != nil {
			return
		}
		for _, c := range cmds {
			again, err := parseScript(c.text)
			if err != nil || len(again) != 1 {
				t.Fatalf("%q: re-parse gives %d commands, %v", c.text, len(again), err)
			}
			assert.Equal(t, c.words, again[0].words, c.text)
		}
	})
}
