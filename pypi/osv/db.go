package osv

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// Limits on archives, so that a hostile or broken download cannot exhaust
// memory or time: each member and all members together, uncompressed.
// Variables only so that tests can lower them.
var (
	maxMemberSize  = 16 << 20
	maxArchiveSize = int64(2 << 30)
)

// DB is a set of advisories, looked up by project.
type DB struct {
	byID   map[string]*Advisory
	byName map[string][]*Advisory // normalized project name → advisories, by ID
}

// Load reads advisories from path: a directory (every .yaml, .yml and
// .json file below it, such as the PyPA database's vulns/<project>/<ID>.yaml;
// other files are ignored), a zip archive (.zip, as osv.dev exports an
// ecosystem), or a single YAML or JSON advisory. Errors are *Error values
// naming the file and line.
func Load(path string) (*DB, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("advisories: %w", err)
	}
	if !st.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("advisories: %w", err)
		}
		return Parse(path, data)
	}
	db := newDB()
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("advisories: %w", err)
		}
		isJSON, ok := kind(p)
		if d.IsDir() || !ok {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("advisories: %w", err)
		}
		return db.addFile(filepath.ToSlash(p), data, isJSON)
	})
	if err != nil {
		return nil, err
	}
	db.index()
	return db, nil
}

// Parse reads advisories from the bytes of a file called name: a zip
// archive (.zip) of YAML and JSON advisories, or one advisory in JSON
// (.json) or YAML (.yaml, .yml).
func Parse(name string, data []byte) (*DB, error) {
	db := newDB()
	if strings.EqualFold(filepath.Ext(name), ".zip") {
		if err := db.addZip(name, data); err != nil {
			return nil, err
		}
	} else {
		isJSON, ok := kind(name)
		if !ok {
			return nil, &Error{File: name, Msg: "not an advisory file: want .yaml, .yml, .json or .zip"}
		}
		if err := db.addFile(name, data, isJSON); err != nil {
			return nil, err
		}
	}
	db.index()
	return db, nil
}

// kind says whether a file name is an advisory and whether it is JSON.
func kind(name string) (isJSON, ok bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return true, true
	case ".yaml", ".yml":
		return false, true
	}
	return false, false
}

func newDB() *DB {
	return &DB{byID: map[string]*Advisory{}, byName: map[string][]*Advisory{}}
}

func (db *DB) addZip(name string, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &Error{File: name, Msg: fmt.Sprintf("not a zip archive: %v", err)}
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	var total int64
	for _, f := range files {
		isJSON, ok := kind(f.Name)
		if !ok || f.FileInfo().IsDir() {
			continue
		}
		member := name + ":" + f.Name
		rc, err := f.Open()
		if err != nil {
			return &Error{File: member, Msg: err.Error()}
		}
		body, err := io.ReadAll(io.LimitReader(rc, int64(maxMemberSize)+1))
		rc.Close()
		if err != nil {
			return &Error{File: member, Msg: err.Error()}
		}
		if len(body) > maxMemberSize {
			return &Error{File: member, Msg: fmt.Sprintf("larger than the limit of %d bytes", maxMemberSize)}
		}
		if total += int64(len(body)); total > maxArchiveSize {
			return &Error{File: name, Msg: fmt.Sprintf("members larger than the limit of %d bytes in all", maxArchiveSize)}
		}
		if err := db.addFile(member, body, isJSON); err != nil {
			return err
		}
	}
	return nil
}

// addFile adds the advisory in one file. When two files hold the same ID,
// the one modified last wins (the first read on a tie).
func (db *DB) addFile(file string, data []byte, isJSON bool) error {
	a, err := decodeFile(file, data, isJSON)
	if err != nil {
		return err
	}
	if a == nil {
		return nil
	}
	if old, ok := db.byID[a.ID]; ok && old.Modified >= a.Modified {
		return nil
	}
	db.byID[a.ID] = a
	return nil
}

func (db *DB) index() {
	ids := make([]string, 0, len(db.byID))
	for id := range db.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := db.byID[id]
		seen := map[string]bool{}
		for _, af := range a.Affected {
			n := pypi.NormalizeName(af.Name)
			if !seen[n] {
				seen[n] = true
				db.byName[n] = append(db.byName[n], a)
			}
		}
	}
}

// Len is the number of advisories with a PyPI package, withdrawn ones
// included.
func (db *DB) Len() int { return len(db.byID) }

// Modified is the newest modification time among the advisories, as
// written (RFC 3339), telling how recent the database is; "" when none
// records one.
func (db *DB) Modified() string {
	newest := ""
	for _, a := range db.byID {
		newest = max(newest, a.Modified)
	}
	return newest
}

// Project returns every advisory naming project (any PEP 503 spelling),
// withdrawn ones included, ordered by ID.
func (db *DB) Project(project string) []*Advisory {
	return db.byName[pypi.NormalizeName(project)]
}

// Affecting returns the advisories that affect version of project, ordered
// by ID; withdrawn advisories are left out.
func (db *DB) Affecting(project, version string) []*Advisory {
	var out []*Advisory
	for _, a := range db.Project(project) {
		if a.Affects(project, version) {
			out = append(out, a)
		}
	}
	return out
}
