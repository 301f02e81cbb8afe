package metadata

import (
	"fmt"
	"strings"
)

// ParseRequiresTxt converts a setuptools "*.egg-info/requires.txt" into PEP 508
// requirement strings, in file order. Lines before the first section are
// unconditional; a "[extra]" section adds `extra == "extra"`, "[:marker]" adds
// the marker, and "[extra:marker]" adds `(marker) and extra == "extra"` — the
// same conversion importlib.metadata applies. A requirement that carries its
// own marker keeps it, parenthesized and joined with "and". Blank lines and
// "#" comments are skipped.
func ParseRequiresTxt(data []byte) ([]string, error) {
	var out []string
	section := ""
	for i, line := range strings.Split(normalize(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return nil, &SyntaxError{Line: i + 1, Msg: fmt.Sprintf("unterminated section header %q", line)}
			}
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		req, err := conditional(line, section)
		if err != nil {
			return nil, &SyntaxError{Line: i + 1, Msg: err.Error()}
		}
		out = append(out, req)
	}
	return out, nil
}

// conditional attaches the section's condition to one requirement line.
func conditional(line, section string) (string, error) {
	extra, sectionMarker, _ := strings.Cut(section, ":")
	extra, sectionMarker = strings.TrimSpace(extra), strings.TrimSpace(sectionMarker)
	if strings.ContainsAny(extra, `"'\`) {
		return "", fmt.Errorf("extra %q in section [%s] is not a name", extra, section)
	}

	req, ownMarker := splitMarker(line)
	if req == "" {
		return "", fmt.Errorf("no requirement before the marker in %q", line)
	}
	var conds []string
	for _, m := range []string{ownMarker, sectionMarker} {
		if m != "" {
			conds = append(conds, m)
		}
	}
	if extra != "" {
		conds = append(conds, `extra == "`+extra+`"`)
	}
	if len(conds) > 1 {
		for i, c := range conds[:len(conds)-1] {
			conds[i] = "(" + c + ")"
		}
		// The extra test is an atom; the last marker of several needs
		// parentheses too when an extra is not what ends the list.
		if extra == "" {
			conds[len(conds)-1] = "(" + conds[len(conds)-1] + ")"
		}
	}
	if len(conds) == 0 {
		return req, nil
	}
	marker := strings.Join(conds, " and ")
	sep := "; "
	if strings.Contains(req+marker, "@") {
		// PEP 508: a URL requirement needs white space before ";", and
		// splitMarker reads any line holding "@" that way.
		sep = " ; "
	}
	return req + sep + marker, nil
}

// splitMarker separates "req ; marker". A URL requirement's marker must follow
// white space, so for those only " ;" counts; a ";" inside a URL stays.
func splitMarker(line string) (req, marker string) {
	cut := strings.Index(line, ";")
	if strings.Contains(line, "@") {
		cut = -1
		for _, sep := range []string{" ;", "\t;"} {
			if j := strings.Index(line, sep); j >= 0 && (cut < 0 || j < cut) {
				cut = j + 1
			}
		}
	}
	if cut < 0 {
		return line, ""
	}
	return strings.TrimSpace(line[:cut]), strings.TrimSpace(line[cut+1:])
}
