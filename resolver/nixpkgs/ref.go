package nixpkgs

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// RefKind says how a --nixpkgs reference is evaluated.
type RefKind int

// The kinds of reference ResolveRef recognizes.
const (
	// RefFlake is a flake reference: builtins.getFlake REF.
	RefFlake RefKind = iota + 1
	// RefPath is a nixpkgs source tree on disk: import PATH {}.
	RefPath
	// RefQueryFile is a query file saved earlier: read, no Nix involved.
	RefQueryFile
)

// String names the kind as messages show it.
func (k RefKind) String() string {
	switch k {
	case RefFlake:
		return "flake"
	case RefPath:
		return "path"
	case RefQueryFile:
		return "query file"
	}
	return fmt.Sprintf("RefKind(%d)", int(k))
}

// ResolveRef classifies a --nixpkgs reference. An empty ref means the
// nixpkgs input of the flake in dir (DefaultRef). A ref ending in ".json" is
// a query file; one starting with '/' or '.', holding a '/' but no ':', or
// naming an existing directory (a relative path without "./") is a nixpkgs
// tree on disk (resolved is then absolute); anything else is a flake
// reference, as Nix parses it. rev is the nixpkgs revision when the
// reference pins one (owner/repo/<rev> of github:, gitlab: and sourcehut:
// refs, or a rev= parameter), and "" otherwise — such refs are not cached.
func ResolveRef(ref string, dir string) (kind RefKind, resolved string, rev string, err error) {
	if ref == "" {
		if ref, err = DefaultRef(dir); err != nil {
			return 0, "", "", err
		}
	}
	switch {
	case strings.HasSuffix(ref, ".json"):
		if _, err := os.Stat(ref); err != nil {
			return 0, "", "", fmt.Errorf("nixpkgs query file: %w", err)
		}
		return RefQueryFile, ref, "", nil
	case isPathRef(ref):
		abs, err := filepath.Abs(ref)
		if err != nil {
			return 0, "", "", fmt.Errorf("nixpkgs path %s: %w", ref, err)
		}
		st, err := os.Stat(abs)
		if err != nil {
			return 0, "", "", fmt.Errorf("nixpkgs path: %w", err)
		}
		if !st.IsDir() {
			return 0, "", "", fmt.Errorf("nixpkgs path %s: not a directory (a nixpkgs tree, a flake reference or a .json query file was expected)", abs)
		}
		return RefPath, abs, "", nil
	}
	return RefFlake, ref, flakeRev(ref), nil
}

func isPathRef(ref string) bool {
	if strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, ".") {
		return true
	}
	if strings.Contains(ref, ":") {
		return false
	}
	// A bare word is a flake registry name ("nixpkgs") unless a directory
	// of that name is at hand: then the user means it, as a shell user would.
	if st, err := os.Stat(ref); err == nil && st.IsDir() {
		return true
	}
	return strings.Contains(ref, "/")
}

var fullRev = regexp.MustCompile(`^[0-9a-f]{40}$`)

// flakeRev returns the revision a flake reference pins, or "".
func flakeRev(ref string) string {
	if i := strings.IndexByte(ref, '?'); i >= 0 {
		if q, err := url.ParseQuery(ref[i+1:]); err == nil && fullRev.MatchString(q.Get("rev")) {
			return q.Get("rev")
		}
		ref = ref[:i]
	}
	for _, scheme := range []string{"github:", "gitlab:", "sourcehut:"} {
		if rest, ok := strings.CutPrefix(ref, scheme); ok {
			parts := strings.Split(rest, "/")
			if len(parts) == 3 && fullRev.MatchString(parts[2]) {
				return parts[2]
			}
		}
	}
	return ""
}

// flakeLock is the part of flake.lock DefaultRef reads.
type flakeLock struct {
	Root  string `json:"root"`
	Nodes map[string]struct {
		Inputs map[string]json.RawMessage `json:"inputs"`
		Locked *lockedRef                 `json:"locked"`
	} `json:"nodes"`
}

type lockedRef struct {
	Type  string `json:"type"`
	Owner string `json:"owner"`
	Repo  string `json:"repo"`
	Rev   string `json:"rev"`
	Ref   string `json:"ref"`
	URL   string `json:"url"`
	Path  string `json:"path"`
	Host  string `json:"host"`
}

// DefaultRef returns the nixpkgs the flake in dir uses: the node its
// flake.lock locks for the root's `nixpkgs` input (as a flake reference
// pinned to the locked revision), or else the URL of `nixpkgs.url = "…";` in
// its flake.nix. The error says what was looked for when neither exists.
func DefaultRef(dir string) (string, error) {
	lockPath := filepath.Join(dir, "flake.lock")
	data, err := os.ReadFile(lockPath)
	switch {
	case err == nil:
		ref, found, err := refFromLock(lockPath, data)
		if err != nil || found {
			return ref, err
		}
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("nixpkgs input: %w", err)
	}
	nixPath := filepath.Join(dir, "flake.nix")
	data, err = os.ReadFile(nixPath)
	switch {
	case err == nil:
		if ref, ok := refFromFlakeNix(data); ok {
			return ref, nil
		}
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("nixpkgs input: %w", err)
	}
	return "", fmt.Errorf("no nixpkgs to query: found neither a locked input \"nixpkgs\" in %s nor `nixpkgs.url = \"…\";` in %s; pass a flake reference, a nixpkgs path or a query file", lockPath, nixPath)
}

// refFromLock finds the root's nixpkgs input in a flake.lock; found is false
// when the lock has no such input.
func refFromLock(path string, data []byte) (ref string, found bool, err error) {
	var lock flakeLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return "", false, jsonError(path, data, err)
	}
	root := lock.Root
	if root == "" {
		root = "root"
	}
	node, ok, err := lock.follow(root, []string{"nixpkgs"})
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", path, err)
	}
	if !ok {
		return "", false, nil
	}
	locked := lock.Nodes[node].Locked
	if locked == nil {
		return "", false, fmt.Errorf("%s: node %q is not locked", path, node)
	}
	ref, err = locked.flakeRef()
	if err != nil {
		return "", false, fmt.Errorf("%s: node %q: %w", path, node, err)
	}
	return ref, true, nil
}

// follow walks an input path from node: each step reads the node's input,
// which names a node directly or, as a list, is a path from the root (the
// lock's representation of `follows`).
func (l *flakeLock) follow(node string, inputPath []string) (string, bool, error) {
	for depth := 0; len(inputPath) > 0; depth++ {
		if depth > len(l.Nodes)+1 {
			return "", false, errors.New("input follows form a cycle")
		}
		raw, ok := l.Nodes[node].Inputs[inputPath[0]]
		if !ok {
			return "", false, nil
		}
		inputPath = inputPath[1:]
		var name string
		if err := json.Unmarshal(raw, &name); err == nil {
			node = name
			continue
		}
		var follows []string
		if err := json.Unmarshal(raw, &follows); err != nil {
			return "", false, fmt.Errorf("input of node %q: neither a node name nor a follows path", node)
		}
		inputPath = append(follows, inputPath...)
		node = l.Root
		if node == "" {
			node = "root"
		}
	}
	if _, ok := l.Nodes[node]; !ok {
		return "", false, fmt.Errorf("input names missing node %q", node)
	}
	return node, true, nil
}

// archiveSuffixes are the URL endings Nix reads as tarballs without a
// "tarball+" scheme.
var archiveSuffixes = []string{".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"}

func (r *lockedRef) flakeRef() (string, error) {
	switch r.Type {
	case "github", "gitlab", "sourcehut":
		if r.Owner == "" || r.Repo == "" || r.Rev == "" {
			return "", fmt.Errorf("locked %s input needs owner, repo and rev", r.Type)
		}
		ref := fmt.Sprintf("%s:%s/%s/%s", r.Type, r.Owner, r.Repo, r.Rev)
		if r.Host != "" {
			ref += "?host=" + url.QueryEscape(r.Host)
		}
		return ref, nil
	case "git":
		if r.URL == "" || r.Rev == "" {
			return "", errors.New("locked git input needs url and rev")
		}
		sep := "?"
		if strings.Contains(r.URL, "?") {
			sep = "&"
		}
		ref := "git+" + r.URL + sep + "rev=" + r.Rev
		if r.Ref != "" {
			ref += "&ref=" + url.QueryEscape(r.Ref)
		}
		return ref, nil
	case "path":
		if r.Path == "" {
			return "", errors.New("locked path input needs path")
		}
		return "path:" + r.Path, nil
	case "tarball":
		if r.URL == "" {
			return "", errors.New("locked tarball input needs url")
		}
		for _, suffix := range archiveSuffixes {
			if strings.HasSuffix(r.URL, suffix) {
				return r.URL, nil
			}
		}
		return "tarball+" + r.URL, nil
	}
	return "", fmt.Errorf("locked input of type %q is not supported", r.Type)
}

var flakeNixURL = regexp.MustCompile(`nixpkgs\.url\s*=\s*"([^"\\$]+)"\s*;`)

// refFromFlakeNix reads `nixpkgs.url = "…";` (also inputs.nixpkgs.url) from
// flake.nix text, ignoring commented-out lines. It does not evaluate Nix.
func refFromFlakeNix(data []byte) (string, bool) {
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if m := flakeNixURL.FindStringSubmatch(line); m != nil {
			return m[1], true
		}
	}
	return "", false
}
