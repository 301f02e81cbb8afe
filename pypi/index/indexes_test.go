package index

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIndexesFirstIndexWins(t *testing.T) {
	private, public := newFakeIndex(t), newFakeIndex(t)
	private.add(synthProject{name: "internal-tool", versions: []string{"1.0"}, requiresDist: []string{}})
	// The same name on the public index, with a newer release: never used.
	public.add(synthProject{name: "internal-tool", versions: []string{"1.0", "99.0"}, requiresDist: []string{}})
	public.add(synthProject{name: "requests", versions: []string{"2.31.0"}, requiresDist: []string{}})
	m := NewIndexes(private.client(t, Options{}), public.client(t, Options{}))
	t.Cleanup(func() { m.Close() })

	p, err := m.Project(ctxT(t), "Internal_Tool")
	require.NoError(t, err)
	assert.Equal(t, []string{"1.0:1"}, versionsOf(p), "no release of the later index is merged in")
	r, err := m.Release(ctxT(t), "internal-tool", "1.0")
	require.NoError(t, err)
	_, err = m.Open(ctxT(t), r.Files[0])
	require.NoError(t, err)
	assert.Equal(t, 0, public.hitsOf("/pypi/internal-tool/json"))
	assert.Equal(t, 1, private.hitsOf("/packages/aa/bb/internal_tool-1.0.tar.gz"))

	p, err = m.Project(ctxT(t), "requests")
	require.NoError(t, err, "a project only the later index has")
	assert.Equal(t, []string{"2.31.0:1"}, versionsOf(p))
	_, err = m.Release(ctxT(t), "requests", "2.31.0")
	require.NoError(t, err)

	_, err = m.Project(ctxT(t), "nowhere")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = m.Open(ctxT(t), File{Filename: "x-1.0.tar.gz", URL: public.srv.URL + "/packages/x-1.0.tar.gz"})
	assert.ErrorContains(t, err, "listed by none of the indexes")
}

// An index that fails (not "not found") stops the search: an outage of the
// private index must not send its projects to the public one.
func TestIndexesFailureDoesNotFallThrough(t *testing.T) {
	private, public := newFakeIndex(t), newFakeIndex(t)
	private.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
		http.Error(w, "synthetic outage", http.StatusServiceUnavailable)
		return true
	}
	public.add(synthProject{name: "internal-tool", versions: []string{"99.0"}, requiresDist: []string{}})
	m := NewIndexes(private.client(t, Options{Retries: -1}), public.client(t, Options{}))
	_, err := m.Project(ctxT(t), "internal-tool")
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 0, public.requests())
}
