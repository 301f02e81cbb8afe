package pypi

import (
	"fmt"
	"strings"
)

// Environment holds PEP 508 marker variables by name ("python_version",
// "sys_platform", …) plus "extra". A missing variable evaluates as "".
type Environment map[string]string

// LinuxCPython returns the marker environment of CPython with the given full
// version (such as "3.12.8") on x86_64 Linux, as NixOS runs it.
func LinuxCPython(pythonFullVersion string) Environment {
	return cpython(pythonFullVersion, Environment{
		"os_name":          "posix",
		"platform_machine": "x86_64",
		"platform_release": "6.6.0",
		"platform_system":  "Linux",
		"platform_version": "#1-NixOS SMP PREEMPT_DYNAMIC",
		"sys_platform":     "linux",
	})
}

// DarwinCPython returns the marker environment of CPython with the given
// full version on arm64 macOS.
func DarwinCPython(pythonFullVersion string) Environment {
	return cpython(pythonFullVersion, Environment{
		"os_name":          "posix",
		"platform_machine": "arm64",
		"platform_release": "23.6.0",
		"platform_system":  "Darwin",
		"platform_version": "Darwin Kernel Version 23.6.0",
		"sys_platform":     "darwin",
	})
}

func cpython(full string, env Environment) Environment {
	short := full
	if parts := strings.SplitN(full, ".", 3); len(parts) >= 2 {
		short = parts[0] + "." + parts[1]
	}
	env["implementation_name"] = "cpython"
	env["implementation_version"] = full
	env["platform_python_implementation"] = "CPython"
	env["python_full_version"] = full
	env["python_version"] = short
	env["extra"] = ""
	return env
}

// markerVariables are the PEP 508 variables; the dotted and legacy
// spellings packaging accepts map onto them.
var markerVariables = map[string]string{
	"python_version":                 "python_version",
	"python_full_version":            "python_full_version",
	"os_name":                        "os_name",
	"os.name":                        "os_name",
	"sys_platform":                   "sys_platform",
	"sys.platform":                   "sys_platform",
	"platform_release":               "platform_release",
	"platform_system":                "platform_system",
	"platform_version":               "platform_version",
	"platform.version":               "platform_version",
	"platform_machine":               "platform_machine",
	"platform.machine":               "platform_machine",
	"platform_python_implementation": "platform_python_implementation",
	"platform.python_implementation": "platform_python_implementation",
	"python_implementation":          "platform_python_implementation",
	"implementation_name":            "implementation_name",
	"implementation_version":         "implementation_version",
	"extra":                          "extra",
}

// versionVariables compare as PEP 440 versions when both sides parse.
var versionVariables = map[string]bool{
	"python_version":         true,
	"python_full_version":    true,
	"implementation_version": true,
	"platform_release":       true,
}

// Marker is a parsed PEP 508 environment marker. The zero value is the
// empty marker, which holds in every environment.
type Marker struct {
	expr markerExpr
}

// markerExpr is a flat sequence of terms joined by "and"/"or" (ops[i] joins
// terms[i] and terms[i+1]), kept flat as written so String reproduces the
// source's grouping.
type markerExpr struct {
	terms []markerTerm
	ops   []string
}

// markerTerm is either a comparison or a parenthesized expression.
type markerTerm struct {
	group *markerExpr
	cmp   markerCmp
}

// markerCmp is "lhs op rhs" where each side is a variable or a literal.
type markerCmp struct {
	lhs, rhs markerValue
	op       string
}

type markerValue struct {
	text     string // literal value, or the variable's canonical name
	variable bool
}

// ParseMarker parses a PEP 508 marker such as
// `python_version >= "3.8" and (sys_platform == 'linux' or extra == "ldap")`.
func ParseMarker(s string) (Marker, error) {
	p := markerParser{src: s}
	expr, err := p.expr()
	if err == nil {
		p.ws()
		if p.pos < len(p.src) {
			err = p.errorf("expected end of marker")
		}
	}
	if err != nil {
		return Marker{}, err
	}
	return Marker{expr: expr}, nil
}

type markerParser struct {
	src string
	pos int
}

func (p *markerParser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid marker %q at column %d: %s", p.src, p.pos+1, fmt.Sprintf(format, args...))
}

// ws skips the blanks PEP 508 allows between tokens (spaces and tabs).
func (p *markerParser) ws() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' || c >= 0x80 }

// keyword reports whether word starts at pos as a whole word and consumes it.
func (p *markerParser) keyword(word string) bool {
	end := p.pos + len(word)
	if end > len(p.src) || p.src[p.pos:end] != word {
		return false
	}
	if p.pos > 0 && isWordByte(p.src[p.pos-1]) || end < len(p.src) && isWordByte(p.src[end]) {
		return false
	}
	p.pos = end
	return true
}

func (p *markerParser) expr() (markerExpr, error) {
	var e markerExpr
	for {
		t, err := p.term()
		if err != nil {
			return e, err
		}
		e.terms = append(e.terms, t)
		p.ws()
		switch {
		case p.keyword("and"):
			e.ops = append(e.ops, "and")
		case p.keyword("or"):
			e.ops = append(e.ops, "or")
		default:
			return e, nil
		}
	}
}

func (p *markerParser) term() (markerTerm, error) {
	p.ws()
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		p.pos++
		g, err := p.expr()
		if err != nil {
			return markerTerm{}, err
		}
		p.ws()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return markerTerm{}, p.errorf("expected ')' to close the marker group")
		}
		p.pos++
		return markerTerm{group: &g}, nil
	}
	var c markerCmp
	var err error
	if c.lhs, err = p.value(); err != nil {
		return markerTerm{}, err
	}
	p.ws()
	if c.op, err = p.op(); err != nil {
		return markerTerm{}, err
	}
	p.ws()
	if c.rhs, err = p.value(); err != nil {
		return markerTerm{}, err
	}
	if c.lhs.variable && c.lhs.text == "extra" && !c.rhs.variable {
		c.rhs.text = NormalizeName(c.rhs.text)
	} else if c.rhs.variable && c.rhs.text == "extra" && !c.lhs.variable {
		c.lhs.text = NormalizeName(c.lhs.text)
	}
	return markerTerm{cmp: c}, nil
}

func (p *markerParser) value() (markerValue, error) {
	if p.pos < len(p.src) && (p.src[p.pos] == '"' || p.src[p.pos] == '\'') {
		q := p.src[p.pos]
		end := strings.IndexByte(p.src[p.pos+1:], q)
		if end < 0 {
			return markerValue{}, p.errorf("unterminated string")
		}
		v := markerValue{text: p.src[p.pos+1 : p.pos+1+end]}
		p.pos += end + 2
		return v, nil
	}
	start := p.pos
	for p.pos < len(p.src) && (isWordByte(p.src[p.pos]) || p.src[p.pos] == '.') {
		p.pos++
	}
	if name, ok := markerVariables[p.src[start:p.pos]]; ok {
		return markerValue{text: name, variable: true}, nil
	}
	p.pos = start
	return markerValue{}, p.errorf("expected a marker variable (python_version, sys_platform, extra, …) or a quoted string")
}

var markerOps = []string{"===", "==", "~=", "!=", "<=", ">=", "<", ">"}

func (p *markerParser) op() (string, error) {
	for _, op := range markerOps {
		if strings.HasPrefix(p.src[p.pos:], op) {
			p.pos += len(op)
			return op, nil
		}
	}
	if p.keyword("in") {
		return "in", nil
	}
	if p.keyword("not") {
		if p.pos >= len(p.src) || p.src[p.pos] != ' ' && p.src[p.pos] != '\t' {
			return "", p.errorf("expected whitespace after 'not'")
		}
		p.ws()
		if !p.keyword("in") {
			return "", p.errorf("expected 'in' after 'not'")
		}
		return "not in", nil
	}
	return "", p.errorf("expected a marker operator (<=, <, !=, ==, >=, >, ~=, ===, in, not in)")
}

// IsEmpty reports whether m is the empty marker.
func (m Marker) IsEmpty() bool { return len(m.expr.terms) == 0 }

// Evaluate reports whether m holds in env. "and" binds tighter than "or".
// Comparisons of version-valued variables use PEP 440 when both sides are
// valid, plain string comparison otherwise; "extra" compares normalized
// names. A comparison that is undefined (such as ~= between non-versions)
// is false.
func (m Marker) Evaluate(env Environment) bool {
	if m.IsEmpty() {
		return true
	}
	return m.expr.eval(env)
}

func (e *markerExpr) eval(env Environment) bool {
	// Evaluate as an "or" of "and" runs.
	run := true
	for i, t := range e.terms {
		run = run && t.eval(env)
		if i == len(e.ops) || e.ops[i] == "or" {
			if run {
				return true
			}
			run = true
		}
	}
	return false
}

func (t markerTerm) eval(env Environment) bool {
	if t.group != nil {
		return t.group.eval(env)
	}
	c := t.cmp
	key, lhs, rhs := "", c.lhs.text, c.rhs.text
	if c.lhs.variable {
		key, lhs = c.lhs.text, env[c.lhs.text]
	} else if c.rhs.variable {
		key = c.rhs.text
	}
	if c.rhs.variable {
		rhs = env[c.rhs.text]
	}
	return compareMarkerValues(key, lhs, c.op, rhs)
}

func compareMarkerValues(key, lhs, op, rhs string) bool {
	if key == "extra" {
		lhs, rhs = NormalizeName(lhs), NormalizeName(rhs)
	}
	if versionVariables[key] && op != "in" && op != "not in" {
		if c, msg := parseClause(op + rhs); msg == "" {
			if v, vmsg := parseVersion(lhs); vmsg == "" {
				return SpecifierSet{clauses: []clause{c}}.Contains(v, true)
			}
		}
	}
	switch op {
	case "==":
		return lhs == rhs
	case "!=":
		return lhs != rhs
	case "<":
		return lhs < rhs
	case "<=":
		return lhs <= rhs
	case ">":
		return lhs > rhs
	case ">=":
		return lhs >= rhs
	case "in":
		return strings.Contains(rhs, lhs)
	case "not in":
		return !strings.Contains(rhs, lhs)
	}
	return false
}

// String returns m in packaging's canonical form: variables by their PEP 508
// names, literals in double quotes, single spaces, and parentheses only
// around groups of more than one comparison.
func (m Marker) String() string {
	var b strings.Builder
	m.expr.format(&b, true)
	return b.String()
}

func (e *markerExpr) format(b *strings.Builder, top bool) {
	if len(e.terms) == 1 && e.terms[0].group != nil {
		e.terms[0].group.format(b, top)
		return
	}
	// A lone comparison needs no parentheses.
	if !top && len(e.terms) > 1 {
		b.WriteByte('(')
	}
	for i, t := range e.terms {
		if i > 0 {
			b.WriteString(" " + e.ops[i-1] + " ")
		}
		if t.group != nil {
			t.group.format(b, false)
			continue
		}
		t.cmp.lhs.format(b)
		b.WriteString(" " + t.cmp.op + " ")
		t.cmp.rhs.format(b)
	}
	if !top && len(e.terms) > 1 {
		b.WriteByte(')')
	}
}

func (v markerValue) format(b *strings.Builder) {
	switch {
	case v.variable:
		b.WriteString(v.text)
	case strings.Contains(v.text, `"`):
		// Only single quotes can hold a double quote; PEP 508 has no escapes.
		b.WriteString("'" + v.text + "'")
	default:
		b.WriteString(`"` + v.text + `"`)
	}
}
