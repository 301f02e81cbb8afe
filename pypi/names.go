package pypi

import (
	"fmt"
	"strings"
)

// NormalizeName returns the PEP 503 normalized form of a project name:
// every run of '-', '_' and '.' becomes one '-', and letters are lowered.
// Extras are normalized the same way (PEP 685). A name already in normal
// form, the common case, is returned as it is, without allocating.
func NormalizeName(name string) string {
	if isNormalized(name) {
		return name
	}
	return normalizeName(name)
}

// isNormalized reports whether normalizeName would return name unchanged:
// ASCII without capitals, '_' or '.', and no "--".
func isNormalized(name string) bool {
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 0x80, 'A' <= c && c <= 'Z', c == '_', c == '.':
			return false
		case c == '-' && i > 0 && name[i-1] == '-':
			return false
		}
	}
	return true
}

func normalizeName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			sep = true
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if sep {
			b.WriteByte('-')
			sep = false
		}
		b.WriteByte(c)
	}
	if sep {
		b.WriteByte('-')
	}
	s := b.String()
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			// Python lowers non-ASCII letters too.
			return strings.ToLower(s)
		}
	}
	return s
}

// ValidName reports whether name is a valid project name per the core
// metadata specification: ASCII letters and digits, with '.', '_' and '-'
// allowed between them.
func ValidName(name string) bool {
	if name == "" || !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// SdistFilename returns the PEP 625 file name of a project's source
// distribution: the normalized name with '-' replaced by '_', the version in
// canonical form when it parses (as written otherwise), and ".tar.gz".
func SdistFilename(name, version string) string {
	if v, err := ParseVersion(version); err == nil {
		version = v.String()
	}
	return strings.ReplaceAll(NormalizeName(name), "-", "_") + "-" + version + ".tar.gz"
}

// sdistExtensions are the archive suffixes source distributions have used
// on the index, longest first so ".tar.gz" wins over ".gz"-like overlaps.
var sdistExtensions = []string{".tar.gz", ".tar.bz2", ".tar.xz", ".tar.Z", ".tgz", ".tar", ".zip"}

// ParseSdistFilename splits a source distribution's file name into the
// project name as written, the version as written and the extension
// (".tar.gz", ".zip", …). Legacy names may contain dashes in the project
// name; the split is made at the last dash followed by a valid version.
// Use ParseSdistFilenameFor when the project is known.
func ParseSdistFilename(filename string) (name, version, ext string, err error) {
	stem, ext, err := splitSdistExt(filename)
	if err != nil {
		return "", "", "", err
	}
	for i := strings.LastIndexByte(stem, '-'); i > 0; i = strings.LastIndexByte(stem[:i], '-') {
		if _, verr := ParseVersion(stem[i+1:]); verr == nil && ValidName(stem[:i]) {
			return stem[:i], stem[i+1:], ext, nil
		}
	}
	return "", "", "", fmt.Errorf("sdist file name %q: no valid version after a dash", filename)
}

// ParseSdistFilenameFor splits a source distribution's file name whose
// project is known, removing the ambiguity of dashes in legacy names: the
// stem must start with a spelling of project (same normalized name) followed
// by a dash and a valid version.
func ParseSdistFilenameFor(project, filename string) (version, ext string, err error) {
	stem, ext, err := splitSdistExt(filename)
	if err != nil {
		return "", "", err
	}
	want := NormalizeName(project)
	for i := strings.IndexByte(stem, '-'); i > 0; {
		if NormalizeName(stem[:i]) == want {
			if _, verr := ParseVersion(stem[i+1:]); verr == nil {
				return stem[i+1:], ext, nil
			}
		}
		j := strings.IndexByte(stem[i+1:], '-')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return "", "", fmt.Errorf("sdist file name %q: not %s-<version>", filename, project)
}

func splitSdistExt(filename string) (stem, ext string, err error) {
	lower := strings.ToLower(filename)
	for _, e := range sdistExtensions {
		if strings.HasSuffix(lower, strings.ToLower(e)) && len(filename) > len(e) {
			return filename[:len(filename)-len(e)], filename[len(filename)-len(e):], nil
		}
	}
	return "", "", fmt.Errorf("sdist file name %q: unknown archive extension (want .tar.gz, .zip, .tar.bz2, …)", filename)
}
