package resolver

import (
	"sort"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// preferFewerRebuilds is the compatible policy's tie-break among nixpkgs
// candidates the constraints and the policy all admit: the one whose
// choice rebuilds fewer nixpkgs packages comes first (stable, so
// Set.Lookup's order decides between equals). Other policies keep the
// order as it is.
func (r *run) preferFewerRebuilds(cands []*candidate) {
	if r.in.Policy != Compatible || len(cands) < 2 {
		return
	}
	cost := make(map[*candidate]int, len(cands))
	for _, c := range cands {
		cost[c] = r.rebuildCost(c)
	}
	sort.SliceStable(cands, func(i, j int) bool { return cost[cands[i]] < cost[cands[j]] })
}

// rebuildCost estimates how many nixpkgs packages choosing the nixpkgs
// candidate c rebuilds instead of substituting: for an alias, every
// package depending on the attribute it replaces; and for each of c's
// requirements that nixpkgs' own version of the dependency does not meet
// (so the dependency must be overridden), that package and its
// dependents.
func (r *run) rebuildCost(c *candidate) int {
	n := 0
	if c.nixRank > 0 {
		n += len(r.dependents(c.name))
	}
	base := r.linux.with("")
	for _, q := range r.depsOf(c).reqs {
		if !q.Marker.IsEmpty() && !q.Marker.Evaluate(base) {
			continue
		}
		nix := r.in.Nixpkgs.Lookup(q.NormalizedName())
		if len(nix) == 0 {
			continue
		}
		if v, err := pypi.ParseVersion(nix[0].Version); err != nil || !q.Specifier.Contains(v, true) {
			n += 1 + len(r.dependents(nix[0].Attr))
		}
	}
	return n
}

// dependents returns the attributes of the set that depend on attr,
// transitively, by the dependencies the nixpkgs query records.
func (r *run) dependents(attr string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reverse == nil {
		r.reverse = map[string][]string{}
		for _, p := range r.in.Nixpkgs.Packages {
			for _, d := range p.Dependencies {
				r.reverse[d] = append(r.reverse[d], p.Attr)
			}
		}
	}
	seen := map[string]bool{}
	queue := []string{attr}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		for _, d := range r.reverse[a] {
			if !seen[d] && d != attr {
				seen[d] = true
				queue = append(queue, d)
			}
		}
	}
	return sortedKeys(seen)
}
