package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/internal/textdiff"
)

// output is one file a command produces.
type output struct {
	path string
	data []byte
}

// writeAtomically replaces path with data: a temporary file in the same
// directory is written, synced and renamed over the target, so a reader (or
// a crash) sees the old file or the new one, never half of one.
func writeAtomically(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeOutputs writes every output, or none when any directory is missing:
// all targets are checked before the first one is replaced.
func writeOutputs(outs []output) error {
	for _, o := range outs {
		if fi, err := os.Stat(filepath.Dir(o.path)); err != nil || !fi.IsDir() {
			return withCode(exitWriteError, fmt.Errorf("writing %s: directory %s does not exist", o.path, filepath.Dir(o.path)))
		}
	}
	for _, o := range outs {
		if err := writeAtomically(o.path, o.data); err != nil {
			return withCode(exitWriteError, err)
		}
	}
	return nil
}

// diffOutputs returns a unified diff for every output whose file content
// differs from what would be written; a missing file counts as empty.
func diffOutputs(outs []output) (string, error) {
	var all bytes.Buffer
	for _, o := range outs {
		old, err := os.ReadFile(o.path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", withCode(exitInput, err)
		}
		all.WriteString(textdiff.Unified(o.path, o.path+" (regenerated)", string(old), string(o.data), 3))
	}
	return all.String(), nil
}
