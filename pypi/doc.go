// Package pypi implements the Python packaging standards the rest of the
// tool relies on: project names (PEP 503, PEP 625 sdist file names),
// versions and specifiers (PEP 440), dependency specifiers and environment
// markers (PEP 508) and pip requirements files. Its behaviour is checked
// against vectors generated from the packaging library that pip vendors
// (testdata/vectors, made by scripts/gen-vectors.py).
//
// # Versions
//
// ParseVersion accepts, ASCII case-insensitively, with surrounding white
// space ignored:
//
//	version = ["v"] [N "!"] N ("." N)* [pre] [post] [dev] ["+" local]
//	pre     = [sep] ("a" | "alpha" | "b" | "beta" | "rc" | "c" | "pre" | "preview") [sep] [N]
//	post    = "-" N | [sep] ("post" | "rev" | "r") [sep] [N]
//	dev     = [sep] "dev" [sep] [N]
//	local   = alnum+ (sep alnum+)*
//	sep     = "-" | "_" | "."
//	N       = digit+   (at most 18 digits: larger numbers are rejected)
//
// Canonical form (Version.String) lowers case, drops leading zeros, spells
// pre-releases a/b/rc, writes ".postN" and ".devN" with a number (0 when
// omitted) and joins local parts with ".". Ordering is PEP 440's: epoch,
// release with trailing zeros ignored, then dev < pre-releases < final <
// post-releases, then local labels (numeric parts above alphanumeric ones).
//
// # Specifiers
//
//	set    = [clause] ("," [clause])*
//	clause = op version
//	op     = "~=" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "==="
//
// "==" and "!=" take a local label or a trailing ".*" after a plain
// release; "~=" needs two release numbers; "<", ">", "<=", ">=" and "~="
// take no local label; "===" takes any text without blanks, ';' or ')'.
//
// # Requirements and markers
//
//	requirement = name [extras] (["("] [set] [")"] | "@" url) [";" marker]
//	extras      = "[" [name ("," name)*] "]"
//	marker      = and ("or" and)*
//	and         = atom ("and" atom)*
//	atom        = "(" marker ")" | value op value
//	value       = variable | "'" chars "'" | '"' chars '"'
//	op          = specifier op | "in" | "not" "in"
//
// Blanks (space, tab) may separate tokens. A URL runs to the next blank, so
// a marker after it needs one before the ';'. Variables are those of
// PEP 508 plus packaging's aliases (os.name, sys.platform,
// platform.machine, platform.version, platform.python_implementation,
// python_implementation). Quoted strings are taken literally (no escapes).
//
// # Requirements files
//
// ParseRequirementsFile follows pip's format: comments start at a '#' at
// the line start or after white space, '\' joins lines, ${VAR} (upper-case
// names) expands from the environment, and options are those listed for
// GlobalOptions and RequirementLine. Requirements must be names from an
// index: editable installs, VCS and direct URLs and local paths are
// reported as unsupported.
package pypi
