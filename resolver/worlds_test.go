package resolver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResolveIssueWorlds resolves issue 10's worlds through Resolve over
// the in-memory index and expects pip's choices.
func TestResolveIssueWorlds(t *testing.T) {
	tests := []struct {
		name  string
		reqs  []string
		index map[string][]rel
		want  []string
		check func(t *testing.T, p *Plan)
	}{
		{
			name: "an extra a package requests of itself",
			reqs: []string{"alpha[full]"},
			index: map[string][]rel{
				"alpha": {{version: "1.0", deps: []string{`alpha[fast]; extra == "full"`, `beta; extra == "fast"`}}},
				"beta":  {{version: "1.0"}},
			},
			want: []string{"alpha add alpha 1.0", "beta add beta 1.0"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, []string{"fast", "full"}, p.Packages[0].Extras)
				assert.Equal(t, []Dependency{{Name: "beta", Attr: "beta", Marker: `extra == "fast"`, Platforms: []string{"darwin", "linux"}}}, p.Packages[0].Dependencies)
			},
		},
		{
			name: "a pre-release pinned by a dependency arriving second",
			reqs: []string{"aa", "zz"},
			index: map[string][]rel{
				"aa":  {{version: "1.0", deps: []string{"lib>0.5"}}},
				"zz":  {{version: "1.0", deps: []string{"lib==2.0rc1"}}},
				"lib": {{version: "2.0rc1"}, {version: "3.0"}},
			},
			want: []string{"aa add aa 1.0", "lib add lib 2.0rc1", "zz add zz 1.0"},
		},
		{
			name: "a yanked release pinned by a dependency arriving second",
			reqs: []string{"aa", "zz"},
			index: map[string][]rel{
				"aa":  {{version: "1.0", deps: []string{"lib>0.5"}}},
				"zz":  {{version: "1.0", deps: []string{"lib==2.0"}}},
				"lib": {{version: "2.0", yanked: true}, {version: "3.0"}},
			},
			want: []string{"aa add aa 1.0", "lib add lib 2.0", "zz add zz 1.0"},
		},
		{
			name: "extras compare normalized (PEP 685)",
			reqs: []string{"alpha[Fast_Thing]"},
			index: map[string][]rel{
				"alpha": {{version: "1.0", deps: []string{`beta; extra == "fast.thing"`}}},
				"beta":  {{version: "1.0"}},
			},
			want: []string{"alpha add alpha 1.0", "beta add beta 1.0"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, []string{"fast-thing"}, p.Packages[0].Extras)
			},
		},
		{
			name: "extras requested on an edge",
			reqs: []string{"app"},
			index: map[string][]rel{
				"app":      {{version: "1.0", deps: []string{"bleach[css]>=6"}}},
				"bleach":   {{version: "6.1.0", deps: []string{`tinycss2; extra == "css"`}}},
				"tinycss2": {{version: "1.2.1"}},
			},
			want: []string{"app add app 1.0", "bleach add bleach 6.1.0", "tinycss2 add tinycss2 1.2.1"},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, []string{"css"}, p.Packages[0].Dependencies[0].Extras)
				assert.Equal(t, []string{"css"}, p.Packages[1].Extras)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := reqLines(tt.reqs...)
			require.NoError(t, err)
			plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()}, newFake(tt.index))
			require.NoError(t, err)
			assert.Equal(t, tt.want, summary(plan))
			if tt.check != nil {
				tt.check(t, plan)
			}
		})
	}
}

// TestResolveExponentialWorld expects a conflict, not an exhausted
// search, well within the default step budget.
func TestResolveExponentialWorld(t *testing.T) {
	world, reqs := exponentialWorld()
	lines, err := reqLines(reqs...)
	require.NoError(t, err)
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet(), MaxSteps: 500}, newFake(world))
	var ce *ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "requirements.txt:2 pins z==9.0")
	assert.Contains(t, err.Error(), "y 1.0 requires z==1.0")
}

// TestResolveRequiresPythonCause names the Requires-Python cause as pip
// does.
func TestResolveRequiresPythonCause(t *testing.T) {
	lines, err := reqLines("foo>=2")
	require.NoError(t, err)
	_, err = Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()},
		newFake(map[string][]rel{"foo": {{version: "1.0"}, {version: "2.0", requiresPython: ">=3.13"}}}))
	var ce *ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "requirements.txt:1 requires foo>=2; foo 2.0 requires Python >=3.13, the target is 3.12.10; no version of foo satisfies all of these", err.Error())
	assert.Equal(t, "foo", ce.Name)
}

// TestCalendarVersions: under compatible, a calendar-versioned pin older
// than nixpkgs' is advice (never a downgrade below nixpkgs'); a pin of a
// later year is honoured from the index; exact honours the pin.
func TestCalendarVersions(t *testing.T) {
	idx := map[string][]rel{"certifi": {{version: "2024.2.2"}, {version: "2025.1.31"}, {version: "2026.1.4"}}}
	nix := nixSet("certifi=certifi@2025.1.31")
	for _, tt := range []struct {
		pin    string
		policy Policy
		want   string
	}{
		{"certifi==2024.2.2", Compatible, "certifi use certifi 2025.1.31"},
		{"certifi==2026.1.4", Compatible, "certifi override certifi 2026.1.4"},
		{"certifi==2024.2.2", Exact, "certifi override certifi 2024.2.2"},
	} {
		t.Run(tt.pin+" "+string(tt.policy), func(t *testing.T) {
			lines, err := reqLines(tt.pin)
			require.NoError(t, err)
			plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nix, Policy: tt.policy}, newFake(idx))
			require.NoError(t, err)
			assert.Equal(t, []string{tt.want}, summary(plan))
			if tt.want == "certifi use certifi 2025.1.31" {
				assert.Contains(t, plan.Packages[0].Reason, "the pin is advice")
			}
		})
	}
}
