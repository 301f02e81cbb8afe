package nixpkgs

import (
	"fmt"
	"sort"
)

// String renders the value as the recipe spells it.
func (r RelaxDeps) String() string {
	if len(r.Names) > 0 {
		return fmt.Sprintf("%q", r.Names)
	}
	return fmt.Sprint(r.All)
}

// sortedExtras returns the keys of m in order.
func sortedExtras(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
