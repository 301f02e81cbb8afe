package resolver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

func pkgOf(t *testing.T, plan *Plan, name string) Package {
	t.Helper()
	for _, p := range plan.Packages {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("%s not in the plan", name)
	return Package{}
}

// TestExtrasRecorded: markdownify requires bleach[css]; bleach is nixpkgs'
// (which defines optional-dependencies.css), markdown-it is added with an
// extra of its own. The plan records the extras on the edges, nixpkgs'
// extras and the dependencies each requested extra adds.
func TestExtrasRecorded(t *testing.T) {
	lines, err := reqLines("markdownify")
	require.NoError(t, err)
	idx := map[string][]rel{
		"markdownify":  {{version: "0.9.5", deps: []string{"bleach[CSS]>=5", "markdown-it[plugins]"}}},
		"bleach":       {{version: "6.2.0", deps: []string{"webencodings", `tinycss2<1.5,>=1.1.0; extra == "css"`}}},
		"markdown-it":  {{version: "3.0.0", deps: []string{`mdit-plugins; extra == "plugins"`}}},
		"mdit-plugins": {{version: "0.4.0"}},
		"tinycss2":     {{version: "1.4.0"}},
		"webencodings": {{version: "0.5.1"}},
	}
	set := nixSet("bleach=bleach@6.2.0", "tinycss2=tinycss2@1.4.0", "webencodings=webencodings@0.5.1")
	for i := range set.Packages {
		if set.Packages[i].Attr == "bleach" {
			set.Packages[i].OptionalDependencies = map[string][]string{"css": {"tinycss2"}}
		}
	}
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: set}, newFake(idx))
	require.NoError(t, err)
	md := pkgOf(t, plan, "markdownify")
	assert.Equal(t, []Dependency{
		{Name: "bleach", Attr: "bleach", Platforms: []string{"darwin", "linux"}, Extras: []string{"css"}},
		{Name: "markdown-it", Attr: "markdown-it", Platforms: []string{"darwin", "linux"}, Extras: []string{"plugins"}},
	}, md.Dependencies)
	assert.Equal(t, []string{"css"}, pkgOf(t, plan, "bleach").NixpkgsExtras)
	assert.Equal(t, map[string][]string{"plugins": {"mdit-plugins"}}, pkgOf(t, plan, "markdown-it").ExtraDependencies)
	pkgOf(t, plan, "tinycss2") // the closure counts the extra's requirement
}

// TestRecipeFitted: an override of a nixpkgs package whose recipe carries
// a patch that does not apply, one whose text is unknown and a postPatch
// for a file the sdist lacks gets its recipe decided; pip2nix.toml's
// keep-recipe is honoured.
func TestRecipeFitted(t *testing.T) {
	lines, err := reqLines("icalendar==5.0.12")
	require.NoError(t, err)
	idx := map[string][]rel{"icalendar": {{version: "5.0.12"}, {version: "6.1.3"}}}
	set := nixSet("icalendar=icalendar@6.1.3")
	post := "substituteInPlace src/icalendar/cal.py --replace-fail a b\n"
	set.Packages[0].Recipe = nixpkgs.Recipe{Src: nixpkgs.SrcPyPI, Patches: []string{"no-network.patch", "CVE.patch"}, PostPatch: &post}
	var asked []string
	patch := "--- a/icalendar/__init__.py\n+++ b/icalendar/__init__.py\n@@ -1 +1 @@\n-x\n+y\n"
	in := Input{Requirements: lines, Nixpkgs: set, Policy: Exact,
		Config: &config.Config{Packages: map[string]config.Package{"icalendar": {KeepRecipe: []string{"patch:CVE.patch"}}}},
		PatchTexts: func(_ context.Context, attrs []string) (map[string][]*string, error) {
			asked = attrs
			return map[string][]*string{"icalendar": {&patch, nil}}, nil
		}}
	plan, err := Resolve(context.Background(), in, newFake(idx))
	require.NoError(t, err)
	assert.Equal(t, []string{"icalendar"}, asked)
	ical := pkgOf(t, plan, "icalendar")
	require.Equal(t, Override, ical.Action)
	require.NotNil(t, ical.Recipe)
	assert.Equal(t, []int{1}, ical.Recipe.Patches, "kept by pip2nix.toml only")
	require.NotNil(t, ical.Recipe.PostPatch)
	assert.Equal(t, "", *ical.Recipe.PostPatch)
	require.Len(t, ical.Recipe.Decisions, 3)
	assert.Contains(t, ical.Recipe.Decisions[0].Why, "does not apply")
	assert.True(t, ical.Recipe.Decisions[1].ByConfig)
	assert.Contains(t, ical.Recipe.Decisions[2].Why, "src/icalendar/cal.py is not in the sdist")
}
