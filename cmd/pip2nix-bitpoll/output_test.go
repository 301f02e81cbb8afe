package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A rename failing after others succeeded puts the replaced outputs back.
func TestWriteOutputsRollsBack(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	require.NoError(t, os.WriteFile(a, []byte("old a"), 0o644))
	require.NoError(t, os.WriteFile(c, []byte("old c"), 0o644))
	calls := 0
	rename = func(from, to string) error {
		calls++
		if calls == 3 {
			return errors.New("synthetic failure")
		}
		return os.Rename(from, to)
	}
	t.Cleanup(func() { rename = os.Rename })
	err := writeOutputs([]output{{a, []byte("new a")}, {b, []byte("new b")}, {c, []byte("new c")}})
	require.Error(t, err)
	assert.Equal(t, exitWriteError, exitCode(err))
	got, err := os.ReadFile(a)
	require.NoError(t, err)
	assert.Equal(t, "old a", string(got))
	_, err = os.Stat(b)
	assert.True(t, os.IsNotExist(err), "a new output is removed again")
	got, err = os.ReadFile(c)
	require.NoError(t, err)
	assert.Equal(t, "old c", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file is left behind")
}
