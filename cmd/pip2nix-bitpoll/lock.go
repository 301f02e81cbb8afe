package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/facts"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/lockfile"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// lockFlags are generate's flags about pip2nix.lock and recorded facts.
type lockFlags struct {
	path       string // --lock; "" means beside the overlay
	none       bool   // --no-lock
	nixpkgsRev string // --nixpkgs-rev, checked by --check
}

func (l *lockFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.path, "lock", "", "read and write the lock `FILE` (default: "+lockfile.DefaultName+" beside -o)")
	fs.BoolVar(&l.none, "no-lock", false, "neither read nor write a lock")
	fs.StringVar(&l.nixpkgsRev, "nixpkgs-rev", "", "the nixpkgs revision `REV`: recorded when --nixpkgs (a path) does not name one; with --check, the lock must have been made for it")
}

// applyRev records --nixpkgs-rev in a set whose source named no revision
// (a nixpkgs store path, as the flake's app passes it); a set that names
// another one is an error.
func (l *lockFlags) applyRev(set *nixpkgs.Set) error {
	switch {
	case l.nixpkgsRev == "" || set.Rev == l.nixpkgsRev:
	case set.Rev == "":
		set.Rev = l.nixpkgsRev
	default:
		return withCode(exitInput, fmt.Errorf("--nixpkgs-rev %s, but %s is revision %s", l.nixpkgsRev, set.Ref, set.Rev))
	}
	return nil
}

// lockPath is where generate reads and writes the lock; "" for none.
func (l *lockFlags) lockPath(overlayPath string) string {
	switch {
	case l.none || overlayPath == "":
		return ""
	case l.path != "":
		return l.path
	}
	return filepath.Join(filepath.Dir(overlayPath), lockfile.DefaultName)
}

// readLock reads the lock at path; a missing file is (nil, nil), a broken
// one an input error (it is never silently replaced).
func readLock(path string) (*lockfile.Lock, error) {
	if path == "" {
		return nil, nil
	}
	l, err := lockfile.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, withCode(exitInput, err)
	}
	return l, nil
}

// withConfigInput adds the settings file at path (pip2nix.toml), when there
// is one, to the inputs: it changes the resolution as much as the
// requirements do, so the lock and the overlay's header name its digest.
// It is named by its base name, so a check that reads it from elsewhere (a
// store path) still matches.
func withConfigInput(inputs []resolver.InputFile, path string) ([]resolver.InputFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return inputs, nil
	}
	if err != nil {
		return nil, withCode(exitInput, err)
	}
	sum := sha256.Sum256(data)
	return append(inputs, resolver.InputFile{Path: filepath.Base(path), SHA256: hex.EncodeToString(sum[:])}), nil
}

// querySHA256 is the digest of the nixpkgs query as nixpkgs-query saves it.
func querySHA256(set *nixpkgs.Set) (string, error) {
	var b bytes.Buffer
	if err := set.Save(&b); err != nil {
		return "", err
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

func lockInputs(inputs []resolver.InputFile) []lockfile.Input {
	out := make([]lockfile.Input, 0, len(inputs))
	for _, in := range inputs {
		out = append(out, lockfile.Input{Path: in.Path, SHA256: in.SHA256})
	}
	return out
}

// loadFacts reads recorded facts for --recorded.
func loadFacts(e *env, dir string) (*facts.Index, string, error) {
	x, err := facts.Load(dir)
	if err != nil {
		return nil, "", withCode(exitInput, err)
	}
	return x, "recorded facts in " + relativeTo(e.workDir, dir) + " (no archive read; every digest cites its source there)", nil
}

// checkFromLock is generate --check with a lock: it re-renders the outputs
// from the lock alone — no index, no archive, no nixpkgs evaluation — after
// checking that the lock was made for the requirements files (and the
// nixpkgs revision, Python and policy) given.
func checkFromLock(e *env, f *resolveFlags, lf *lockFlags, l *lockfile.Lock, path string, inputs []resolver.InputFile, overlayPath, patchDir string) error {
	want := lockfile.Expect{Inputs: lockInputs(inputs), NixpkgsRev: lf.nixpkgsRev, Python: f.python, Policy: f.policy}
	if err := lockfile.CheckFresh(path, l, want); err != nil {
		return withCode(exitDiffers, err)
	}
	plan := l.Plan()
	outs, _, err := renderOutputs(plan, l.Index, overlayPath, patchDir, f)
	if err != nil {
		return err
	}
	diff, err := diffOutputs(outs)
	if err != nil {
		return err
	}
	if diff != "" {
		fmt.Fprint(e.stdout, diff)
		return withCode(exitDiffers, fmt.Errorf("outputs are out of date: they differ from what %s renders (diff above); rerun without --check to update them", path))
	}
	return nil
}

// lockOutput makes the new lock and checks it against the old one: a
// changed digest for a recorded file name fails the run (exit 10); the
// changes are summarized on stderr.
func lockOutput(e *env, quiet bool, path string, old *lockfile.Lock, plan *resolver.Plan, meta lockfile.Meta) (output, error) {
	next := lockfile.FromPlan(plan, meta)
	if old != nil {
		if err := lockfile.CheckIntegrity(path, old, next); err != nil {
			return output{}, withCode(exitIntegrity, err)
		}
	}
	switch s := lockfile.Summarize(old, next); {
	case quiet:
	case old == nil:
		fmt.Fprintf(e.stderr, "%s: new lock of %d package(s)\n", path, len(next.Packages))
	case s != "":
		fmt.Fprintf(e.stderr, "%s: changes:\n%s", path, indent(s))
	}
	data, err := lockfile.Marshal(next)
	if err != nil {
		return output{}, err
	}
	return output{path, data}, nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}
