# SYNTHETIC stand-in for the generated python-packages.nix, used only to
# evaluate flake.nix before (or without) the real file: it has the shape of
# the overlay (`final: prev: { … }`) and names the attributes Bitpoll needs
# that nixpkgs 25.05 may lack, but builds nothing real. Never deploy it.
final: prev: {
  psycopg2-binary = final.psycopg2;
}
