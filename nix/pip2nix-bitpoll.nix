# The generator itself. Its Go tests run in the check phase, offline, on the
# fixtures.
{
  lib,
  buildGoModule,
}:
let
  root = ../.;
in
buildGoModule {
  pname = "pip2nix-bitpoll";
  version = "0.1.0";

  # Only what `go build` and `go test` read, so editing the Nix files or the
  # docs does not rebuild the tool.
  src = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.unions [
      (root + "/go.mod")
      (root + "/go.sum")
      (lib.fileset.maybeMissing (root + "/advisory"))
      (lib.fileset.maybeMissing (root + "/cmd"))
      (lib.fileset.maybeMissing (root + "/fixtures"))
      (lib.fileset.maybeMissing (root + "/internal"))
      (lib.fileset.maybeMissing (root + "/nixexpr"))
      (lib.fileset.maybeMissing (root + "/pypi"))
      # recorded real data the tests check (recorded/nixpkgs/*.toml → *.json)
      (lib.fileset.maybeMissing (root + "/recorded"))
      (lib.fileset.maybeMissing (root + "/report"))
      (lib.fileset.maybeMissing (root + "/resolver"))
    ];
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
