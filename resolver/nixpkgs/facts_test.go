package nixpkgs

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordedQuery is a partial query file in the shape recorded/nixpkgs/
// holds: facts for two attributes, one of them with a full recipe.
const recordedQuery = `{
  "format": "pip2nix-bitpoll/nixpkgs-query/v1",
  "nixpkgs": {"ref": "nixos-25.05", "rev": ""},
  "partial": true,
  "python": {"attr": "python312", "version": "3.12", "pythonVersion": "3.12"},
  "packages": {
    "django_4": {
      "pname": "django", "version": "4.2.22", "pypiName": null,
      "license": ["BSD-3-Clause"], "broken": false, "knownVulnerabilities": [],
      "dependencies": ["asgiref", "sqlparse"],
      "optionalDependencies": {"argon2": ["argon2-cffi"], "bcrypt": ["bcrypt"]},
      "recipe": {"src": "github", "patches": ["django_4_tests.patch"], "postPatch": "substituteInPlace x", "disabledTests": false, "pythonRelaxDeps": false}
    },
    "recurring-ical-events": {
      "pname": "recurring-ical-events", "version": "3.2.0", "pypiName": null,
      "recipe": {"src": "github", "patches": [], "postPatch": null, "disabledTests": false, "pythonRelaxDeps": ["icalendar"]}
    }
  }
}
`

func loadRecorded(t *testing.T) *Set {
	t.Helper()
	s, err := decodeFile("recorded.json", []byte(recordedQuery))
	require.NoError(t, err)
	return s
}

func TestLoadFacts(t *testing.T) {
	s := loadRecorded(t)
	assert.True(t, s.Partial)
	require.Len(t, s.Packages, 2)
	post := "substituteInPlace x"
	dj := s.Packages[0]
	assert.Equal(t, []string{"BSD-3-Clause"}, dj.License)
	assert.False(t, dj.Broken)
	assert.Empty(t, dj.KnownVulnerabilities)
	assert.Equal(t, []string{"asgiref", "sqlparse"}, dj.Dependencies)
	assert.Equal(t, map[string][]string{"argon2": {"argon2-cffi"}, "bcrypt": {"bcrypt"}}, dj.OptionalDependencies)
	assert.Equal(t, Recipe{Src: "github", Patches: []string{"django_4_tests.patch"}, PostPatch: &post}, dj.Recipe)
	rie := s.Packages[1]
	assert.Nil(t, rie.License, "absent license is unknown, not none")
	assert.Equal(t, RelaxDeps{Names: []string{"icalendar"}}, rie.Recipe.PythonRelaxDeps)

	var buf bytes.Buffer
	require.NoError(t, s.Save(&buf))
	assert.Contains(t, buf.String(), `"partial": true`)
	again, err := decodeFile("again.json", buf.Bytes())
	require.NoError(t, err)
	assert.Equal(t, s, again)
}

func TestLoadFactsErrors(t *testing.T) {
	base := `{"format": "pip2nix-bitpoll/nixpkgs-query/v1", "python": {"attr": "python312", "version": "3.12", "pythonVersion": "3.12"}, "packages": {"x": {"pname": "x", "version": "1", "pypiName": null, "recipe": RECIPE}}}`
	tests := []struct{ name, recipe, want string }{
		{"src", `{"src": "svn", "patches": [], "postPatch": null, "disabledTests": false, "pythonRelaxDeps": false}`, `recipe.src "svn"`},
		{"relax type", `{"src": "pypi", "patches": [], "postPatch": null, "disabledTests": false, "pythonRelaxDeps": "x"}`, `pythonRelaxDeps: want a bool or a list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeFile("q.json", []byte(strings.Replace(base, "RECIPE", tt.recipe, 1)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "q.json")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestFindPartial(t *testing.T) {
	s := loadRecorded(t)
	got, err := s.Find("Django")
	require.NoError(t, err)
	assert.Equal(t, []string{"django_4"}, attrs(got))

	_, err = s.Find("sentry-sdk")
	var nr *NotRecordedError
	require.True(t, errors.As(err, &nr), "%v", err)
	assert.Equal(t, "sentry-sdk", nr.Name)
	assert.Contains(t, err.Error(), "nixpkgs query nixos-25.05 is partial and does not record sentry-sdk")
	assert.Contains(t, err.Error(), `[packages.sentry-sdk] source = "index" in pip2nix.toml`, "says how to decide")

	// A complete set answers "absent" without an error.
	s.Partial = false
	got, err = s.Find("sentry-sdk")
	require.NoError(t, err)
	assert.Empty(t, got)
}

// TestDiffLive replays a recorded-shape `nix eval` output through a fake nix
// and diffs the recorded query against it.
func TestDiffLive(t *testing.T) {
	live := `{"rev": "0123abc", "query": {"python": {"attr": "python312", "version": "3.12.10", "pythonVersion": "3.12"},
	  "packages": {"django_4": {"pname": "django", "version": "4.2.21", "pypiName": null,
	                 "license": ["BSD-3-Clause"], "broken": false, "knownVulnerabilities": [],
	                 "dependencies": ["asgiref", "sqlparse"],
	                 "optionalDependencies": {"argon2": ["argon2-cffi"], "bcrypt": ["bcrypt"]}},
	               "django_5": {"pname": "django", "version": "5.1.9", "pypiName": null}}}}`
	nix := newFakeNix(t, live, "", 0)
	liveSet, err := Query(context.Background(), QueryOptions{Ref: "nixos-25.05", Nix: nix.bin})
	require.NoError(t, err)

	report := Diff(loadRecorded(t), liveSet)
	assert.Equal(t, []Difference{
		{Field: "python.version", Recorded: "3.12", Live: "3.12.10"},
		{Attr: "django_4", Field: "version", Recorded: "4.2.22", Live: "4.2.21"},
		{Attr: "recurring-ical-events", Field: "attr", Recorded: "present", Live: "absent"},
	}, report.Differences)
	assert.Equal(t, 1, report.Compared)
	assert.Equal(t, 1, report.Unchecked, "django_4's recipe: the live query records none")

	var out bytes.Buffer
	require.NoError(t, report.Write(&out))
	assert.Equal(t,
		"python.version: recorded 3.12, live 3.12.10\n"+
			"django_4: version: recorded 4.2.22, live 4.2.21\n"+
			"recurring-ical-events: attr: recorded present, live absent\n"+
			"3 differences in 1 compared attributes; 1 recorded facts not checked (the live query does not record them)\n", out.String())
}

func TestDiffFacts(t *testing.T) {
	rec := loadRecorded(t)
	live := loadRecorded(t)
	live.Partial = false
	assert.Empty(t, Diff(rec, live).Differences, "a set never differs from itself")

	post := "other"
	p := &live.Packages[0]
	p.License = []string{"MIT"}
	p.Broken = true
	p.KnownVulnerabilities = []string{"CVE-1"}
	p.Dependencies = []string{"asgiref"}
	p.OptionalDependencies = map[string][]string{}
	p.Recipe = Recipe{Src: "pypi", Patches: nil, PostPatch: &post, DisabledTests: true, PythonRelaxDeps: RelaxDeps{All: true}}
	p.PyPIName = "Django"
	var fields []string
	for _, d := range Diff(rec, live).Differences {
		fields = append(fields, d.Field)
	}
	assert.Equal(t, []string{"pypiName", "license", "broken", "knownVulnerabilities", "dependencies", "optionalDependencies",
		"recipe.src", "recipe.patches", "recipe.postPatch", "recipe.disabledTests", "recipe.pythonRelaxDeps"}, fields)
}
