package advisory

import (
	"fmt"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

// Finding is one advisory affecting a chosen version.
type Finding struct {
	Package  string // PEP 503 name
	Version  string
	Advisory resolver.Advisory
}

// FoundError says that known advisories, not accepted in pip2nix.toml,
// affect the chosen versions (--fail-on-advisories, exit code 9).
type FoundError struct {
	Findings []Finding // by package, then advisory ID
}

// Error lists every finding as package version: ID (aliases).
func (e *FoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d known advisories affect the chosen versions (accept a risk in pip2nix.toml's [advisories] allow, with a reason):", len(e.Findings))
	for _, f := range e.Findings {
		fmt.Fprintf(&b, "\n  %s %s: %s", f.Package, f.Version, f.Advisory.ID)
		if len(f.Advisory.Aliases) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(f.Advisory.Aliases, ", "))
		}
		if len(f.Advisory.FixedIn) > 0 {
			fmt.Fprintf(&b, ", fixed in %s", strings.Join(f.Advisory.FixedIn, ", "))
		}
	}
	return b.String()
}

// Check returns a *FoundError listing the advisories of an audited plan
// that are not accepted, or nil when there are none.
func Check(plan *resolver.Plan) error {
	var found []Finding
	for _, p := range plan.Packages {
		for _, a := range p.Advisories {
			if a.Accepted == "" {
				found = append(found, Finding{Package: p.Name, Version: p.Version, Advisory: a})
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	return &FoundError{Findings: found}
}
