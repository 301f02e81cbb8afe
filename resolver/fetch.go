package resolver

import (
	"context"
	"sync"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
)

// IndexSource is what the resolver needs of a package index; *index.Client
// implements it, tests use in-memory fakes.
type IndexSource interface {
	Project(ctx context.Context, name string) (*index.Project, error)
	Release(ctx context.Context, name, version string) (*index.ReleaseInfo, error)
	// Open downloads a distribution file, verified against the index's
	// digests; the Blob stays on disk (see index.Client.Open).
	Open(ctx context.Context, f index.File) (*index.Blob, error)
}

// future is the memoized answer of one index request; done is closed once
// val and err are set.
type future[T any] struct {
	done chan struct{}
	val  T
	err  error
}

func (f *future[T]) wait(ctx context.Context) (T, error) {
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// fetcher memoizes a run's index answers, so the solver and the
// speculation share one request and one parsed answer per listing and
// release. It sets no concurrency limit of its own: the index client's is
// the only one.
type fetcher struct {
	ctx      context.Context
	idx      IndexSource
	wg       sync.WaitGroup
	mu       sync.Mutex
	projects map[string]*future[*index.Project]
	releases map[string]*future[*index.ReleaseInfo]
}

func newFetcher(ctx context.Context, idx IndexSource) *fetcher {
	return &fetcher{
		ctx:      ctx,
		idx:      idx,
		projects: map[string]*future[*index.Project]{},
		releases: map[string]*future[*index.ReleaseInfo]{},
	}
}

// start runs fn and fills f with its result.
func start[T any](fe *fetcher, f *future[T], fn func(context.Context) (T, error)) {
	fe.wg.Add(1)
	go func() {
		defer fe.wg.Done()
		defer close(f.done)
		f.val, f.err = fn(fe.ctx)
	}()
}

// project returns the (possibly still running) request for name's listing.
func (fe *fetcher) project(name string) *future[*index.Project] {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	if f, ok := fe.projects[name]; ok {
		return f
	}
	f := &future[*index.Project]{done: make(chan struct{})}
	fe.projects[name] = f
	start(fe, f, func(ctx context.Context) (*index.Project, error) { return fe.idx.Project(ctx, name) })
	return f
}

// release returns the (possibly still running) request for one release's
// metadata.
func (fe *fetcher) release(name, version string) *future[*index.ReleaseInfo] {
	key := name + "\x00" + version
	fe.mu.Lock()
	defer fe.mu.Unlock()
	if f, ok := fe.releases[key]; ok {
		return f
	}
	f := &future[*index.ReleaseInfo]{done: make(chan struct{})}
	fe.releases[key] = f
	start(fe, f, func(ctx context.Context) (*index.ReleaseInfo, error) { return fe.idx.Release(ctx, name, version) })
	return f
}

// spawn runs a prefetching goroutine that Resolve waits for before
// returning, so no goroutine outlives the call.
func (fe *fetcher) spawn(fn func()) {
	fe.wg.Add(1)
	go func() {
		defer fe.wg.Done()
		fn()
	}()
}
