// Package recipe decides which parts of nixpkgs' recipe for a package still
// fit when an overlay moves the package to another release: a patch stays
// when it applies to the new sdist, a postPatch when every file it edits
// exists there and every string it replaces occurs (else it is reduced to
// the commands that fit, or dropped), checks stay only when nothing in the
// recipe was written for one release's tests, and pythonRelaxDeps keeps
// the names the new release still requires. What cannot be verified is
// dropped. pip2nix.toml can keep or drop any part by name.
package recipe

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/internal/unidiff"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// The part names of Fit.Decisions and of pip2nix.toml's keep-recipe and
// drop-recipe; a patch is "patch:" followed by its file name.
const (
	PartPostPatch = "postPatch"
	PartChecks    = "checks"
	PartRelaxDeps = "pythonRelaxDeps"
	// PartPatches stands for every patch when the recipe is unknown.
	PartPatches = "patches"
	patchPrefix = "patch:"
)

// The reason given for a patch the nixpkgs query records as fetched
// (fetchpatch): its text needs a download, so it is never test-applied,
// and dropped unless pip2nix.toml's keep-recipe keeps it.
const (
	FetchedPatchWhy     = "fetched patch: cannot be test-applied offline"
	FetchedPatchDropped = "; dropped — keep it with keep-recipe if it still applies"
)

// PatchPart names the patch with file name name.
func PatchPart(name string) string { return patchPrefix + name }

// Input is what Check weighs.
type Input struct {
	Attr    string         // nixpkgs attribute, for messages
	Version string         // the new release
	Recipe  nixpkgs.Recipe // Src "" when the query recorded no recipe
	// PatchTexts holds the text of each of Recipe.Patches, by index; a nil
	// entry (or a short slice) is a patch whose text is not known.
	PatchTexts []*string
	// Files lists the new sdist's files relative to its top directory;
	// Read returns the contents of those of paths it has.
	Files []string
	Read  func(paths []string) (map[string][]byte, error)
	// Requires are the normalized names the new release depends on.
	Requires []string
	// Keep and Drop are pip2nix.toml's decisions by part name.
	Keep, Drop []string
}

// Decision is the fate of one part of nixpkgs' recipe.
type Decision struct {
	Part     string
	Kept     bool
	Why      string
	ByConfig bool // pip2nix.toml decided
}

// Fit is what the overlay renders from the decisions.
type Fit struct {
	Decisions []Decision
	// Patches are the indices of nixpkgs' patches kept, in order.
	Patches    []int
	AllPatches bool // every patch of nixpkgs is kept (or there is none)
	// PostPatch is nil when nixpkgs' postPatch is kept as it is; else the
	// script to use instead ("" drops it).
	PostPatch *string
	DoCheck   bool // false: checks are turned off
	// RelaxDeps is nil when pythonRelaxDeps is kept as it is; else the
	// names to relax instead.
	RelaxDeps []string
	RelaxSet  bool // RelaxDeps replaces nixpkgs' list
}

// Check decides, part by part, what of in.Recipe fits the new source.
func Check(in Input) (*Fit, error) {
	keep, drop := set(in.Keep), set(in.Drop)
	fit := &Fit{AllPatches: true, DoCheck: true}
	decide := func(part string, kept bool, why string) bool {
		d := Decision{Part: part, Kept: kept, Why: why}
		switch {
		case keep[part] && !kept:
			d.Kept, d.ByConfig, d.Why = true, true, "pip2nix.toml keeps it ("+why+")"
		case drop[part] && kept:
			d.Kept, d.ByConfig, d.Why = false, true, "pip2nix.toml drops it ("+why+")"
		}
		fit.Decisions = append(fit.Decisions, d)
		return d.Kept
	}
	r := in.Recipe
	if r.Src == "" {
		// Nothing is known about the recipe, so nothing can be verified.
		why := "the nixpkgs query records no recipe for " + in.Attr + ", so nothing of it can be verified against " + in.Version
		fit.AllPatches = decide(PartPatches, false, why)
		if !decide(PartPostPatch, false, why) {
			fit.PostPatch = new(string)
		}
		fit.DoCheck = decide(PartChecks, false, why)
		return fit, nil
	}

	files := set(in.Files)
	contents, err := in.read(r, files)
	if err != nil {
		return nil, err
	}
	for i, name := range r.Patches {
		var text *string
		if i < len(in.PatchTexts) {
			text = in.PatchTexts[i]
		}
		ok, why := patchFits(text, contents, files)
		if text == nil && slices.Contains(r.FetchedPatches, name) {
			why = FetchedPatchWhy
			if !keep[PatchPart(name)] {
				why += FetchedPatchDropped
			}
		}
		if decide(PatchPart(name), ok, why) {
			fit.Patches = append(fit.Patches, i)
		} else {
			fit.AllPatches = false
		}
	}

	if r.PostPatch != nil && strings.TrimSpace(*r.PostPatch) != "" {
		kept, whole, why := postPatchFits(*r.PostPatch, contents, files)
		switch {
		case decide(PartPostPatch, whole, why):
			// nixpkgs' script as it is (pip2nix.toml may keep one that does not fit)
		case whole:
			fit.PostPatch = new(string) // dropped by pip2nix.toml
		default:
			fit.PostPatch = &kept
		}
	}

	var checkWhy []string
	if r.DisabledTests {
		checkWhy = append(checkWhy, "nixpkgs' disabledTests were chosen for its own release")
	}
	if r.Src != nixpkgs.SrcPyPI {
		checkWhy = append(checkWhy, "nixpkgs' tests run on a "+r.Src+" source tree, the sdist may lack them")
	}
	if len(checkWhy) > 0 {
		fit.DoCheck = decide(PartChecks, false, strings.Join(checkWhy, "; "))
	}

	if rd := r.PythonRelaxDeps; !rd.All && len(rd.Names) > 0 {
		req := set(in.Requires)
		var stay, gone []string
		for _, n := range rd.Names {
			if req[pypi.NormalizeName(n)] {
				stay = append(stay, n)
			} else {
				gone = append(gone, n)
			}
		}
		why := "every name is a requirement of " + in.Version
		if len(gone) > 0 {
			why = fmt.Sprintf("%s does not require %s", in.Version, strings.Join(gone, ", "))
		}
		if !decide(PartRelaxDeps, len(gone) == 0, why) {
			fit.RelaxDeps, fit.RelaxSet = []string{}, true
			if len(gone) > 0 {
				fit.RelaxDeps = append(fit.RelaxDeps, stay...)
			}
		}
	}
	return fit, nil
}

// read loads the files the patches and the postPatch touch.
func (in Input) read(r nixpkgs.Recipe, files map[string]bool) (map[string][]byte, error) {
	var want []string
	for _, t := range in.PatchTexts {
		if t == nil {
			continue
		}
		diffs, err := unidiff.Parse([]byte(*t))
		if err != nil {
			continue
		}
		for _, d := range diffs {
			if p, ok := d.Target(1); ok && files[p] {
				want = append(want, p)
			}
		}
	}
	if r.PostPatch != nil {
		if cmds, err := parseScript(*r.PostPatch); err == nil {
			for _, c := range cmds {
				for _, w := range c.words {
					if files[w.s] {
						want = append(want, w.s)
					}
				}
			}
		}
	}
	if len(want) == 0 || in.Read == nil {
		return map[string][]byte{}, nil
	}
	sort.Strings(want)
	return in.Read(want)
}

// patchFits test-applies a patch (as patch -p1 in the source's top
// directory) to the new sdist.
func patchFits(text *string, contents map[string][]byte, files map[string]bool) (bool, string) {
	if text == nil {
		return false, "its text is not available (it is fetched, or the nixpkgs query came from a file), so it cannot be test-applied"
	}
	diffs, err := unidiff.Parse([]byte(*text))
	if err != nil {
		return false, "it is not a unified diff this tool reads: " + err.Error()
	}
	if len(diffs) == 0 {
		return false, "it holds no file diff"
	}
	for _, d := range diffs {
		p, ok := d.Target(1)
		if !ok {
			return false, fmt.Sprintf("path %s has no component after -p1", d.NewPath)
		}
		var old []byte
		if files[p] {
			old = contents[p]
			if old == nil {
				old = []byte{}
			}
		}
		if _, err := d.Apply(old); err != nil {
			return false, "it does not apply to the sdist: " + err.Error()
		}
	}
	return true, "it applies to the sdist"
}

// replaceFlags are substituteInPlace's options that take a search and a
// replacement string.
var replaceFlags = map[string]bool{"--replace-fail": true, "--replace": true, "--replace-warn": true, "--replace-quiet": true}

// postPatchFits checks each command of a postPatch script against the new
// sdist; it returns the commands that fit (as script text), whether all
// of them did, and why.
func postPatchFits(script string, contents map[string][]byte, files map[string]bool) (kept string, whole bool, why string) {
	cmds, err := parseScript(script)
	if err != nil {
		return "", false, "the script cannot be read: " + err.Error()
	}
	var keptCmds, reasons []string
	for _, c := range cmds {
		if ok, why := commandFits(c, contents, files); ok {
			keptCmds = append(keptCmds, c.text)
		} else {
			reasons = append(reasons, fmt.Sprintf("%q: %s", shorten(c.text), why))
		}
	}
	if len(reasons) == 0 {
		return script, true, "every file it edits exists in the sdist and every string it replaces occurs"
	}
	kept = strings.Join(keptCmds, "\n")
	if kept != "" {
		kept += "\n"
	}
	if strings.Contains(kept, "/nix/store/") {
		// The evaluated text lost the string context of the paths it
		// names; rendering it would drop those dependencies.
		return "", false, strings.Join(reasons, "; ") + "; the commands that fit name store paths, so no reduced script can be rendered"
	}
	if kept != "" {
		reasons = append(reasons, fmt.Sprintf("reduced to the %d of %d command(s) that fit", len(keptCmds), len(cmds)))
	}
	return kept, false, strings.Join(reasons, "; ")
}

func commandFits(c command, contents map[string][]byte, files map[string]bool) (bool, string) {
	name := c.words[0]
	switch {
	case name.s == "substituteInPlace":
		return substituteFits(c.words[1:], contents, files)
	case name.s == "rm" && len(c.words) > 1:
		for _, w := range c.words[1:] {
			if strings.HasPrefix(w.s, "-") {
				continue
			}
			if !w.literal {
				return false, "a path with an expansion cannot be checked"
			}
			if !files[w.s] && !isDir(w.s, files) {
				return false, w.s + " is not in the sdist"
			}
		}
		return true, ""
	}
	return false, "only substituteInPlace and rm can be checked against the sdist"
}

func substituteFits(args []word, contents map[string][]byte, files map[string]bool) (bool, string) {
	var targets []string
	i := 0
	for ; i < len(args) && !strings.HasPrefix(args[i].s, "--"); i++ {
		if !args[i].literal {
			return false, "a file name with an expansion cannot be checked"
		}
		targets = append(targets, args[i].s)
	}
	if len(targets) == 0 {
		return false, "no file to edit"
	}
	for _, t := range targets {
		if !files[t] {
			return false, t + " is not in the sdist"
		}
	}
	text := map[string]string{}
	for _, t := range targets {
		text[t] = string(contents[t])
	}
	for i < len(args) {
		flag := args[i].s
		if !replaceFlags[flag] {
			return false, "option " + flag + " cannot be checked"
		}
		if i+2 >= len(args) {
			return false, flag + " lacks its arguments"
		}
		search, repl := args[i+1], args[i+2].s
		if !search.literal {
			return false, "a search string with an expansion cannot be checked"
		}
		for _, t := range targets {
			if !strings.Contains(text[t], search.s) {
				return false, fmt.Sprintf("%q does not occur in %s", shorten(search.s), t)
			}
			text[t] = strings.ReplaceAll(text[t], search.s, repl)
		}
		i += 3
	}
	return true, ""
}

func isDir(p string, files map[string]bool) bool {
	prefix := strings.TrimSuffix(p, "/") + "/"
	for f := range files {
		if strings.HasPrefix(f, prefix) {
			return true
		}
	}
	return false
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
