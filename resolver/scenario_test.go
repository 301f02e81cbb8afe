package resolver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// scenarioInput reads fixtures/scenarios/<name>/<reqFile> and returns the
// resolver input and an index client over the scenario's generated tree.
func scenarioInput(t *testing.T, name, reqFile string, set *nixpkgs.Set) (Input, *index.Client, string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "fixtures", "scenarios", name))
	require.NoError(t, err)
	path := filepath.Join(dir, reqFile)
	rf, err := pypi.ParseRequirementsFile(path)
	require.NoError(t, err)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	client, err := index.New(index.Options{BaseURL: "file://" + filepath.Join(dir, "index")})
	require.NoError(t, err)
	in := Input{
		Requirements: rf.Requirements,
		Files:        []InputFile{{Path: "fixtures/scenarios/" + name + "/" + reqFile, SHA256: hex.EncodeToString(sum[:])}},
		Nixpkgs:      set,
	}
	return in, client, dir
}

// portablePlan renders a plan as golden JSON, with the checkout's
// location replaced so the file does not depend on where tests run.
func portablePlan(t *testing.T, plan *Plan, dir string) []byte {
	t.Helper()
	got, err := json.MarshalIndent(plan, "", "  ")
	require.NoError(t, err)
	return []byte(strings.ReplaceAll(string(got), dir, "SCENARIO") + "\n")
}

// TestPolicyScenario resolves the synthetic "policies" scenario under each
// policy through the real index client and compares golden plans.
func TestPolicyScenario(t *testing.T) {
	set := nixSet("django=django@4.2.16", "django_5=django@5.1.4", "asgiref=asgiref@3.8.1",
		"sqlparse=sqlparse@0.5.1", "icalendar=icalendar@6.0.1", "webencodings=webencodings@0.5.1")
	tests := []struct {
		policy Policy
		want   []string
	}{
		{Compatible, []string{
			"asgiref use asgiref 3.8.1", "bleach add bleach 6.1.0", "caldav add caldav 1.3.9",
			"django alias django 5.1.4", "django-simple-csp add django-simple-csp 0.0.5b2",
			"icalendar override icalendar 5.0.13", "recurring-ical-events add recurring-ical-events 2.1.2",
			"sqlparse use sqlparse 0.5.1", "tinycss2 add tinycss2 1.2.1", "webencodings use webencodings 0.5.1",
		}},
		{Exact, []string{
			"asgiref use asgiref 3.8.1", "bleach add bleach 6.1.0", "caldav add caldav 1.3.9",
			"django override django 5.0.6", "django-simple-csp add django-simple-csp 0.0.5b2",
			"icalendar override icalendar 5.0.13", "recurring-ical-events add recurring-ical-events 2.1.2",
			"sqlparse use sqlparse 0.5.1", "tinycss2 add tinycss2 1.2.1", "webencodings use webencodings 0.5.1",
		}},
		{Nixpkgs, []string{
			"asgiref use asgiref 3.8.1", "bleach add bleach 6.1.0", "caldav add caldav 1.3.9",
			"django use django 4.2.16", "django-simple-csp add django-simple-csp 0.0.5b2",
			"icalendar override icalendar 5.0.13", "recurring-ical-events add recurring-ical-events 2.1.2",
			"sqlparse use sqlparse 0.5.1", "tinycss2 add tinycss2 1.2.1", "webencodings use webencodings 0.5.1",
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			in, client, dir := scenarioInput(t, "policies", "requirements.txt", set)
			in.Policy = tt.policy
			plan, err := Resolve(context.Background(), in, client)
			require.NoError(t, err)
			assert.Equal(t, tt.want, summary(plan))
			checkGolden(t, "policies-"+string(tt.policy)+".json", portablePlan(t, plan, dir))
		})
	}
}

// TestPolicyScenarioConflict pins what the scenario cannot satisfy and
// checks the explanation.
func TestPolicyScenarioConflict(t *testing.T) {
	in, client, dir := scenarioInput(t, "policies", "requirements.txt", nixSet())
	q, err := pypi.ParseRequirement("recurring-ical-events==2.1.2")
	require.NoError(t, err)
	in.Requirements = append(in.Requirements, pypi.RequirementLine{Requirement: q, Pos: pypi.Position{File: "extra.txt", Line: 3}})
	q, err = pypi.ParseRequirement("icalendar>=6")
	require.NoError(t, err)
	in.Requirements = append(in.Requirements, pypi.RequirementLine{Requirement: q, Pos: pypi.Position{File: "extra.txt", Line: 4}})
	_, err = Resolve(context.Background(), in, client)
	var ce *ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "extra.txt:4 requires icalendar>=6; SCENARIO/requirements.txt:6 pins icalendar==5.0.13; no version of icalendar satisfies all of these",
		strings.ReplaceAll(err.Error(), dir, "SCENARIO"))
}
