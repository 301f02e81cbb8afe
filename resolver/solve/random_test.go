package solve

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// randomWorld makes a small world: up to five projects of final releases,
// some yanked, dependencies with random specifiers, extras (some requested
// of the project itself) and constraint lines. Only the requirements pin
// exactly, so the pins that can select a yanked release are those of
// every solution.
func randomWorld(r *rand.Rand) (world, []string) {
	names := []string{"a", "b", "c", "d", "e"}[:2+r.IntN(4)]
	ops := []string{">=", "<", "==", "!=", ""}
	depSpec := func() string {
		op := ops[r.IntN(len(ops))]
		if op == "" || op == "==" {
			return ""
		}
		return fmt.Sprintf("%s%d.0", op, 1+r.IntN(3))
	}
	spec := func() string {
		op := ops[r.IntN(len(ops))]
		if op == "" {
			return ""
		}
		return fmt.Sprintf("%s%d.0", op, 1+r.IntN(3))
	}
	w := world{}
	for _, n := range names {
		for v := 1; v <= 1+r.IntN(3); v++ {
			var deps []string
			for k := r.IntN(3); k > 0; k-- {
				d := names[r.IntN(len(names))]
				x := ""
				if r.IntN(4) == 0 {
					x = "[x]"
				}
				dep := d + x + depSpec()
				if r.IntN(3) == 0 {
					dep += `; extra == "x"`
				}
				deps = append(deps, dep)
			}
			yanked := ""
			if r.IntN(5) == 0 {
				yanked = "!"
			}
			w[n] = append(w[n], fmt.Sprintf("%d.0%s: %s", v, yanked, strings.Join(deps, " | ")))
		}
	}
	var reqs []string
	for k := 1 + r.IntN(3); k > 0; k-- {
		x := ""
		if r.IntN(4) == 0 {
			x = "[x]"
		}
		req := names[r.IntN(len(names))] + x + spec()
		if r.IntN(5) == 0 {
			req = "-c " + names[r.IntN(len(names))] + spec()
		}
		reqs = append(reqs, req)
	}
	return w, reqs
}

// valid checks a selection (project → release, -1 for none) against every
// requirement in force, extras included, and returns the extras each
// project must provide, or false.
func valid(m *memProvider, rs []Requirement, pick map[string]int) (map[string]map[string]bool, bool) {
	extras := map[string]map[string]bool{}
	for changed := true; changed; {
		changed = false
		reqs := append([]Requirement(nil), rs...)
		for name, i := range pick {
			if i < 0 {
				continue
			}
			deps, _ := m.Dependencies(name, i, "")
			reqs = append(reqs, deps...)
			for x := range extras[name] {
				deps, _ := m.Dependencies(name, i, x)
				reqs = append(reqs, deps...)
			}
		}
		for _, q := range reqs {
			i, ok := pick[q.Name]
			present := ok && i >= 0
			if !present {
				if !q.Constraint {
					return nil, false
				}
				continue
			}
			if !q.Specifier.Contains(m.rels[q.Name][i].version, true) || m.rels[q.Name][i].yanked && !pinned(rs, q.Name, m.rels[q.Name][i].version) {
				return nil, false
			}
			for _, x := range q.Extras {
				if extras[q.Name] == nil {
					extras[q.Name] = map[string]bool{}
				}
				if !extras[q.Name][x] {
					extras[q.Name][x] = true
					changed = true
				}
			}
		}
	}
	return extras, true
}

func pinned(rs []Requirement, name string, v pypi.Version) bool {
	for _, q := range rs {
		if pin, ok := q.Specifier.Pin(); ok && q.Name == name && pin.Equal(v) {
			return true
		}
	}
	return false
}

// exists reports whether some selection of m's projects is valid.
func exists(m *memProvider, rs []Requirement) bool {
	var names []string
	for n := range m.rels {
		names = append(names, n)
	}
	pick := map[string]int{}
	var try func(k int) bool
	try = func(k int) bool {
		if k == len(names) {
			_, ok := valid(m, rs, pick)
			return ok
		}
		for i := -1; i < len(m.rels[names[k]]); i++ {
			pick[names[k]] = i
			if try(k + 1) {
				return true
			}
		}
		return false
	}
	return try(0)
}

// TestSolveRandomWorlds compares the solver with an exhaustive search on
// random small worlds: every solution it returns satisfies every
// requirement in force (extras included), and it reports a conflict
// exactly when no selection is valid.
func TestSolveRandomWorlds(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 2026))
	for n := 0; n < 3000; n++ {
		w, lines := randomWorld(r)
		m := newMem(t, w)
		rs := roots(t, lines...)
		sol, err := Solve(rs, Options{Provider: m, Policy: containment{}})
		var ns *NoSolutionError
		switch {
		case errors.As(err, &ns):
			require.False(t, exists(m, rs), "world %d %v %v: the solver says no solution (%v), one exists", n, w, lines, err)
		case err != nil:
			t.Fatalf("world %d: %v", n, err)
		default:
			pick := map[string]int{}
			for name := range m.rels {
				pick[name] = -1
			}
			for name, i := range sol.Chosen {
				pick[name] = i
			}
			extras, ok := valid(m, rs, pick)
			require.True(t, ok, "world %d %v %v: invalid solution %v", n, w, lines, render(sol))
			for name, xs := range extras {
				for x := range xs {
					require.Contains(t, sol.Extras[name], x, "world %d %v %v: extra %s of %s missing", n, w, lines, x, name)
				}
			}
		}
	}
}

// TestSolveOrderIndependent: the pre-release and yank rules do not depend
// on the order requirements arrive in.
func TestSolveOrderIndependent(t *testing.T) {
	w := world{
		"aa":  {"1.0: lib>0.5"},
		"zz":  {"1.0: lib==2.0rc1 | old==1.0"},
		"lib": {"2.0rc1", "3.0"},
		"old": {"1.0!", "0.9"},
	}
	for _, order := range [][]string{{"aa", "zz"}, {"zz", "aa"}} {
		sol, err := Solve(roots(t, order...), Options{Provider: newMem(t, w), Policy: containment{}})
		require.NoError(t, err)
		require.Equal(t, []string{"aa 1.0", "lib 2.0rc1", "old 1.0", "zz 1.0"}, render(sol), "order %v", order)
	}
}
