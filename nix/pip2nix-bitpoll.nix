# The generator itself. Its Go tests run in the check phase, offline, on the
# fixtures.
{
  lib,
  buildGoModule,
}:
let
  root = ../.;
  goSource = import ./go-source.nix { inherit root; };
in
buildGoModule {
  pname = "pip2nix-bitpoll";
  version = "0.1.0";

  # Only what `go build` and `go test` read (nix/go-source.nix: go.mod,
  # go.sum and every top-level directory but nix/, docs/, audit/, scripts/),
  # so editing the Nix files or the docs does not rebuild the tool, and a
  # new Go package is never left out.
  src = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.unions (
      map (name: root + "/${name}") (goSource.files ++ goSource.directories)
    );
  };

  # Computed offline from go.sum by nix/update-vendor-hash.sh; `--check`
  # fails when go.sum changed and this is stale.
  vendorHash = "sha256-mvgvjVdLVNH1I3+FIj+gLeG33SwC4rvrwAesVdTXm4g=";

  subPackages = [ "cmd/pip2nix-bitpoll" ];

  env.CGO_ENABLED = 0;
  ldflags = [
    "-s"
    "-w"
  ];

  # subPackages limits the build, not the tests: run every package's tests.
  checkPhase = ''
    runHook preCheck
    go test ./...
    runHook postCheck
  '';

  meta = {
    description = "Turn Bitpoll's pip requirements into a nixpkgs Python package overlay";
    mainProgram = "pip2nix-bitpoll";
    platforms = lib.platforms.unix;
  };
}
