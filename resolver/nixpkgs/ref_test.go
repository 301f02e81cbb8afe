package nixpkgs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flake.lock in the shape Nix writes; the revision is invented.
const githubLock = `{
  "nodes": {
    "nixpkgs": {
      "locked": {
        "lastModified": 1747467164,
        "narHash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "owner": "NixOS",
        "repo": "nixpkgs",
        "rev": "1111111111111111111111111111111111111111",
        "type": "github"
      },
      "original": {
        "owner": "NixOS",
        "ref": "nixos-25.05",
        "repo": "nixpkgs",
        "type": "github"
      }
    },
    "root": {
      "inputs": {
        "nixpkgs": "nixpkgs"
      }
    }
  },
  "root": "root",
  "version": 7
}
`

func TestDefaultRef(t *testing.T) {
	tests := []struct {
		name      string
		lock, nix string // "" leaves the file out
		want      string
		wantErr   string
	}{
		{name: "github", lock: githubLock, want: "github:NixOS/nixpkgs/1111111111111111111111111111111111111111"},
		{
			name: "renamed node",
			lock: `{"nodes": {"nixpkgs_2": {"locked": {"type": "gitlab", "owner": "o", "repo": "r", "rev": "2222222222222222222222222222222222222222"}},
			        "root": {"inputs": {"nixpkgs": "nixpkgs_2"}}}, "root": "root", "version": 7}`,
			want: "gitlab:o/r/2222222222222222222222222222222222222222",
		},
		{
			name: "follows",
			lock: `{"nodes": {"other": {"inputs": {"nixpkgs": "np"}, "locked": {"type": "path", "path": "/src/other"}},
			        "np": {"locked": {"type": "path", "path": "/src/nixpkgs", "narHash": "sha256-x"}},
			        "root": {"inputs": {"other": "other", "nixpkgs": ["other", "nixpkgs"]}}}, "root": "root", "version": 7}`,
			want: "path:/src/nixpkgs",
		},
		{
			name: "git",
			lock: `{"nodes": {"nixpkgs": {"locked": {"type": "git", "url": "https://example.org/nixpkgs.git", "ref": "main", "rev": "3333333333333333333333333333333333333333"}},
			        "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root", "version": 7}`,
			want: "git+https://example.org/nixpkgs.git?rev=3333333333333333333333333333333333333333&ref=main",
		},
		{
			name: "tarball",
			lock: `{"nodes": {"nixpkgs": {"locked": {"type": "tarball", "url": "https://example.org/nixpkgs/archive/abc.tar.gz"}},
			        "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root", "version": 7}`,
			want: "https://example.org/nixpkgs/archive/abc.tar.gz",
		},
		{
			name: "tarball without suffix",
			lock: `{"nodes": {"nixpkgs": {"locked": {"type": "tarball", "url": "https://example.org/latest"}},
			        "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root", "version": 7}`,
			want: "tarball+https://example.org/latest",
		},
		{
			name: "flake.nix only",
			nix:  "{\n  # inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-25.05\";\n}\n",
			want: "github:NixOS/nixpkgs/nixos-25.05",
		},
		{
			name: "lock without nixpkgs falls back to flake.nix",
			lock: `{"nodes": {"root": {}}, "root": "root", "version": 7}`,
			nix:  `{ inputs = { nixpkgs.url = "nixpkgs"; }; }`,
			want: "nixpkgs",
		},
		{
			name:    "neither",
			nix:     `{ inputs.other.url = "github:o/r"; }`,
			wantErr: `no nixpkgs to query: found neither a locked input "nixpkgs" in DIR/flake.lock nor ` + "`nixpkgs.url = \"…\";`" + ` in DIR/flake.nix; pass a flake reference, a nixpkgs path or a query file`,
		},
		{name: "malformed lock", lock: "{\n\"nodes\": [\n}", wantErr: `DIR/flake.lock:3: invalid character '}' looking for beginning of value`},
		{
			name:    "unsupported type",
			lock:    `{"nodes": {"nixpkgs": {"locked": {"type": "indirect", "id": "nixpkgs"}}, "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root"}`,
			wantErr: `DIR/flake.lock: node "nixpkgs": locked input of type "indirect" is not supported`,
		},
		{
			name:    "missing node",
			lock:    `{"nodes": {"root": {"inputs": {"nixpkgs": "gone"}}}, "root": "root"}`,
			wantErr: `DIR/flake.lock: input names missing node "gone"`,
		},
		{
			name:    "follows cycle",
			lock:    `{"nodes": {"root": {"inputs": {"nixpkgs": ["nixpkgs"]}}}, "root": "root"}`,
			wantErr: `DIR/flake.lock: input follows form a cycle`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.lock != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "flake.lock"), []byte(tt.lock), 0o644))
			}
			if tt.nix != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(tt.nix), 0o644))
			}
			got, err := DefaultRef(dir)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, strings.ReplaceAll(err.Error(), dir, "DIR"))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestResolveRef(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flake.lock"), []byte(githubLock), 0o644))
	tree := filepath.Join(dir, "nixpkgs-src")
	require.NoError(t, os.Mkdir(tree, 0o755))
	file := filepath.Join(dir, "query.json")
	require.NoError(t, os.WriteFile(file, []byte("{}"), 0o644))

	const rev = "1111111111111111111111111111111111111111"
	tests := []struct {
		ref      string
		kind     RefKind
		resolved string
		rev      string
	}{
		{"", RefFlake, "github:NixOS/nixpkgs/" + rev, rev},
		{"github:NixOS/nixpkgs/" + rev, RefFlake, "github:NixOS/nixpkgs/" + rev, rev},
		{"github:NixOS/nixpkgs/nixos-25.05", RefFlake, "github:NixOS/nixpkgs/nixos-25.05", ""},
		{"github:NixOS/nixpkgs/" + rev + "?dir=lib", RefFlake, "github:NixOS/nixpkgs/" + rev + "?dir=lib", rev},
		{"git+https://example.org/nixpkgs?ref=main&rev=" + rev, RefFlake, "git+https://example.org/nixpkgs?ref=main&rev=" + rev, rev},
		{"nixpkgs", RefFlake, "nixpkgs", ""},
		{"path:" + tree, RefFlake, "path:" + tree, ""},
		{tree, RefPath, tree, ""},
		{file, RefQueryFile, file, ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			kind, resolved, gotRev, err := ResolveRef(tt.ref, dir)
			require.NoError(t, err)
			assert.Equal(t, tt.kind, kind)
			assert.Equal(t, tt.resolved, resolved)
			assert.Equal(t, tt.rev, gotRev)
		})
	}

	// Relative paths are made absolute against the working directory.
	t.Chdir(dir)
	kind, resolved, _, err := ResolveRef("./nixpkgs-src", "")
	require.NoError(t, err)
	assert.Equal(t, RefPath, kind)
	assert.Equal(t, tree, resolved)
	// Without "./", an existing directory is still a path, not a flake
	// registry name; a bare word naming no directory stays a flake.
	kind, resolved, _, err = ResolveRef("nixpkgs-src", "")
	require.NoError(t, err)
	assert.Equal(t, RefPath, kind)
	assert.Equal(t, tree, resolved)
	kind, _, _, err = ResolveRef("nixpkgs", "")
	require.NoError(t, err)
	assert.Equal(t, RefFlake, kind)

	for _, bad := range []string{"./missing", filepath.Join(dir, "query.json", "x"), file + ".missing.json"} {
		_, _, _, err := ResolveRef(bad, dir)
		assert.Error(t, err, bad)
	}
	_, _, _, err = ResolveRef(filepath.Join(dir, "flake.lock"), dir)
	assert.ErrorContains(t, err, "not a directory")
}
