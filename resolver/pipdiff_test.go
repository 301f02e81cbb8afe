package resolver

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
)

// TestDifferentialPip resolves a scenario's loose requirements under the
// exact policy with no nixpkgs packages, through the real index client over
// the generated fixture tree, and expects exactly what pip chose on the
// same tree (recorded by scripts/record-pip.sh in pip-install.txt):
// "pip-diff" exercises backtracking, yanked, pre-release and
// requires_python cases; "bitpoll-wheels" is Bitpoll's requirements.in on
// the Bitpoll fixture index with a wheel for every release.
func TestDifferentialPip(t *testing.T) {
	for _, scenario := range []string{"pip-diff", "bitpoll-wheels"} {
		t.Run(scenario, func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join("..", "fixtures", "scenarios", scenario))
			require.NoError(t, err)
			want := readPipInstall(t, filepath.Join(dir, "pip-install.txt"))
			rf, err := pypi.ParseRequirementsFile(filepath.Join(dir, "requirements.in"))
			require.NoError(t, err)
			client, err := index.New(index.Options{BaseURL: "file://" + filepath.Join(dir, "index")})
			require.NoError(t, err)
			plan, err := Resolve(context.Background(), Input{Requirements: rf.Requirements, Nixpkgs: nixSet(), Policy: Exact}, client)
			require.NoError(t, err)
			var got []string
			for _, p := range plan.Packages {
				assert.Equal(t, Add, p.Action, p.Name)
				got = append(got, p.Name+" "+p.Version)
			}
			assert.Equal(t, want, got)
		})
	}
}

func readPipInstall(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err, "record it with scripts/record-pip.sh")
	defer f.Close()
	var rows []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, version, ok := strings.Cut(line, " ")
		require.True(t, ok, "%s: bad line %q", path, line)
		v, err := pypi.ParseVersion(version)
		require.NoError(t, err)
		rows = append(rows, pypi.NormalizeName(name)+" "+v.String())
	}
	require.NoError(t, sc.Err())
	sort.Strings(rows)
	return rows
}
