package pypi

import (
	"fmt"
	"slices"
	"strings"
)

// Requirement is a parsed PEP 508 dependency specifier, such as
// `requests[socks]>=2.8.1,<3; python_version >= "3.8"` or
// `pkg @ https://example.org/pkg-1.0.tar.gz`.
type Requirement struct {
	Name      string       // as written
	Extras    []string     // normalized, sorted, without duplicates
	Specifier SpecifierSet // empty for URL requirements
	URL       string       // PEP 508 "name @ url" form; "" otherwise
	Marker    Marker
}

// ParseRequirement parses a PEP 508 requirement. It also accepts the old
// style with a parenthesized specifier, `foo (>=1.0) ; extra == 'x'`, still
// found in package metadata. The error quotes s and says what was expected.
func ParseRequirement(s string) (Requirement, error) {
	p := reqParser{src: s}
	r, msg := p.parse()
	if msg != "" {
		return Requirement{}, fmt.Errorf("invalid requirement %q at column %d: %s", s, p.pos+1, msg)
	}
	return r, nil
}

type reqParser struct {
	src string
	pos int
}

func (p *reqParser) ws() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *reqParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// identifier reads a name: a letter or digit, then letters, digits, '.',
// '_' and '-', ending on a word character.
func (p *reqParser) identifier() string {
	start := p.pos
	if !isAlnum(p.peek()) {
		return ""
	}
	end := p.pos
	for i := p.pos; i < len(p.src); i++ {
		c := p.src[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			break
		}
		if isAlnum(c) || c == '_' {
			end = i + 1
		}
	}
	if end < len(p.src) && isWordByte(p.src[end]) {
		return "" // a non-ASCII letter glued to the name
	}
	p.pos = end
	return p.src[start:end]
}

func (p *reqParser) parse() (r Requirement, msg string) {
	p.ws()
	if r.Name = p.identifier(); r.Name == "" {
		return r, "expected a package name"
	}
	p.ws()
	if p.peek() == '[' {
		if msg = p.extras(&r); msg != "" {
			return r, msg
		}
	}
	p.ws()
	if p.peek() == '@' {
		p.pos++
		p.ws()
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] != ' ' && p.src[p.pos] != '\t' {
			p.pos++
		}
		if r.URL = p.src[start:p.pos]; r.URL == "" {
			return r, "expected a URL after @"
		}
		p.ws()
		if p.pos == len(p.src) {
			return r, ""
		}
	} else {
		specStart := p.pos
		if msg = p.specifier(&r); msg != "" {
			return r, msg
		}
		p.ws()
		if p.pos == len(p.src) {
			return r, ""
		}
		if p.peek() != ';' {
			if p.pos == specStart {
				return r, fmt.Sprintf("expected a version specifier, ';' or the end after the name, not %q", p.src[p.pos:])
			}
			return r, fmt.Sprintf("expected ';' or the end after the version specifier, not %q", p.src[p.pos:])
		}
	}
	if p.peek() != ';' {
		return r, fmt.Sprintf("expected ';' and a marker after the URL, not %q", p.src[p.pos:])
	}
	p.pos++
	m, err := ParseMarker(p.src[p.pos:])
	if err != nil {
		return r, err.Error()
	}
	r.Marker = m
	p.pos = len(p.src)
	return r, ""
}

func (p *reqParser) extras(r *Requirement) string {
	p.pos++ // '['
	p.ws()
	for p.peek() != ']' {
		name := p.identifier()
		if name == "" {
			return "expected an extra name or ']'"
		}
		if !isAlnum(name[len(name)-1]) {
			// PEP 508's identifier ends with a letter or digit; "x_" would
			// normalize (PEP 685) to "x-", which no parser reads back.
			return "an extra name ends with a letter or digit"
		}
		r.Extras = append(r.Extras, NormalizeName(name))
		p.ws()
		switch p.peek() {
		case ',':
			p.pos++
			p.ws()
			if p.peek() == ']' {
				return "expected an extra name after ','"
			}
		case ']':
		default:
			return "expected ',' or ']' in the extras"
		}
	}
	p.pos++
	slices.Sort(r.Extras)
	r.Extras = slices.Compact(r.Extras)
	return ""
}

// specifier reads an optional, optionally parenthesized, comma-separated
// list of version specifiers.
func (p *reqParser) specifier(r *Requirement) string {
	paren := p.peek() == '('
	if paren {
		p.pos++
		p.ws()
	}
	var clauses []clause
	for p.pos < len(p.src) && strings.IndexByte("=!<>~", p.peek()) >= 0 {
		start := p.pos
		for p.pos < len(p.src) && strings.IndexByte("=!<>~", p.src[p.pos]) >= 0 {
			p.pos++
		}
		arbitrary := p.src[start:p.pos] == "==="
		p.ws()
		for p.pos < len(p.src) && isSpecVersionByte(p.src[p.pos], arbitrary) {
			p.pos++
		}
		c, msg := parseClause(p.src[start:p.pos])
		if msg != "" {
			text := p.src[start:p.pos]
			p.pos = start
			return fmt.Sprintf("specifier %q: %s", text, msg)
		}
		clauses = append(clauses, c)
		p.ws()
		if p.peek() != ',' {
			break
		}
		p.pos++
		p.ws()
	}
	if paren {
		p.ws()
		if p.peek() != ')' {
			return "expected ')' to close the version specifier"
		}
		p.pos++
	}
	r.Specifier = SpecifierSet{clauses: clauses}
	r.Specifier.normalize()
	return ""
}

// isSpecVersionByte reports whether c can continue the version of a
// specifier; "===" takes anything but blanks, ';', ',' and ')'.
func isSpecVersionByte(c byte, arbitrary bool) bool {
	if arbitrary {
		return c != ' ' && c != '\t' && c != ';' && c != ')' && c != ',' && !isPySpace(rune(c))
	}
	return isAlnum(c) || strings.IndexByte(".!+*_-", c) >= 0
}

// NormalizedName returns the PEP 503 normalized project name.
func (r Requirement) NormalizedName() string { return NormalizeName(r.Name) }

// String returns r in canonical PEP 508 form; it parses back to an equal
// requirement.
func (r Requirement) String() string {
	var b strings.Builder
	b.WriteString(r.Name)
	if len(r.Extras) > 0 {
		b.WriteString("[" + strings.Join(r.Extras, ",") + "]")
	}
	b.WriteString(r.Specifier.String())
	if r.URL != "" {
		b.WriteString(" @ " + r.URL)
		if !r.Marker.IsEmpty() {
			b.WriteByte(' ')
		}
	}
	if !r.Marker.IsEmpty() {
		b.WriteString("; " + r.Marker.String())
	}
	return b.String()
}
