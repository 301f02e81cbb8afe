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

// writeTemp writes data to a new temporary file beside path, synced and
// with the final mode, and returns its name.
func writeTemp(path string, data []byte) (name string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return tmp.Name(), nil
}

// writeOutputs replaces every output or none. Every target is checked (its
// directory exists; it is not a directory itself) and every new content is
// written to a temporary file beside its target before the first rename; a
// rename that still fails puts the outputs already replaced back as they
// were. A reader sees each file old or new, never half of one.
func writeOutputs(outs []output) error {
	for _, o := range outs {
		if fi, err := os.Stat(filepath.Dir(o.path)); err != nil || !fi.IsDir() {
			return withCode(exitWriteError, fmt.Errorf("writing %s: directory %s does not exist", o.path, filepath.Dir(o.path)))
		}
		if fi, err := os.Lstat(o.path); err == nil && !fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0 {
			return withCode(exitWriteError, fmt.Errorf("writing %s: it exists and is not a regular file", o.path))
		}
	}
	temps := make([]string, 0, len(outs))
	defer func() {
		for _, t := range temps {
			os.Remove(t) // a no-op once renamed
		}
	}()
	for _, o := range outs {
		t, err := writeTemp(o.path, o.data)
		if err != nil {
			return withCode(exitWriteError, err)
		}
		temps = append(temps, t)
	}
	// What the outputs held before, to undo a partial replacement.
	type previous struct {
		data   []byte
		exists bool
	}
	prev := make([]previous, len(outs))
	for i, o := range outs {
		data, err := os.ReadFile(o.path)
		prev[i] = previous{data, err == nil}
	}
	for i, o := range outs {
		if err := rename(temps[i], o.path); err != nil {
			for j := i - 1; j >= 0; j-- {
				restore(outs[j].path, prev[j].data, prev[j].exists)
			}
			return withCode(exitWriteError, fmt.Errorf("writing %s: %w (no output was changed)", o.path, err))
		}
	}
	return nil
}

// rename is os.Rename; tests make it fail.
var rename = os.Rename

// restore puts back what path held before writeOutputs replaced it.
func restore(path string, data []byte, existed bool) {
	if !existed {
		os.Remove(path)
		return
	}
	if t, err := writeTemp(path, data); err == nil {
		if os.Rename(t, path) != nil {
			os.Remove(t)
		}
	}
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
