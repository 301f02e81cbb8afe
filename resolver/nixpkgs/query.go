package nixpkgs

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// queryExpr is the Nix function { pkgs, python }: that lists a package set.
//
//go:embed query.nix
var queryExpr string

// patchesExpr is the Nix function { pkgs, python, attrs }: that reads the
// texts of packages' patches.
//
//go:embed patches.nix
var patchesExpr string

// DefaultPython is the interpreter attribute queried when none is given.
const DefaultPython = "python312"

// stderrTailLines is how much of a failing nix's stderr an error keeps:
// enough for an evaluation trace, not a whole log.
const stderrTailLines = 40

// QueryOptions configures Query.
type QueryOptions struct {
	Ref      string    // flake reference, nixpkgs path or query file; "" for DefaultRef(".")
	Python   string    // interpreter attribute; "" for DefaultPython
	Nix      string    // nix binary; "" for "nix" on $PATH
	CacheDir string    // results are cached under CacheDir/nixpkgs when the ref pins a revision; "" disables
	Stderr   io.Writer // receives nix's stderr (warnings, traces) as it runs; nil discards
	Progress func(string)
}

// Query returns the Python package set of the nixpkgs o.Ref names (see
// ResolveRef) for the interpreter o.Python. A query file is read without
// Nix; otherwise one `nix eval` runs, unless the cache holds the answer for
// the same revision and interpreter.
func Query(ctx context.Context, o QueryOptions) (*Set, error) {
	python, kind, ref, rev, err := o.target()
	if err != nil {
		return nil, err
	}
	if kind == RefQueryFile {
		s, err := Load(ref)
		if err != nil {
			return nil, err
		}
		// A file saved for another interpreter would silently resolve for
		// the wrong Python; only an unset Python accepts whatever it holds.
		if o.Python != "" && s.PythonAttr != o.Python {
			return nil, fmt.Errorf("%s: query is for %s, not %s", ref, s.PythonAttr, o.Python)
		}
		return s, nil
	}

	cachePath := ""
	if o.CacheDir != "" && rev != "" {
		cachePath = filepath.Join(o.CacheDir, "nixpkgs", rev+"-"+python+".json")
		if s, err := Load(cachePath); err == nil {
			o.progress("nixpkgs %s: using cached query %s", ref, cachePath)
			s.Ref = ref
			return s, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			o.progress("nixpkgs %s: ignoring unreadable cache entry: %v", ref, err)
		}
	}

	args, err := evalArgs(kind, ref, python)
	if err != nil {
		return nil, err
	}
	o.progress("nixpkgs %s: evaluating %sPackages", ref, python)
	out, err := o.run(ctx, args)
	if err != nil {
		return nil, err
	}
	var wrapped struct {
		Rev   *string         `json:"rev"`
		Query json.RawMessage `json:"query"`
	}
	if err := json.Unmarshal(out, &wrapped); err != nil {
		return nil, fmt.Errorf("%s: output: %w", o.commandLine(args), err)
	}
	s, err := decodeEval(o.commandLine(args), wrapped.Query)
	if err != nil {
		return nil, err
	}
	s.Ref, s.Rev = ref, rev
	if s.Rev == "" && wrapped.Rev != nil {
		s.Rev = *wrapped.Rev
	}
	if cachePath != "" {
		if err := writeAtomic(cachePath, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// PatchTexts returns, for each of attrs (attributes of o.Python's package
// set), the text of every patch of nixpkgs' recipe in order, nil where the
// patch is not a file of the tree (a fetchpatch) or cannot be read. It
// runs one `nix eval` scoped to attrs; a query file cannot answer, so it
// is an error to ask one.
func PatchTexts(ctx context.Context, o QueryOptions, attrs []string) (map[string][]*string, error) {
	python, kind, ref, _, err := o.target()
	if err != nil {
		return nil, err
	}
	lits := make([]string, len(attrs))
	for i, a := range attrs {
		if lits[i], err = nixString(a); err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a, err)
		}
	}
	lit, err := nixString(ref)
	if err != nil {
		return nil, fmt.Errorf("nixpkgs reference %q: %w", ref, err)
	}
	pyLit, _ := nixString(python)
	var pkgs string
	switch kind {
	case RefFlake:
		pkgs = "(builtins.getFlake " + lit + ").legacyPackages.${builtins.currentSystem}"
	case RefPath:
		pkgs = "import " + lit + " { }"
	default:
		return nil, fmt.Errorf("nixpkgs reference %q: a %s holds no patch texts", ref, kind)
	}
	expr := "(" + patchesExpr + ") { pkgs = " + pkgs + "; python = " + pyLit + "; attrs = [ " + strings.Join(lits, " ") + " ]; }"
	args := []string{"--extra-experimental-features", "nix-command flakes", "eval", "--json", "--impure", "--expr", expr}
	o.progress("nixpkgs %s: reading the patches of %d package(s)", ref, len(attrs))
	out, err := o.run(ctx, args)
	if err != nil {
		return nil, err
	}
	var texts map[string][]*string
	if err := json.Unmarshal(out, &texts); err != nil {
		return nil, fmt.Errorf("%s: output: %w", o.commandLine(args), err)
	}
	return texts, nil
}

// target checks the interpreter attribute (DefaultPython when unset) and
// resolves the reference.
func (o *QueryOptions) target() (python string, kind RefKind, ref, rev string, err error) {
	python = o.Python
	if python == "" {
		python = DefaultPython
	}
	if !validAttr.MatchString(python) {
		return "", 0, "", "", fmt.Errorf("python attribute %q: not a Nix identifier", python)
	}
	kind, ref, rev, err = ResolveRef(o.Ref, ".")
	return python, kind, ref, rev, err
}

// validAttr accepts the attribute names Query splices into its expression
// and cache file names.
var validAttr = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// evalArgs builds nix's arguments. User text enters the expression only as
// Nix string literals (nixString), never as code.
func evalArgs(kind RefKind, ref, python string) ([]string, error) {
	lit, err := nixString(ref)
	if err != nil {
		return nil, fmt.Errorf("nixpkgs reference %q: %w", ref, err)
	}
	pyLit, err := nixString(python)
	if err != nil {
		return nil, fmt.Errorf("python attribute %q: %w", python, err)
	}
	var expr string
	switch kind {
	case RefFlake:
		expr = "let flake = builtins.getFlake " + lit + "; in {\n" +
			"  rev = flake.rev or null;\n" +
			"  query = (" + queryExpr + ") { pkgs = flake.legacyPackages.${builtins.currentSystem}; python = " + pyLit + "; };\n}"
	case RefPath:
		// nixpkgs trees record their revision in .git-revision, which
		// lib.trivial.revisionWithDefault reads; older or stub trees lack it.
		expr = "let pkgs = import " + lit + " { }; in {\n" +
			"  rev = let r = builtins.tryEval ((pkgs.lib.trivial.revisionWithDefault or (d: d)) null); in if r.success then r.value else null;\n" +
			"  query = (" + queryExpr + ") { inherit pkgs; python = " + pyLit + "; };\n}"
	default:
		return nil, fmt.Errorf("nixpkgs reference %q: a %s is not evaluated", ref, kind)
	}
	return []string{"--extra-experimental-features", "nix-command flakes", "eval", "--json", "--impure", "--expr", expr}, nil
}

// nixString quotes s as a Nix string literal: backslash escapes for '"',
// '\\', newline, carriage return and tab, and "${" escaped so no
// interpolation happens. Other control characters have no Nix escape and
// belong in no reference, so they are an error.
func nixString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			b.WriteString(`\$`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			return "", fmt.Errorf("control character %#x at byte %d", c, i)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

func (o *QueryOptions) nixBinary() string {
	if o.Nix == "" {
		return "nix"
	}
	return o.Nix
}

func (o *QueryOptions) progress(format string, args ...any) {
	if o.Progress != nil {
		o.Progress(fmt.Sprintf(format, args...))
	}
}

// commandLine renders the command as a shell line a user can paste.
func (o *QueryOptions) commandLine(args []string) string {
	parts := []string{shellQuote(o.nixBinary())}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+@,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// run executes nix and returns its stdout; on failure the error holds the
// command line and the tail of its stderr.
func (o *QueryOptions) run(ctx context.Context, args []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, o.nixBinary(), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if o.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&stderr, o.Stderr)
	}
	if err := cmd.Run(); err != nil {
		msg := fmt.Sprintf("nixpkgs query failed: %s: %v", o.commandLine(args), err)
		if tail := lastLines(stderr.String(), stderrTailLines); tail != "" {
			msg += "\n" + tail
		}
		return nil, &QueryError{msg: msg, err: err}
	}
	return stdout.Bytes(), nil
}

// QueryError is a failed nix evaluation; its message holds the command
// line and the end of nix's stderr, and it unwraps to the exec error.
type QueryError struct {
	msg string
	err error
}

// Error returns the command line, the failure and nix's stderr tail.
func (e *QueryError) Error() string { return e.msg }

// Unwrap returns the underlying exec error (exec.ErrNotFound, *exec.ExitError).
func (e *QueryError) Unwrap() error { return e.err }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[… %d earlier lines]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// writeAtomic saves s to path through a temporary file in the same
// directory, so a concurrent or interrupted run never leaves half a file.
func writeAtomic(path string, s *Set) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("nixpkgs query cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*.json")
	if err != nil {
		return fmt.Errorf("nixpkgs query cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := s.Save(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("nixpkgs query cache %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("nixpkgs query cache %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("nixpkgs query cache: %w", err)
	}
	return nil
}
