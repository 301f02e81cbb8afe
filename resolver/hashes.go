package resolver

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
)

// Hash-checking follows pip's semantics. A requirement with --hash options
// accepts a file only when one of them matches it (all or nothing: a line's
// hashes are alternatives, and every line naming the project must be
// satisfied). When any requirement has a hash, or a file says
// --require-hashes, every requirement must be pinned with == (or ===) and
// carry hashes, and so must every dependency the index provides: pip's
// hash-checking mode. Packages taken from nixpkgs are pinned by nixpkgs' own
// source hashes; their --hash options are not applied, and the plan says so.

// HashMismatchError is a file whose digest matches none of the --hash
// options of the requirements naming its project: an integrity failure.
type HashMismatchError struct {
	Lines    []pypi.Position // the requirements giving hashes
	Package  string          // name==version
	Filename string
	URL      string
	Want     []pypi.Hash // what the requirements allow
	Got      []pypi.Hash // the file's digests, in the algorithms of Want
}

// Error implements error.
func (e *HashMismatchError) Error() string {
	where := make([]string, len(e.Lines))
	for i, p := range e.Lines {
		where[i] = p.String()
	}
	return fmt.Sprintf("%s: %s: hash mismatch for %s (%s): the requirements allow %s; the file has %s",
		strings.Join(where, ", "), e.Package, e.Filename, e.URL, hashList(e.Want), hashList(e.Got))
}

// HashMissingError lists, in hash-checking mode, the packages built from the
// index that no requirement with --hash names, each with the hash its file
// has, as pip prints them.
type HashMissingError struct {
	Reason   string   // why hash-checking mode is on
	Packages []string // "name==version --hash=sha256:…", sorted
}

// Error implements error.
func (e *HashMissingError) Error() string {
	return fmt.Sprintf("hash-checking mode (%s): these packages are built from the index but no requirement with --hash pins them; add them to a requirements file:\n\t%s",
		e.Reason, strings.Join(e.Packages, "\n\t"))
}

func hashList(hs []pypi.Hash) string {
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = h.String()
	}
	return strings.Join(s, " or ")
}

// hashMode says whether pip's hash-checking mode is on, and why ("" when
// it is off).
func hashMode(lines []pypi.RequirementLine, requireHashes bool) string {
	if requireHashes {
		return "--require-hashes"
	}
	for _, l := range lines {
		if len(l.Hashes) > 0 {
			return fmt.Sprintf("%s gives --hash", l.Pos)
		}
	}
	return ""
}

// checkHashPins checks, in hash-checking mode, that every requirement is
// pinned with == (not a wildcard) or === and has hashes, as pip requires.
func checkHashPins(lines []pypi.RequirementLine, reason string) error {
	var errs pypi.ErrorList
	for _, l := range lines {
		if l.Constraint {
			continue
		}
		q := l.Requirement
		if _, ok := q.Specifier.Pin(); !ok || len(q.Specifier.Specifiers()) != 1 {
			errs = append(errs, &pypi.FileError{Pos: l.Pos, Text: q.String(),
				Msg: fmt.Sprintf("in hash-checking mode (%s) every requirement must be pinned with ==", reason)})
			continue
		}
		if len(l.Hashes) == 0 {
			errs = append(errs, &pypi.FileError{Pos: l.Pos, Text: q.String(),
				Msg: fmt.Sprintf("in hash-checking mode (%s) every requirement needs --hash", reason)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// hashLines returns the requirement lines naming project that give hashes.
func (r *run) hashLines(name string) []pypi.RequirementLine {
	var out []pypi.RequirementLine
	for _, l := range r.in.Requirements {
		if len(l.Hashes) > 0 && l.Requirement.NormalizedName() == name {
			out = append(out, l)
		}
	}
	return out
}

// matchesAll reports whether digests satisfy every line: each line needs
// one of its hashes among digests.
func matchesAll(lines []pypi.RequirementLine, digests []pypi.Hash) bool {
	for _, l := range lines {
		if !slices.ContainsFunc(l.Hashes, func(h pypi.Hash) bool { return slices.Contains(digests, h) }) {
			return false
		}
	}
	return true
}

// preferHashed narrows files to those whose published digests satisfy the
// project's --hash options, as pip prefers them; when none does, all stay
// candidates (and the check after download names the mismatch).
func (r *run) preferHashed(name string, files []index.File) []index.File {
	lines := r.hashLines(name)
	if len(lines) == 0 {
		return files
	}
	var out []index.File
	for _, f := range files {
		if matchesAll(lines, f.Hashes) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return files
	}
	return out
}

// applyHashes enforces hash-checking on the inspected plan: packages built
// from the index must match their requirements' hashes (and, in
// hash-checking mode, have some); packages taken from nixpkgs get a note
// that their hashes were not applied.
func (r *run) applyHashes(plan *Plan, mode string) error {
	var missing []string
	for i := range plan.Packages {
		p := &plan.Packages[i]
		lines := r.hashLines(p.Name)
		if p.Action != Add && p.Action != Override {
			if len(lines) > 0 {
				p.Notes = append(p.Notes, fmt.Sprintf("--hash of %s not applied: the package comes from nixpkgs (%s %s), whose own source hash pins it",
					positions(lines), p.NixpkgsAttr, p.Version))
				sort.Strings(p.Notes)
			}
			continue
		}
		r.mu.Lock()
		job := r.sdists[r.chosenCandidate(p.Name)]
		r.mu.Unlock()
		if job == nil {
			continue
		}
		<-job.done // a prefetch may still be reading it
		if job.ins == nil {
			continue
		}
		ins := job.ins
		if len(lines) == 0 {
			if mode != "" {
				missing = append(missing, fmt.Sprintf("%s==%s --hash=sha256:%s", p.Name, p.Version, digest(ins.digests, "sha256")))
			}
			continue
		}
		if !matchesAll(lines, ins.digests) {
			e := &HashMismatchError{Package: p.Name + "==" + p.Version, Filename: ins.file.Filename, URL: ins.file.URL}
			for _, l := range lines {
				e.Lines = append(e.Lines, l.Pos)
				for _, h := range l.Hashes {
					if !slices.Contains(e.Want, h) {
						e.Want = append(e.Want, h)
					}
				}
			}
			for _, d := range ins.digests {
				if slices.ContainsFunc(e.Want, func(h pypi.Hash) bool { return h.Algorithm == d.Algorithm }) {
					e.Got = append(e.Got, d)
				}
			}
			return e
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return &HashMissingError{Reason: mode, Packages: missing}
	}
	return nil
}

// weakDigestNote says when the index vouches for a file with less than a
// sha256 (or stronger) digest: only md5, sha1 or sha224, or nothing at all.
func weakDigestNote(f index.File) string {
	var weak []string
	for _, h := range f.Hashes {
		if !h.Weak() {
			return ""
		}
		weak = append(weak, h.Algorithm)
	}
	if f.SHA256 != "" {
		return ""
	}
	if len(weak) == 0 {
		return fmt.Sprintf("the index gives no digest for %s: its sha256 was computed from the download, which nothing verified", f.Filename)
	}
	return fmt.Sprintf("the index gives only %s for %s, weaker than sha256: the download was verified against it and its sha256 computed here", strings.Join(weak, " and "), f.Filename)
}

// digest returns the digest in algorithm among hs, "" when absent.
func digest(hs []pypi.Hash, algorithm string) string {
	for _, h := range hs {
		if h.Algorithm == algorithm {
			return h.Hex
		}
	}
	return ""
}

func positions(lines []pypi.RequirementLine) string {
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = l.Pos.String()
	}
	return strings.Join(s, ", ")
}
