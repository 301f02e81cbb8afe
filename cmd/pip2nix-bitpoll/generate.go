package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/advisory"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/lockfile"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/nixexpr"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/osv"
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
	graph        string
	check        bool
	advisories   string
	failOnAdv    bool
	recorded     string
	config       string
	timeout      time.Duration
	deadline     time.Duration
	maxSteps     int
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
	fs.BoolVar(&f.check, "check", false, "write nothing; print a diff and exit 1 when an output would change (with a lock: re-render from it, offline)")
	fs.StringVar(&f.advisories, "advisories", "", "check the closure against OSV advisories at `PATH|URL`: a PyPA advisory-database checkout (vulns/<project>/<ID>.yaml), an OSV .json file or a .zip export; http(s) URLs are downloaded")
	fs.BoolVar(&f.failOnAdv, "fail-on-advisories", false, "exit 9 when advisories not accepted in pip2nix.toml affect the chosen versions (outputs are still written)")
	fs.StringVar(&f.recorded, "recorded", "", "resolve against recorded index facts in `DIR` (recorded/index/*.toml) instead of an index; no archive is read")
	fs.StringVar(&f.config, "config", "", "read settings from `FILE` (default: "+config.FileName+" beside the first -r file); the lock names it by its base name")
	fs.StringVar(&f.graph, "graph", "", "write the closure graph for Graphviz to `FILE.dot`")
	fs.DurationVar(&f.timeout, "timeout", index.DefaultTimeout, "give up an index request (then retry it) after `DURATION` without receiving anything; a slow body that keeps arriving is never cut off")
	fs.DurationVar(&f.deadline, "deadline", 30*time.Minute, "give up the whole run after `DURATION` (0: no limit)")
	fs.IntVar(&f.maxSteps, "max-steps", resolver.DefaultMaxSteps, "give up the resolution search after `N` steps (decisions and conflicts) without a solution or a proof that none exists; exit 8")
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

  # CI: fail (exit 1, with a diff) when python-packages.nix is stale; with
  # pip2nix.lock present this re-renders from the lock, offline
  pip2nix-bitpoll generate -r requirements.txt --check

  # Check against a checkout of the PyPA advisory database; exit 9 on
  # advisories that pip2nix.toml does not accept
  pip2nix-bitpoll generate -r requirements.txt --report audit.md \
    --advisories ../advisory-database --fail-on-advisories

  # From recorded index facts, where the index cannot be reached
  pip2nix-bitpoll generate -r requirements.txt --recorded recorded/index

The lock (pip2nix.lock beside -o) records the plan, every digest and what
inspecting each sdist found. A run reuses those inspections by file name and
digest (air-gapped regeneration), prints what changed, and fails with exit
code 10 if the index now serves another digest for a recorded file name.
`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var f resolveFlags
			var lf lockFlags
			f.register(fs)
			lf.register(fs)
			out := fs.String("o", "python-packages.nix", "write the overlay to `FILE`")
			return func(ctx context.Context, e *env, args []string) error {
				return runResolve(ctx, e, &f, &lf, args, *out)
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

  # Against osv.dev's PyPI export; exit 9 on advisories not accepted
  pip2nix-bitpoll audit -r requirements.txt --advisories PyPI-all.zip --fail-on-advisories
`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			var f resolveFlags
			f.register(fs)
			return func(ctx context.Context, e *env, args []string) error {
				return runResolve(ctx, e, &f, &lockFlags{}, args, "")
			}
		},
	}
}

// runResolve is generate (overlayPath != "") and audit (overlayPath == "").
func runResolve(ctx context.Context, e *env, f *resolveFlags, lf *lockFlags, args []string, overlayPath string) error {
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
	if f.maxSteps < 1 {
		return usageErrorf("--max-steps %d: want at least 1", f.maxSteps)
	}
	if f.timeout <= 0 || f.deadline < 0 {
		return usageErrorf("--timeout %v, --deadline %v: want a positive timeout and a deadline of at least 0", f.timeout, f.deadline)
	}
	if f.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, f.deadline, &deadlineError{f.deadline})
		defer cancel()
	}
	reqPaths := requirementPaths(f)
	progress := newProgress(e, f.quiet)

	lines, inputs, opts, err := readRequirements(reqPaths)
	if err != nil {
		return err
	}
	cfgPath := f.configPath(reqPaths[0])
	if inputs, err = withConfigInput(inputs, cfgPath); err != nil {
		return err
	}
	lockPath := lf.lockPath(overlayPath)
	oldLock, err := readLock(lockPath)
	if err != nil {
		return err
	}
	if f.check && oldLock != nil {
		return checkFromLock(e, f, lf, oldLock, lockPath, inputs, overlayPath, patchDir(cfgPath, overlayPath))
	}
	cfg, err := config.Load(cfgPath)
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
	if err := lf.applyRev(set); err != nil {
		return err
	}
	budget := index.NewBudget(index.DefaultMemoryBudget) // one for every index
	newClient := func(base string) (*index.Client, error) {
		return index.New(index.Options{
			Budget:      budget,
			BaseURL:     base,
			CacheDir:    cacheDir,
			Offline:     f.offline,
			Concurrency: f.jobs,
			Timeout:     f.timeout,
			Progress:    progress.event,
		})
	}
	// A requirements file's --index-url replaces the index, as in pip. The
	// parser made a relative path relative to the working directory.
	base := indexBase(e, f.indexURL)
	if opts.IndexURL != "" {
		base = indexBase(e, opts.IndexURL)
	}
	client, err := newClient(base)
	if err != nil {
		return withCode(exitUsage, err)
	}
	defer client.Close()
	var source resolver.IndexSource = client
	indexName := describeIndex(client.BaseURL())
	if len(opts.ExtraIndexURLs) > 0 {
		clients := []*index.Client{client}
		for _, u := range opts.ExtraIndexURLs {
			c, err := newClient(indexBase(e, u))
			if err != nil {
				return withCode(exitInput, fmt.Errorf("--extra-index-url %s: %w", u, err))
			}
			defer c.Close()
			clients = append(clients, c)
			indexName += ", then " + describeIndex(c.BaseURL())
		}
		indexName += " (the first index that has a project provides all of it)"
		source = index.NewIndexes(clients...)
	}
	db, err := loadAdvisories(ctx, e, client, f.advisories)
	if err != nil {
		return err
	}
	var inspections []lockfile.Inspections
	if oldLock != nil {
		inspections = append(inspections, oldLock.Inspections())
	}
	if f.recorded != "" {
		x, desc, err := loadFacts(e, f.recorded)
		if err != nil {
			return err
		}
		source, indexName = x, desc
		inspections = append(inspections, x.Inspections())
	}
	in := resolver.Input{
		Requirements: lines,
		Files:        inputs,
		Nixpkgs:      set,
		Config:       cfg,
		Policy:       policy,
		Jobs:         f.jobs,
		MaxSteps:     f.maxSteps,
		Progress:     progress.event,
		// pip's hash-checking mode covers the whole install.
		RequireHashes: opts.RequireHashes,
		Inspections:   lockfile.Merge(inspections...),
	}
	if !strings.HasSuffix(f.nixpkgsRef, ".json") && !strings.HasSuffix(set.Ref, ".json") && set.Ref != "" {
		// An evaluable nixpkgs can give the texts of its patches, so the
		// overlay keeps those that apply to the releases it moves to. A
		// saved query cannot, whatever reference it records.
		in.PatchTexts = func(ctx context.Context, attrs []string) (map[string][]*string, error) {
			return nixpkgs.PatchTexts(ctx, nixpkgs.QueryOptions{Ref: set.Ref, Python: f.python, Stderr: e.stderr, Progress: progress.event}, attrs)
		}
	}
	plan, err := resolver.Resolve(ctx, in, source)
	progress.done()
	if err != nil {
		var de *deadlineError
		if errors.As(context.Cause(ctx), &de) {
			err = fmt.Errorf("%w: %w", de, err)
		}
		return withCode(exitInput, err)
	}

	relativizeMirrorURLs(plan, client.BaseURL())
	advisory.Audit(plan, advisory.Options{
		DB:         db,
		DBSource:   describeAdvisories(f.advisories),
		Nixpkgs:    set,
		Allowed:    cfg.AllowedAdvisories,
		ConfigPath: filepath.Base(cfg.Path),
	})
	outs, markdown, err := renderOutputs(plan, indexName, overlayPath, patchDir(cfg.Path, overlayPath), f)
	if err != nil {
		return err
	}
	if lockPath != "" {
		sum, err := querySHA256(set)
		if err != nil {
			return err
		}
		o, err := lockOutput(e, f.quiet || f.check, lockPath, oldLock, plan, lockfile.Meta{Generator: "pip2nix-bitpoll " + version, Index: indexName, NixpkgsQuerySHA256: sum})
		if err != nil {
			return err
		}
		outs = append(outs, o)
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
		return failOnAdvisories(f, plan)
	}
	if err := writeOutputs(outs); err != nil {
		return err
	}
	if overlayPath == "" && f.reportMD == "" {
		if _, err := e.stdout.Write(markdown); err != nil {
			return err
		}
		return failOnAdvisories(f, plan)
	}
	for _, o := range outs {
		progress.printf("wrote %s\n", o.path)
	}
	return failOnAdvisories(f, plan)
}

// failOnAdvisories is --fail-on-advisories: an *advisory.FoundError (exit
// 9) when advisories pip2nix.toml does not accept affect the plan.
func failOnAdvisories(f *resolveFlags, plan *resolver.Plan) error {
	if !f.failOnAdv {
		return nil
	}
	return advisory.Check(plan)
}

// loadAdvisories reads --advisories: a path or file:// URL (directory,
// file or zip), or an http(s) URL fetched with the index client (its
// retries and size limits). "" means no database.
func loadAdvisories(ctx context.Context, e *env, client *index.Client, ref string) (*osv.DB, error) {
	if ref == "" {
		return nil, nil
	}
	local := ref
	if strings.Contains(ref, "://") {
		u, err := url.Parse(ref)
		if err != nil {
			return nil, usageErrorf("--advisories %q: %v", ref, err)
		}
		switch u.Scheme {
		case "http", "https":
			name := path.Base(u.Path)
			data, err := client.Download(ctx, index.File{Filename: name, URL: ref})
			if err != nil {
				return nil, withCode(exitIndex, fmt.Errorf("--advisories: %w", err))
			}
			db, err := osv.Parse(name, data)
			return db, withCode(exitInput, err)
		case "file":
			local = filepath.FromSlash(u.Path)
		default:
			return nil, usageErrorf("--advisories %q: want a path, a file:// URL or an http(s) URL", ref)
		}
	}
	if !filepath.IsAbs(local) {
		local = filepath.Join(e.workDir, local)
	}
	db, err := osv.Load(local)
	return db, withCode(exitInput, err)
}

// describeAdvisories names the advisory database in the report: a URL as
// given, a path by its last element, so that the report does not depend on
// where the database is checked out (name a snapshot's directory after its
// date).
func describeAdvisories(ref string) string {
	if ref == "" || strings.Contains(ref, "://") {
		return ref
	}
	return filepath.Base(filepath.Clean(ref))
}

// renderOutputs renders the overlay (when overlayPath is set; patches
// from pip2nix.toml are named relative to patchDir) and the reports and
// graph asked for; markdown is the Markdown report, which audit prints
// when no file is given.
func renderOutputs(plan *resolver.Plan, indexDesc, overlayPath, patchDir string, f *resolveFlags) (outs []output, markdown []byte, err error) {
	if overlayPath != "" {
		overlay, err := nixexpr.RenderOverlay(plan, nixexpr.OverlayOptions{
			Generator: "pip2nix-bitpoll " + version,
			Command:   regenerateCommand(requirementPaths(f), f.config, plan),
			Index:     indexDesc,
			PatchDir:  patchDir,
		})
		if err != nil {
			return nil, nil, withCode(exitInput, err)
		}
		outs = append(outs, output{overlayPath, overlay})
	}
	markdown, err = report.Markdown(plan)
	if err != nil {
		return nil, nil, err
	}
	if f.reportMD != "" {
		outs = append(outs, output{f.reportMD, markdown})
	}
	if f.reportJSON != "" {
		data, err := report.JSON(plan)
		if err != nil {
			return nil, nil, err
		}
		outs = append(outs, output{f.reportJSON, data})
	}
	if f.graph != "" {
		outs = append(outs, output{f.graph, report.DOT(plan)})
	}
	return outs, markdown, nil
}

// patchDir is the directory of the configuration file relative to the
// overlay's, where pip2nix.toml's relative patch paths start.
func patchDir(configPath, overlayPath string) string {
	if configPath == "" {
		return "."
	}
	rel, err := filepath.Rel(filepath.Dir(absOr(overlayPath)), filepath.Dir(absOr(configPath)))
	if err != nil {
		return filepath.ToSlash(filepath.Dir(configPath))
	}
	return filepath.ToSlash(rel)
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// readRequirements parses every requirements file, in order, and records the
// digest of every file read (includes too) for the overlay's header. The
// files' global options are merged: flags are or-ed, lists appended, the
// last index URL wins (as pip reads several -r files).
func readRequirements(paths []string) ([]pypi.RequirementLine, []resolver.InputFile, pypi.GlobalOptions, error) {
	var lines []pypi.RequirementLine
	var inputs []resolver.InputFile
	var opts pypi.GlobalOptions
	seen := map[string]bool{}
	base := filepath.Dir(paths[0])
	for _, p := range paths {
		rf, err := pypi.ParseRequirementsFile(p)
		if err != nil {
			return nil, nil, opts, withCode(exitInput, err)
		}
		opts.RequireHashes = opts.RequireHashes || rf.Options.RequireHashes
		if rf.Options.IndexURL != "" {
			opts.IndexURL = rf.Options.IndexURL
		}
		for _, u := range rf.Options.ExtraIndexURLs {
			if !slices.Contains(opts.ExtraIndexURLs, u) {
				opts.ExtraIndexURLs = append(opts.ExtraIndexURLs, u)
			}
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
				return nil, nil, opts, withCode(exitInput, err)
			}
			sum := sha256.Sum256(data)
			inputs = append(inputs, resolver.InputFile{Path: relativeTo(base, file), SHA256: hex.EncodeToString(sum[:])})
		}
	}
	return lines, inputs, opts, nil
}

// relativeTo names file relative to dir so the header does not depend on
// where the repository is checked out.
func relativeTo(dir, file string) string {
	if rel, err := filepath.Rel(dir, file); err == nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(file)
}

// requirementPaths returns the -r files, requirements.txt by default.
func requirementPaths(f *resolveFlags) []string {
	if len(f.requirements) == 0 {
		return []string{"requirements.txt"}
	}
	return []string(f.requirements)
}

// configPath is the pip2nix.toml to read: --config, else the one beside
// the first requirements file.
func (f *resolveFlags) configPath(firstRequirements string) string {
	if f.config != "" {
		return f.config
	}
	return config.Find(firstRequirements)
}

// regenerateCommand is the command line the overlay's header recommends:
// every -r file in order (relative to the first one's directory, as the
// header's other paths), --config by its base name (as the lock names it)
// and the flags that change the result.
func regenerateCommand(reqPaths []string, configFlag string, plan *resolver.Plan) string {
	parts := []string{"pip2nix-bitpoll generate"}
	base := filepath.Dir(reqPaths[0])
	for _, p := range reqPaths {
		parts = append(parts, "-r "+relativeTo(base, p))
	}
	if configFlag != "" {
		parts = append(parts, "--config "+filepath.Base(configFlag))
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
