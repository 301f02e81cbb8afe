package advisory

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/osv"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// recordedDB is the committed extract of the PyPA advisory database
// (2024-10-10) for Bitpoll's closure: real data.
const recordedDB = "../recorded/pypa-advisory-database-2024-10-10"

func loadDB(t testing.TB, path string) *osv.DB {
	t.Helper()
	db, err := osv.Load(path)
	require.NoError(t, err)
	return db
}

// bitpollPins is a plan that takes every pin of Bitpoll's production
// requirements as it is.
func bitpollPins(t *testing.T) *resolver.Plan {
	t.Helper()
	rf, err := pypi.ParseRequirementsFile("../fixtures/bitpoll/requirements-production.txt")
	require.NoError(t, err)
	plan := &resolver.Plan{}
	for _, line := range rf.Requirements {
		v, ok := line.Requirement.Specifier.Pin()
		require.True(t, ok, line.Requirement.String())
		req := line.Requirement.Specifier.String()
		plan.Packages = append(plan.Packages, resolver.Package{
			Name: line.Requirement.NormalizedName(), Version: v.String(), Requested: &req, Source: resolver.FromPyPI,
		})
	}
	require.Len(t, plan.Packages, 48)
	return plan
}

func ids(as []resolver.Advisory) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// TestBitpollPinnedClosure audits Bitpoll's pins against real advisories:
// Django 5.0.6 has nine in the snapshot, the other pins none.
func TestBitpollPinnedClosure(t *testing.T) {
	plan := bitpollPins(t)
	Audit(plan, Options{DB: loadDB(t, recordedDB), DBSource: "recorded/pypa-advisory-database-2024-10-10"})
	assert.Equal(t, &resolver.AdvisoryDB{Source: "recorded/pypa-advisory-database-2024-10-10", Advisories: 156, Modified: "2024-10-08T19:19:01.400873Z"}, plan.AdvisoryDB)
	found := map[string][]string{}
	for _, p := range plan.Packages {
		if len(p.Advisories) > 0 {
			found[p.Name+" "+p.Version] = ids(p.Advisories)
		}
		require.NotNil(t, p.Pinned, p.Name)
		assert.Equal(t, p.Version, p.Pinned.Version)
		assert.Equal(t, ids(p.Advisories), ids(p.Pinned.Advisories), "pinned is chosen: %s", p.Name)
		assert.Empty(t, p.Pinned.Avoided)
		assert.Empty(t, p.Pinned.Introduced)
	}
	assert.Equal(t, map[string][]string{"django 5.0.6": {
		"PYSEC-2024-102", "PYSEC-2024-56", "PYSEC-2024-57", "PYSEC-2024-58", "PYSEC-2024-59",
		"PYSEC-2024-67", "PYSEC-2024-68", "PYSEC-2024-69", "PYSEC-2024-70",
	}}, found)
	assert.Empty(t, plan.Warnings)

	var django resolver.Package
	for _, p := range plan.Packages {
		if p.Name == "django" {
			django = p
		}
	}
	a := django.Advisories[1]
	assert.Equal(t, "PYSEC-2024-56", a.ID)
	assert.Equal(t, []string{"CVE-2024-38875"}, a.Aliases)
	assert.Equal(t, []string{"4.2.14", "5.0.7"}, a.FixedIn)
	assert.Equal(t, []string{SourceOSV}, a.Sources)
	assert.True(t, strings.HasPrefix(a.Summary, "An issue was discovered in Django 4.2 before 4.2.14 and 5.0 before 5.0.7."), a.Summary)

	err := Check(plan)
	var fe *FoundError
	require.True(t, errors.As(err, &fe))
	assert.Len(t, fe.Findings, 9)
	assert.Contains(t, err.Error(), "\n  django 5.0.6: PYSEC-2024-56 (CVE-2024-38875), fixed in 4.2.14, 5.0.7")
}

func TestPinsVsChosen(t *testing.T) {
	tests := []struct {
		name, pin, chosen    string
		avoided, introduced  []string
		pinnedIDs, chosenIDs []string
	}{
		{"django", "==5.0.6", "5.1.9",
			[]string{"PYSEC-2024-102", "PYSEC-2024-56", "PYSEC-2024-57", "PYSEC-2024-58", "PYSEC-2024-59", "PYSEC-2024-67", "PYSEC-2024-68", "PYSEC-2024-69", "PYSEC-2024-70"},
			[]string{}, nil, []string{}},
		{"django", "==5.0.8", "5.0.7",
			[]string{}, []string{"PYSEC-2024-67", "PYSEC-2024-68", "PYSEC-2024-69", "PYSEC-2024-70"},
			[]string{"PYSEC-2024-102"}, nil},
		{"requests", "==2.31.0", "2.30.0", []string{}, []string{"PYSEC-2023-74"}, []string{}, []string{"PYSEC-2023-74"}},
		{"sqlparse", "==0.4.3", "0.5.3", []string{"PYSEC-2023-87"}, []string{}, []string{"PYSEC-2023-87"}, []string{}},
		{"urllib3", "==1.26.17", "2.2.1", []string{"PYSEC-2023-212"}, []string{}, []string{"PYSEC-2023-212"}, []string{}},
	}
	db := loadDB(t, recordedDB)
	for _, tt := range tests {
		t.Run(tt.name+tt.pin+"→"+tt.chosen, func(t *testing.T) {
			req := tt.pin
			plan := &resolver.Plan{Packages: []resolver.Package{{Name: tt.name, Version: tt.chosen, Requested: &req}}}
			Audit(plan, Options{DB: db})
			p := plan.Packages[0]
			require.NotNil(t, p.Pinned)
			assert.Equal(t, tt.avoided, p.Pinned.Avoided, "avoided")
			assert.Equal(t, tt.introduced, p.Pinned.Introduced, "introduced")
			if tt.pinnedIDs != nil {
				assert.Equal(t, tt.pinnedIDs, ids(p.Pinned.Advisories))
			}
			if tt.chosenIDs != nil {
				assert.Equal(t, tt.chosenIDs, ids(p.Advisories))
			}
		})
	}
}

func TestNoPinNoDatabase(t *testing.T) {
	rng, pin := ">=4.2", "==5.0.6"
	plan := &resolver.Plan{Packages: []resolver.Package{
		{Name: "django", Version: "5.0.6", Requested: &rng},
		{Name: "sqlparse", Version: "0.5.0"},
		{Name: "requests", Version: "2.31.0", Requested: &pin},
	}}
	Audit(plan, Options{DB: loadDB(t, recordedDB)})
	assert.Nil(t, plan.Packages[0].Pinned, "a range is no pin")
	assert.Len(t, plan.Packages[0].Advisories, 9)
	assert.Nil(t, plan.Packages[1].Pinned, "not named in the inputs")

	plan = &resolver.Plan{Packages: []resolver.Package{{Name: "django", Version: "5.0.6", Requested: &pin}}}
	Audit(plan, Options{})
	assert.Nil(t, plan.AdvisoryDB)
	assert.Nil(t, plan.Packages[0].Pinned, "no database, no comparison")
	assert.Empty(t, plan.Packages[0].Advisories)
	assert.NoError(t, Check(plan))
}

// TestMergeSources merges what the database, the index and nixpkgs say
// about the same issue (synthetic index and nixpkgs data).
func TestMergeSources(t *testing.T) {
	set := &nixpkgs.Set{Packages: []nixpkgs.Package{
		{Attr: "django_5", PName: "django", Version: "5.0.6", KnownVulnerabilities: []string{
			"CVE-2024-38875: urlize denial of service (synthetic text)",
			"Django 5.0 is end of life (synthetic)",
			"no upstream fix yet (synthetic)",
		}},
		{Attr: "sqlparse", PName: "sqlparse", Version: "0.5.0", KnownVulnerabilities: []string{"ignored: sqlparse comes from the index"}},
	}}
	plan := &resolver.Plan{Packages: []resolver.Package{
		{Name: "django", Version: "5.0.6", Source: resolver.FromNixpkgs, NixpkgsAttr: "django_5", Vulnerabilities: []index.Vulnerability{
			{ID: "GHSA-0000-0000-0056", Aliases: []string{"CVE-2024-38875"}, Summary: "SYNTHETIC index summary", FixedIn: []string{"5.0.7", "4.2.14"}, Link: "https://index.example/GHSA"},
			{ID: "SYNTHETIC-2024-0001", Summary: "SYNTHETIC", FixedIn: []string{"5.0.99"}},
			{ID: "SYNTHETIC-2024-0002", Withdrawn: "2024-06-01T00:00:00Z"},
		}},
		{Name: "sqlparse", Version: "0.5.0", Source: resolver.FromPyPI, NixpkgsAttr: "sqlparse"},
	}}
	Audit(plan, Options{DB: loadDB(t, "../pypi/osv/testdata/advisory-db/vulns/django/PYSEC-2024-56.yaml"), Nixpkgs: set})
	django, sqlparse := plan.Packages[0], plan.Packages[1]
	assert.Equal(t, set.Packages[0].KnownVulnerabilities, django.KnownVulnerabilities)
	assert.Empty(t, sqlparse.KnownVulnerabilities, "only for packages taken from nixpkgs")
	assert.Equal(t, []resolver.Advisory{
		{
			ID: "PYSEC-2024-56", Aliases: []string{"CVE-2024-38875", "GHSA-0000-0000-0056"},
			Summary: django.Advisories[0].Summary, Details: django.Advisories[0].Details,
			FixedIn: []string{"4.2.14", "5.0.7"}, Link: "https://docs.djangoproject.com/en/dev/releases/security/",
			Sources: []string{SourceIndex, SourceNixpkgs, SourceOSV},
		},
		{ID: "SYNTHETIC-2024-0001", Aliases: []string{}, Summary: "SYNTHETIC", FixedIn: []string{"5.0.99"}, Sources: []string{SourceIndex}},
		{
			ID: "nixpkgs:django_5", Aliases: []string{}, FixedIn: []string{}, Sources: []string{SourceNixpkgs},
			Summary: "Django 5.0 is end of life (synthetic); no upstream fix yet (synthetic)",
		},
	}, django.Advisories)
	assert.True(t, strings.HasPrefix(django.Advisories[0].Summary, "An issue was discovered in Django"), "the database's text comes first")
}

func TestAccepted(t *testing.T) {
	plan := bitpollPins(t)
	allowed := []config.AllowedAdvisory{
		{ID: "CVE-2024-38875", Reason: "urlize is not used on user input", Line: 3},
		{ID: "PYSEC-2024-102", Reason: "no untrusted archives", Line: 4},
		{ID: "PYSEC-2099-1", Reason: "stale", Line: 5},
	}
	Audit(plan, Options{DB: loadDB(t, recordedDB), Allowed: allowed, ConfigPath: "bitpoll/pip2nix.toml"})
	var accepted []string
	for _, p := range plan.Packages {
		for _, a := range p.Advisories {
			if a.Accepted != "" {
				accepted = append(accepted, a.ID+": "+a.Accepted)
			}
		}
	}
	assert.Equal(t, []string{"PYSEC-2024-102: no untrusted archives", "PYSEC-2024-56: urlize is not used on user input"}, accepted, "by ID or alias")
	assert.Equal(t, []string{"bitpoll/pip2nix.toml:5: advisories.allow PYSEC-2099-1 matches no advisory of the closure; remove it once it no longer applies"}, plan.Warnings)
	var fe *FoundError
	require.ErrorAs(t, Check(plan), &fe)
	assert.Len(t, fe.Findings, 7)

	for i := range plan.Packages {
		for j := range plan.Packages[i].Advisories {
			plan.Packages[i].Advisories[j].Accepted = "all accepted"
		}
	}
	assert.NoError(t, Check(plan))
}

// TestProblemsWarn reports advisories of the closure that could not be
// evaluated exactly (real data with a date as a fixed version).
func TestProblemsWarn(t *testing.T) {
	plan := &resolver.Plan{Packages: []resolver.Package{{Name: "steam", Version: "1.0"}, {Name: "django", Version: "5.0.6"}}}
	Audit(plan, Options{DB: loadDB(t, "../pypi/osv/testdata/advisory-db")})
	assert.Equal(t, []string{`advisory PYSEC-2019-125 for steam: affected[0].ranges[0]: line 15: fixed "2019-09-12" is not a PEP 440 version; the range is evaluated without it`}, plan.Warnings)
	assert.Equal(t, []string{"PYSEC-2019-125"}, ids(plan.Packages[0].Advisories), "not reported clean")
}

func TestSummaryOf(t *testing.T) {
	long := strings.Repeat("word ", 60)
	tests := []struct{ summary, details, want string }{
		{"  Short summary ", "details", "Short summary"},
		{"", "Details\n  on two lines.", "Details on two lines."},
		{"", long, strings.TrimSpace(strings.Repeat("word ", 40)) + " …"},
		{"", "", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, summaryOf(tt.summary, tt.details))
	}
}

func TestIDPreference(t *testing.T) {
	reports := []report{
		{ids: []string{"CVE-2024-1", "GHSA-aaaa-bbbb-cccc"}, source: SourceIndex},
		{ids: []string{"GHSA-aaaa-bbbb-cccc", "PYSEC-2024-1"}, source: SourceOSV},
		{ids: []string{"MAL-2024-1", "CVE-2024-1"}, source: SourceOSV},
		{ids: []string{"CVE-2024-2"}, source: SourceNixpkgs},
	}
	got := merge(reports, nil, map[string]bool{})
	require.Len(t, got, 2, "joined transitively")
	assert.Equal(t, "CVE-2024-2", got[0].ID)
	assert.Equal(t, "PYSEC-2024-1", got[1].ID)
	assert.Equal(t, []string{"CVE-2024-1", "GHSA-aaaa-bbbb-cccc", "MAL-2024-1"}, got[1].Aliases)
	assert.Equal(t, []string{SourceIndex, SourceOSV}, got[1].Sources)
}
