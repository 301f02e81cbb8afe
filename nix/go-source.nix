# What the Go module's build and tests read: go.mod, go.sum and every
# top-level directory of the repository except those excluded here (the
# Nix expressions, docs, generated outputs, scripts). A package or test data
# directory added later is part of the source without editing this file;
# nix/tests/run.sh fails when a tracked .go file lies outside it.
# Plain builtins (no lib), so Nix 2.8 evaluates it as well.
{ root }:
let
  entries = builtins.readDir root;
in
rec {
  excluded = [
    ".ci"
    ".git"
    ".github"
    "audit"
    "docs"
    "nix"
    "scripts"
  ];
  files = [
    "go.mod"
    "go.sum"
  ];
  directories = builtins.filter (
    name: entries.${name} == "directory" && !(builtins.elem name excluded)
  ) (builtins.attrNames entries);
}
