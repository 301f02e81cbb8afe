package resolver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/fixtures/fixturegen"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/fixtures/testindex"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/nixpkgs"
)

// bitpollNixpkgs loads the reconstructed nixpkgs 25.05 query the fixture
// generator renders from fixtures/spec/nixpkgs.toml.
func bitpollNixpkgs(tb testing.TB) *nixpkgs.Set {
	tb.Helper()
	out, err := fixturegen.Outputs(filepath.Join("..", "fixtures"))
	require.NoError(tb, err)
	dir := tb.TempDir()
	for name, data := range out {
		if !strings.HasPrefix(name, "nixpkgs/") || strings.HasPrefix(name, "nixpkgs/eval-") {
			continue
		}
		path := filepath.Join(dir, filepath.Base(name))
		require.NoError(tb, os.WriteFile(path, data, 0o644))
		set, err := nixpkgs.Load(path)
		require.NoError(tb, err)
		set.Ref = "fixtures/spec/nixpkgs.toml"
		return set
	}
	tb.Fatal("the fixture generator rendered no nixpkgs query file")
	return nil
}

func bitpollInput(tb testing.TB, file string, set *nixpkgs.Set) Input {
	tb.Helper()
	rf, err := pypi.ParseRequirementsFile(filepath.Join("..", "fixtures", "scenarios", "bitpoll", file))
	require.NoError(tb, err)
	return Input{Requirements: rf.Requirements, Nixpkgs: set}
}

// TestBitpoll resolves Bitpoll's production requirements under each
// policy against the fixture index served over HTTP and compares golden
// plans.
func TestBitpoll(t *testing.T) {
	set := bitpollNixpkgs(t)
	for _, policy := range []Policy{Compatible, Exact, Nixpkgs} {
		t.Run(string(policy), func(t *testing.T) {
			srv := testindex.New(t, testindex.Root(), testindex.Options{})
			client, err := index.New(index.Options{BaseURL: srv.URL()})
			require.NoError(t, err)
			in := bitpollInput(t, "requirements-production.txt", set)
			in.Policy = policy
			plan, err := Resolve(context.Background(), in, client)
			require.NoError(t, err)
			got := portablePlan(t, plan, srv.URL())
			got = []byte(strings.ReplaceAll(string(got), filepath.Join("..", "fixtures", "scenarios", "bitpoll")+"/", ""))
			checkGolden(t, "bitpoll-"+string(policy)+".json", got)
			byName := map[string]Package{}
			for _, p := range plan.Packages {
				byName[p.Name] = p
			}
			require.Contains(t, byName, "django")
			switch policy {
			case Exact:
				assert.Equal(t, Override, byName["django"].Action)
			case Compatible:
				assert.Contains(t, []Action{Alias, UseNixpkgs}, byName["django"].Action)
			}
		})
	}
}

// BenchmarkResolveBitpoll resolves Bitpoll's production closure cold over
// the fixture index served with 50 ms latency per request, with 8, 32 and 64
// requests in flight, and reports the wall time in round-trip waves.
func BenchmarkResolveBitpoll(b *testing.B) {
	const latency = 50 * time.Millisecond
	set := bitpollNixpkgs(b)
	for _, jobs := range []int{8, 32, 64} {
		b.Run(fmt.Sprintf("j%d", jobs), func(b *testing.B) {
			in := bitpollInput(b, "requirements-production.txt", set)
			in.Jobs = jobs
			var wall time.Duration
			var requests int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				srv := testindex.New(b, testindex.Root(), testindex.Options{Latency: latency})
				client, err := index.New(index.Options{BaseURL: srv.URL(), Concurrency: jobs})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				if _, err := Resolve(context.Background(), in, client); err != nil {
					b.Fatal(err)
				}
				wall += time.Since(start)
				requests += srv.Requests()
			}
			b.ReportMetric(float64(wall)/float64(b.N)/float64(latency), "waves")
			b.ReportMetric(float64(requests)/float64(b.N), "requests")
		})
	}
}
