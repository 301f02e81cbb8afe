package index

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Indexes asks several indexes in order, for pip's --extra-index-url, without
// pip's merging: the first index that knows a project answers everything
// about it (its releases, their metadata and files), as uv's first-index
// strategy does. A name registered privately can then never be taken over by
// a release someone uploads under that name to a later (public) index:
// dependency confusion. A failure of an index other than "not found" stops
// the search there instead of falling through to the next index.
type Indexes struct {
	clients []*Client

	mu     sync.Mutex
	owners map[string]*Client // project (normalized) → the index that has it
	files  map[string]*Client // file URL → the index that listed it
}

// NewIndexes returns a source over clients, the first being the main index.
func NewIndexes(clients ...*Client) *Indexes {
	return &Indexes{clients: clients, owners: map[string]*Client{}, files: map[string]*Client{}}
}

// Project returns the project from the first index that has it.
func (m *Indexes) Project(ctx context.Context, name string) (*Project, error) {
	n, err := checkName(name)
	if err != nil {
		return nil, err
	}
	for _, c := range m.clients {
		p, err := c.Project(ctx, n)
		if err == nil {
			m.mu.Lock()
			m.owners[n] = c
			for _, r := range p.Releases {
				m.noteFiles(c, r.Files)
			}
			m.mu.Unlock()
			return p, nil
		}
		// Offline, a cache miss leaves open whether this index has the
		// project: the later ones are not asked either.
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrOffline) {
			return nil, err
		}
	}
	return nil, &Error{Err: fmt.Errorf("project %s: %w on any of %d indexes", n, ErrNotFound, len(m.clients))}
}

// Release asks the index that has the project.
func (m *Indexes) Release(ctx context.Context, name, version string) (*ReleaseInfo, error) {
	c, err := m.owner(ctx, name)
	if err != nil {
		return nil, err
	}
	r, err := c.Release(ctx, name, version)
	if err == nil {
		m.mu.Lock()
		m.noteFiles(c, r.Files)
		m.mu.Unlock()
	}
	return r, err
}

// Open downloads a file from the index that listed it.
func (m *Indexes) Open(ctx context.Context, f File) (*Blob, error) {
	m.mu.Lock()
	c := m.files[f.URL]
	m.mu.Unlock()
	if c == nil {
		return nil, &Error{Err: fmt.Errorf("download %s: %s was listed by none of the indexes", f.Filename, f.URL)}
	}
	return c.Open(ctx, f)
}

// Close closes every client.
func (m *Indexes) Close() error {
	var errs []error
	for _, c := range m.clients {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

func (m *Indexes) owner(ctx context.Context, name string) (*Client, error) {
	n, err := checkName(name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	c := m.owners[n]
	m.mu.Unlock()
	if c != nil {
		return c, nil
	}
	if _, err := m.Project(ctx, n); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.owners[n], nil
}

// noteFiles records which index listed files; m.mu is held.
func (m *Indexes) noteFiles(c *Client, files []File) {
	for _, f := range files {
		if _, ok := m.files[f.URL]; !ok {
			m.files[f.URL] = c
		}
	}
}
