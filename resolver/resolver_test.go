package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

var update = flag.Bool("update", false, "rewrite the golden plans under testdata/")

// djangoIndex is a synthetic index around Django's release series.
func djangoIndex() map[string][]rel {
	return map[string][]rel{
		"django": {
			{version: "4.2.16", deps: []string{"asgiref<4,>=3.6.0", "sqlparse>=0.3.1"}},
			{version: "5.0.6", deps: []string{"asgiref<4,>=3.7.0", "sqlparse>=0.3.1"}},
			{version: "5.1.4", deps: []string{"asgiref<4,>=3.8.1", "sqlparse>=0.3.1"}},
		},
		"asgiref":  {{version: "3.8.1"}},
		"sqlparse": {{version: "0.5.1"}},
	}
}

func djangoNix() *nixpkgs.Set {
	return nixSet("django=django@4.2.16", "django_5=django@5.1.4", "asgiref=asgiref@3.8.1", "sqlparse=sqlparse@0.5.1")
}

// summary renders a plan as one "name action attr version" line per package.
func summary(p *Plan) []string {
	var out []string
	for _, pkg := range p.Packages {
		out = append(out, fmt.Sprintf("%s %s %s %s", pkg.Name, pkg.Action, pkg.Attr, pkg.Version))
	}
	return out
}

func TestResolveScenarios(t *testing.T) {
	tests := []struct {
		name    string
		reqs    []string
		policy  Policy
		nix     *nixpkgs.Set
		index   map[string][]rel
		config  *config.Config
		want    []string
		wantErr string
		check   func(t *testing.T, p *Plan)
	}{
		{
			name: "compatible aliases django_5 for a 5.0 pin", reqs: []string{"django==5.0.6"},
			nix: djangoNix(), index: djangoIndex(),
			want: []string{"asgiref use asgiref 3.8.1", "django alias django 5.1.4", "sqlparse use sqlparse 0.5.1"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, "django_5", p.Packages[1].NixpkgsAttr)
				assert.Equal(t, "5.1.4", *p.Packages[1].NixpkgsVersion)
				assert.Equal(t, "==5.0.6", *p.Packages[1].Requested)
				assert.Contains(t, p.Packages[1].Reason, "outside the release series")
				assert.Equal(t, []string{"django"}, p.Packages[0].RequiredBy)
			},
		},
		{
			name: "exact overrides django to the pin", reqs: []string{"django==5.0.6"}, policy: Exact,
			nix: djangoNix(), index: djangoIndex(),
			want: []string{"asgiref use asgiref 3.8.1", "django override django 5.0.6", "sqlparse use sqlparse 0.5.1"},
			check: func(t *testing.T, p *Plan) {
				d := p.Packages[1]
				require.NotNil(t, d.Sdist)
				assert.Equal(t, "django-5.0.6.tar.gz", d.Sdist.Filename)
				assert.Equal(t, "django", d.Sdist.PName)
				assert.Equal(t, []string{"hatchling"}, d.BuildSystem)
				assert.Equal(t, []string{"mit"}, d.License.Nix)
				assert.Equal(t, []string{"django"}, d.ImportNames)
				assert.Equal(t, "https://example.invalid/django/changes", d.Changelog)
				assert.Equal(t, []Dependency{
					{Name: "asgiref", Attr: "asgiref", Platforms: []string{"darwin", "linux"}},
					{Name: "sqlparse", Attr: "sqlparse", Platforms: []string{"darwin", "linux"}},
				}, d.Dependencies)
			},
		},
		{
			name: "nixpkgs policy keeps nixpkgs' django", reqs: []string{"django==5.0.6"}, policy: Nixpkgs,
			nix: djangoNix(), index: djangoIndex(),
			want: []string{"asgiref use asgiref 3.8.1", "django use django 4.2.16", "sqlparse use sqlparse 0.5.1"},
			check: func(t *testing.T, p *Plan) {
				assert.Contains(t, p.Packages[1].Reason, "pinned 5.0.6; drift accepted under the nixpkgs policy")
			},
		},
		{
			name: "a 0.x pin keeps its minor series", reqs: []string{"foo==0.4.1"},
			nix: nixSet("foo=foo@0.5.0"), index: map[string][]rel{"foo": {{version: "0.4.1"}, {version: "0.5.0"}}},
			want: []string{"foo override foo 0.4.1"},
		},
		{
			name: "backtracks over a release requiring a missing version", reqs: []string{"foo"},
			nix: nixSet(), index: map[string][]rel{
				"foo": {{version: "1.0", deps: []string{"bar>=1"}}, {version: "2.0", deps: []string{"bar>=9"}}},
				"bar": {{version: "1.5"}},
			},
			want: []string{"bar add bar 1.5", "foo add foo 1.0"},
		},
		{
			name: "requires_python excludes newer releases", reqs: []string{"foo"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "1.0"}, {version: "2.0", requiresPython: ">=3.13"}, {version: "2.1", requiresPython: ">=3.12"}, {version: "3.0", requiresPython: "not a specifier"}}},
			want: []string{"foo add foo 3.0"},
		},
		{
			name: "requires_python note on the chosen package", reqs: []string{"foo<3"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "1.0"}, {version: "2.0", requiresPython: ">=3.13"}}},
			want: []string{"foo add foo 1.0"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, []string{"2.0 requires Python >=3.13 (target 3.12.10)"}, p.Packages[0].Notes)
			},
		},
		{
			name: "requires_python from release metadata", reqs: []string{"foo"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "1.0"}, {version: "2.0", metaPython: ">=3.13"}}},
			want: []string{"foo add foo 1.0"},
		},
		{
			name: "yanked releases are skipped", reqs: []string{"foo"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "1.0"}, {version: "2.0", yanked: true}}},
			want: []string{"foo add foo 1.0"},
		},
		{
			name: "a yanked release pinned exactly is used, with a warning", reqs: []string{"foo==2.0"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "1.0"}, {version: "2.0", yanked: true}}},
			want: []string{"foo add foo 2.0"},
			check: func(t *testing.T, p *Plan) {
				assert.True(t, p.Packages[0].Yanked)
				assert.Equal(t, "synthetic: broken build", p.Packages[0].YankedReason)
				assert.Equal(t, []string{"foo 2.0 is yanked: synthetic: broken build; it is used because it is pinned exactly"}, p.Warnings)
			},
		},
		{
			name: "a wildcard pin does not unyank", reqs: []string{"foo==2.*"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "2.0", yanked: true}}},
			wantErr: "requirements.txt:1 requires foo==2.*; foo 2.0 is yanked and no requirement pins it exactly; no version of foo satisfies all of these",
		},
		{
			name: "pre-release only project", reqs: []string{"django-simple-csp"},
			nix: nixSet(), index: map[string][]rel{"django-simple-csp": {{version: "0.0.4a1"}, {version: "0.0.5b2"}}},
			want: []string{"django-simple-csp add django-simple-csp 0.0.5b2"},
			check: func(t *testing.T, p *Plan) {
				assert.True(t, p.Packages[0].Prerelease)
				assert.Equal(t, "django_simple_csp", p.Packages[0].Sdist.PName)
			},
		},
		{
			name: "pre-releases are not chosen when a final release matches", reqs: []string{"foo"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "1.0"}, {version: "2.0rc1"}}},
			want: []string{"foo add foo 1.0"},
		},
		{
			name: "a pure wheel is the source of a wheel-only release", reqs: []string{"foo==2.0"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "1.0"}, {version: "2.0", noSdist: true, deps: []string{"bar"}}}, "bar": {{version: "1.0"}}},
			want: []string{"bar add bar 1.0", "foo add foo 2.0"},
			check: func(t *testing.T, p *Plan) {
				foo := p.Packages[1]
				require.NotNil(t, foo.Sdist)
				assert.Equal(t, "foo-2.0-py3-none-any.whl", foo.Sdist.Filename)
				assert.Equal(t, "wheel", foo.Sdist.Format)
				assert.Equal(t, "py3", foo.Sdist.WheelPython)
				assert.Equal(t, "foo", foo.Sdist.PName)
				assert.Empty(t, foo.BuildSystem, "a wheel is not built")
				assert.Equal(t, []string{"foo"}, foo.ImportNames)
				assert.Equal(t, "bar", foo.Dependencies[0].Name, "dependencies from the wheel's METADATA")
			},
		},
		{
			name: "platform wheels are never a source", reqs: []string{"foo"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "1.0"}, {version: "2.0", noSdist: true, platformWheel: true}}},
			want: []string{"foo add foo 1.0"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, []string{"2.0 has neither an sdist nor a pure-Python wheel and cannot be built from the index"}, p.Packages[0].Notes)
			},
		},
		{
			name: "unsatisfiable chain", reqs: []string{"caldav==1.3.9", "icalendar==5.0.12"},
			nix: nixSet(), index: map[string][]rel{
				"caldav":                {{version: "1.3.9", deps: []string{"recurring-ical-events>=2"}}},
				"recurring-ical-events": {{version: "3.0.0", deps: []string{"icalendar>=6"}}},
				"icalendar":             {{version: "5.0.12"}, {version: "6.0.1"}},
			},
			wantErr: "requirements.txt:1 pins caldav==1.3.9; requirements.txt:2 pins icalendar==5.0.12; caldav 1.3.9 requires recurring-ical-events>=2; recurring-ical-events 3.0.0 requires icalendar>=6; no version of icalendar satisfies all of these",
		},
		{
			name: "missing project", reqs: []string{"nosuch"}, nix: nixSet(), index: map[string][]rel{},
			wantErr: "requirements.txt:1 requires nosuch; neither nixpkgs nor the index provides nosuch",
		},
		{
			name: "markers select Linux deps and record Darwin ones", reqs: []string{"foo"},
			nix: nixSet(), index: map[string][]rel{
				"foo": {{version: "1.0", deps: []string{`old; python_version < "3.8"`, `mac; sys_platform == "darwin"`, `tux; sys_platform == "linux"`}}},
				"old": {{version: "1.0"}}, "mac": {{version: "1.0"}}, "tux": {{version: "1.0"}},
			},
			want: []string{"foo add foo 1.0", "tux add tux 1.0"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, []Dependency{
					{Name: "mac", Attr: "mac", Marker: `sys_platform == "darwin"`, Platforms: []string{"darwin"}},
					{Name: "tux", Attr: "tux", Marker: `sys_platform == "linux"`, Platforms: []string{"linux"}},
				}, p.Packages[0].Dependencies)
			},
		},
		{
			name: "extras pull their dependencies", reqs: []string{"bleach[css]"},
			nix: nixSet(), index: map[string][]rel{
				"bleach":       {{version: "6.1.0", deps: []string{"webencodings", `tinycss2<1.3,>=1.1.0; extra == "css"`}}},
				"tinycss2":     {{version: "1.2.1", deps: []string{"webencodings>=0.4"}}, {version: "1.4.0"}},
				"webencodings": {{version: "0.5.1"}},
			},
			want: []string{"bleach add bleach 6.1.0", "tinycss2 add tinycss2 1.2.1", "webencodings add webencodings 0.5.1"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, []string{"css"}, p.Packages[0].Extras)
				assert.Equal(t, []string{"bleach", "tinycss2"}, p.Packages[2].RequiredBy)
			},
		},
		{
			name: "an extra requested after the choice still applies", reqs: []string{"a", "b"},
			nix: nixSet(), index: map[string][]rel{
				"a":        {{version: "1.0", deps: []string{"bleach"}}},
				"b":        {{version: "1.0", deps: []string{"bleach[css]"}}},
				"bleach":   {{version: "6.1.0", deps: []string{`tinycss2; extra == "css"`}}},
				"tinycss2": {{version: "1.2.1"}},
			},
			want: []string{"a add a 1.0", "b add b 1.0", "bleach add bleach 6.1.0", "tinycss2 add tinycss2 1.2.1"},
		},
		{
			name: "nixpkgs' package metadata counts for consistency", reqs: []string{"foo", "bar==2.0"},
			nix: nixSet("foo=foo@1.0", "bar=bar@2.0"), index: map[string][]rel{
				"foo": {{version: "1.0", deps: []string{"bar<2"}}, {version: "1.1", deps: []string{"bar<3"}}},
				"bar": {{version: "1.0"}, {version: "2.0"}},
			},
			want: []string{"bar use bar 2.0", "foo override foo 1.1"},
			check: func(t *testing.T, p *Plan) {
				assert.Contains(t, p.Packages[1].Reason, "foo 1.0: it requires bar<2 but bar 2.0 is chosen")
			},
		},
		{
			name: "nixpkgs version unknown to the index", reqs: []string{"foo"},
			nix: nixSet("foo=foo@9.9"), index: map[string][]rel{"foo": {{version: "1.0"}}},
			want: []string{"foo use foo 9.9"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, []string{"foo 9.9 (nixpkgs attribute foo): the index has no release 9.9, so its dependencies were not checked"}, p.Warnings)
			},
		},
		{
			name: "costly packages keep nixpkgs' version over a pin", reqs: []string{"cryptography==42.0.0"},
			nix: nixSet("cryptography=cryptography@43.0.1"), index: map[string][]rel{"cryptography": {{version: "42.0.0", rust: true}, {version: "43.0.1"}}},
			want: []string{"cryptography use cryptography 43.0.1"},
			check: func(t *testing.T, p *Plan) {
				assert.Contains(t, p.Packages[0].Reason, "vendored Rust crates")
			},
		},
		{
			name: "rust sdists are noted", reqs: []string{"rusty"},
			nix: nixSet(), index: map[string][]rel{"rusty": {{version: "1.0", rust: true}}},
			want: []string{"rusty add rusty 1.0"},
			check: func(t *testing.T, p *Plan) {
				assert.Contains(t, p.Packages[0].Notes, "builds Rust code: the derivation needs the crates' cargo hash")
				assert.Equal(t, []string{"Rust toolchain and vendored crates: 1 Cargo.toml (e.g. Cargo.toml)"}, p.Packages[0].NativeLibraries)
			},
		},
		{
			name: "config forces the index, skips and pins", reqs: []string{"foo", "bar", "baz"},
			nix: nixSet("foo=foo@1.0"),
			index: map[string][]rel{
				"foo": {{version: "1.0"}, {version: "1.1"}},
				"bar": {{version: "1.0", deps: []string{"skipped"}}},
				"baz": {{version: "1.0"}, {version: "2.0"}},
			},
			config: &config.Config{Packages: map[string]config.Package{
				"foo":     {Source: config.SourceIndex, ImportsCheck: []string{"foo.core"}, Patches: []string{"./foo.patch"}},
				"skipped": {Skip: true},
				"baz":     {Pin: "<2", BuildInputs: []string{"pkgs.libxml2"}},
			}},
			want: []string{"bar add bar 1.0", "baz add baz 1.0", "foo override foo 1.1"},
			check: func(t *testing.T, p *Plan) {
				assert.Empty(t, p.Packages[0].Dependencies)
				assert.Equal(t, []string{"dependency skipped left out: pip2nix.toml skips it"}, p.Packages[0].Notes)
				assert.Equal(t, []string{"pkgs.libxml2"}, p.Packages[1].BuildInputs)
				assert.Equal(t, []string{"foo.core"}, p.Packages[2].ImportNames)
				assert.Equal(t, []string{"./foo.patch"}, p.Packages[2].Patches)
			},
		},
		{
			name: "skipped input lines and unparsable releases", reqs: []string{"foo", "gone"},
			nix: nixSet(), index: map[string][]rel{"foo": {{version: "1.0"}, {version: "bogus"}}},
			config: &config.Config{Packages: map[string]config.Package{"gone": {Skip: true}}},
			want:   []string{"foo add foo 1.0"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, []string{`release "bogus" is not a PEP 440 version; ignored`}, p.Packages[0].Notes)
				assert.Equal(t, []string{"requirements.txt:2: gone left out: pip2nix.toml skips it"}, p.Warnings)
			},
		},
		{
			name: "constraint lines constrain without adding", reqs: []string{"foo", "-c bar<2", "-c unused==1"},
			nix: nixSet(), index: map[string][]rel{
				"foo": {{version: "1.0", deps: []string{"bar"}}},
				"bar": {{version: "1.0"}, {version: "2.0"}},
			},
			want: []string{"bar add bar 1.0", "foo add foo 1.0"},
		},
		{
			name: "alias names from nixpkgs", reqs: []string{"psycopg2-binary==2.9.9"},
			nix: nixSet("psycopg2=psycopg2@2.9.10"), index: map[string][]rel{"psycopg2-binary": {{version: "2.9.9"}}},
			want: []string{"psycopg2-binary use psycopg2 2.9.10"},
		},
		{
			name: "dependencies from the sdist when the index has none", reqs: []string{"foo"},
			nix: nixSet(), index: map[string][]rel{
				"foo": {{version: "1.0", deps: []string{"bar"}, unknownDeps: true}},
				"bar": {{version: "1.0"}},
			},
			want: []string{"bar add bar 1.0", "foo add foo 1.0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := reqLines(tt.reqs...)
			require.NoError(t, err)
			in := Input{Requirements: lines, Nixpkgs: tt.nix, Policy: tt.policy, Config: tt.config}
			plan, err := Resolve(context.Background(), in, newFake(tt.index))
			if tt.wantErr != "" {
				require.Error(t, err)
				var ce *ConflictError
				assert.True(t, errors.As(err, &ce), "want a *ConflictError, got %T", err)
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, summary(plan))
			if tt.check != nil {
				tt.check(t, plan)
			}
		})
	}
}

// TestResolveDeterministic resolves the same input repeatedly with
// different concurrency and expects byte-identical plans.
func TestResolveDeterministic(t *testing.T) {
	lines, err := reqLines("django==5.0.6", "bleach[css]", "foo")
	require.NoError(t, err)
	idx := djangoIndex()
	idx["bleach"] = []rel{{version: "6.1.0", deps: []string{`tinycss2; extra == "css"`}}}
	idx["tinycss2"] = []rel{{version: "1.2.1"}}
	idx["foo"] = []rel{{version: "1.0", deps: []string{"bar"}}, {version: "2.0", deps: []string{"bar>9"}}}
	idx["bar"] = []rel{{version: "1.0"}}
	var first []byte
	for _, jobs := range []int{1, 2, 8, 32} {
		plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: djangoNix(), Policy: Exact, Jobs: jobs}, newFake(idx))
		require.NoError(t, err)
		got, err := json.MarshalIndent(plan, "", "  ")
		require.NoError(t, err)
		if first == nil {
			first = got
			checkGolden(t, "deterministic-exact.json", got)
			continue
		}
		assert.Equal(t, string(first), string(got), "jobs=%d", jobs)
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), string(got))
}

func TestResolveMaxSteps(t *testing.T) {
	// Every foo release needs a bar that does not exist, so the search
	// tries each one; a bound below their number stops it.
	idx := map[string][]rel{"bar": {{version: "1.0"}}}
	for i := 0; i < 20; i++ {
		idx["foo"] = append(idx["foo"], rel{version: fmt.Sprintf("1.%d", i), deps: []string{"bar>=2"}})
	}
	lines, err := reqLines("foo")
	require.NoError(t, err)
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet(), MaxSteps: 5}, newFake(idx))
	var ex *ExhaustedError
	require.ErrorAs(t, err, &ex)
	assert.Equal(t, 5, ex.Steps)
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()}, newFake(idx))
	var ce *ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "bar", ce.Name)
}

func TestResolveRejectsBadInput(t *testing.T) {
	lines, err := reqLines("foo")
	require.NoError(t, err)
	_, err = Resolve(context.Background(), Input{Requirements: lines}, newFake(nil))
	assert.ErrorContains(t, err, "no nixpkgs package set")
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet(), Policy: "newest"}, newFake(nil))
	assert.ErrorContains(t, err, `unknown policy "newest"`)
	url, err := reqLines("foo @ https://example.invalid/foo-1.0.tar.gz")
	require.NoError(t, err)
	_, err = Resolve(context.Background(), Input{Requirements: url, Nixpkgs: nixSet()}, newFake(nil))
	assert.ErrorContains(t, err, "requirements.txt:1: foo: direct URL requirements")
}

func TestResolveIndexFailure(t *testing.T) {
	lines, err := reqLines("foo")
	require.NoError(t, err)
	boom := errors.New("GET https://index.invalid/pypi/foo/1.0/json: 503 Service Unavailable after 5 attempts")
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()},
		newFake(map[string][]rel{"foo": {{version: "1.0", fail: boom}}}))
	require.ErrorIs(t, err, boom)
	assert.Equal(t, "foo==1.0: "+boom.Error(), err.Error())
	var ce *ConflictError
	assert.False(t, errors.As(err, &ce))
}

// An index error that already names the release is not prefixed again.
func TestResolveErrorNamesPackageOnce(t *testing.T) {
	lines, err := reqLines("foo")
	require.NoError(t, err)
	boom := errors.New("foo==1.0: GET https://index.invalid/pypi/foo/1.0/json: 503 Service Unavailable")
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()},
		newFake(map[string][]rel{"foo": {{version: "1.0", fail: boom}}}))
	require.ErrorIs(t, err, boom)
	assert.Equal(t, boom.Error(), err.Error())
	var pe *PackageError
	assert.ErrorAs(t, err, &pe)
}

// A PKG-INFO line pip would skip is skipped, and the package's notes say so.
func TestResolveNotesMetadataWarnings(t *testing.T) {
	lines, err := reqLines("foo")
	require.NoError(t, err)
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()},
		newFake(map[string][]rel{"foo": {{version: "1.0", pkgInfoTail: "License: Copyright (c) Someone\nAll rights reserved.\n"}}}))
	require.NoError(t, err)
	assert.Contains(t, plan.Packages[0].Notes, `the sdist's core metadata, line 7: line skipped, want "Field: value" or an indented continuation: "All rights reserved."`)
}

// A release whose index metadata is null (PyPI's null covers "none") but
// whose sdist declares no dependencies is not "dependencies unknown"; one
// with nothing to read is.
func TestUnknownDependenciesNote(t *testing.T) {
	lines, err := reqLines("foo", "bar")
	require.NoError(t, err)
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet("bar=bar@1.0", "foo=foo@1.0")}, newFake(map[string][]rel{
		"foo": {{version: "1.0", unknownDeps: true}},
		"bar": {{version: "1.0", unknownDeps: true, noSdist: true}},
	}))
	require.NoError(t, err)
	require.Equal(t, []string{"bar use bar 1.0", "foo use foo 1.0"}, summary(plan))
	unknown := "dependencies unknown: the index publishes no dependency metadata for this version and no sdist of it declares them"
	assert.Contains(t, plan.Packages[0].Notes, unknown)
	assert.NotContains(t, plan.Packages[1].Notes, unknown)
}

func TestSameSeries(t *testing.T) {
	tests := []struct {
		v, pin string
		want   bool
	}{
		{"5.1.4", "5.0.6", true},
		{"4.2.16", "5.0.6", false},
		{"0.4.9", "0.4.1", true},
		{"0.5.0", "0.4.1", false},
		{"1!5.0", "5.0", false},
		{"5", "5.0.6", true},
	}
	for _, tt := range tests {
		t.Run(tt.v+"~"+tt.pin, func(t *testing.T) {
			assert.Equal(t, tt.want, sameSeries(mustV(t, tt.v), mustV(t, tt.pin)))
		})
	}
}

func TestFetchPypiName(t *testing.T) {
	tests := []struct{ file, version, pname, ext string }{
		{"django-5.0.6.tar.gz", "5.0.6", "django", "tar.gz"},
		{"django_simple_csp-0.0.5b2.tar.gz", "0.0.5b2", "django_simple_csp", "tar.gz"},
		{"Pillow-10.0.0.zip", "10.0.0", "Pillow", "zip"},
		{"foo-1.0.0.tar.gz", "1.0", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pname, ext := fetchPypiName(tt.file, tt.version)
			assert.Equal(t, tt.pname, pname)
			assert.Equal(t, tt.ext, ext)
		})
	}
}

func TestChangelogURL(t *testing.T) {
	assert.Equal(t, "c", changelogURL(map[string]string{"Homepage": "h", "Release Notes": "c"}))
	assert.Equal(t, "a", changelogURL(map[string]string{"Change Log": "a", "History": "b"}))
	assert.Equal(t, "", changelogURL(map[string]string{"Source": "s"}))
	assert.True(t, strings.HasPrefix(changelogURL(map[string]string{"What's New": "w"}), "w"))
}

func TestResolveProgress(t *testing.T) {
	lines, err := reqLines("django==5.0.6")
	require.NoError(t, err)
	var msgs []string
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: djangoNix(), Policy: Exact,
		Progress: func(s string) { msgs = append(msgs, s) }}, newFake(djangoIndex()))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"resolving 1 requirement(s)",
		"resolved 3 package(s) in 4 step(s)",
		"inspected the sdists of 1 package(s)",
	}, msgs)
}
