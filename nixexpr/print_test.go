package nixexpr

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustPath(t testing.TB, p string) Path {
	t.Helper()
	path, err := NewPath(p)
	require.NoError(t, err)
	return path
}

type layoutCase struct {
	name string
	expr Expr
	want string
}

func layoutCases(t testing.TB) []layoutCase {
	long := strings.Repeat("word ", 22)
	var longNames []string
	var longLines string
	for i := range 10 {
		longNames = append(longNames, fmt.Sprintf("abcdefgh%02d", i))
		longLines += fmt.Sprintf("    abcdefgh%02d\n", i)
	}
	return []layoutCase{
		{"atoms", List{Int(1), Int(-2), Bool(true), Null{}, mustPath(t, "./stub"), String("s")}, "[\n  1\n  (-2)\n  true\n  null\n  ./stub\n  \"s\"\n]"},
		{"empty list", List{}, "[ ]"},
		{"verbatim flat", Apply{Func: Ref{"f"}, Args: []Expr{Verbatim("a: a")}}, "f (a: a)"},
		{"verbatim lines", AttrSet{Bindings: []Binding{Attr{Path: []string{"g"}, Value: Verbatim("let\n  x = 1;\nin\nx")}}}, "{\n  g =\n    let\n      x = 1;\n    in\n    x;\n}"},
		{"single list", List{Ref{"final", "django"}}, "[ final.django ]"},
		{"empty set", AttrSet{}, "{ }"},
		{"rec empty set", AttrSet{Rec: true}, "rec { }"},
		{"set", AttrSet{Bindings: []Binding{
			Attr{Path: []string{"a"}, Value: Int(1)},
			Attr{Path: []string{"b", "c-d", "if"}, Value: String("x")},
			Attr{Comment: "why\nand why not", Path: []string{"e"}, Value: AttrSet{Bindings: []Binding{Attr{Path: []string{"f"}, Value: Null{}}}}},
		}}, "{\n  a = 1;\n  b.c-d.\"if\" = \"x\";\n  # why\n  # and why not\n  e = {\n    f = null;\n  };\n}"},
		{"inherit", AttrSet{Bindings: []Binding{
			Inherit{Names: []string{"version"}},
			Inherit{From: Ref{"final", "pkgs"}, Names: []string{"fetchurl", "fetchPypi"}},
		}}, "{\n  inherit version;\n  inherit (final.pkgs) fetchurl fetchPypi;\n}"},
		{"long inherit", Let{Bindings: []Binding{Inherit{From: Ref{"final"}, Names: longNames}}, Body: Int(1)},
			"let\n  inherit (final)\n" + longLines + "    ;\nin\n1"},
		{"lambda", Lambda{Arg: "final", Body: Lambda{Arg: "prev", Body: AttrSet{}}}, "final: prev: { }"},
		{"lambda let", Lambda{Arg: "x", Body: Let{Bindings: []Binding{Attr{Path: []string{"y"}, Value: Ref{"x"}}}, Body: Ref{"y"}}}, "x:\nlet\n  y = x;\nin\ny"},
		{"set lambda one", SetLambda{Formals: []Formal{{Name: "lib"}}, Ellipsis: true, Body: Ref{"lib"}}, "{ lib, ... }: lib"},
		{"set lambda many", SetLambda{Formals: []Formal{{Name: "lib"}, {Name: "x", Default: Null{}}}, Ellipsis: true, Body: AttrSet{}},
			"{\n  lib,\n  x ? null,\n  ...\n}:\n{ }"},
		{"apply flat", Apply{Func: Ref{"lib", "optionals"}, Args: []Expr{Ref{"stdenv", "hostPlatform", "isLinux"}, List{Ref{"a"}}}}, "lib.optionals stdenv.hostPlatform.isLinux [ a ]"},
		{"apply parens", Apply{Func: Ref{"f"}, Args: []Expr{Int(-1), Apply{Func: Ref{"g"}, Args: []Expr{Ref{"x"}}}, Lambda{Arg: "y", Body: Ref{"y"}}}}, "f (-1) (g x) (y: y)"},
		{"apply hanging set", Apply{Func: Ref{"fetchPypi"}, Args: []Expr{AttrSet{Bindings: []Binding{Attr{Path: []string{"pname"}, Value: String("a")}}}}},
			"fetchPypi {\n  pname = \"a\";\n}"},
		{"apply hanging lambda", Apply{Func: Ref{"prev", "a", "overridePythonAttrs"}, Args: []Expr{Lambda{Arg: "old", Body: AttrSet{Bindings: []Binding{Attr{Path: []string{"v"}, Value: Int(1)}}}}}},
			"prev.a.overridePythonAttrs (old: {\n  v = 1;\n})"},
		{"list of one application", List{Apply{Func: Ref{"builtins", "elemAt"}, Args: []Expr{Ref{"old", "patches"}, Int(0)}}}, "[ (builtins.elemAt old.patches 0) ]"},
		{"select or", Op{Op: Concat, Operands: []Expr{Select{Ref: Ref{"old", "patches"}, Default: List{}}, List{Ref{"a"}}}}, "old.patches or [ ] ++ [ a ]"},
		{"select or as argument", Apply{Func: Ref{"f"}, Args: []Expr{Select{Ref: Ref{"old", "x"}, Default: Null{}}}}, "f (old.x or null)"},
		{"concat flat", AttrSet{Bindings: []Binding{Attr{Path: []string{"d"}, Value: Op{Op: Concat, Operands: []Expr{List{Ref{"a"}}, List{Ref{"b"}}}}}}}, "{\n  d = [ a ] ++ [ b ];\n}"},
		{"concat hanging", AttrSet{Bindings: []Binding{Attr{Path: []string{"d"}, Value: Op{Op: Concat, Operands: []Expr{List{Ref{"a"}, Ref{"b"}}, List{Ref{"c"}}}}}}},
			"{\n  d = [\n    a\n    b\n  ]\n  ++ [ c ];\n}"},
		{"concat below", AttrSet{Bindings: []Binding{Attr{Path: []string{"d"}, Value: Op{Op: Update, Operands: []Expr{Ref{"x"}, AttrSet{Bindings: []Binding{Attr{Path: []string{"a"}, Value: Int(1)}}}}}}}},
			"{\n  d =\n    x\n    // {\n      a = 1;\n    };\n}"},
		{"long string moves below", AttrSet{Bindings: []Binding{Attr{Path: []string{"description"}, Value: String(long)}}},
			"{\n  description =\n    \"" + long + "\";\n}"},
		{"indented string", AttrSet{Bindings: []Binding{Attr{Path: []string{"text"}, Value: String("a\n${b}\n")}}}, "{\n  text = ''\n    a\n    ''${b}\n  '';\n}"},
		{"indented string in list", List{String("a\nb")}, "[\n  ''\n    a\n    b''\n]"},
		{"let", Let{Bindings: []Binding{Attr{Path: []string{"a"}, Value: Int(1)}}, Body: AttrSet{Bindings: []Binding{Inherit{Names: []string{"a"}}}}}, "let\n  a = 1;\nin\n{\n  inherit a;\n}"},
	}
}

func TestFormatLayout(t *testing.T) {
	for _, c := range layoutCases(t) {
		t.Run(c.name, func(t *testing.T) {
			got, err := FormatExpr(c.expr)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

// TestFormatParses has real Nix parse every layout case; the cases' free
// variables are left to an empty with scope, which the parser accepts.
func TestFormatParses(t *testing.T) {
	nixInstantiate(t)
	dir := t.TempDir()
	var files []string
	for _, c := range layoutCases(t) {
		got, err := FormatExpr(c.expr)
		require.NoError(t, err)
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".nix")
		require.NoError(t, os.WriteFile(path, []byte("with { };\n"+got+"\n"), 0o644))
		files = append(files, path)
	}
	runNix(t, append([]string{"--parse"}, files...)...)
}

func TestFormatFile(t *testing.T) {
	got, err := Format(File{Comment: "Generated.\n\nDo not edit.\n", Body: Lambda{Arg: "final", Body: Lambda{Arg: "prev", Body: AttrSet{}}}})
	require.NoError(t, err)
	assert.Equal(t, "# Generated.\n#\n# Do not edit.\n\nfinal: prev: { }\n", string(got))
}

func TestFormatErrors(t *testing.T) {
	cases := []struct {
		name string
		expr Expr
		want string
	}{
		{"nil", List{nil}, "nil expression"},
		{"bad variable", Ref{"a-"[1:] + "x"}, `variable "-x"`},
		{"empty ref", Ref{}, "empty reference"},
		{"keyword variable", Ref{"if"}, `variable "if"`},
		{"bad arg", Lambda{Arg: "rec", Body: Int(1)}, `function argument "rec"`},
		{"bad formal", SetLambda{Formals: []Formal{{Name: "a b"}}, Body: Int(1)}, `formal argument "a b"`},
		{"no args", Apply{Func: Ref{"f"}}, "application without arguments"},
		{"one operand", Op{Op: Concat, Operands: []Expr{List{}}}, "with 1 operands"},
		{"bad operator", Op{Op: "-", Operands: []Expr{Int(1), Int(2)}}, `unsupported operator "-"`},
		{"zero path", Path{}, "empty path"},
		{"select default", Select{Ref: Ref{"a"}, Default: Apply{Func: Ref{"f"}, Args: []Expr{Int(1)}}}, "the default of a must be a simple value"},
		{"no name", AttrSet{Bindings: []Binding{Attr{Value: Int(1)}}}, "binding without a name"},
		{"bad inherit", AttrSet{Bindings: []Binding{Inherit{Names: []string{"a.b"}}}}, `inherited name "a.b"`},
		{"empty inherit", AttrSet{Bindings: []Binding{Inherit{}}}, "inherit without names"},
		{"nil binding", AttrSet{Bindings: []Binding{nil}}, "nil binding"},
		{"duplicate", AttrSet{Bindings: []Binding{Attr{Path: []string{"a", "b"}, Value: Int(1)}, Attr{Path: []string{"a", "b"}, Value: Int(2)}}}, `attribute "a.b" defined twice`},
		{"duplicate inherit", Let{Bindings: []Binding{Attr{Path: []string{"a"}, Value: Int(1)}, Inherit{Names: []string{"a"}}}, Body: Int(1)}, `attribute "a" defined twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FormatExpr(c.expr)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalid))
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestNewPath(t *testing.T) {
	for _, ok := range []string{"./stub", "../a/b.nix", "/etc/nix", "~/x", "a/b"} {
		_, err := NewPath(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"", "stub", "./", "./a b", "./a/", "./${x}", "./a\nb"} {
		_, err := NewPath(bad)
		assert.Error(t, err, bad)
	}
}

func BenchmarkFormatExpr(b *testing.B) {
	cases := layoutCases(b)
	var bindings []Binding
	for _, c := range cases {
		bindings = append(bindings, Attr{Path: []string{strings.ReplaceAll(c.name, " ", "-")}, Value: c.expr})
	}
	set := AttrSet{Bindings: bindings}
	for b.Loop() {
		if _, err := FormatExpr(set); err != nil {
			b.Fatal(err)
		}
	}
}
