package resolver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
)

// warningIndex is the fake index whose release metadata came from a PEP
// 658 file read leniently.
type warningIndex struct {
	*fakeIndex
	warning string
}

func (w warningIndex) Release(ctx context.Context, name, version string) (*index.ReleaseInfo, error) {
	ri, err := w.fakeIndex.Release(ctx, name, version)
	if ri != nil {
		ri.MetadataWarnings = []string{w.warning}
	}
	return ri, err
}

// A line of the index's metadata file that was skipped is a note of the
// package, as one of its sdist's PKG-INFO is.
func TestResolveNotesIndexMetadataWarnings(t *testing.T) {
	lines, err := reqLines("foo")
	require.NoError(t, err)
	warning := `the index's core metadata (foo-1.0-py3-none-any.whl.metadata), line 5: line skipped, want "Field: value" or an indented continuation: "x"`
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()},
		warningIndex{newFake(map[string][]rel{"foo": {{version: "1.0"}}}), warning})
	require.NoError(t, err)
	assert.Contains(t, plan.Packages[0].Notes, warning)
}
