// Package resolver decides, for every package Bitpoll needs, whether
// nixpkgs provides it or the index, at which version, and checks that the
// whole closure is consistent for the target Python on Linux. Its outcome
// is a Plan, the single input of the overlay renderer and the audit report.
//
// Reading of DESIGN.md's policies, as implemented: dependency metadata
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
	r, err := newRun(ctx, in, idx)
	if err != nil {
		return nil, err
	}
	defer r.stop()
	roots, err := r.roots()
	if err != nil {
		return nil, err
	}
	r.progress("resolving %d requirement(s)", len(in.Requirements))
	final, steps, err := r.solve(roots)
	if err != nil {
		return nil, err
	}
	r.final = final.chosen
	r.progress("resolved %d package(s) in %d step(s)", len(final.chosen), steps)
	plan, err := r.buildPlan(final)
	if err != nil {
		return nil, err
	}
	if err := r.inspect(plan); err != nil {
		return nil, err
	}
	r.finishWarnings(plan)
	return plan, nil
}

// run is one resolution's working state shared by the search, the plan
// builder and the inspection.
type run struct {
	ctx     context.Context
	cancel  context.CancelFunc
	in      Input
	fe      *fetcher
	linux   *platform
	darwin  *platform
	python  pypi.Version
	aliases map[string]string

	mu         sync.Mutex
	speculated map[string]bool              // requirements and releases speculation has followed
	nix        map[string][]nixpkgs.Package // Set.Lookup's answers
	parsed     map[*index.ReleaseInfo]*parsedReqs
	cands      map[string]*projectCands // by normalized name, built once
	deps       map[*candidate]*depInfo
	warnings   map[string]bool
	sdists     map[*candidate]*sdistJob // inspections, started during the search
	inspecting chan struct{}            // a slot per sdist being read
	final      map[string]*candidate    // the solution, by name
	pol        policy
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
		ctx:        cctx,
		cancel:     cancel,
		in:         in,
		fe:         newFetcher(cctx, idx),
		linux:      newPlatform(pypi.LinuxCPython(set.PythonVersion)),
		darwin:     newPlatform(pypi.DarwinCPython(set.PythonVersion)),
		python:     py,
		speculated: map[string]bool{},
		nix:        map[string][]nixpkgs.Package{},
		parsed:     map[*index.ReleaseInfo]*parsedReqs{},
		cands:      map[string]*projectCands{},
		deps:       map[*candidate]*depInfo{},
		warnings:   map[string]bool{},
		sdists:     map[*candidate]*sdistJob{},
		inspecting: make(chan struct{}, in.Jobs),
		pol:        policy{mode: in.Policy, cfg: in.Config},
	}, nil
}

// stop cancels outstanding prefetches and waits for them.
func (r *run) stop() {
	r.cancel()
	r.fe.wg.Wait()
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

// isNotFound reports whether err says the index lacks a project or release.
func isNotFound(err error) bool { return errors.Is(err, index.ErrNotFound) }

// inspected is the outcome of reading one chosen sdist.
type inspected struct {
	file index.File
	info *sdist.Info
}
