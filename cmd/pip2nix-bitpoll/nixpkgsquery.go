package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

func nixpkgsQueryCommand() *command {
	return &command{
		name: "nixpkgs-query",
		help: `Usage: pip2nix-bitpoll nixpkgs-query [flags]

Evaluates nixpkgs once and saves its Python interpreter version and every
package's name and version as JSON. Give the file to --nixpkgs so that
generate and audit run where Nix is absent.

With --diff FILE it compares a recorded query (such as the partial
recorded/nixpkgs/nixos-25.05-python312.json) with the live one instead:
every recorded attribute that is missing or whose version, pname, pypiName
or recorded facts differ is printed, one line each, and the exit status is
1 when anything differs (0 otherwise). -o still saves the live query.

Examples:
  pip2nix-bitpoll nixpkgs-query -o nixpkgs-python312.json
  pip2nix-bitpoll nixpkgs-query --nixpkgs github:NixOS/nixpkgs/nixos-25.05 --python python313 -o q.json
  pip2nix-bitpoll nixpkgs-query --nixpkgs github:NixOS/nixpkgs/nixos-25.05 --diff recorded/nixpkgs/nixos-25.05-python312.json
`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			ref := fs.String("nixpkgs", "", "nixpkgs flake `REF` or PATH (default: the nixpkgs input locked in ./flake.lock)")
			python := fs.String("python", "python312", "nixpkgs Python `ATTR`")
			out := fs.String("o", "", "write the JSON to `FILE` (default: standard output)")
			cacheDir := fs.String("cache-dir", "", "cache `DIR` (default $XDG_CACHE_HOME/pip2nix-bitpoll)")
			quiet := fs.Bool("q", false, "no progress on stderr")
			diff := fs.String("diff", "", "compare the recorded query `FILE` with the live one; exit 1 when they differ")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unexpected arguments %q", args)
				}
				dir, err := cacheDirectory(e, *cacheDir)
				if err != nil {
					return withCode(exitInput, err)
				}
				var recorded *nixpkgs.Set
				if *diff != "" {
					if recorded, err = nixpkgs.Load(*diff); err != nil {
						return withCode(exitInput, err)
					}
				}
				f := &resolveFlags{nixpkgsRef: *ref, python: *python}
				set, err := loadNixpkgs(ctx, e, f, dir, newProgress(e, *quiet))
				if err != nil {
					return err
				}
				var buf bytes.Buffer
				if err := set.Save(&buf); err != nil {
					return err
				}
				if *out != "" {
					if err := writeOutputs([]output{{*out, buf.Bytes()}}); err != nil {
						return err
					}
				}
				if recorded != nil {
					return diffQueries(e, *diff, recorded, set)
				}
				if *out == "" {
					_, err := e.stdout.Write(buf.Bytes())
					return err
				}
				return nil
			}
		},
	}
}

// diffQueries prints how the live set differs from the recorded one and
// fails with exitDiffers when it does.
func diffQueries(e *env, name string, recorded, live *nixpkgs.Set) error {
	report := nixpkgs.Diff(recorded, live)
	if err := report.Write(e.stdout); err != nil {
		return err
	}
	if len(report.Differences) > 0 {
		return withCode(exitDiffers, fmt.Errorf("%s: %d differences from the live nixpkgs query", name, len(report.Differences)))
	}
	return nil
}
