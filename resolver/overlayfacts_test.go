package resolver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
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
		switch set.Packages[i].Attr {
		case "bleach":
			set.Packages[i].OptionalDependencies = map[string][]string{"css": {"tinycss2"}}
			set.Packages[i].License = []string{"Apache-2.0"}
			set.Packages[i].KnownVulnerabilities = []string{"SYNTHETIC-0001"}
		case "webencodings":
			set.Packages[i].Broken = true
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
	assert.Equal(t, License{Expression: "Apache-2.0", Nix: []string{"asl20"}}, pkgOf(t, plan, "bleach").License, "from the query's meta.license")
	assert.Equal(t, map[string][]string{"plugins": {"mdit-plugins"}}, pkgOf(t, plan, "markdown-it").ExtraDependencies)
	pkgOf(t, plan, "tinycss2") // the closure counts the extra's requirement
	assert.Contains(t, plan.Warnings, "nixpkgs marks webencodings 0.5.1 (webencodings) broken: it will not build")
	assert.Contains(t, plan.Warnings, "nixpkgs lists a known vulnerability of bleach 6.2.0 (bleach): SYNTHETIC-0001")
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
	for i := range set.Packages {
		if set.Packages[i].Attr == "icalendar" {
			set.Packages[i].Recipe = nixpkgs.Recipe{Src: nixpkgs.SrcPyPI, Patches: []string{"no-network.patch", "CVE.patch"}, PostPatch: &post}
		}
	}
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

// TestRebuildImpact: overriding sqlparse rebuilds nixpkgs' django (which
// depends on it) and, through django, django-widget-tweaks; asgiref is
// substituted as it is.
func TestRebuildImpact(t *testing.T) {
	lines, err := reqLines("django-widget-tweaks", "sqlparse==0.4.4", "asgiref")
	require.NoError(t, err)
	idx := map[string][]rel{
		"django":               {{version: "4.2.16", deps: []string{"asgiref", "sqlparse"}}},
		"django-widget-tweaks": {{version: "1.5.0", deps: []string{"django"}}},
		"asgiref":              {{version: "3.8.1"}},
		"sqlparse":             {{version: "0.4.4"}, {version: "0.5.1"}},
	}
	set := nixSet("django=django@4.2.16", "django-widget-tweaks=django-widget-tweaks@1.5.0", "asgiref=asgiref@3.8.1", "sqlparse=sqlparse@0.5.1")
	deps := map[string][]string{"django": {"asgiref", "sqlparse"}, "django-widget-tweaks": {"django"}}
	for i := range set.Packages {
		set.Packages[i].Dependencies = deps[set.Packages[i].Attr]
	}
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: set, Policy: Exact}, newFake(idx))
	require.NoError(t, err)
	assert.Equal(t, Override, pkgOf(t, plan, "sqlparse").Action)
	assert.Equal(t, []string{"sqlparse"}, pkgOf(t, plan, "django").RebuiltBecause)
	assert.Equal(t, []string{"sqlparse"}, pkgOf(t, plan, "django-widget-tweaks").RebuiltBecause)
	assert.Empty(t, pkgOf(t, plan, "asgiref").RebuiltBecause)
}

// TestBuildTools: a tool nixpkgs lacks comes from the index (with its own
// dependencies), a bound nixpkgs' tool misses is relaxed, never
// re-versioned, and a tool neither has is an error that names it.
func TestBuildTools(t *testing.T) {
	lines, err := reqLines("foo")
	require.NoError(t, err)
	idx := map[string][]rel{
		"foo":           {{version: "1.0", build: []string{"setuptools>=99", "fancy-backend>=2"}}},
		"fancy-backend": {{version: "2.1", deps: []string{"tomli-w"}, build: []string{"flit-core"}}},
		"tomli-w":       {{version: "1.0.0", build: []string{"flit-core"}}},
		"setuptools":    {{version: "99.0"}},
	}
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()}, newFake(idx))
	require.NoError(t, err)
	assert.Equal(t, []string{"fancy-backend add fancy-backend 2.1", "foo add foo 1.0", "tomli-w add tomli-w 1.0.0"}, summary(plan))
	foo := pkgOf(t, plan, "foo")
	assert.Equal(t, []string{"fancy-backend", "setuptools"}, foo.BuildSystem)
	assert.Equal(t, []string{"setuptools>=99"}, foo.RelaxBuildRequires)
	fancy := pkgOf(t, plan, "fancy-backend")
	assert.Nil(t, fancy.Requested)
	assert.Contains(t, fancy.Notes, "build tool of foo 1.0, which nixpkgs lacks; taken from the index")
	assert.Contains(t, plan.Warnings, "foo 1.0: build requirement setuptools>=99 relaxed to nixpkgs' setuptools 80.9.0 (build tools are never re-versioned)")
	assert.Contains(t, plan.Warnings, "build tool fancy-backend is not in nixpkgs; fancy-backend 2.1 is built from the index for foo 1.0")

	delete(idx, "fancy-backend")
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()}, newFake(idx))
	var conflict *ConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, "the build system of foo 1.0 requires fancy-backend; neither nixpkgs nor the index provides the build tool fancy-backend", err.Error())
}

// TestBuildToolsSetupCfg: setup.cfg's setup_requires names build tools
// too; a bound nixpkgs' tool misses is relaxed in setup.cfg (in both files
// when pyproject.toml spells it alike), and a tool nixpkgs lacks comes from
// the index.
func TestBuildToolsSetupCfg(t *testing.T) {
	lines, err := reqLines("foo")
	require.NoError(t, err)
	idx := map[string][]rel{
		"foo": {{version: "1.0", build: []string{"setuptools>=99"},
			setupRequires: "\n    setuptools>=99\n    setuptools_scm[toml]>=9\n    # a comment\n    wheel\n    cfg-only-tool>=1"}},
		"cfg-only-tool": {{version: "1.2", build: []string{"flit-core"}}},
	}
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()}, newFake(idx))
	require.NoError(t, err)
	assert.Equal(t, []string{"cfg-only-tool add cfg-only-tool 1.2", "foo add foo 1.0"}, summary(plan))
	foo := pkgOf(t, plan, "foo")
	assert.Equal(t, []string{"cfg-only-tool", "setuptools", "setuptools-scm", "wheel"}, foo.BuildSystem)
	assert.Equal(t, []string{"setuptools>=99", "setuptools_scm[toml]>=9"}, foo.RelaxBuildRequires)
	info := foo.Sdist.Inspection
	assert.Equal(t, []string{"pyproject.toml", "setup.cfg"}, RelaxFiles(info, "setuptools>=99"))
	assert.Equal(t, []string{"setup.cfg"}, RelaxFiles(info, "setuptools_scm[toml]>=9"))
	assert.Contains(t, plan.Warnings, "foo 1.0: build requirement setuptools>=99 relaxed in pyproject.toml and setup.cfg to nixpkgs' setuptools 80.9.0 (build tools are never re-versioned)")
	assert.Contains(t, plan.Warnings, "foo 1.0: build requirement setuptools_scm[toml]>=9 relaxed in setup.cfg to nixpkgs' setuptools-scm 8.3.1 (build tools are never re-versioned)")
	assert.Contains(t, plan.Warnings, "build tool cfg-only-tool is not in nixpkgs; cfg-only-tool 1.2 is built from the index for foo 1.0")
}

// TestRelaxFiles: where a relaxed build requirement is rewritten.
func TestRelaxFiles(t *testing.T) {
	pyproject := &sdist.Info{BuildSystem: sdist.BuildSystem{Declared: true, Requires: []string{"a>=2", "b>=1"}}, SetupRequires: []string{"b>=1", "c>=3"}}
	legacy := &sdist.Info{BuildSystem: sdist.LegacyBuildSystem(), SetupRequires: []string{"setuptools>=40.8.0"}}
	for _, tc := range []struct {
		info *sdist.Info
		req  string
		want []string
	}{
		{nil, "a>=2", []string{"pyproject.toml"}},
		{pyproject, "a>=2", []string{"pyproject.toml"}},
		{pyproject, "b>=1", []string{"pyproject.toml", "setup.cfg"}},
		{pyproject, "c>=3", []string{"setup.cfg"}},
		{legacy, "setuptools>=40.8.0", []string{"setup.cfg"}}, // PEP 517's fallback is in no file
	} {
		assert.Equal(t, tc.want, RelaxFiles(tc.info, tc.req), tc.req)
	}
}

// TestFewerRebuilds: two nixpkgs attributes of foo satisfy every
// constraint; foo_2 (preferred by version) needs bar>=2, which nixpkgs'
// bar 1.0 misses, so bar would be overridden and its dependent baz (in
// nixpkgs' graph) rebuilt. compatible takes foo_1; exact keeps Lookup's
// order (foo_2, Lookup's first, used as it is).
func TestFewerRebuilds(t *testing.T) {
	lines, err := reqLines("foo")
	require.NoError(t, err)
	idx := map[string][]rel{
		"foo": {{version: "1.0", deps: []string{"bar"}}, {version: "2.0", deps: []string{"bar>=2"}}},
		"bar": {{version: "1.0"}, {version: "2.0"}},
		"baz": {{version: "1.0", deps: []string{"bar"}}},
	}
	set := func() *nixpkgs.Set {
		s := nixSet("foo_1=foo@1.0", "foo_2=foo@2.0", "bar=bar@1.0", "baz=baz@1.0")
		for i := range s.Packages {
			switch s.Packages[i].Attr {
			case "baz", "foo_1", "foo_2":
				s.Packages[i].Dependencies = []string{"bar"}
			}
		}
		return s
	}
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: set(), Policy: Compatible}, newFake(idx))
	require.NoError(t, err)
	assert.Equal(t, []string{"bar use bar 1.0", "foo alias foo 1.0"}, summary(plan))

	plan, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: set(), Policy: Exact}, newFake(idx))
	require.NoError(t, err)
	assert.Equal(t, []string{"bar override bar 2.0", "foo use foo_2 2.0"}, summary(plan))
}

// TestPartialSet: a name a partial nixpkgs set does not record is an
// error, not "nixpkgs lacks it" — unless pip2nix.toml builds it from the
// index, where nixpkgs' answer does not matter.
func TestPartialSet(t *testing.T) {
	lines, err := reqLines("foo")
	require.NoError(t, err)
	set := nixSet("bar=bar@1.0")
	set.Partial = true
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: set}, newFake(map[string][]rel{"foo": {{version: "1.0"}}}))
	assert.ErrorIs(t, err, nixpkgs.ErrNotRecorded)
	cfg := &config.Config{Packages: map[string]config.Package{"foo": {Source: config.SourceIndex}}}
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: set, Config: cfg}, newFake(map[string][]rel{"foo": {{version: "1.0"}}}))
	require.NoError(t, err)
	assert.Equal(t, []string{"foo add foo 1.0"}, summary(plan))
	set.Partial = false
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: set}, newFake(map[string][]rel{"foo": {{version: "1.0"}}}))
	assert.NoError(t, err)
}
