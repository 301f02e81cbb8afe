package lockfile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

// IntegrityError says that the index now serves, under a file name the lock
// recorded, a file with another digest. Index files never change, so this
// is a compromised or misconfigured index (or mirror), not an update.
type IntegrityError struct {
	Lock       string // the lock file's path
	Mismatches []Mismatch
}

// Mismatch is one file whose digest changed.
type Mismatch struct {
	Package  string // name@version
	Filename string
	Recorded string // sha256 hex in the lock
	Served   string // sha256 hex the index gives now
}

func (e *IntegrityError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the index serves files whose digest differs from the one recorded for the same file name (index files never change; check the index or mirror before trusting it):", e.Lock)
	for _, m := range e.Mismatches {
		fmt.Fprintf(&b, "\n  %s: %s: recorded sha256 %s, served %s", m.Package, m.Filename, m.Recorded, m.Served)
	}
	return b.String()
}

// CheckIntegrity compares the sdists of next with those old recorded: a
// file name both know with different known digests is an *IntegrityError.
// A digest old did not know (recorded as unknown) may be filled in.
func CheckIntegrity(path string, old, next *Lock) error {
	recorded := map[string]string{}
	for _, p := range old.Packages {
		if sd := p.Sdist; sd != nil && sd.SHA256 != "" {
			recorded[sd.Filename] = sd.SHA256
		}
	}
	var bad []Mismatch
	for _, p := range next.Packages {
		sd := p.Sdist
		if sd == nil || sd.SHA256 == "" {
			continue
		}
		if want, ok := recorded[sd.Filename]; ok && want != sd.SHA256 {
			bad = append(bad, Mismatch{Package: p.Name + "@" + p.Version, Filename: sd.Filename, Recorded: want, Served: sd.SHA256})
		}
	}
	if len(bad) > 0 {
		return &IntegrityError{Lock: path, Mismatches: bad}
	}
	return nil
}

// StaleError says that the lock was made for other inputs than the ones
// given: requirements files, nixpkgs revision, Python or policy.
type StaleError struct {
	Lock    string
	Reasons []string
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("%s is out of date (regenerate it):\n  %s", e.Lock, strings.Join(e.Reasons, "\n  "))
}

// Expect is what the caller's run is made of, to compare with a lock.
// Empty fields are not compared.
type Expect struct {
	Inputs     []Input
	NixpkgsRev string
	Python     string
	Policy     string
}

// CheckFresh returns a *StaleError when l was made for other inputs than
// want says.
func CheckFresh(path string, l *Lock, want Expect) error {
	var reasons []string
	had := map[string]string{}
	for _, in := range l.Inputs {
		had[in.Path] = in.SHA256
	}
	given := map[string]bool{}
	for _, in := range want.Inputs {
		given[in.Path] = true
		switch sum, ok := had[in.Path]; {
		case !ok:
			reasons = append(reasons, fmt.Sprintf("%s: not an input of the lock", in.Path))
		case sum != in.SHA256:
			reasons = append(reasons, fmt.Sprintf("%s changed: sha256 %s, the lock was made for %s", in.Path, in.SHA256, sum))
		}
	}
	if want.Inputs != nil {
		for _, in := range l.Inputs {
			if !given[in.Path] {
				reasons = append(reasons, fmt.Sprintf("%s: an input of the lock, not given now", in.Path))
			}
		}
	}
	if want.NixpkgsRev != "" && want.NixpkgsRev != l.Nixpkgs.Rev {
		reasons = append(reasons, fmt.Sprintf("nixpkgs revision %s, the lock was made for %s", want.NixpkgsRev, orUnknown(l.Nixpkgs.Rev)))
	}
	if want.Python != "" && want.Python != l.Python.Attr {
		reasons = append(reasons, fmt.Sprintf("Python %s, the lock was made for %s", want.Python, l.Python.Attr))
	}
	if want.Policy != "" && want.Policy != l.Policy {
		reasons = append(reasons, fmt.Sprintf("policy %s, the lock was made for %s", want.Policy, l.Policy))
	}
	if len(reasons) > 0 {
		return &StaleError{Lock: path, Reasons: reasons}
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown revision"
	}
	return s
}

// Summarize describes what changed from old to next, one line per package
// added, removed, re-versioned or moved between nixpkgs and the index, and
// per digest filled in; "" when nothing did. old may be nil (no earlier
// lock).
func Summarize(old, next *Lock) string {
	before := map[string]Package{}
	if old != nil {
		for _, p := range old.Packages {
			before[p.Name] = p
		}
	}
	after := map[string]Package{}
	for _, p := range next.Packages {
		after[p.Name] = p
	}
	var lines []string
	for name, p := range after {
		q, ok := before[name]
		switch {
		case !ok:
			lines = append(lines, fmt.Sprintf("+ %s %s (%s)", name, p.Version, where(p)))
		case q.Version != p.Version && where(q) != where(p):
			lines = append(lines, fmt.Sprintf("~ %s %s → %s, moved from %s to %s", name, q.Version, p.Version, where(q), where(p)))
		case q.Version != p.Version:
			lines = append(lines, fmt.Sprintf("~ %s %s → %s (%s)", name, q.Version, p.Version, where(p)))
		case where(q) != where(p):
			lines = append(lines, fmt.Sprintf("~ %s %s moved from %s to %s", name, p.Version, where(q), where(p)))
		case q.Sdist != nil && p.Sdist != nil && q.Sdist.SHA256 == "" && p.Sdist.SHA256 != "":
			lines = append(lines, fmt.Sprintf("~ %s %s: digest of %s filled in (sha256 %s)", name, p.Version, p.Sdist.Filename, p.Sdist.SHA256))
		}
	}
	for name, q := range before {
		if _, ok := after[name]; !ok {
			lines = append(lines, fmt.Sprintf("- %s %s (%s)", name, q.Version, where(q)))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	// Sort by package name, whatever the marker.
	sort.Slice(lines, func(i, j int) bool { return lines[i][2:] < lines[j][2:] })
	return strings.Join(lines, "\n") + "\n"
}

// where says where a package comes from, as a reviewer reads it.
func where(p Package) string {
	switch resolver.Action(p.Action) {
	case resolver.UseNixpkgs:
		return "nixpkgs " + p.Attr
	case resolver.Alias:
		return "nixpkgs " + p.NixpkgsAttr
	case resolver.Override:
		return "index, overriding nixpkgs " + p.NixpkgsAttr
	}
	return "index"
}
