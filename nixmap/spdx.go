package nixmap

import (
	"fmt"
	"strings"
)

// spdxExpr is a parsed SPDX license expression: a leaf (ID, maybe "+" and an
// exception) or an AND/OR of two or more operands.
type spdxExpr struct {
	op        string // "AND", "OR", or "" for a leaf
	args      []*spdxExpr
	id        string // as written, without "+"
	plus      bool
	exception string // the identifier after WITH
}

// parseSPDX parses an SPDX license expression (SPDX 2.3 annex D): license
// and LicenseRef identifiers, "+", WITH, AND binding tighter than OR, and
// parentheses. Operators are accepted in any case, as SPDX 3 allows.
func parseSPDX(s string) (*spdxExpr, error) {
	p := &spdxParser{toks: spdxTokens(s)}
	if len(p.toks) == 0 {
		return nil, fmt.Errorf("empty license expression")
	}
	e, err := p.or()
	if err != nil {
		return nil, fmt.Errorf("license expression %q: %w", s, err)
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("license expression %q: unexpected %q", s, p.toks[p.pos])
	}
	return e, nil
}

func spdxTokens(s string) []string {
	var toks []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '(' || r == ')':
			flush()
			toks = append(toks, string(r))
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

type spdxParser struct {
	toks []string
	pos  int
}

func (p *spdxParser) peekOp(op string) bool {
	return p.pos < len(p.toks) && strings.EqualFold(p.toks[p.pos], op)
}

func (p *spdxParser) or() (*spdxExpr, error) {
	return p.binary("OR", p.and)
}

func (p *spdxParser) and() (*spdxExpr, error) {
	return p.binary("AND", p.with)
}

func (p *spdxParser) binary(op string, next func() (*spdxExpr, error)) (*spdxExpr, error) {
	first, err := next()
	if err != nil {
		return nil, err
	}
	args := []*spdxExpr{first}
	for p.peekOp(op) {
		p.pos++
		e, err := next()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &spdxExpr{op: op, args: args}, nil
}

func (p *spdxParser) with() (*spdxExpr, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("expression ends where a license was expected")
	}
	tok := p.toks[p.pos]
	if tok == "(" {
		p.pos++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos] != ")" {
			return nil, fmt.Errorf("missing \")\"")
		}
		p.pos++
		return e, nil
	}
	if tok == ")" || isSPDXOperator(tok) {
		return nil, fmt.Errorf("unexpected %q where a license was expected", tok)
	}
	p.pos++
	leaf := &spdxExpr{id: tok}
	if strings.HasSuffix(tok, "+") {
		leaf.id, leaf.plus = strings.TrimSuffix(tok, "+"), true
	}
	if !validSPDXID(leaf.id) {
		return nil, fmt.Errorf("invalid license identifier %q", tok)
	}
	if p.peekOp("WITH") {
		p.pos++
		if p.pos >= len(p.toks) || !validSPDXID(p.toks[p.pos]) || isSPDXOperator(p.toks[p.pos]) {
			return nil, fmt.Errorf("WITH must be followed by an exception identifier")
		}
		leaf.exception = p.toks[p.pos]
		p.pos++
	}
	return leaf, nil
}

func isSPDXOperator(tok string) bool {
	return strings.EqualFold(tok, "AND") || strings.EqualFold(tok, "OR") || strings.EqualFold(tok, "WITH")
}

// validSPDXID checks the idstring grammar (letters, digits, "." and "-"),
// allowing the "DocumentRef-x:LicenseRef-y" form's single colon.
func validSPDXID(id string) bool {
	if id == "" {
		return false
	}
	doc, lic, hasColon := strings.Cut(id, ":")
	if hasColon {
		if !strings.HasPrefix(doc, "DocumentRef-") || !strings.HasPrefix(lic, "LicenseRef-") {
			return false
		}
		return idChars(doc) && idChars(lic)
	}
	return idChars(id)
}

func idChars(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// String renders the expression canonically: upper-case operators and
// parentheses only where precedence needs them.
func (e *spdxExpr) String() string {
	if e.op == "" {
		s := e.id
		if e.plus {
			s += "+"
		}
		if e.exception != "" {
			s += " WITH " + e.exception
		}
		return s
	}
	parts := make([]string, len(e.args))
	for i, a := range e.args {
		parts[i] = a.String()
		if a.op == "OR" && e.op == "AND" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " "+e.op+" ")
}

// leaves lists the expression's licenses, left to right.
func (e *spdxExpr) leaves() []*spdxExpr {
	if e.op == "" {
		return []*spdxExpr{e}
	}
	var out []*spdxExpr
	for _, a := range e.args {
		out = append(out, a.leaves()...)
	}
	return out
}
