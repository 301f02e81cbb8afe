package main

import (
	"bytes"
	"context"
	"flag"
)

func nixpkgsQueryCommand() *command {
	return &command{
		name: "nixpkgs-query",
		help: `Usage: pip2nix-bitpoll nixpkgs-query [flags]

Evaluates nixpkgs once and saves its Python interpreter version and every
package's name and version as JSON. Give the file to --nixpkgs so that
generate and audit run where Nix is absent.

Examples:
  pip2nix-bitpoll nixpkgs-query -o nixpkgs-python312.json
  pip2nix-bitpoll nixpkgs-query --nixpkgs github:NixOS/nixpkgs/nixos-25.05 --python python313 -o q.json
`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			ref := fs.String("nixpkgs", "", "nixpkgs flake `REF` or PATH (default: the nixpkgs input locked in ./flake.lock)")
			python := fs.String("python", "python312", "nixpkgs Python `ATTR`")
			out := fs.String("o", "", "write the JSON to `FILE` (default: standard output)")
			cacheDir := fs.String("cache-dir", "", "cache `DIR` (default $XDG_CACHE_HOME/pip2nix-bitpoll)")
			quiet := fs.Bool("q", false, "no progress on stderr")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unexpected arguments %q", args)
				}
				dir, err := cacheDirectory(e, *cacheDir)
				if err != nil {
					return withCode(exitInput, err)
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
				if *out == "" {
					_, err := e.stdout.Write(buf.Bytes())
					return err
				}
				return writeOutputs([]output{{*out, buf.Bytes()}})
			}
		},
	}
}
