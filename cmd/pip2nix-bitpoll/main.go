// Command pip2nix-bitpoll turns Bitpoll's pip requirements into a Nix
// overlay of nixpkgs' Python package set, plus an audit report.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is the generator's version, stamped into generated files.
const version = "0.1.0"

const usage = `pip2nix-bitpoll turns pip requirements into a Nix overlay of nixpkgs'
Python package set: it asks nixpkgs which packages it already has, resolves
the rest against a PyPI-compatible index and writes python-packages.nix (pure
buildPythonPackage derivations, no pip at build time) and an audit report.

Usage:
  pip2nix-bitpoll <command> [flags]

Commands:
  generate       write python-packages.nix and the audit report
  audit          resolve and write only the audit report
  nixpkgs-query  save nixpkgs' Python packages as JSON, for use where Nix is absent
  requirements   print the requirements a pip requirements file resolves to
  version        print the version
  help           show help for a command

Examples:
  # Regenerate the overlay against the index and the nixpkgs locked in flake.lock
  pip2nix-bitpoll generate -r requirements.txt --report report.md

  # Fully offline, from the recorded facts of the real index and of
  # nixos-25.05 that this repository ships (what scripts/regenerate runs)
  pip2nix-bitpoll generate -r fixtures/bitpoll/requirements-production.txt \
    --config pip2nix.toml --recorded recorded/index \
    --nixpkgs recorded/nixpkgs/nixos-25.05-python312.json

  # Against the synthetic fixture index (tests and demonstrations)
  pip2nix-bitpoll generate -r fixtures/bitpoll/requirements-production.txt \
    --index-url fixtures/index \
    --nixpkgs fixtures/nixpkgs/nixos-25.05-python312.json

  # In CI: fail when python-packages.nix is out of date
  pip2nix-bitpoll generate -r requirements.txt --check

Run 'pip2nix-bitpoll help <command>' for a command's flags.

Exit codes:
  0  success
  1  --check: an output would change (a diff is printed)
  2  usage error
  3  invalid input (requirements file, pip2nix.toml, nixpkgs query file)
  4  the requirements cannot be satisfied (the conflict chain is printed)
  5  index error (unreachable, not found, digest mismatch, offline cache miss)
  6  nix evaluation failed
  7  an output file could not be written
  8  the resolution search used up its step budget
  9  --fail-on-advisories: advisories not accepted in pip2nix.toml affect
     the chosen versions (they are listed; the outputs are written)
  10 integrity failure: a file does not match a --hash of the requirements,
     or the index serves another digest than pip2nix.lock records
`

// Exit codes, documented in usage and README.md.
const (
	exitOK         = 0
	exitDiffers    = 1
	exitUsage      = 2
	exitInput      = 3
	exitConflict   = 4
	exitIndex      = 5
	exitNix        = 6
	exitWriteError = 7
	exitExhausted  = 8 // the resolution's search budget ran out
	exitAdvisories = 9
	exitIntegrity  = 10
)

// command is one subcommand: its flags, help text and action.
type command struct {
	name  string
	help  string // usage line, description and examples
	flags func(fs *flag.FlagSet) func(ctx context.Context, env *env, args []string) error
}

// env is what commands share with the outside world; tests replace it.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	workDir        string
	stderrIsTTY    bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pip2nix-bitpoll:", err)
		os.Exit(exitInput)
	}
	e := &env{
		stdout:      os.Stdout,
		stderr:      os.Stderr,
		getenv:      os.Getenv,
		workDir:     wd,
		stderrIsTTY: isTerminal(os.Stderr),
	}
	os.Exit(run(ctx, e, os.Args[1:]))
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// run executes one invocation and returns its exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "--help", "-help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	case "help":
		if len(rest) == 0 {
			fmt.Fprint(e.stdout, usage)
			return exitOK
		}
		cmd := lookup(rest[0])
		if cmd == nil {
			fmt.Fprintf(e.stderr, "pip2nix-bitpoll: unknown command %q\n", rest[0])
			return exitUsage
		}
		fs := newFlagSet(cmd, e.stdout)
		cmd.flags(fs)
		fs.Usage()
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(e.stderr, "pip2nix-bitpoll: unknown command %q\n\n%s", name, usage)
		return exitUsage
	}
	fs := newFlagSet(cmd, e.stderr)
	action := cmd.flags(fs)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return exitOK
		}
		return exitUsage
	}
	if err := action(ctx, e, fs.Args()); err != nil {
		fmt.Fprintf(e.stderr, "pip2nix-bitpoll %s: %v\n", cmd.name, err)
		return exitCode(err)
	}
	return exitOK
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func commands() []*command {
	return []*command{generateCommand(), auditCommand(), nixpkgsQueryCommand(), requirementsCommand(), versionCommand()}
}

func newFlagSet(cmd *command, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\nFlags:\n", cmd.help)
		fs.PrintDefaults()
	}
	return fs
}

func versionCommand() *command {
	return &command{
		name: "version",
		help: "Usage: pip2nix-bitpoll version\n\nPrints the generator's version.\n",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			return func(_ context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usageErrorf("version takes no arguments")
				}
				fmt.Fprintf(e.stdout, "pip2nix-bitpoll %s\n", version)
				return nil
			}
		},
	}
}
