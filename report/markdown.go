package report

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

// Markdown renders plan as the report for people: a summary line, a table
// of every package, then pins against chosen versions, licenses, build
// systems, native libraries, yanked and pre-release versions,
// vulnerabilities (the plan's merged Advisories), the advisories pins and
// chosen versions avoid or introduce, notes and warnings. Text from the index is escaped so it
// renders literally and cannot break a table.
func Markdown(plan *resolver.Plan) ([]byte, error) {
	if plan == nil {
		return nil, fmt.Errorf("report Markdown: nil plan")
	}
	pkgs := sortedPackages(plan)
	var b strings.Builder
	b.WriteString("# Python dependencies: audit report\n\n")
	b.WriteString(summaryLine(plan, pkgs) + "\n")

	section(&b, "Inputs")
	if len(plan.Inputs) == 0 {
		b.WriteString("None.\n")
	}
	for _, in := range plan.Inputs {
		fmt.Fprintf(&b, "- %s (sha256 %s)\n", text(in.Path), text(in.SHA256))
	}

	section(&b, "Packages")
	t := newTable("Package", "Version", "Source", "Attribute", "Pin", "Reason")
	for _, p := range pkgs {
		t.row(&b, texts(p.Name, p.Version, sourceLabel(p), p.Attr, deref(p.Requested, "—"), p.Reason)...)
	}
	t.end(&b, "No packages.")

	section(&b, "Pins vs chosen")
	t = newTable("Package", "Requested", "Chosen", "nixpkgs has", "Drift")
	for _, p := range pkgs {
		if p.Requested == nil {
			continue
		}
		t.row(&b, append(texts(p.Name, *p.Requested, p.Version, deref(p.NixpkgsVersion, "—")), drift(*p.Requested, p.Version))...)
	}
	t.end(&b, "No package was named in the inputs.")

	section(&b, "Licenses")
	t = newTable("Package", "Version", "License as published", "nixpkgs", "Flag")
	for _, p := range pkgs {
		t.row(&b, append(texts(p.Name, p.Version, orDash(p.License.Expression), orDash(strings.Join(p.License.Nix, ", "))), licenseFlag(p.License))...)
	}
	t.end(&b, "No packages.")

	section(&b, "Build systems")
	t = newTable("Package", "Version", "Build system (nixpkgs)", "Build requirements as published")
	for _, p := range pkgs {
		if p.Sdist == nil {
			continue
		}
		t.row(&b, texts(p.Name, p.Version, orDash(strings.Join(p.BuildSystem, ", ")), orDash(strings.Join(p.BuildRequires, ", ")))...)
	}
	t.end(&b, "Nothing is built from the index.")

	section(&b, "Native libraries needed")
	t = newTable("Package", "Version", "Needs", "nativeBuildInputs", "buildInputs")
	for _, p := range pkgs {
		if len(p.NativeLibraries)+len(p.NativeBuildInputs)+len(p.BuildInputs) == 0 {
			continue
		}
		t.row(&b, texts(p.Name, p.Version, orDash(strings.Join(p.NativeLibraries, ", ")),
			orDash(strings.Join(p.NativeBuildInputs, ", ")), orDash(strings.Join(p.BuildInputs, ", ")))...)
	}
	t.end(&b, "None.")

	section(&b, "Yanked and pre-release")
	t = newTable("Package", "Version", "Yanked", "Pre-release")
	for _, p := range pkgs {
		if !p.Yanked && !p.Prerelease {
			continue
		}
		yanked := "no"
		if p.Yanked {
			yanked = "yes"
			if p.YankedReason != "" {
				yanked += ": " + p.YankedReason
			}
		}
		t.row(&b, texts(p.Name, p.Version, yanked, yesNo(p.Prerelease))...)
	}
	t.end(&b, "None.")

	section(&b, "Vulnerabilities")
	b.WriteString(advisorySources(plan) + "\n\n")
	t = newTable("Package", "Version", "Advisory", "Aliases", "Fixed in", "Reported by", "Status", "Summary")
	for _, p := range pkgs {
		for _, a := range p.Advisories {
			t.row(&b, text(p.Name), text(p.Version), advisory(a.ID, a.Link),
				text(orDash(strings.Join(a.Aliases, ", "))), text(orDash(strings.Join(a.FixedIn, ", "))),
				text(strings.Join(a.Sources, ", ")), status(a), text(orDash(a.Summary)))
		}
	}
	t.end(&b, "None known for the chosen versions.")

	section(&b, "Advisories: pins vs chosen")
	if plan.AdvisoryDB == nil {
		b.WriteString("Not compared: no advisory database was given (--advisories).\n")
	} else {
		t = newTable("Package", "Pinned", "Chosen", "Advisories of the pin", "Avoided by the choice", "Introduced by the choice")
		for _, p := range pkgs {
			pa := p.Pinned
			if pa == nil || len(pa.Advisories)+len(pa.Introduced) == 0 {
				continue
			}
			var pinIDs []string
			for _, a := range pa.Advisories {
				pinIDs = append(pinIDs, a.ID)
			}
			t.row(&b, texts(p.Name, pa.Version, p.Version, orDash(strings.Join(pinIDs, ", ")),
				orDash(strings.Join(pa.Avoided, ", ")), orDash(strings.Join(pa.Introduced, ", ")))...)
		}
		t.end(&b, "No advisory of the database affects a pinned or a chosen version.")

		b.WriteString("\nAdvisories of the pinned versions:\n\n")
		t = newTable("Package", "Pinned", "Advisory", "Aliases", "Fixed in", "Status", "Summary")
		for _, p := range pkgs {
			if p.Pinned == nil {
				continue
			}
			for _, a := range p.Pinned.Advisories {
				t.row(&b, text(p.Name), text(p.Pinned.Version), advisory(a.ID, a.Link),
					text(orDash(strings.Join(a.Aliases, ", "))), text(orDash(strings.Join(a.FixedIn, ", "))), status(a), text(orDash(a.Summary)))
			}
		}
		t.end(&b, "None.")
	}

	section(&b, "Rebuild impact")
	t = newTable("Package", "Version", "Rebuilt locally because the overlay changes")
	for _, p := range pkgs {
		if len(p.RebuiltBecause) > 0 {
			t.row(&b, text(p.Name), text(p.Version), text(strings.Join(p.RebuiltBecause, ", ")))
		}
	}
	t.end(&b, "No package used from nixpkgs unchanged depends on what the overlay changes: all of them come from the binary cache.")
	b.WriteString("\nOverridden and added packages are always built locally. Only runtime dependency edges recorded by the nixpkgs query count.\n")

	section(&b, "Closure graph")
	b.WriteString(Mermaid(plan))

	section(&b, "nixpkgs recipes of overridden packages")
	t = newTable("Package", "Version", "Part of nixpkgs' recipe", "Kept", "Why")
	for _, p := range pkgs {
		if p.Recipe == nil {
			continue
		}
		for _, d := range p.Recipe.Decisions {
			t.row(&b, text(p.Name), text(p.Version), text(d.Part), yesNo(d.Kept), text(d.Why))
		}
	}
	t.end(&b, "No package moves away from nixpkgs' version with a recipe to check.")

	section(&b, "Notes")
	notes := 0
	for _, p := range pkgs {
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "- %s %s: %s\n", text(p.Name), text(p.Version), text(n))
			notes++
		}
	}
	if notes == 0 {
		b.WriteString("None.\n")
	}

	section(&b, "Warnings")
	if len(plan.Warnings) == 0 {
		b.WriteString("None.\n")
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(&b, "- %s\n", text(w))
	}
	return []byte(b.String()), nil
}

func section(b *strings.Builder, title string) {
	b.WriteString("\n## " + title + "\n\n")
}

func summaryLine(plan *resolver.Plan, pkgs []resolver.Package) string {
	count := map[resolver.Action]int{}
	fromNixpkgs, fromIndex := 0, 0
	for _, p := range pkgs {
		count[p.Action]++
		if p.Source == resolver.FromNixpkgs {
			fromNixpkgs++
		} else {
			fromIndex++
		}
	}
	rev := plan.Nixpkgs.Rev
	if rev == "" {
		rev = "unknown revision"
	}
	return fmt.Sprintf("%d packages: %d from nixpkgs, %d from the index (%d used as they are, %d aliased, %d overridden, %d added). "+
		"Policy %s, Python %s %s, nixpkgs %s (%s).",
		len(pkgs), fromNixpkgs, fromIndex, count[resolver.UseNixpkgs], count[resolver.Alias], count[resolver.Override], count[resolver.Add],
		text(orDash(string(plan.Policy))), text(orDash(plan.Python.Attr)), text(plan.Python.Version), text(orDash(plan.Nixpkgs.Ref)), text(rev))
}

func sourceLabel(p resolver.Package) string {
	s := string(p.Source) + " (" + string(p.Action)
	if p.NixpkgsAttr != "" && p.NixpkgsAttr != p.Attr {
		s += " of " + p.NixpkgsAttr
	}
	return s + ")"
}

// drift compares an exact pin with the chosen version. Ranges are marked
// as such: the resolver has checked them, and only exact pins can drift.
// Trailing ".0" release parts are ignored, as PEP 440 does.
func drift(requested, chosen string) string {
	pin, ok := strings.CutPrefix(strings.TrimSpace(requested), "==")
	if !ok || strings.Contains(requested, ",") || strings.HasSuffix(pin, ".*") || strings.HasPrefix(pin, "=") {
		return "range"
	}
	trim := func(v string) string {
		v = strings.ToLower(strings.TrimSpace(v))
		for strings.HasSuffix(v, ".0") {
			v = strings.TrimSuffix(v, ".0")
		}
		return v
	}
	if trim(pin) == trim(chosen) {
		return "none"
	}
	return "**drift**"
}

func licenseFlag(l resolver.License) string {
	var flags []string
	if l.Unfree {
		flags = append(flags, "**non-free**")
	}
	if l.Unknown || len(l.Nix) == 0 {
		flags = append(flags, "**unknown**")
	}
	return strings.Join(flags, ", ")
}

// advisorySources says what the chosen versions were checked against.
func advisorySources(plan *resolver.Plan) string {
	db := plan.AdvisoryDB
	if db == nil {
		return "Checked against the advisories the index publishes and nixpkgs' meta.knownVulnerabilities; no advisory database was given (--advisories)."
	}
	return fmt.Sprintf("Checked against the advisory database %s (%d advisories, newest modified %s), the advisories the index publishes and nixpkgs' meta.knownVulnerabilities; aliases merged.",
		text(db.Source), db.Advisories, text(orDash(db.Modified)))
}

// status says whether pip2nix.toml accepts an advisory.
func status(a resolver.Advisory) string {
	if a.Accepted == "" {
		return "**open**"
	}
	return "accepted: " + text(a.Accepted)
}

func advisory(id, link string) string {
	label := text(orDash(id))
	if link == "" || strings.ContainsAny(link, "<>\n\r \t") ||
		!(strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://")) {
		return label
	}
	return "[" + label + "](<" + link + ">)"
}

func deref(s *string, none string) string {
	if s == nil {
		return none
	}
	return *s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// table writes a Markdown table: the header with the first row, or a
// sentence saying there is nothing when no row came.
type table struct {
	head []string
	rows int
}

func newTable(head ...string) *table { return &table{head: head} }

// row writes a row of cells that are already Markdown (escape index text
// with text or texts first).
func (t *table) row(b *strings.Builder, cells ...string) {
	if t.rows == 0 {
		b.WriteString("| " + strings.Join(t.head, " | ") + " |\n|")
		for range t.head {
			b.WriteString(" --- |")
		}
		b.WriteByte('\n')
	}
	t.rows++
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

func (t *table) end(b *strings.Builder, none string) {
	if t.rows == 0 {
		b.WriteString(none + "\n")
	}
}

// texts escapes each of cells with text.
func texts(cells ...string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = text(c)
	}
	return out
}

// text escapes s for Markdown inline text and table cells: line breaks and
// other whitespace runs become one space, control characters go, and every
// character with inline meaning (emphasis, code, links, HTML, tables,
// entities, maths) is backslash-escaped, so index text renders literally.
func text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if strings.ContainsRune("\\`*_[]<>|~&$#!{}", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
