// Package nixexpr is a small model of Nix expressions and a printer that lays
// them out as nixfmt (RFC 166 style) would, with string and attribute-name
// escaping that no text can break out of. It also renders a resolver.Plan
// into python-packages.nix, a Python package-set overlay.
package nixexpr

// Expr is a Nix expression node. The set of node types is closed: only the
// types of this package implement it.
type Expr interface{ expr() }

// String is a string literal. The printer picks the indented form (between
// two pairs of single quotes) for multi-line text it can represent exactly
// and the double-quoted form otherwise.
type String string

// Int is an integer literal.
type Int int64

// Bool is true or false.
type Bool bool

// Null is the null literal.
type Null struct{}

// Path is a path literal such as ./stub or ../nixpkgs; NewPath checks it.
type Path struct{ p string }

// Select is an attribute selection with a default, Ref or Default
// (old.patches or [ ]); Default must print on one line.
type Select struct {
	Ref     Ref
	Default Expr
}

// Ref names a variable, optionally followed by an attribute path:
// Ref{"lib", "licenses", "mit"} is lib.licenses.mit. The first element must
// be an identifier; later ones are quoted when they are not.
type Ref []string

// List is a list literal.
type List []Expr

// AttrSet is an attribute set, recursive when Rec is set.
type AttrSet struct {
	Rec      bool
	Bindings []Binding
}

// Binding is one entry of an attribute set or let: an Attr or an Inherit.
type Binding interface{ binding() }

// Attr binds Path (one or more attribute names, quoted as needed) to Value.
// Comment is printed as # lines above the binding.
type Attr struct {
	Comment string
	Path    []string
	Value   Expr
}

// Inherit is inherit a b; or, with From, inherit (from) a b;.
type Inherit struct {
	Comment string
	From    Expr // nil for plain inherit
	Names   []string
}

// Lambda is a function with a single named argument: arg: body.
type Lambda struct {
	Arg  string
	Body Expr
}

// Formal is one argument of a SetLambda; Default is nil when it has none.
type Formal struct {
	Name    string
	Default Expr
}

// SetLambda is a function taking an attribute set: { a, b ? null, ... }: body.
type SetLambda struct {
	Formals  []Formal
	Ellipsis bool
	Body     Expr
}

// Apply is a function application: Func Args[0] Args[1] ….
type Apply struct {
	Func Expr
	Args []Expr
}

// Op is a chain of one binary operator: Operands[0] Op Operands[1] ….
type Op struct {
	Op       Operator
	Operands []Expr
}

// Operator is a binary operator Op can chain.
type Operator string

// The operators the printer supports; both are right-associative in Nix, so
// a chain needs no parentheses.
const (
	Concat Operator = "++"
	Update Operator = "//"
	Plus   Operator = "+" // string concatenation

)

// Let is let bindings in body.
type Let struct {
	Bindings []Binding
	Body     Expr
}

// Verbatim is Nix code written by this package itself — a constant of its
// source, never text from the index, the plan or the user — laid out as
// nixfmt would at indentation zero. The printer indents its later lines to
// where it is placed. It serves the few constructs the model lacks
// (comparisons, conditionals, interpolation) in fixed helper code.
type Verbatim string

// File is a whole .nix file: header comment lines and the expression.
type File struct {
	Comment string
	Body    Expr
}

func (String) expr()    {}
func (Int) expr()       {}
func (Bool) expr()      {}
func (Null) expr()      {}
func (Path) expr()      {}
func (Ref) expr()       {}
func (Select) expr()    {}
func (List) expr()      {}
func (AttrSet) expr()   {}
func (Lambda) expr()    {}
func (SetLambda) expr() {}
func (Apply) expr()     {}
func (Op) expr()        {}
func (Let) expr()       {}
func (Verbatim) expr()  {}

func (Attr) binding()    {}
func (Inherit) binding() {}
