package nixexpr

import (
	"errors"
	"strings"
)

// decodeNixString decodes a Nix string literal, either form, the way Nix's
// lexer does (for literals without interpolation). It exists to check the
// printer independently of it; TestNixAgreesWithDecoder pins it to real Nix.
func decodeNixString(lit string) (string, error) {
	switch {
	case strings.HasPrefix(lit, `"`):
		return decodeQuoted(lit)
	case strings.HasPrefix(lit, "''"):
		return decodeIndented(lit)
	}
	return "", errors.New("not a string literal")
}

func unescapeChar(c byte) string {
	switch c {
	case 'n':
		return "\n"
	case 'r':
		return "\r"
	case 't':
		return "\t"
	}
	return string(c)
}

func decodeQuoted(lit string) (string, error) {
	var b strings.Builder
	s := lit[1:]
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			if i != len(s)-1 {
				return "", errors.New("text after the closing quote")
			}
			return b.String(), nil
		case '\\':
			if i+1 >= len(s) {
				return "", errors.New("dangling backslash")
			}
			b.WriteString(unescapeChar(s[i+1]))
			i++
		case '$':
			// Nix's lexer takes "$" with the next character unless that is
			// "{" (interpolation), '"' or "\" (handled on their own).
			if i+1 < len(s) && s[i+1] == '{' {
				return "", errors.New("interpolation")
			}
			b.WriteByte('$')
			if i+1 < len(s) && s[i+1] != '"' && s[i+1] != '\\' {
				b.WriteByte(s[i+1])
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated string")
}

// decodeIndented splits the raw body into lines, strips the indentation
// the way Nix does (first line dropped when blank, common indentation of
// the non-blank lines removed, a blank last line dropped), then unescapes.
func decodeIndented(lit string) (string, error) {
	body := lit[2:]
	end := -1
	for i := 0; i+1 < len(body); i++ {
		if body[i] != '\'' || body[i+1] != '\'' {
			continue
		}
		if i+2 < len(body) && (body[i+2] == '\'' || body[i+2] == '$' || body[i+2] == '\\') {
			i += 2 // an escape; its third character is consumed too
			if body[i] == '\\' {
				i++
			}
			continue
		}
		end = i
		break
	}
	if end < 0 {
		return "", errors.New("unterminated indented string")
	}
	if end+2 != len(body) {
		return "", errors.New("text after the closing quotes")
	}
	lines := strings.Split(body[:end], "\n")
	blank := func(l string) bool { return strings.Trim(l, " ") == "" }
	if len(lines) > 1 && blank(lines[0]) {
		lines = lines[1:]
	}
	minIndent := -1
	for _, l := range lines {
		if blank(l) {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if minIndent < 0 || n < minIndent {
			minIndent = n
		}
	}
	if minIndent < 0 {
		minIndent = 0
	}
	if len(lines) > 1 && blank(lines[len(lines)-1]) {
		lines[len(lines)-1] = ""
	}
	var b strings.Builder
	for i, l := range lines {
		if len(l) >= minIndent {
			l = l[minIndent:]
		} else {
			l = ""
		}
		s, err := unescapeIndentedLine(l)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
		if i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

func unescapeIndentedLine(l string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		switch {
		case strings.HasPrefix(l[i:], "'''"):
			b.WriteString("''")
			i += 2
		case strings.HasPrefix(l[i:], "''$"):
			b.WriteByte('$')
			i += 2
		case strings.HasPrefix(l[i:], `''\`) && i+3 < len(l):
			b.WriteString(unescapeChar(l[i+3]))
			i += 3
		case strings.HasPrefix(l[i:], "''"):
			return "", errors.New("closing quotes inside the body")
		case strings.HasPrefix(l[i:], "${"):
			return "", errors.New("interpolation")
		case l[i] == '$' && i+1 < len(l) && l[i+1] != '\'':
			b.WriteString(l[i : i+2])
			i++
		default:
			b.WriteByte(l[i])
		}
	}
	return b.String(), nil
}
