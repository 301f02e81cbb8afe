package resolver

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
)

// gatedIndex is a fakeIndex whose answers wait for other requests: a
// request keyed "rel:NAME@VERSION" or "dl:FILENAME" is answered only once
// the request its gate names has been made. A resolver that makes the
// awaited request only after the gated answer deadlocks, so these tests
// check the order of requests without timing.
type gatedIndex struct {
	*fakeIndex
	gates map[string]string
	mu    sync.Mutex
	made  map[string]chan struct{}
}

func newGated(projects map[string][]rel, gates map[string]string) *gatedIndex {
	return &gatedIndex{fakeIndex: newFake(projects), gates: gates, made: map[string]chan struct{}{}}
}

func (g *gatedIndex) signal(key string) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	ch, ok := g.made[key]
	if !ok {
		ch = make(chan struct{})
		g.made[key] = ch
	}
	return ch
}

func (g *gatedIndex) pass(ctx context.Context, key string) error {
	ch := g.signal(key)
	g.mu.Lock()
	select {
	case <-ch:
	default:
		close(ch)
	}
	g.mu.Unlock()
	gate, ok := g.gates[key]
	if !ok {
		return nil
	}
	select {
	case <-g.signal(gate):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gatedIndex) Release(ctx context.Context, name, version string) (*index.ReleaseInfo, error) {
	if err := g.pass(ctx, "rel:"+name+"@"+version); err != nil {
		return nil, err
	}
	return g.fakeIndex.Release(ctx, name, version)
}

func (g *gatedIndex) Open(ctx context.Context, f index.File) (*index.Blob, error) {
	if err := g.pass(ctx, "dl:"+f.Filename); err != nil {
		return nil, err
	}
	return g.fakeIndex.Open(ctx, f)
}

func TestSpeculation(t *testing.T) {
	tests := []struct {
		name  string
		reqs  []string
		index map[string][]rel
		gates map[string]string
	}{
		{
			// The solver decides a first; b's best candidate is asked for
			// before a's answer is in.
			name: "every required name's best candidate is in flight",
			reqs: []string{"a", "b"},
			index: map[string][]rel{
				"a": {{version: "1.0"}}, "b": {{version: "1.0"}, {version: "2.0", deps: []string{"c"}}}, "c": {{version: "3.0"}},
			},
			gates: map[string]string{"rel:a@1.0": "rel:c@3.0"},
		},
		{
			name: "extras are followed",
			reqs: []string{"a", "b[x]"},
			index: map[string][]rel{
				"a": {{version: "1.0"}}, "b": {{version: "1.0", deps: []string{`c; extra == "x"`}}}, "c": {{version: "1.0"}},
			},
			gates: map[string]string{"rel:a@1.0": "rel:c@1.0"},
		},
		{
			name: "pre-releases follow PEP 440: a pinned one is the best candidate",
			reqs: []string{"a", "b==2.0rc1"},
			index: map[string][]rel{
				"a": {{version: "1.0"}}, "b": {{version: "1.0"}, {version: "2.0rc1", deps: []string{"c"}}}, "c": {{version: "1.0"}},
			},
			gates: map[string]string{"rel:a@1.0": "rel:c@1.0"},
		},
		{
			// b 2.0 needs a release of c that does not exist: b 1.0 is
			// fetched before the solver finds out.
			name: "the next candidate when the first is ruled out",
			reqs: []string{"a", "b"},
			index: map[string][]rel{
				"a": {{version: "1.0"}},
				"b": {{version: "1.0"}, {version: "2.0", deps: []string{"c>=9"}}},
				"c": {{version: "1.0"}},
			},
			gates: map[string]string{"rel:a@1.0": "rel:b@1.0"},
		},
		{
			// a is decided first; b's metadata waits for a's sdist, which
			// must come while the resolution goes on.
			name: "a chosen release's sdist downloads during resolution",
			reqs: []string{"a", "b==1.0"},
			index: map[string][]rel{
				"a": {{version: "1.0"}}, "b": {{version: "1.0"}},
			},
			gates: map[string]string{"rel:b@1.0": "dl:a-1.0.tar.gz"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := reqLines(tt.reqs...)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err = Resolve(ctx, Input{Requirements: lines, Nixpkgs: nixSet()}, newGated(tt.index, tt.gates))
			assert.NoError(t, err, "a request came only after the answer it waits for")
		})
	}
}
