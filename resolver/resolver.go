// Package resolver decides, for every package Bitpoll needs, whether
// nixpkgs provides it or the index, at which version, and checks that the
// whole closure is consistent for the target Python on Linux. Its outcome
// is a Plan, the single input of the overlay renderer and the audit report.
//
// Reading of the policies of docs/architecture.md, as implemented: dependency metadata
// (of index releases, and of nixpkgs' packages at nixpkgs' version),
// pip2nix.toml pins and every input specifier other than an exact "==V"
// pin are hard constraints under every policy. An input "==V" pin is
//
//   - exact: honoured exactly; nixpkgs' package only at V (canonical
//     equality);
//   - compatible: advice within V's release series for nixpkgs' packages
//     (same major; same major.minor below 1.0), so django==5.0.6 takes
//     nixpkgs' django_5 5.1 (an Alias) rather than django 4.2, ignored
//     for costly projects (Rust extensions), and for a calendar version (a
//     year first) never a reason to take a release older than nixpkgs';
//     an index release must be V;
//   - nixpkgs: advice for nixpkgs' packages, the drift is reported; an
//     index release must be V.
//
// Candidates are preferred nixpkgs first (Set.Lookup's order), then index
// releases newest first; the conflict-driven solver of package solve
// decides the most constrained project first and learns from conflicts.
// policy (policy.go) is the one place that says which candidates a
// constraint admits; the provider (solver.go) feeds the solver, and the
// speculation (speculate.go) keeps the index ahead of it.
package resolver

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// DefaultMaxSteps bounds the solver's steps (decisions and conflict
// resolutions) when Input.MaxSteps is 0; past it Resolve returns an
// *ExhaustedError.
const DefaultMaxSteps = 100000

// Input is everything a resolution depends on.
type Input struct {
	// Requirements come from the requirements files; Constraint lines
	// constrain a project without adding it to the closure.
	Requirements []pypi.RequirementLine
	Files        []InputFile
	Nixpkgs      *nixpkgs.Set
	Config       *config.Config // nil for none
	Policy       Policy         // "" means Compatible
	Jobs         int            // sdists inspected at once; 0 means 8 (the index client limits requests)
	Progress     func(string)   // optional progress lines
	MaxSteps     int            // bound on the solver's steps; 0 means DefaultMaxSteps
	// RequireHashes is pip's --require-hashes (from a requirements file):
	// hash-checking mode even when no requirement gives --hash.
	RequireHashes bool
	// Inspections are earlier inspection results of sdists (a lock file,
	// recorded facts); a chosen sdist found there is not downloaded.
	Inspections InspectionCache
	// PatchTexts returns the text of each patch of nixpkgs' recipe for the
	// given attributes (attribute → one entry per patch, nil when unknown);
	// nil when no evaluation can read them (then no patch is verified).
	PatchTexts func(ctx context.Context, attrs []string) (map[string][]*string, error)
}

// InspectionCache holds inspection results of sdists recorded earlier, by
// file name and sha256, so a resolution can reuse them instead of reading
// the archive: index files never change, so the same name and digest mean
// the same bytes.
type InspectionCache interface {
	// Inspection returns the result recorded for the file, if any. An empty
	// sha256 stands for a digest nobody recorded and matches only an entry
	// recorded without one.
	Inspection(filename, sha256 string) (*sdist.Info, bool)
}

// costly lists projects whose builds need vendored Rust crates (cargo
// hashes) or similarly expensive extra inputs: re-versioning them in an
// overlay means more than a new sdist hash, so nixpkgs' version is
// preferred whenever the declared constraints allow, even over a pin under
// the compatible policy. Sdists found to contain Rust code are noted too.
var costly = map[string]bool{
	"cryptography":     true,
	"pydantic-core":    true,
	"orjson":           true,
	"rpds-py":          true,
	"jiter":            true,
	"bcrypt":           true,
	"tiktoken":         true,
	"tokenizers":       true,
	"watchfiles":       true,
	"rtoml":            true,
	"nh3":              true,
	"safetensors":      true,
	"polars":           true,
	"ruff":             true,
	"maturin":          true,
	"setuptools-rust":  true,
	"granian":          true,
	"pendulum":         true,
	"css-inline":       true,
	"py-rust-stemmers": true,
}

// IsCostly reports whether re-versioning the project needs more than a new
// sdist hash (it builds Rust code with vendored crates), so the resolver
// prefers nixpkgs' version of it.
func IsCostly(name string) bool { return costly[pypi.NormalizeName(name)] }

// Resolve resolves in.Requirements against nixpkgs and idx under in.Policy,
// inspects the sdists of the packages built from the index and returns the
// Plan. An unsatisfiable input yields a *ConflictError.
func Resolve(ctx context.Context, in Input, idx IndexSource) (*Plan, error) {
	if in.Nixpkgs == nil {
		return nil, errors.New("resolve: no nixpkgs package set")
	}
	if in.Policy == "" {
		in.Policy = Compatible
	}
	switch in.Policy {
	case Compatible, Exact, Nixpkgs:
	default:
		return nil, fmt.Errorf("resolve: unknown policy %q (want compatible, exact or nixpkgs)", in.Policy)
	}
	if in.Config == nil {
		in.Config = &config.Config{}
	}
	if in.MaxSteps <= 0 {
		in.MaxSteps = DefaultMaxSteps
	}
	if in.Jobs <= 0 {
		in.Jobs = 8
	}
	mode := hashMode(in.Requirements, in.RequireHashes)
	if mode != "" {
		if err := checkHashPins(in.Requirements, mode); err != nil {
			return nil, err
		}
	}
	// Build tools nixpkgs lacks come from the index: each round that finds
	// some resolves again with them as requirements (a tool's own build
	// tools may need a further round).
	tools := map[string][]string{}
	for round := 0; ; round++ {
		plan, missing, err := resolveOnce(ctx, in, idx, tools, mode)
		if err != nil {
			return nil, err
		}
		if len(missing) == 0 {
			return plan, nil
		}
		if round == maxToolRounds {
			return nil, fmt.Errorf("resolve: build tools still missing after %d rounds: %s", maxToolRounds, strings.Join(sortedKeys(missing), ", "))
		}
		for _, name := range sortedKeys(missing) {
			if _, done := tools[name]; done {
				return nil, &ConflictError{Name: name,
					Tail: fmt.Sprintf("the build system of %s requires %s; neither nixpkgs nor the index provides the build tool %s", strings.Join(sortedKeys(missing[name]), ", "), name, name)}
			}
			tools[name] = sortedKeys(missing[name])
			line, err := pypi.ParseRequirement(name)
			if err != nil {
				return nil, fmt.Errorf("build tool %q: %w", name, err)
			}
			in.Requirements = append(in.Requirements, pypi.RequirementLine{Requirement: line,
				Pos: pypi.Position{File: "the build system of " + strings.Join(tools[name], ", ")}})
		}
	}
}

// maxToolRounds bounds the resolutions run to add missing build tools.
const maxToolRounds = 3

// resolveOnce is one resolution; missing lists the build tools nixpkgs
// lacks (→ the packages needing them) that tools does not hold yet; mode
// is the hash-checking mode of the requirements (hashMode).
func resolveOnce(ctx context.Context, in Input, idx IndexSource, tools map[string][]string, mode string) (*Plan, map[string]map[string]bool, error) {
	r, err := newRun(ctx, in, idx)
	if err != nil {
		return nil, nil, err
	}
	defer r.stop()
	roots, err := r.roots()
	if err != nil {
		return nil, nil, err
	}
	r.progress("resolving %d requirement(s)", len(in.Requirements))
	final, steps, err := r.solve(roots)
	if m := r.offlineMisses(); m != nil {
		return nil, nil, m
	}
	if err != nil {
		var conflict *ConflictError
		if errors.As(err, &conflict) && tools[conflict.Name] != nil && conflict.Tail == fmt.Sprintf("neither nixpkgs nor the index provides %s", conflict.Name) {
			conflict.Tail = fmt.Sprintf("neither nixpkgs nor the index provides the build tool %s", conflict.Name)
		}
		return nil, nil, err
	}
	r.final = final.chosen
	r.progress("resolved %d package(s) in %d step(s)", len(final.chosen), steps)
	plan, err := r.buildPlan(final)
	if err != nil {
		return nil, nil, err
	}
	if err := r.inspect(plan); err != nil {
		return nil, nil, err
	}
	for i := range plan.Packages {
		p := &plan.Packages[i]
		if users, ok := tools[p.Name]; ok {
			p.Requested = nil
			p.Notes = append(p.Notes, fmt.Sprintf("build tool of %s, which nixpkgs lacks; taken from the index", strings.Join(users, ", ")))
			r.warn("build tool %s is not in nixpkgs; %s %s is built from the index for %s", p.Name, p.Name, p.Version, strings.Join(users, ", "))
		}
	}
	missing := map[string]map[string]bool{}
	for name, users := range r.missingTools {
		if r.final[name] == nil {
			missing[name] = users
		}
	}
	if m := r.offlineMisses(); m != nil {
		return nil, nil, m
	}
	if err := r.applyHashes(plan, mode); err != nil {
		return nil, nil, err
	}
	r.finishWarnings(plan)
	return plan, missing, nil
}

// run is one resolution's working state shared by the search, the plan
// builder and the inspection.
type run struct {
	ctx    context.Context
	cancel context.CancelFunc
	in     Input
	fe     *fetcher
	linux  *platform
	darwin *platform
	python pypi.Version

	mu sync.Mutex
	// speculated: the requirements and releases speculation has followed,
	// under their own lock (every dependency of every release met takes
	// it, too often to share mu).
	specMu     sync.Mutex
	speculated map[string]bool
	nix        map[string][]nixpkgs.Package // Set.Lookup's answers
	parsed     map[*index.ReleaseInfo]*parsedReqs
	reqTexts   sync.Map                 // requirement string → parsedReq (see parseReqs)
	pythons    sync.Map                 // requires_python value → whether the target satisfies it
	cands      map[string]*projectCands // by normalized name, built once
	deps       map[*candidate]*depInfo
	warnings   map[string]bool
	sdists     map[*candidate]*sdistJob // inspections, started during the search
	// inspectors reads archives (CPU work): Input.Jobs goroutines, whose
	// stacks, once grown by the decompressor and the parsers, serve every
	// archive of the run instead of growing anew in each prefetch.
	inspectors chan func()
	final      map[string]*candidate // the solution, by name
	pol        policy
	misses     map[string]bool     // offline cache misses of the search, see absent
	reverse    map[string][]string // attribute → attributes depending on it (see dependents)
	// missingTools: build tools nixpkgs lacks → the packages needing them.
	missingTools map[string]map[string]bool
}

func newRun(ctx context.Context, in Input, idx IndexSource) (*run, error) {
	set := in.Nixpkgs
	py, err := pypi.ParseVersion(set.PythonVersion)
	if err != nil {
		return nil, fmt.Errorf("resolve: nixpkgs interpreter %s: %w", set.PythonAttr, err)
	}
	// The configuration's aliases extend the set's; a copy keeps the
	// caller's Set unchanged.
	aliased := *set
	aliased.Aliases = map[string]string{}
	for k, v := range set.Aliases {
		aliased.Aliases[k] = v
	}
	for k, v := range in.Config.Aliases {
		aliased.Aliases[k] = v
	}
	in.Nixpkgs = &aliased
	cctx, cancel := context.WithCancel(ctx)
	return &run{
		ctx:          cctx,
		cancel:       cancel,
		in:           in,
		fe:           newFetcher(cctx, idx),
		linux:        newPlatform(pypi.LinuxCPython(set.PythonVersion)),
		darwin:       newPlatform(pypi.DarwinCPython(set.PythonVersion)),
		python:       py,
		speculated:   map[string]bool{},
		nix:          map[string][]nixpkgs.Package{},
		parsed:       map[*index.ReleaseInfo]*parsedReqs{},
		cands:        map[string]*projectCands{},
		deps:         map[*candidate]*depInfo{},
		warnings:     map[string]bool{},
		sdists:       map[*candidate]*sdistJob{},
		inspectors:   startInspectors(in.Jobs),
		pol:          policy{mode: in.Policy, cfg: in.Config},
		misses:       map[string]bool{},
		missingTools: map[string]map[string]bool{},
	}, nil
}

// stop cancels outstanding prefetches, waits for them, and ends the
// inspectors.
func (r *run) stop() {
	r.cancel()
	r.fe.wg.Wait()
	close(r.inspectors)
}

// startInspectors starts n goroutines running the functions sent on the
// returned channel, until it is closed.
func startInspectors(n int) chan func() {
	work := make(chan func())
	for range n {
		go func() {
			for fn := range work {
				fn()
			}
		}()
	}
	return work
}

func (r *run) progress(format string, args ...any) {
	if r.in.Progress != nil {
		r.in.Progress(fmt.Sprintf(format, args...))
	}
}

func (r *run) warn(format string, args ...any) {
	r.mu.Lock()
	r.warnings[fmt.Sprintf(format, args...)] = true
	r.mu.Unlock()
}

// lookup is the set's Lookup, memoized: it scans the whole set.
func (r *run) lookup(name string) []nixpkgs.Package {
	r.mu.Lock()
	defer r.mu.Unlock()
	found, ok := r.nix[name]
	if !ok {
		found = r.in.Nixpkgs.Lookup(name)
		r.nix[name] = found
	}
	return found
}

func (r *run) pkgConfig(name string) config.Package { return r.in.Config.Packages[name] }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// absent reports whether err says the index lacks a project, release or
// file. An offline cache miss counts too, and its URLs are recorded: the
// search goes on as if the index lacked them, so that the run names every
// URL it needed at once, the same ones on every run (speculative fetches,
// whose timing varies, never record misses).
func (r *run) absent(err error) bool {
	var m *index.OfflineMissError
	if errors.As(err, &m) {
		r.mu.Lock()
		for _, u := range m.URLs {
			r.misses[u] = true
		}
		r.mu.Unlock()
		return true
	}
	return errors.Is(err, index.ErrNotFound)
}

// isAbsent is absent without recording: for speculation, and for results
// cached for the solver, which records them when it reads them.
func isAbsent(err error) bool {
	return offlineMiss(err) != nil || errors.Is(err, index.ErrNotFound)
}

// offlineMiss returns err when it is an offline cache miss, else nil.
func offlineMiss(err error) error {
	var m *index.OfflineMissError
	if errors.As(err, &m) {
		return err
	}
	return nil
}

// offlineMisses returns every URL absent recorded, or nil.
func (r *run) offlineMisses() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.misses) == 0 {
		return nil
	}
	return &index.OfflineMissError{URLs: sortedKeys(r.misses)}
}

// inspected is the outcome of reading one chosen sdist.
type inspected struct {
	file    index.File
	info    *sdist.Info
	digests []pypi.Hash // the file's digests, computed (index.Blob.Hashes); nil for a recorded inspection
	// blob is the downloaded archive, for the recipe check; nil for a
	// recorded inspection.
	blob *index.Blob
}
