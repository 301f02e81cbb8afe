# Fails when python-packages.nix differs from what pip2nix-bitpoll generates
# from Bitpoll's pinned requirements, the bundled index fixtures and the
# recorded nixpkgs query: offline, like the README's run command.
{
  runCommand,
  pip2nix-bitpoll,
  # Bitpoll's source (the flake's `bitpoll` input).
  bitpollSrc,
  # This repository's source (the flake's `self`).
  repo,
}:
runCommand "python-packages-up-to-date" { nativeBuildInputs = [ pip2nix-bitpoll ]; } ''
  export HOME="$TMPDIR"
  pip2nix-bitpoll generate -q --check \
    --cache-dir "$TMPDIR/cache" \
    -r ${bitpollSrc}/requirements-production.txt \
    --index-url ${repo}/fixtures/index \
    --nixpkgs ${repo}/fixtures/nixpkgs/nixos-25.05-python312.json \
    -o ${repo}/python-packages.nix
  touch "$out"
''
