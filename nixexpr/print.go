package nixexpr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// width is nixfmt's default line width.
const width = 100

// Format renders f as the bytes of a .nix file: the comment as # lines and
// a blank line, the expression, a trailing newline. The layout follows nixfmt's rules for the
// shapes this package builds (2-space indent, non-empty attribute sets
// expanded one binding per line, lists of two or more items expanded,
// hanging last arguments), so the output is stable under nixfmt.
func Format(f File) ([]byte, error) {
	var b strings.Builder
	if c := strings.TrimRight(f.Comment, "\n"); c != "" {
		for _, line := range CommentLines(c) {
			b.WriteString(commentLine(line))
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	s, err := FormatExpr(f.Body)
	if err != nil {
		return nil, err
	}
	b.WriteString(s)
	b.WriteByte('\n')
	return []byte(b.String()), nil
}

// FormatExpr renders e starting at column 0, without a trailing newline.
func FormatExpr(e Expr) (string, error) {
	p := &printer{}
	s := p.render(e, 0, 0, 0)
	if p.err != nil {
		return "", p.err
	}
	return s, nil
}

type printer struct {
	err error // first error; the output is discarded when set
}

func (p *printer) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("nixexpr: %w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
}

func commentLine(line string) string {
	if line == "" {
		return "#"
	}
	return "# " + line
}

func pad(n int) string { return strings.Repeat(" ", n) }

func runes(s string) int { return utf8.RuneCountInString(s) }

func (p *printer) ident(name, what string) string {
	if !IsIdent(name) {
		p.fail("%s %q is not a Nix identifier", what, name)
	}
	return name
}

// flat returns e on one line, or false when nixfmt would always spread e
// over several lines (non-empty sets, lists of two or more, indented
// strings, let, several formals).
func (p *printer) flat(e Expr) (string, bool) {
	switch e := e.(type) {
	case nil:
		p.fail("nil expression")
		return "", true
	case String:
		if indentedOK(Sanitize(string(e))) {
			return "", false
		}
		return QuoteString(string(e)), true
	case Int:
		return strconv.FormatInt(int64(e), 10), true
	case Bool:
		return strconv.FormatBool(bool(e)), true
	case Null:
		return "null", true
	case Path:
		if e.p == "" {
			p.fail("empty path; use NewPath")
		}
		return e.p, true
	case Ref:
		return p.ref(e), true
	case Select:
		def, ok := p.flat(e.Default)
		if !ok || compound(e.Default) {
			p.fail("the default of %s must be a simple value on one line", p.ref(e.Ref))
		}
		return p.ref(e.Ref) + " or " + def, true
	case List:
		switch len(e) {
		case 0:
			return "[ ]", true
		case 1:
			if s, ok := p.flat(e[0]); ok {
				// A list element is a selection: an application or an
				// operation needs parentheses, as in an argument.
				return "[ " + p.parenArg(e[0], s) + " ]", true
			}
		}
		return "", false
	case AttrSet:
		if len(e.Bindings) > 0 {
			return "", false
		}
		if e.Rec {
			return "rec { }", true
		}
		return "{ }", true
	case Lambda:
		body, ok := p.flat(e.Body)
		return p.ident(e.Arg, "function argument") + ": " + body, ok
	case SetLambda:
		if len(e.Formals) > 1 {
			return "", false
		}
		head, ok := p.formalsFlat(e)
		if !ok {
			return "", false
		}
		body, ok := p.flat(e.Body)
		return head + " " + body, ok
	case Apply:
		if len(e.Args) == 0 {
			p.fail("application without arguments")
		}
		parts := make([]string, 0, len(e.Args)+1)
		f, ok := p.flat(e.Func)
		if !ok {
			return "", false
		}
		parts = append(parts, p.parenFunc(e.Func, f))
		for _, a := range e.Args {
			s, ok := p.flat(a)
			if !ok {
				return "", false
			}
			parts = append(parts, p.parenArg(a, s))
		}
		return strings.Join(parts, " "), true
	case Op:
		if len(e.Operands) < 2 {
			p.fail("operator %s with %d operands", e.Op, len(e.Operands))
		}
		if e.Op != Concat && e.Op != Update && e.Op != Plus {
			p.fail("unsupported operator %q", e.Op)
		}
		parts := make([]string, 0, len(e.Operands))
		for _, o := range e.Operands {
			s, ok := p.flat(o)
			if !ok {
				return "", false
			}
			parts = append(parts, p.paren(o, s))
		}
		return strings.Join(parts, " "+string(e.Op)+" "), true
	case Let:
		return "", false
	case Verbatim:
		return string(e), !strings.Contains(string(e), "\n")
	}
	p.fail("unknown expression type %T", e)
	return "", true
}

func (p *printer) ref(r Ref) string {
	if len(r) == 0 {
		p.fail("empty reference")
		return ""
	}
	parts := make([]string, len(r))
	parts[0] = p.ident(r[0], "variable")
	for i, a := range r[1:] {
		parts[i+1] = AttrName(a)
	}
	return strings.Join(parts, ".")
}

func (p *printer) formalsFlat(e SetLambda) (string, bool) {
	var parts []string
	for _, f := range e.Formals {
		s := p.ident(f.Name, "formal argument")
		if f.Default != nil {
			d, ok := p.flat(f.Default)
			if !ok {
				return "", false
			}
			s += " ? " + d
		}
		parts = append(parts, s)
	}
	if e.Ellipsis {
		parts = append(parts, "...")
	}
	if len(parts) == 0 {
		return "{ }:", true
	}
	return "{ " + strings.Join(parts, ", ") + " }:", true
}

// compound reports whether e needs parentheses as an operand or argument.
func compound(e Expr) bool {
	switch e := e.(type) {
	case Lambda, SetLambda, Let, Op, Apply, Verbatim, Select:
		return true
	case Int:
		return e < 0 // f -1 would be a subtraction
	}
	return false
}

// paren wraps an operand of ++ or // when it binds looser than the
// operator; application binds tighter, so it stays bare.
func (p *printer) paren(e Expr, s string) string {
	switch e.(type) {
	case Lambda, SetLambda, Let, Op:
		return "(" + s + ")"
	}
	return s
}

func (p *printer) parenArg(e Expr, s string) string {
	if compound(e) {
		return "(" + s + ")"
	}
	return s
}

func (p *printer) parenFunc(e Expr, s string) string {
	switch e.(type) {
	case Lambda, SetLambda, Let, Op:
		return "(" + s + ")"
	}
	return s
}

// render lays e out with its first line starting at column col, later
// lines indented from ind; tail is the number of characters that will
// follow e on its last line (";" and closing parentheses).
func (p *printer) render(e Expr, ind, col, tail int) string {
	if s, ok := p.flat(e); ok && col+runes(s)+tail <= width {
		return s
	}
	switch e := e.(type) {
	case String:
		if s, ok := indentedString(string(e), ind+2); ok {
			return s
		}
		return QuoteString(string(e))
	case List:
		var b strings.Builder
		b.WriteString("[\n")
		for _, item := range e {
			b.WriteString(pad(ind + 2))
			b.WriteString(p.renderOperand(item, ind+2, ind+2, 0))
			b.WriteByte('\n')
		}
		b.WriteString(pad(ind) + "]")
		return b.String()
	case AttrSet:
		var b strings.Builder
		if e.Rec {
			b.WriteString("rec ")
		}
		b.WriteString("{\n")
		p.bindings(&b, e.Bindings, ind+2)
		b.WriteString(pad(ind) + "}")
		return b.String()
	case Lambda:
		head := p.ident(e.Arg, "function argument") + ":"
		if _, ok := e.Body.(Let); ok {
			return head + "\n" + pad(ind) + p.render(e.Body, ind, ind, tail)
		}
		return head + " " + p.render(e.Body, ind, col+runes(head)+1, tail)
	case SetLambda:
		var b strings.Builder
		if head, ok := p.formalsFlat(e); ok && len(e.Formals) <= 1 && col+runes(head) <= width {
			b.WriteString(head)
		} else {
			b.WriteString("{\n")
			for _, f := range e.Formals {
				b.WriteString(pad(ind+2) + p.ident(f.Name, "formal argument"))
				if f.Default != nil {
					b.WriteString(" ? ")
					b.WriteString(p.render(f.Default, ind+2, ind+2+runes(f.Name)+3, 1))
				}
				b.WriteString(",\n")
			}
			if e.Ellipsis {
				b.WriteString(pad(ind+2) + "...\n")
			}
			b.WriteString(pad(ind) + "}:")
		}
		b.WriteString("\n" + pad(ind))
		b.WriteString(p.render(e.Body, ind, ind, tail))
		return b.String()
	case Apply:
		return p.renderApply(e, ind, col, tail)
	case Op:
		return p.renderOp(e, ind, col, tail)
	case Verbatim:
		return strings.ReplaceAll(string(e), "\n", "\n"+pad(ind))
	case Let:
		var b strings.Builder
		b.WriteString("let\n")
		p.bindings(&b, e.Bindings, ind+2)
		b.WriteString(pad(ind) + "in\n" + pad(ind))
		b.WriteString(p.render(e.Body, ind, ind, tail))
		return b.String()
	}
	// Atoms longer than the line stay whole.
	s, _ := p.flat(e)
	return s
}

// renderOperand renders a list item, wrapping it in parentheses when needed.
func (p *printer) renderOperand(e Expr, ind, col, tail int) string {
	if compound(e) {
		return "(" + p.render(e, ind, col+1, tail+1) + ")"
	}
	return p.render(e, ind, col, tail)
}

// renderApply keeps the function and all but the last argument on the
// first line and lets the last argument hang (f a {, g (x: {), as nixfmt
// does; when an earlier argument is itself multi-line, every argument goes
// on its own line.
func (p *printer) renderApply(e Apply, ind, col, tail int) string {
	if len(e.Args) == 0 {
		p.fail("application without arguments")
		return ""
	}
	f, ok := p.flat(e.Func)
	if !ok {
		p.fail("multi-line function expression in application")
	}
	head := []string{p.parenFunc(e.Func, f)}
	allFlat := true
	for _, a := range e.Args[:len(e.Args)-1] {
		s, ok := p.flat(a)
		if !ok {
			allFlat = false
			break
		}
		head = append(head, p.parenArg(a, s))
	}
	if !allFlat {
		var b strings.Builder
		b.WriteString(head[0])
		for _, a := range e.Args {
			b.WriteString("\n" + pad(ind+2))
			b.WriteString(p.renderArg(a, ind+2, ind+2, 0))
		}
		return b.String()
	}
	prefix := strings.Join(head, " ") + " "
	return prefix + p.renderArg(e.Args[len(e.Args)-1], ind, col+runes(prefix), tail)
}

func (p *printer) renderArg(e Expr, ind, col, tail int) string {
	if compound(e) {
		return "(" + p.render(e, ind, col+1, tail+1) + ")"
	}
	return p.render(e, ind, col, tail)
}

// hangs reports whether an operator chain starts with a bracketed operand
// that may open on the binding's line ("x = [" … "] ++ …").
func hangs(e Op) bool {
	switch e.Operands[0].(type) {
	case List, AttrSet:
		return true
	}
	return false
}

// renderOp puts each operand after the first on its own line, led by the
// operator, at indentation ind.
func (p *printer) renderOp(e Op, ind, col, tail int) string {
	if len(e.Operands) < 2 {
		p.fail("operator %s with %d operands", e.Op, len(e.Operands))
		return ""
	}
	var b strings.Builder
	first := e.Operands[0]
	b.WriteString(p.renderOperandOp(first, ind, col, 0))
	op := string(e.Op) + " "
	for i, o := range e.Operands[1:] {
		t := 0
		if i == len(e.Operands)-2 {
			t = tail
		}
		b.WriteString("\n" + pad(ind) + op)
		b.WriteString(p.renderOperandOp(o, ind, ind+len(op), t))
	}
	return b.String()
}

func (p *printer) renderOperandOp(e Expr, ind, col, tail int) string {
	switch e.(type) {
	case Lambda, SetLambda, Let, Op:
		return "(" + p.render(e, ind, col+1, tail+1) + ")"
	}
	return p.render(e, ind, col, tail)
}

func (p *printer) bindings(b *strings.Builder, bs []Binding, ind int) {
	defined := map[string]bool{}
	define := func(path string) {
		if defined[path] {
			p.fail("attribute %q defined twice", path)
		}
		defined[path] = true
	}
	for _, bind := range bs {
		switch bind := bind.(type) {
		case Attr:
			define(strings.Join(bind.Path, "."))
			p.comment(b, bind.Comment, ind)
			b.WriteString(pad(ind))
			b.WriteString(p.attr(bind, ind))
			b.WriteByte('\n')
		case Inherit:
			for _, n := range bind.Names {
				define(n)
			}
			p.comment(b, bind.Comment, ind)
			b.WriteString(pad(ind))
			b.WriteString(p.inherit(bind, ind))
			b.WriteByte('\n')
		case nil:
			p.fail("nil binding")
		default:
			p.fail("unknown binding type %T", bind)
		}
	}
}

func (p *printer) comment(b *strings.Builder, text string, ind int) {
	if text == "" {
		return
	}
	for _, line := range CommentLines(text) {
		b.WriteString(pad(ind) + commentLine(line) + "\n")
	}
}

func (p *printer) attr(a Attr, ind int) string {
	if len(a.Path) == 0 {
		p.fail("binding without a name")
		return ""
	}
	names := make([]string, len(a.Path))
	for i, n := range a.Path {
		names[i] = AttrName(n)
	}
	key := strings.Join(names, ".")
	col := ind + runes(key) + 3
	if s, ok := p.flat(a.Value); ok {
		if col+runes(s)+1 <= width {
			return key + " = " + s + ";"
		}
	}
	switch v := a.Value.(type) {
	case Op:
		if hangs(v) {
			return key + " = " + p.renderOp(v, ind, col, 1) + ";"
		}
		return key + " =\n" + pad(ind+2) + p.renderOp(v, ind+2, ind+2, 1) + ";"
	case Verbatim:
		// Multi-line helper code starts below the name, as nixfmt puts a
		// let or a function application spanning lines.
		return key + " =\n" + pad(ind+2) + p.render(v, ind+2, ind+2, 1) + ";"
	case String, Ref, Int, Bool, Null, Path:
		if s, ok := p.flat(v); ok {
			// Too long for the binding's line: nixfmt moves it below.
			return key + " =\n" + pad(ind+2) + s + ";"
		}
	}
	return key + " = " + p.render(a.Value, ind, col, 1) + ";"
}

func (p *printer) inherit(in Inherit, ind int) string {
	if len(in.Names) == 0 {
		p.fail("inherit without names")
	}
	head := "inherit"
	if in.From != nil {
		s, ok := p.flat(in.From)
		if !ok {
			p.fail("multi-line inherit source")
		}
		head += " (" + s + ")"
	}
	names := make([]string, len(in.Names))
	for i, n := range in.Names {
		names[i] = p.ident(n, "inherited name")
	}
	line := head + " " + strings.Join(names, " ") + ";"
	if ind+runes(line) <= width {
		return line
	}
	var b strings.Builder
	b.WriteString(head)
	for _, n := range names {
		b.WriteString("\n" + pad(ind+2) + n)
	}
	b.WriteString("\n" + pad(ind+2) + ";")
	return b.String()
}

// ErrInvalid is wrapped by errors about expressions that cannot be printed.
var ErrInvalid = errors.New("invalid Nix expression")
