package solve

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// world is an in-memory index: project → releases, each written
// "VERSION[!][ (reason)]: dep, dep; marker" — "!" marks a yanked release, a
// parenthesized reason an unavailable one; dependencies are PEP 508 strings
// separated by "|" (markers may test extra).
type world map[string][]string

type release struct {
	version     pypi.Version
	yanked      bool
	unavailable string
	deps        []pypi.Requirement
}

type memProvider struct {
	rels  map[string][]release // newest first
	calls int
}

func newMem(t testing.TB, w world) *memProvider {
	t.Helper()
	m := &memProvider{rels: map[string][]release{}}
	for name, rs := range w {
		for _, spec := range rs {
			head, deps, _ := strings.Cut(spec, ":")
			var r release
			head = strings.TrimSpace(head)
			if v, reason, ok := strings.Cut(head, " ("); ok {
				head, r.unavailable = v, strings.TrimSuffix(reason, ")")
			}
			if strings.HasSuffix(head, "!") {
				head, r.yanked = strings.TrimSuffix(head, "!"), true
			}
			v, err := pypi.ParseVersion(head)
			require.NoError(t, err)
			r.version = v
			for _, d := range strings.Split(deps, "|") {
				if d = strings.TrimSpace(d); d == "" {
					continue
				}
				q, err := pypi.ParseRequirement(d)
				require.NoError(t, err)
				r.deps = append(r.deps, q)
			}
			m.rels[name] = append(m.rels[name], r)
		}
		sort.Slice(m.rels[name], func(i, j int) bool { return m.rels[name][i].version.Compare(m.rels[name][j].version) > 0 })
	}
	return m
}

func (m *memProvider) Candidates(name string) ([]Candidate, error) {
	var out []Candidate
	for _, r := range m.rels[name] {
		out = append(out, Candidate{
			Version: r.version, Text: r.version.String(),
			Prerelease: r.version.IsPrerelease(), Yanked: r.yanked, Unavailable: r.unavailable,
		})
	}
	return out, nil
}

func (m *memProvider) Dependencies(name string, i int, extra string) ([]Requirement, error) {
	m.calls++
	r := m.rels[name][i]
	base := pypi.Environment{"extra": "", "sys_platform": "linux"}
	env := pypi.Environment{"extra": extra, "sys_platform": "linux"}
	var out []Requirement
	for _, q := range r.deps {
		on := q.Marker.Evaluate(env)
		if extra != "" {
			on = on && !q.Marker.Evaluate(base)
		}
		if on {
			out = append(out, req(q))
		}
	}
	return out, nil
}

func req(q pypi.Requirement) Requirement {
	text := q.NormalizedName()
	if len(q.Extras) > 0 {
		text += "[" + strings.Join(q.Extras, ",") + "]"
	}
	return Requirement{Name: q.NormalizedName(), Extras: q.Extras, Specifier: q.Specifier, Text: text + q.Specifier.String()}
}

type containment struct{}

func (containment) Admits(r *Requirement, c *Candidate) bool {
	return r.Specifier.Contains(c.Version, true)
}

func roots(t testing.TB, lines ...string) []Requirement {
	var out []Requirement
	for i, l := range lines {
		constraint := strings.HasPrefix(l, "-c ")
		q, err := pypi.ParseRequirement(strings.TrimPrefix(l, "-c "))
		require.NoError(t, err)
		r := req(q)
		r.Origin, r.Constraint = fmt.Sprintf("requirements.txt:%d", i+1), constraint
		out = append(out, r)
	}
	return out
}

// render lists a solution as sorted "name version[extras]" strings.
func render(s *Solution) []string {
	var out []string
	for name, i := range s.Chosen {
		line := name + " " + s.Candidates[name][i].Version.String()
		if xs := s.Extras[name]; len(xs) > 0 {
			line += " [" + strings.Join(xs, ",") + "]"
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

func TestSolve(t *testing.T) {
	tests := []struct {
		name    string
		world   world
		reqs    []string
		want    []string
		wantErr string
	}{
		{
			name:  "newest first",
			world: world{"a": {"1.0", "2.0: b>=1", "1.5"}, "b": {"1.0", "0.9"}},
			reqs:  []string{"a"}, want: []string{"a 2.0", "b 1.0"},
		},
		{
			name: "backtracks over a release requiring a missing version",
			world: world{
				"foo": {"1.0: bar>=1", "2.0: bar>=9"},
				"bar": {"1.5"},
			},
			reqs: []string{"foo"}, want: []string{"bar 1.5", "foo 1.0"},
		},
		{
			name: "backtracks across two levels",
			world: world{
				"app":  {"1.0: lib<2 | util", "2.0: lib>=2 | util"},
				"lib":  {"1.0", "2.0: core>=3"},
				"util": {"1.0: core<3"},
				"core": {"2.0", "3.0"},
			},
			reqs: []string{"app"}, want: []string{"app 1.0", "core 2.0", "lib 1.0", "util 1.0"},
		},
		{
			name: "a self-referencing extra pulls its extra's dependencies",
			world: world{
				"alpha": {`1.0: alpha[fast]; extra == "full" | beta; extra == "fast"`},
				"beta":  {"1.0"},
			},
			reqs: []string{"alpha[full]"}, want: []string{"alpha 1.0 [fast,full]", "beta 1.0"},
		},
		{
			name: "an extra requested later still applies",
			world: world{
				"a":        {"1.0: bleach"},
				"b":        {"1.0: bleach[css]"},
				"bleach":   {`6.1.0: tinycss2; extra == "css"`},
				"tinycss2": {"1.2.1"},
			},
			reqs: []string{"a", "b"}, want: []string{"a 1.0", "b 1.0", "bleach 6.1.0 [css]", "tinycss2 1.2.1"},
		},
		{
			name: "an extra's dependency constrains the release",
			world: world{
				"bleach":   {`6.1.0: tinycss2>=2; extra == "css"`, "6.0.0: tinycss2<2; extra == \"css\""},
				"tinycss2": {"1.2.1"},
			},
			reqs: []string{"bleach[css]"}, want: []string{"bleach 6.0.0 [css]", "tinycss2 1.2.1"},
		},
		{
			name:  "markers leave out other platforms",
			world: world{"foo": {`1.0: mac; sys_platform == "darwin" | tux; sys_platform == "linux"`}, "tux": {"1.0"}},
			reqs:  []string{"foo"}, want: []string{"foo 1.0", "tux 1.0"},
		},
		{
			name:  "pre-releases are not chosen when not named",
			world: world{"foo": {"1.0", "2.0rc1"}},
			reqs:  []string{"foo"}, want: []string{"foo 1.0"},
		},
		{
			name:  "a project with only pre-releases",
			world: world{"csp": {"0.0.4a1", "0.0.5b2"}},
			reqs:  []string{"csp"}, want: []string{"csp 0.0.5b2"},
		},
		{
			name:  "a yanked final does not hide the pre-releases",
			world: world{"foo": {"2.0!", "2.0rc1"}},
			reqs:  []string{"foo"}, want: []string{"foo 2.0rc1"},
		},
		{
			name: "a pre-release named by a dependency, whatever the order (issue world 2)",
			world: world{
				"aa":  {"1.0: lib>0.5"},
				"zz":  {"1.0: lib==2.0rc1"},
				"lib": {"2.0rc1", "3.0"},
			},
			reqs: []string{"aa", "zz"}, want: []string{"aa 1.0", "lib 2.0rc1", "zz 1.0"},
		},
		{
			name: "a yanked release pinned by a dependency, whatever the order",
			world: world{
				"aa":  {"1.0: lib>0.5"},
				"zz":  {"1.0: lib==2.0"},
				"lib": {"2.0!", "3.0"},
			},
			reqs: []string{"aa", "zz"}, want: []string{"aa 1.0", "lib 2.0", "zz 1.0"},
		},
		{
			name:  "yanked releases are skipped",
			world: world{"foo": {"1.0", "2.0!"}},
			reqs:  []string{"foo"}, want: []string{"foo 1.0"},
		},
		{
			name:    "a wildcard pin does not unyank",
			world:   world{"foo": {"2.0!"}},
			reqs:    []string{"foo==2.*"},
			wantErr: "requirements.txt:1 requires foo==2.*; foo 2.0 is yanked and no requirement pins it exactly; no version of foo satisfies all of these",
		},
		{
			name:  "constraints restrict without adding",
			world: world{"foo": {"1.0: bar"}, "bar": {"1.0", "2.0"}, "unused": {"1.0"}},
			reqs:  []string{"foo", "-c bar<2", "-c unused==1"}, want: []string{"bar 1.0", "foo 1.0"},
		},
		{
			name:    "unavailable candidates are explained",
			world:   world{"foo": {"2.0 (requires Python >=3.13, the target is 3.12.10)"}},
			reqs:    []string{"foo>=2"},
			wantErr: "requirements.txt:1 requires foo>=2; foo 2.0 requires Python >=3.13, the target is 3.12.10; no version of foo satisfies all of these",
		},
		{
			name: "unsatisfiable chain",
			world: world{
				"caldav":                {"1.3.9: recurring-ical-events>=2"},
				"recurring-ical-events": {"3.0.0: icalendar>=6"},
				"icalendar":             {"5.0.12", "6.0.1"},
			},
			reqs:    []string{"caldav==1.3.9", "icalendar==5.0.12"},
			wantErr: "requirements.txt:1 pins caldav==1.3.9; requirements.txt:2 pins icalendar==5.0.12; caldav 1.3.9 requires recurring-ical-events>=2; recurring-ical-events 3.0.0 requires icalendar>=6; no version of icalendar satisfies all of these",
		},
		{
			name:    "one line requiring a project and its extra is one cause",
			world:   world{"b": {`1.0: c>=2; extra == "x"`}, "c": {"1.0"}},
			reqs:    []string{"b[x]"},
			wantErr: "requirements.txt:1 requires b[x]; b[x] 1.0 requires c>=2; no version of c satisfies all of these",
		},
		{
			name:    "missing project",
			world:   world{},
			reqs:    []string{"nosuch"},
			wantErr: "requirements.txt:1 requires nosuch; no version of nosuch satisfies all of these",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sol, err := Solve(roots(t, tt.reqs...), Options{Provider: newMem(t, tt.world), Policy: containment{}})
			if tt.wantErr != "" {
				var ns *NoSolutionError
				require.True(t, errors.As(err, &ns), "want a *NoSolutionError, got %v", err)
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, render(sol))
		})
	}
}

// exponential is issue 10's third world: x 1|2|3 → y, y k → z==k,
// requirements x, z==9.0 and n unrelated projects of two releases.
func exponential(n int) (world, []string) {
	w := world{
		"x": {"1.0: y", "2.0: y", "3.0: y"},
		"y": {"1.0: z==1.0", "2.0: z==2.0", "3.0: z==3.0"},
		"z": {"1.0", "2.0", "3.0", "9.0"},
	}
	reqs := []string{"x", "z==9.0"}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("u%02d", i)
		w[name] = []string{"1.0", "2.0"}
		reqs = append(reqs, name)
	}
	return w, reqs
}

func TestSolveLearnsInsteadOfReexploring(t *testing.T) {
	w, reqs := exponential(16)
	_, err := Solve(roots(t, reqs...), Options{Provider: newMem(t, w), Policy: containment{}, MaxSteps: 200})
	var ns *NoSolutionError
	require.True(t, errors.As(err, &ns), "want a conflict within 200 steps, got %v", err)
	assert.Equal(t, "z", ns.Project)
	assert.Contains(t, err.Error(), "requirements.txt:2 pins z==9.0")
	assert.Contains(t, err.Error(), "x 3.0, 2.0, 1.0 require y")
}

// hinting records what the solver asks a Prefetcher for.
type hinting struct {
	*memProvider
	hints []string
}

func (h *hinting) Prefetch(name string, i int, extra string) {
	h.hints = append(h.hints, fmt.Sprintf("%s[%s] %s", name, extra, h.rels[name][i].version))
}

func TestSolvePrefetches(t *testing.T) {
	h := &hinting{memProvider: newMem(t, world{
		"a": {"1.0: b | c[x]"}, "b": {"1.0", "2.0"}, "c": {`1.0: d; extra == "x"`}, "d": {"1.0"},
	})}
	sol, err := Solve(roots(t, "a"), Options{Provider: h, Policy: containment{}})
	require.NoError(t, err)
	assert.Equal(t, []string{"a 1.0", "b 2.0", "c 1.0 [x]", "d 1.0"}, render(sol))
	// Every package is named once, with the candidate it then gets,
	// before the solver asks for its dependencies.
	assert.ElementsMatch(t, []string{"a[] 1.0", "b[] 2.0", "c[] 1.0", "c[x] 1.0", "d[] 1.0"}, h.hints)
}

func TestSolveExhausted(t *testing.T) {
	w, reqs := exponential(4)
	_, err := Solve(roots(t, reqs...), Options{Provider: newMem(t, w), Policy: containment{}, MaxSteps: 3})
	var ex *ExhaustedError
	require.True(t, errors.As(err, &ex), "got %v", err)
	assert.Equal(t, 3, ex.Steps)
}

func BenchmarkExponential(b *testing.B) {
	w, reqs := exponential(16)
	m := newMem(b, w)
	rs := roots(b, reqs...)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Solve(rs, Options{Provider: m, Policy: containment{}}); err == nil {
			b.Fatal("want a conflict")
		}
	}
}
