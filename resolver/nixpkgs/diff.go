package nixpkgs

import (
	"fmt"
	"io"
	"strings"
)

// Difference is one fact on which a recorded query and a live one disagree.
type Difference struct {
	Attr     string // package attribute; "" for the interpreter and the revision
	Field    string // query field, e.g. "version", "license", "recipe.patches"
	Recorded string // the recorded value, rendered
	Live     string // the live value, rendered; "absent" when the attribute is missing
}

// String renders the difference as one line.
func (d Difference) String() string {
	where := d.Field
	if d.Attr != "" {
		where = d.Attr + ": " + d.Field
	}
	return fmt.Sprintf("%s: recorded %s, live %s", where, d.Recorded, d.Live)
}

// DiffReport is the result of Diff.
type DiffReport struct {
	Differences []Difference // ordered by attribute, then field
	Compared    int          // recorded attributes found in the live set
	Unchecked   int          // recorded facts the live set does not record
}

// Diff compares a recorded (usually partial) query with a live one: the
// interpreter, the revision when both name one, and for every attribute of
// recorded its presence, pname, version, pypiName and each fact both sets
// record. Attributes only the live set has are not differences: a recording
// covers part of the set on purpose.
func Diff(recorded, live *Set) DiffReport {
	var r DiffReport
	add := func(attr, field, rec, lv string) {
		if rec != lv {
			r.Differences = append(r.Differences, Difference{Attr: attr, Field: field, Recorded: rec, Live: lv})
		}
	}
	add("", "python.attr", recorded.PythonAttr, live.PythonAttr)
	add("", "python.version", recorded.PythonVersion, live.PythonVersion)
	add("", "python.pythonVersion", recorded.PythonMajorMinor, live.PythonMajorMinor)
	if recorded.Rev != "" && live.Rev != "" {
		add("", "rev", recorded.Rev, live.Rev)
	}
	byAttr := make(map[string]Package, len(live.Packages))
	for _, p := range live.Packages {
		byAttr[p.Attr] = p
	}
	for _, rec := range recorded.Packages {
		lv, ok := byAttr[rec.Attr]
		if !ok {
			add(rec.Attr, "attr", "present", "absent")
			continue
		}
		r.Compared++
		add(rec.Attr, "pname", rec.PName, lv.PName)
		add(rec.Attr, "version", rec.Version, lv.Version)
		add(rec.Attr, "pypiName", orNull(rec.PyPIName), orNull(lv.PyPIName))
		r.Unchecked += diffFacts(rec.Attr, rec, lv, add)
	}
	return r
}

// diffFacts compares the facts both sides record and returns how many
// recorded facts the live side lacks. A nil license and an empty recipe
// source mean "not recorded"; the lists compare empty and nil alike.
func diffFacts(attr string, rec, lv Package, add func(attr, field, rec, lv string)) int {
	unchecked := 0
	both := func(recKnown, liveKnown bool) bool {
		if recKnown && !liveKnown {
			unchecked++
		}
		return recKnown && liveKnown
	}
	if both(rec.License != nil, lv.License != nil) {
		add(attr, "license", list(rec.License), list(lv.License))
	}
	add(attr, "broken", fmt.Sprint(rec.Broken), fmt.Sprint(lv.Broken))
	add(attr, "knownVulnerabilities", list(rec.KnownVulnerabilities), list(lv.KnownVulnerabilities))
	add(attr, "dependencies", list(rec.Dependencies), list(lv.Dependencies))
	add(attr, "optionalDependencies", extras(rec.OptionalDependencies), extras(lv.OptionalDependencies))
	if both(rec.Recipe.Src != "", lv.Recipe.Src != "") {
		a, b := rec.Recipe, lv.Recipe
		add(attr, "recipe.src", a.Src, b.Src)
		add(attr, "recipe.patches", list(a.Patches), list(b.Patches))
		add(attr, "recipe.postPatch", quoteOrNull(a.PostPatch), quoteOrNull(b.PostPatch))
		add(attr, "recipe.disabledTests", fmt.Sprint(a.DisabledTests), fmt.Sprint(b.DisabledTests))
		add(attr, "recipe.pythonRelaxDeps", a.PythonRelaxDeps.String(), b.PythonRelaxDeps.String())
	}
	return unchecked
}

// Write prints the report for people: one line per difference, then a
// summary line.
func (r DiffReport) Write(w io.Writer) error {
	var b strings.Builder
	for _, d := range r.Differences {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%d differences in %d compared attributes; %d recorded facts not checked (the live query does not record them)\n",
		len(r.Differences), r.Compared, r.Unchecked)
	_, err := io.WriteString(w, b.String())
	return err
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return fmt.Sprintf("%q", s)
}

func quoteOrNull(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}

func list(l []string) string {
	if l == nil {
		l = []string{}
	}
	return fmt.Sprintf("%q", l)
}

func extras(m map[string][]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range sortedExtras(m) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, m[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}
