package sdist

import (
	"strings"
	"unicode"
)

// SetupRequires returns setup.cfg's `[options] setup_requires` entries as
// setuptools reads them: the value as Python's configparser assembles it
// (continuation lines indented deeper than the key, full-line `#` and `;`
// comments skipped, `[DEFAULT]` inherited; configparser's `%` interpolation
// is not applied), split into
// lines when it spans several, else on `;`, each entry trimmed, empty ones
// dropped. setuptools also accepts the key spelled `setup-requires`.
//
// The reader is lenient: lines configparser would reject are skipped, as
// only this one key matters. Every entry occurs verbatim in data, so it
// can be rewritten in place.
func SetupRequires(data []byte) []string {
	value, ok := setupCfgValue(string(data), "options", "setup_requires", "setup-requires")
	if !ok {
		return nil
	}
	var chunks []string
	if strings.Contains(value, "\n") {
		chunks = strings.Split(value, "\n")
	} else {
		chunks = strings.Split(value, ";")
	}
	var out []string
	for _, c := range chunks {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// setupCfgValue returns the value of the first of keys found in section
// (or, failing that, in [DEFAULT] when section exists), as configparser
// joins it.
func setupCfgValue(text, section string, keys ...string) (string, bool) {
	values := map[string]map[string][]string{} // section → key → lines
	var sect, key string
	indent := 0
	for _, line := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n"), "\n") {
		value := strings.TrimSpace(line)
		if strings.HasPrefix(value, "#") || strings.HasPrefix(value, ";") {
			continue
		}
		if value == "" {
			if key != "" {
				values[sect][key] = append(values[sect][key], "")
			}
			continue
		}
		cur := strings.IndexFunc(line, func(r rune) bool { return !unicode.IsSpace(r) })
		if key != "" && cur > indent {
			values[sect][key] = append(values[sect][key], value)
			continue
		}
		indent = cur
		if strings.HasPrefix(value, "[") {
			if end := strings.LastIndexByte(value, ']'); end > 1 {
				sect, key = value[1:end], ""
				if values[sect] == nil {
					values[sect] = map[string][]string{}
				}
				continue
			}
		}
		key = ""
		d := strings.IndexAny(value, "=:")
		if sect == "" || d <= 0 {
			continue // before any section, or not `key = value`
		}
		name := strings.TrimRightFunc(value[:d], unicode.IsSpace)
		if name == "" {
			continue
		}
		key = name
		values[sect][key] = []string{strings.TrimSpace(value[d+1:])}
	}
	if values[section] == nil {
		return "", false // [DEFAULT] applies only to sections that exist
	}
	for _, s := range []string{section, "DEFAULT"} {
		for _, k := range keys {
			if lines, ok := values[s][k]; ok {
				return strings.TrimRightFunc(strings.Join(lines, "\n"), unicode.IsSpace), true
			}
		}
	}
	return "", false
}
