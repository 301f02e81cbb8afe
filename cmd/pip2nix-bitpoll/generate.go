package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/nixexpr"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/report"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// resolveFlags are the flags generate and audit share.
type resolveFlags struct {
	requirements stringList
	indexURL     string
	nixpkgsRef   string
	python       string
	policy       string
	cacheDir     string
	offline      bool
	jobs         int
	quiet        bool
	reportMD     string
	reportJSON   string
	check        bool
}

func (f *resolveFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.requirements, "r", "pip requirements `FILE` (repeatable; default requirements.txt)")
	fs.StringVar(&f.indexURL, "index-url", "", "PyPI-compatible index `URL` or mirror directory (default $PIP_INDEX_URL, else the public index)")
	fs.StringVar(&f.nixpkgsRef, "nixpkgs", "", "nixpkgs flake `REF`, PATH to a nixpkgs tree, or a .json file saved by nixpkgs-query (default: the nixpkgs input locked in ./flake.lock)")
	fs.StringVar(&f.python, "python", "python312", "nixpkgs Python `ATTR`")
	fs.StringVar(&f.policy, "policy", string(resolver.Compatible), "`POLICY`: compatible, exact or nixpkgs (see README)")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "cache `DIR` (default $XDG_CACHE_HOME/pip2nix-bitpoll)")
	fs.BoolVar(&f.offline, "offline", false, "use the cache only; fail naming everything it lacks")
	fs.IntVar(&f.jobs, "j", 32, "`N` index requests in flight")
	fs.BoolVar(&f.quiet, "q", false, "no progress on stderr")
	fs.StringVar(&f.reportMD, "report", "", "write the Markdown audit report to `FILE`")
	fs.StringVar(&f.reportJSON, "report-json", "", "write the JSON audit report to `FILE`")
	fs.BoolVar(&f.check, "check", false, "write nothing; print a diff and exit 1 when an output would change")
}

func generateCommand() *command {
	return &command{
		name: "generate",
		help: `Usage: pip2nix-bitpoll generate [flags]

Resolves the requirements against nixpkgs and the index and writes
python-packages.nix (a Python package-set overlay) and, when asked, the audit
report. Outputs are replaced atomically or left untouched.

Examples:
  # Against the index and the nixpkgs locked in ./flake.lock
  pip2nix-bitpoll generate -r requirements.txt --report audit.md --report-json audit.json

  # Offline, from the bundled fixture index and saved nixpkgs query
  pip2nix-bitpoll generate -r fixtures/bitpoll/requirements.txt \
    --index-url fixtures/index --nixpkgs fixtures/nixpkgs/nixos-25.05-python312.json

  # CI: fail (exit 1, with a diff) when python-packages.nix is stale
  pip2nix-bitpoll generate -r requirements.txt --check
`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var f resolveFlags
			f.register(fs)
			out := fs.String("o", "python-packages.nix", "write the overlay to `FILE`")
			return func(ctx context.Context, e *env, args []string) error {
				return runResolve(ctx, e, &f, args, *out)
			}
		},
	}
}

func auditCommand() *command {
	return &command{
		name: "audit",
		help: `Usage: pip2nix-bitpoll audit [flags]

Resolves like generate but writes only the audit report: Markdown to --report
(default: standard output) and JSON to --report-json.

Examples:
  pip2nix-bitpoll audit -r requirements.txt
  pip2nix-bitpoll audit -r requirements.txt --report-json audit.json --report audit.md
`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var f resolveFlags
			f.register(fs)
			return func(ctx context.Context, e *env, args []string) error {
				return runResolve(ctx, e, &f, args, "")
			}
		},
	}
}

// runResolve is generate (overlayPath != "") and audit (overlayPath == "").
func runResolve(ctx context.Context, e *env, f *resolveFlags, args []string, overlayPath string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected arguments %q (requirements files go after -r)", args)
	}
	policy := resolver.Policy(f.policy)
	switch policy {
	case resolver.Compatible, resolver.Exact, resolver.Nixpkgs:
	default:
		return usageErrorf("--policy %q: want compatible, exact or nixpkgs", f.policy)
	}
	if f.jobs < 1 {
		return usageErrorf("-j %d: want at least 1", f.jobs)
	}
	reqPaths := []string(f.requirements)
	if len(reqPaths) == 0 {
		reqPaths = []string{"requirements.txt"}
	}
	progress := newProgress(e, f.quiet)

	lines, inputs, err := readRequirements(reqPaths)
	if err != nil {
		return err
	}
	cfg, err := config.Load(config.Find(reqPaths[0]))
	if err != nil {
		return withCode(exitInput, err)
	}
	cacheDir, err := cacheDirectory(e, f.cacheDir)
	if err != nil {
		return withCode(exitInput, err)
	}
	set, err := loadNixpkgs(ctx, e, f, cacheDir, progress)
	if err != nil {
		return err
	}
	client, err := index.New(index.Options{
		BaseURL:     indexBase(e, f.indexURL),
		CacheDir:    cacheDir,
		Offline:     f.offline,
		Concurrency: f.jobs,
		Progress:    progress.event,
	})
	if err != nil {
		return withCode(exitUsage, err)
	}
	plan, err := resolver.Resolve(ctx, resolver.Input{
		Requirements: lines,
		Files:        inputs,
		Nixpkgs:      set,
		Config:       cfg,
		Policy:       policy,
		Jobs:         f.jobs,
		Progress:     progress.event,
	}, client)
	progress.done()
	if err != nil {
		var conflict *resolver.ConflictError
		if errors.As(err, &conflict) {
			return withCode(exitConflict, err)
		}
		var exhausted *resolver.ExhaustedError
		if errors.As(err, &exhausted) {
			return withCode(exitExhausted, err)
		}
		return withCode(exitIndex, err)
	}

	relativizeMirrorURLs(plan, client.BaseURL())
	var outs []output
	if overlayPath != "" {
		overlay, err := nixexpr.RenderOverlay(plan, nixexpr.OverlayOptions{
			Generator: "pip2nix-bitpoll " + version,
			Command:   regenerateCommand(inputs, plan),
			Index:     describeIndex(client.BaseURL()),
		})
		if err != nil {
			return withCode(exitInput, err)
		}
		outs = append(outs, output{overlayPath, overlay})
	}
	markdown, err := report.Markdown(plan)
	if err != nil {
		return err
	}
	if f.reportMD != "" {
		outs = append(outs, output{f.reportMD, markdown})
	}
	if f.reportJSON != "" {
		data, err := report.JSON(plan)
		if err != nil {
			return err
		}
		outs = append(outs, output{f.reportJSON, data})
	}
	if f.check {
		diff, err := diffOutputs(outs)
		if err != nil {
			return err
		}
		if diff != "" {
			fmt.Fprint(e.stdout, diff)
			return withCode(exitDiffers, errors.New("outputs are out of date (diff above); rerun without --check to update them"))
		}
		return nil
	}
	if err := writeOutputs(outs); err != nil {
		return err
	}
	if overlayPath == "" && f.reportMD == "" {
		_, err := e.stdout.Write(markdown)
		return err
	}
	for _, o := range outs {
		progress.printf("wrote %s\n", o.path)
	}
	return nil
}

// readRequirements parses every requirements file, in order, and records the
// digest of every file read (includes too) for the overlay's header.
func readRequirements(paths []string) ([]pypi.RequirementLine, []resolver.InputFile, error) {
	var lines []pypi.RequirementLine
	var inputs []resolver.InputFile
	seen := map[string]bool{}
	base := filepath.Dir(paths[0])
	for _, p := range paths {
		rf, err := pypi.ParseRequirementsFile(p)
		if err != nil {
			return nil, nil, withCode(exitInput, err)
		}
		for _, line := range rf.Requirements {
			// Positions appear in reasons and comments of the outputs; keep
			// them independent of where the files are checked out.
			line.Pos.File = relativeTo(base, line.Pos.File)
			lines = append(lines, line)
		}
		for _, file := range rf.Files {
			if seen[file] {
				continue
			}
			seen[file] = true
			data, err := os.ReadFile(file)
			if err != nil {
				return nil, nil, withCode(exitInput, err)
			}
			sum := sha256.Sum256(data)
			inputs = append(inputs, resolver.InputFile{Path: relativeTo(base, file), SHA256: hex.EncodeToString(sum[:])})
		}
	}
	return lines, inputs, nil
}

// relativeTo names file relative to dir so the header does not depend on
// where the repository is checked out.
func relativeTo(dir, file string) string {
	if rel, err := filepath.Rel(dir, file); err == nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(file)
}

// regenerateCommand is the command line the overlay's header recommends.
func regenerateCommand(inputs []resolver.InputFile, plan *resolver.Plan) string {
	parts := []string{"pip2nix-bitpoll generate"}
	for _, in := range inputs[:1] {
		parts = append(parts, "-r "+in.Path)
	}
	if plan.Policy != resolver.Compatible {
		parts = append(parts, "--policy "+string(plan.Policy))
	}
	if plan.Python.Attr != "python312" {
		parts = append(parts, "--python "+plan.Python.Attr)
	}
	return strings.Join(parts, " ")
}

// indexBase turns a mirror directory given as a plain path into a file://
// URL; URLs pass through. Without --index-url, PIP_INDEX_URL applies, as
// pip users expect; "" leaves the client its default.
func indexBase(e *env, raw string) string {
	if raw == "" {
		raw = e.getenv("PIP_INDEX_URL")
	}
	if raw == "" || strings.Contains(raw, "://") {
		return raw
	}
	path := raw
	if !filepath.IsAbs(path) {
		path = filepath.Join(e.workDir, path)
	}
	return "file://" + filepath.ToSlash(path)
}

// cacheDirectory picks --cache-dir, else $XDG_CACHE_HOME/pip2nix-bitpoll,
// else the platform's user cache directory.
func cacheDirectory(e *env, flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if xdg := e.getenv("XDG_CACHE_HOME"); xdg != "" {
		return filepath.Join(xdg, "pip2nix-bitpoll"), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory (set --cache-dir or XDG_CACHE_HOME): %w", err)
	}
	return filepath.Join(dir, "pip2nix-bitpoll"), nil
}

// loadNixpkgs reads a saved query file or evaluates nixpkgs once.
func loadNixpkgs(ctx context.Context, e *env, f *resolveFlags, cacheDir string, p *progress) (*nixpkgs.Set, error) {
	ref := f.nixpkgsRef
	if ref == "" {
		var err error
		if ref, err = nixpkgs.DefaultRef(e.workDir); err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("--nixpkgs not given and %w", err))
		}
	}
	if strings.HasSuffix(ref, ".json") {
		set, err := nixpkgs.Load(ref)
		if err != nil {
			return nil, withCode(exitInput, err)
		}
		if set.PythonAttr != f.python {
			return nil, withCode(exitInput, fmt.Errorf("%s was saved for %s, not --python %s; save a query for %s with nixpkgs-query", ref, set.PythonAttr, f.python, f.python))
		}
		return set, nil
	}
	p.printf("evaluating %s (%s) …\n", ref, f.python)
	set, err := nixpkgs.Query(ctx, nixpkgs.QueryOptions{Ref: ref, Python: f.python, CacheDir: cacheDir, Stderr: e.stderr, Progress: p.event})
	if err != nil {
		return nil, withCode(exitNix, err)
	}
	return set, nil
}

// describeIndex names the index in the overlay's header. The bundled
// fixture index is named as such, whatever directory holds it, so that the
// committed overlay says it was made from bundled (partly synthetic) data.
func describeIndex(base string) string {
	if strings.HasPrefix(base, "file://") && strings.HasSuffix(strings.TrimSuffix(base, "/"), "/fixtures/index") {
		return "the bundled fixture index (fixtures/index: reconstructed metadata, synthetic archives and hashes; see fixtures/README.md)"
	}
	return base
}

// relativizeMirrorURLs turns file URLs inside a local mirror back into the
// root-relative form the mirror's documents use, so outputs made from a
// mirror do not name the directory it happens to sit in.
func relativizeMirrorURLs(plan *resolver.Plan, base string) {
	if !strings.HasPrefix(base, "file://") {
		return
	}
	root := strings.TrimSuffix(base, "/")
	for i := range plan.Packages {
		if sd := plan.Packages[i].Sdist; sd != nil && strings.HasPrefix(sd.URL, root+"/") {
			sd.URL = strings.TrimPrefix(sd.URL, root)
		}
	}
}
