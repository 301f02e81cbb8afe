# The options nix/tests/vm.nix sets beyond the module's, so flake-tests.nix
# can evaluate the VM test's nodes.
{ lib, ... }:
{
  options = {
    systemd.tmpfiles.rules = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
    };
    virtualisation.memorySize = lib.mkOption {
      type = lib.types.int;
      default = 1024;
    };
  };
}
