package nixexpr

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Sanitize returns the text a Nix string literal can hold for s: Nix strings
// are NUL-terminated C strings and the generated files are UTF-8, so invalid
// UTF-8 sequences and NUL bytes each become U+FFFD. Every other character,
// control characters included, is kept and printed exactly.
func Sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// QuoteString returns s (after Sanitize) as a double-quoted Nix string
// literal. Backslash, double quote and "${" are escaped; newline, carriage
// return and tab use Nix's \n, \r and \t escapes.
func QuoteString(s string) string {
	s = Sanitize(s)
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '$':
			// Only "${" starts an interpolation; a lone "$" is literal.
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteByte('\\')
			}
			b.WriteByte('$')
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// indentedOK reports whether s (already sanitized) is printed exactly by
// the indented string form: it must be multi-line, and its lines must not
// start with blanks (Nix strips the common indentation, which would eat
// them) nor hold control characters other than newline (Nix's own
// whitespace handling of tabs and CR is not worth reproducing). A final
// "'" without a trailing newline would run into the closing quotes.
func indentedOK(s string) bool {
	if !strings.Contains(s, "\n") {
		return false
	}
	if !strings.HasSuffix(s, "\n") && strings.HasSuffix(s, "'") {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, " ") {
			return false
		}
		for _, r := range line {
			if unicode.IsControl(r) {
				return false
			}
		}
	}
	return true
}

// escapeIndented escapes one line of an indented string: two single quotes
// become three, a dollar-brace gets two single quotes before it, and a
// single quote right before a dollar-brace is written as an escape.
func escapeIndented(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\'' && i+1 < len(line) && line[i+1] == '\'':
			b.WriteString("'''")
			i++
		case line[i] == '\'' && strings.HasPrefix(line[i+1:], "${"):
			// A lone quote would merge with the escape that follows into
			// three quotes (an escaped pair) and leave "${" live.
			b.WriteString(`''\'`)
		case line[i] == '$' && i+1 < len(line) && line[i+1] == '{':
			b.WriteString("''$")
		default:
			b.WriteByte(line[i])
		}
	}
	return b.String()
}

// indentedString renders s in the indented form with its lines at indent
// spaces and the closing quotes at indent-2, or returns false when the form
// cannot hold s exactly.
func indentedString(s string, indent int) (string, bool) {
	s = Sanitize(s)
	if !indentedOK(s) {
		return "", false
	}
	var b strings.Builder
	b.WriteString("''\n")
	trailing := strings.HasSuffix(s, "\n")
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, line := range lines {
		if line != "" {
			b.WriteString(strings.Repeat(" ", indent))
			b.WriteString(escapeIndented(line))
		}
		if i < len(lines)-1 || trailing {
			b.WriteByte('\n')
		}
	}
	if trailing {
		b.WriteString(strings.Repeat(" ", max(indent-2, 0)))
	}
	b.WriteString("''")
	return b.String(), true
}

var identRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_'-]*$`)

// keywords are Nix's reserved words; "or" is accepted as a name by Nix in
// some places only, so it is quoted too.
var keywords = map[string]bool{
	"assert": true, "else": true, "if": true, "in": true, "inherit": true,
	"let": true, "or": true, "rec": true, "then": true, "with": true,
}

// IsIdent reports whether name can be written unquoted as a variable or
// attribute name.
func IsIdent(name string) bool {
	return identRE.MatchString(name) && !keywords[name]
}

// AttrName returns name as an attribute name: bare when it is an
// identifier, a quoted string otherwise.
func AttrName(name string) string {
	if IsIdent(name) {
		return name
	}
	return QuoteString(name)
}

var pathRE = regexp.MustCompile(`^(\.|\.\.|~|[a-zA-Z0-9._+-]*)(/[a-zA-Z0-9._+-]+)+$`)

// NewPath checks that p is a relative, absolute or home path literal Nix
// accepts without quoting (./stub, ../x/y.nix, /etc/nix).
func NewPath(p string) (Path, error) {
	if !pathRE.MatchString(p) || strings.HasSuffix(p, "/") {
		return Path{}, fmt.Errorf("nix path literal %q: want ./name, ../name, ~/name or /name with [a-zA-Z0-9._+-] components", p)
	}
	return Path{p}, nil
}

// CommentLines splits text into the lines of a # comment. Every control
// character ends a line or is dropped, so no text can end the comment early
// and turn the rest of its line into code: newlines (and CR, vertical tab,
// form feed, and the Unicode line and paragraph separators) split lines,
// tabs become spaces, other control characters are removed.
func CommentLines(text string) []string {
	text = strings.ReplaceAll(Sanitize(text), "\r\n", "\n")
	var lines []string
	var b strings.Builder
	flush := func() {
		lines = append(lines, strings.TrimRight(b.String(), " "))
		b.Reset()
	}
	for _, r := range text {
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			flush()
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r):
			// Dropped: a terminal would interpret it, a reader would not see it.
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return lines
}
