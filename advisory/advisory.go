// Package advisory checks a resolved plan against known advisories: an OSV
// advisory database (package pypi/osv), the advisories the index publishes
// with each release, and nixpkgs' meta.knownVulnerabilities for packages
// taken from nixpkgs. It merges what the sources say about one issue
// (identifiers that alias each other) into one resolver.Advisory per
// package, compares exact pins with the chosen versions, applies the
// advisories pip2nix.toml accepts, and tells whether any unaccepted
// advisory remains (Check, for --fail-on-advisories).
package advisory

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/osv"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// The values of resolver.Advisory.Sources.
const (
	SourceOSV     = "osv"     // the advisory database given with --advisories
	SourceIndex   = "index"   // published by the index with the release
	SourceNixpkgs = "nixpkgs" // meta.knownVulnerabilities
)

// Options say what to check a plan against. Every field may be empty.
type Options struct {
	DB       *osv.DB // the advisory database; nil when none was given
	DBSource string  // how it was given (path or URL), for the report
	// Nixpkgs is the package set the plan was made from; its
	// meta.knownVulnerabilities apply to packages taken from it.
	Nixpkgs *nixpkgs.Set
	// Allowed are the advisories accepted as known risks, and ConfigPath
	// the pip2nix.toml they come from (for warnings about unused ones).
	Allowed    []config.AllowedAdvisory
	ConfigPath string
}

// Audit sets every package's KnownVulnerabilities, Advisories and Pinned,
// and the plan's AdvisoryDB, and adds warnings: for advisories of the
// closure the database could not evaluate exactly, and for accepted
// advisories that match nothing.
func Audit(plan *resolver.Plan, o Options) {
	known := map[string][]string{}
	if o.Nixpkgs != nil {
		for _, np := range o.Nixpkgs.Packages {
			known[np.Attr] = np.KnownVulnerabilities
		}
	}
	if o.DB != nil {
		plan.AdvisoryDB = &resolver.AdvisoryDB{Source: o.DBSource, Advisories: o.DB.Len(), Modified: o.DB.Modified()}
	}
	used := map[string]bool{}
	var problems []string
	for i := range plan.Packages {
		p := &plan.Packages[i]
		p.KnownVulnerabilities = nil
		if p.Source == resolver.FromNixpkgs {
			p.KnownVulnerabilities = append([]string(nil), known[p.NixpkgsAttr]...)
		}
		var reports []report
		var db []report
		if o.DB != nil {
			db = fromDB(o.DB, p.Name, p.Version)
			reports = append(reports, db...)
			for _, a := range o.DB.Project(p.Name) {
				for _, msg := range a.Problems {
					problems = append(problems, fmt.Sprintf("advisory %s for %s: %s", a.ID, p.Name, strings.TrimPrefix(msg, a.ID+": ")))
				}
			}
		}
		reports = append(reports, fromIndex(p.Vulnerabilities)...)
		reports = append(reports, fromNixpkgs(p.NixpkgsAttr, p.KnownVulnerabilities)...)
		p.Advisories = merge(reports, o.Allowed, used)
		p.Pinned = nil
		if pin, ok := pinned(p); ok && o.DB != nil {
			p.Pinned = comparePin(pin, db, fromDB(o.DB, p.Name, pin), p.Advisories, o.Allowed, used)
		}
	}
	sort.Strings(problems)
	plan.Warnings = append(plan.Warnings, slices.Compact(problems)...)
	for _, a := range o.Allowed {
		if !used[a.ID] {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s:%d: advisories.allow %s matches no advisory of the closure; remove it once it no longer applies", o.ConfigPath, a.Line, a.ID))
		}
	}
}

// pinned returns the version an exact pin names, canonical.
func pinned(p *resolver.Package) (string, bool) {
	if p.Requested == nil {
		return "", false
	}
	set, err := pypi.ParseSpecifierSet(*p.Requested)
	if err != nil {
		return "", false
	}
	v, ok := set.Pin()
	return v.String(), ok
}

// comparePin sets the pinned version's database advisories beside the
// chosen version's: chosenDB are the chosen version's database reports,
// chosen its merged advisories.
func comparePin(pin string, chosenDB, pinDB []report, chosen []resolver.Advisory, allowed []config.AllowedAdvisory, used map[string]bool) *resolver.PinAdvisories {
	pa := &resolver.PinAdvisories{Version: pin, Advisories: merge(pinDB, allowed, used), Avoided: []string{}, Introduced: []string{}}
	for _, a := range pa.Advisories {
		if !slices.ContainsFunc(chosen, func(c resolver.Advisory) bool { return overlaps(a, c) }) {
			pa.Avoided = append(pa.Avoided, a.ID)
		}
	}
	for _, c := range merge(chosenDB, nil, nil) {
		if !slices.ContainsFunc(pa.Advisories, func(a resolver.Advisory) bool { return overlaps(a, c) }) {
			pa.Introduced = append(pa.Introduced, c.ID)
		}
	}
	return pa
}

// overlaps reports whether two merged advisories share an identifier.
func overlaps(a, b resolver.Advisory) bool {
	ids := append([]string{b.ID}, b.Aliases...)
	return slices.Contains(ids, a.ID) || slices.ContainsFunc(a.Aliases, func(id string) bool { return slices.Contains(ids, id) })
}

// report is what one source says about one issue.
type report struct {
	ids     []string // its own identifier first, then its aliases
	summary string
	details string
	fixedIn []string
	link    string
	source  string
}

func fromDB(db *osv.DB, name, version string) []report {
	var out []report
	for _, a := range db.Affecting(name, version) {
		out = append(out, report{
			ids:     append([]string{a.ID}, a.Aliases...),
			summary: summaryOf(a.Summary, a.Details),
			details: a.Details,
			fixedIn: a.FixedIn(name),
			link:    a.Link(),
			source:  SourceOSV,
		})
	}
	return out
}

func fromIndex(vulns []index.Vulnerability) []report {
	var out []report
	for _, v := range vulns {
		if v.Withdrawn != "" || v.ID == "" {
			continue
		}
		out = append(out, report{
			ids:     append([]string{v.ID}, v.Aliases...),
			summary: summaryOf(v.Summary, v.Details),
			details: strings.TrimSpace(v.Details),
			fixedIn: v.FixedIn,
			link:    v.Link,
			source:  SourceIndex,
		})
	}
	return out
}

// knownID finds advisory identifiers in nixpkgs' free-text warnings.
var knownID = regexp.MustCompile(`\b(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3}|PYSEC-\d{4}-\d+)\b`)

// fromNixpkgs turns meta.knownVulnerabilities into reports: each entry
// naming identifiers is one issue; entries naming none are one issue
// together, "nixpkgs:<attr>".
func fromNixpkgs(attr string, texts []string) []report {
	var out []report
	var plain []string
	for _, t := range texts {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		ids := slices.Compact(knownID.FindAllString(t, -1))
		if len(ids) == 0 {
			plain = append(plain, t)
			continue
		}
		out = append(out, report{ids: ids, summary: t, source: SourceNixpkgs})
	}
	if len(plain) > 0 {
		out = append(out, report{ids: []string{"nixpkgs:" + attr}, summary: strings.Join(plain, "; "), source: SourceNixpkgs})
	}
	return out
}

// merge joins reports that share an identifier (transitively) into
// advisories ordered by ID, marks accepted ones, and records in used the
// accepted IDs it met.
func merge(reports []report, allowed []config.AllowedAdvisory, used map[string]bool) []resolver.Advisory {
	var groups [][]report
	for _, r := range reports {
		joined := []report{r}
		var rest [][]report
		for _, g := range groups {
			if sharesID(g, joined) {
				joined = append(joined, g...)
			} else {
				rest = append(rest, g)
			}
		}
		groups = append(rest, joined)
	}
	var out []resolver.Advisory
	for _, g := range groups {
		a := combine(g)
		for _, al := range allowed {
			if al.ID == a.ID || slices.Contains(a.Aliases, al.ID) {
				if a.Accepted == "" {
					a.Accepted = al.Reason
				}
				used[al.ID] = true
			}
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sharesID(a, b []report) bool {
	for _, x := range a {
		for _, y := range b {
			if slices.ContainsFunc(x.ids, func(id string) bool { return slices.Contains(y.ids, id) }) {
				return true
			}
		}
	}
	return false
}

// sourceRank orders sources for the text an advisory shows: the database
// first, then the index, then nixpkgs.
var sourceRank = map[string]int{SourceOSV: 0, SourceIndex: 1, SourceNixpkgs: 2}

func combine(g []report) resolver.Advisory {
	sort.SliceStable(g, func(i, j int) bool { return sourceRank[g[i].source] < sourceRank[g[j].source] })
	var ids, sources, fixed []string
	var a resolver.Advisory
	for _, r := range g {
		ids = append(ids, r.ids...)
		sources = append(sources, r.source)
		fixed = append(fixed, r.fixedIn...)
		a.Summary = cmpOr(a.Summary, r.summary)
		a.Details = cmpOr(a.Details, r.details)
		a.Link = cmpOr(a.Link, r.link)
	}
	sort.Slice(ids, func(i, j int) bool {
		if ri, rj := idRank(ids[i]), idRank(ids[j]); ri != rj {
			return ri < rj
		}
		return ids[i] < ids[j]
	})
	ids = slices.Compact(ids)
	a.ID = ids[0]
	a.Aliases = append([]string{}, ids[1:]...)
	sort.Strings(a.Aliases)
	sort.Strings(sources)
	a.Sources = slices.Compact(sources)
	slices.Sort(fixed)
	fixed = slices.Compact(fixed)
	osv.SortVersions(fixed)
	a.FixedIn = append([]string{}, fixed...)
	return a
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// idRank prefers the Python-specific identifiers as an advisory's name.
func idRank(id string) int {
	switch {
	case strings.HasPrefix(id, "PYSEC-"):
		return 0
	case strings.HasPrefix(id, "GHSA-"):
		return 1
	case strings.HasPrefix(id, "CVE-"):
		return 3
	case strings.HasPrefix(id, "nixpkgs:"):
		return 4
	}
	return 2
}

// summaryOf is the summary, else the start of the details: PyPA records
// have details only.
func summaryOf(summary, details string) string {
	if s := strings.TrimSpace(summary); s != "" {
		return s
	}
	s := strings.Join(strings.Fields(details), " ")
	const limit = 200
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut := string([]rune(s)[:limit])
	if i := strings.LastIndexByte(cut, ' '); i > limit/2 {
		cut = cut[:i]
	}
	return cut + " …"
}
