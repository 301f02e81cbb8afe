# One truth for "up to date", in a sandbox: fails unless python-packages.nix
# (and, when given, the audit reports) equal what pip2nix.lock renders, and
# the lock was made for exactly these requirements files (their sha256) and,
# when nixpkgsRev is given, for that nixpkgs revision. It reads neither the
# index nor any archive and evaluates no nixpkgs: `generate --check`
# re-renders from the lock alone. On failure the log shows the diff or what
# changed; regenerate (see the overlay's header) and commit.
{
  lib,
  runCommand,
  pip2nix-bitpoll,
  # The directory holding the generated files (the flake's `self`).
  src,
  # The requirements files, in the order generate was given them with -r.
  requirements,
  # Path under src of the settings generate was given with --config; null:
  # pip2nix.toml beside the first requirements file, if any.
  config ? null,
  # The revision the lock must name (the flake's `nixpkgs.rev`); null skips it.
  nixpkgsRev ? null,
  python ? "python312",
  policy ? "compatible",
  overlay ? "python-packages.nix",
  lock ? "pip2nix.lock",
  # Paths of the reports under src, when they are committed too.
  reportMarkdown ? null,
  reportJSON ? null,
}:
let
  args =
    lib.concatMap (r: [
      "-r"
      "${r}"
    ]) requirements
    ++ [
      "-o"
      "${src}/${overlay}"
      "--lock"
      "${src}/${lock}"
      "--python"
      python
      "--policy"
      policy
    ]
    ++ lib.optionals (config != null) [
      "--config"
      "${src}/${config}"
    ]
    ++ lib.optionals (nixpkgsRev != null) [
      "--nixpkgs-rev"
      nixpkgsRev
    ]
    ++ lib.optionals (reportMarkdown != null) [
      "--report"
      "${src}/${reportMarkdown}"
    ]
    ++ lib.optionals (reportJSON != null) [
      "--report-json"
      "${src}/${reportJSON}"
    ];
in
runCommand "python-packages-up-to-date" { nativeBuildInputs = [ pip2nix-bitpoll ]; } ''
  pip2nix-bitpoll generate -q --check ${lib.concatMapStringsSep " " lib.escapeShellArg args}
  touch "$out"
''
