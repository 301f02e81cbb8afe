// Package unidiff reads unified diffs (plain or git-style, as nixpkgs'
// patches are) and applies them to file contents in memory, the way
// `patch -p1` would but stricter: every hunk's context and removed lines
// must match exactly (at its line or shifted, never with fuzz), so a patch
// that applies here applies with patch(1) too.
package unidiff

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// DevNull is the path a diff gives for the missing side of a created or
// deleted file.
const DevNull = "/dev/null"

// File is the diff of one file.
type File struct {
	OldPath, NewPath string // as written after "---" and "+++", without a timestamp
	Hunks            []Hunk
}

// Hunk is one "@@ -a,b +c,d @@" section.
type Hunk struct {
	OldStart, OldLines int
	NewStart, NewLines int
	Lines              []Line
}

// Line is one line of a hunk: Op is ' ' (context), '-' (removed) or '+'
// (added); NoEOL marks a line followed by "\ No newline at end of file".
type Line struct {
	Op    byte
	Text  string
	NoEOL bool
}

// Parse reads every file diff in data. Text before, between and after
// them (commit messages, "diff --git" and "index" lines) is skipped.
// Errors name the line.
func Parse(data []byte) ([]File, error) {
	lines := strings.SplitAfter(string(data), "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	var files []File
	for i := 0; i < len(lines); {
		if !strings.HasPrefix(lines[i], "--- ") || i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "+++ ") {
			i++
			continue
		}
		f := File{OldPath: diffPath(lines[i][4:]), NewPath: diffPath(lines[i+1][4:])}
		i += 2
		for i < len(lines) && strings.HasPrefix(lines[i], "@@ ") {
			h, next, err := parseHunk(lines, i)
			if err != nil {
				return nil, err
			}
			f.Hunks = append(f.Hunks, h)
			i = next
		}
		if len(f.Hunks) == 0 {
			return nil, fmt.Errorf("line %d: %s: no hunk", i, f.NewPath)
		}
		files = append(files, f)
	}
	return files, nil
}

// diffPath drops the line end and a tab-separated timestamp.
func diffPath(s string) string {
	s = strings.TrimRight(s, "\r\n")
	if t := strings.IndexByte(s, '\t'); t >= 0 {
		s = s[:t]
	}
	return strings.TrimSpace(s)
}

func parseHunk(lines []string, i int) (Hunk, int, error) {
	var h Hunk
	header := strings.TrimRight(lines[i], "\r\n")
	end := strings.Index(header[3:], " @@")
	if end < 0 {
		return h, 0, fmt.Errorf("line %d: malformed hunk header %q", i+1, header)
	}
	ranges := strings.Fields(header[3 : 3+end])
	if len(ranges) != 2 || ranges[0][0] != '-' || ranges[1][0] != '+' {
		return h, 0, fmt.Errorf("line %d: malformed hunk header %q", i+1, header)
	}
	var err1, err2 error
	h.OldStart, h.OldLines, err1 = parseRange(ranges[0][1:])
	h.NewStart, h.NewLines, err2 = parseRange(ranges[1][1:])
	if err1 != nil || err2 != nil {
		return h, 0, fmt.Errorf("line %d: malformed hunk header %q", i+1, header)
	}
	i++
	oldN, newN := 0, 0
	for i < len(lines) && (oldN < h.OldLines || newN < h.NewLines) {
		l := lines[i]
		text := strings.TrimSuffix(l, "\n")
		if l == "\n" || l == "\r\n" {
			// Some tools drop the space of an empty context line.
			text = " " + text
		}
		op := text[0]
		switch op {
		case ' ':
			oldN++
			newN++
		case '-':
			oldN++
		case '+':
			newN++
		case '\\':
			if len(h.Lines) > 0 {
				h.Lines[len(h.Lines)-1].NoEOL = true
			}
			i++
			continue
		default:
			return h, 0, fmt.Errorf("line %d: unexpected %q in a hunk", i+1, text)
		}
		h.Lines = append(h.Lines, Line{Op: op, Text: text[1:]})
		i++
	}
	if oldN != h.OldLines || newN != h.NewLines {
		return h, 0, fmt.Errorf("line %d: hunk ends early: %d/%d old and %d/%d new lines", i, oldN, h.OldLines, newN, h.NewLines)
	}
	if i < len(lines) && strings.HasPrefix(lines[i], `\`) {
		h.Lines[len(h.Lines)-1].NoEOL = true
		i++
	}
	return h, i, nil
}

func parseRange(s string) (start, n int, err error) {
	n = 1
	if c := strings.IndexByte(s, ','); c >= 0 {
		if n, err = strconv.Atoi(s[c+1:]); err != nil || n < 0 {
			return 0, 0, fmt.Errorf("bad range %q", s)
		}
		s = s[:c]
	}
	start, err = strconv.Atoi(s)
	if err != nil || start < 0 {
		return 0, 0, fmt.Errorf("bad range %q", s)
	}
	return start, n, nil
}

// Target returns the path the diff changes with strip leading components
// removed (as patch -pN), taking the new path unless it is /dev/null (a
// deletion). It reports false when too few components remain.
func (f File) Target(strip int) (string, bool) {
	p := f.NewPath
	if p == DevNull {
		p = f.OldPath
	}
	parts := strings.Split(p, "/")
	if strip >= len(parts) {
		return "", false
	}
	return strings.Join(parts[strip:], "/"), true
}

// Creates reports whether the diff creates its file.
func (f File) Creates() bool { return f.OldPath == DevNull }

// Apply applies the hunks to old (nil for a file that does not exist) and
// returns the new content. A hunk applies at its stated line or, failing
// that, at the nearest line where its context and removed lines match
// exactly, after the previous hunk; otherwise Apply fails naming it.
func (f File) Apply(old []byte) ([]byte, error) {
	if f.Creates() && old != nil {
		return nil, fmt.Errorf("%s: creates a file that exists", f.NewPath)
	}
	if !f.Creates() && old == nil {
		return nil, fmt.Errorf("%s: no such file", f.OldPath)
	}
	src := splitLines(old)
	oldNoEOL := len(old) > 0 && !bytes.HasSuffix(old, []byte("\n"))
	var out []string
	noEOL := false // whether the last line of out ends without a newline
	pos := 0       // next unconsumed line of src
	copySrc := func(to int) {
		if to > pos {
			out = append(out, src[pos:to]...)
			noEOL = to == len(src) && oldNoEOL
		}
	}
	for n, h := range f.Hunks {
		var want []string
		for _, l := range h.Lines {
			if l.Op != '+' {
				want = append(want, l.Text)
			}
		}
		at, ok := find(src, want, pos, h.OldStart-1)
		if !ok {
			return nil, fmt.Errorf("%s: hunk %d (@@ -%d,%d) does not apply", f.NewPath, n+1, h.OldStart, h.OldLines)
		}
		copySrc(at)
		for _, l := range h.Lines {
			if l.Op != '-' {
				out = append(out, l.Text)
				noEOL = l.NoEOL
			}
		}
		pos = at + len(want)
	}
	copySrc(len(src))
	if len(out) == 0 {
		return []byte{}, nil
	}
	s := strings.Join(out, "\n")
	if !noEOL {
		s += "\n"
	}
	return []byte(s), nil
}

func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	s := strings.TrimSuffix(string(b), "\n")
	return strings.Split(s, "\n")
}

// find returns where want occurs in src at or after min, nearest to hint.
func find(src, want []string, min, hint int) (int, bool) {
	match := func(at int) bool {
		if at < min || at+len(want) > len(src) {
			return false
		}
		for i, w := range want {
			if strings.TrimSuffix(src[at+i], "\r") != strings.TrimSuffix(w, "\r") {
				return false
			}
		}
		return true
	}
	if hint < min {
		hint = min
	}
	for d := 0; hint-d >= min || hint+d <= len(src); d++ {
		if match(hint + d) {
			return hint + d, true
		}
		if d > 0 && match(hint-d) {
			return hint - d, true
		}
	}
	return 0, false
}
