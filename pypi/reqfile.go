package pypi

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Position is a line of a requirements file; for a line continued with
// '\' it is the first physical line.
type Position struct {
	File string
	Line int
}

// String returns "file:line", or the file alone for a position without a
// line.
func (p Position) String() string {
	if p.Line == 0 { // not a line of a file (e.g. "the build system of foo 1.0")
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line)
}

// FileError is a problem with one line of a requirements file.
type FileError struct {
	Pos  Position
	Text string // the logical line, comments removed
	Msg  string // what is wrong and what was expected
	Err  error  // the underlying error, if any, for errors.Is/As
}

// Error returns "file:line: msg" followed by the offending line on its own
// tab-indented line.
func (e *FileError) Error() string {
	s := e.Pos.String() + ": " + e.Msg
	if e.Text != "" {
		s += "\n\t" + e.Text
	}
	return s
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// ErrorList collects the problems of a requirements file so that all are
// reported at once.
type ErrorList []*FileError

// Error prints each error on its own lines.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap returns the individual errors, for errors.Is/As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// ErrUnsupported marks requirement forms a pure build cannot use: editable
// installs, VCS and direct URLs, local paths and remote includes.
var ErrUnsupported = errors.New("unsupported")

// GlobalOptions are the pip options a requirements file may set for the
// whole install.
type GlobalOptions struct {
	// IndexURL (-i, --index-url; the last one wins) and ExtraIndexURLs
	// (--extra-index-url) are URLs, or paths: a relative path is resolved
	// against the directory of the file that names it, as an include is.
	// --no-index and --find-links are refused (see Parse).
	IndexURL       string   `json:"index_url,omitempty"`
	ExtraIndexURLs []string `json:"extra_index_urls,omitempty"`
	Pre            bool     `json:"pre,omitempty"`            // --pre
	NoBinary       []string `json:"no_binary,omitempty"`      // --no-binary, names or :all:/:none:
	OnlyBinary     []string `json:"only_binary,omitempty"`    // --only-binary
	PreferBinary   bool     `json:"prefer_binary,omitempty"`  // --prefer-binary
	RequireHashes  bool     `json:"require_hashes,omitempty"` // --require-hashes
}

// String renders the options as pip command-line flags in a fixed order,
// "" when none is set.
func (o GlobalOptions) String() string {
	var f []string
	if o.IndexURL != "" {
		f = append(f, "--index-url "+o.IndexURL)
	}
	for _, u := range o.ExtraIndexURLs {
		f = append(f, "--extra-index-url "+u)
	}
	if o.Pre {
		f = append(f, "--pre")
	}
	if len(o.NoBinary) > 0 {
		f = append(f, "--no-binary "+strings.Join(o.NoBinary, ","))
	}
	if len(o.OnlyBinary) > 0 {
		f = append(f, "--only-binary "+strings.Join(o.OnlyBinary, ","))
	}
	if o.PreferBinary {
		f = append(f, "--prefer-binary")
	}
	if o.RequireHashes {
		f = append(f, "--require-hashes")
	}
	return strings.Join(f, " ")
}

// RequirementLine is one requirement of a requirements file with where it
// came from and its per-requirement options.
type RequirementLine struct {
	Requirement    Requirement
	Pos            Position
	Constraint     bool     // came from a -c file (or a file it includes)
	Hashes         []Hash   // sha256, sha384 or sha512, from --hash
	ConfigSettings []string // "KEY=VALUE", from -C/--config-settings
}

// RequirementsFile is a parsed requirements file with its includes
// flattened.
type RequirementsFile struct {
	Requirements []RequirementLine // in file order, includes in place
	Options      GlobalOptions
	Files        []string // every file read, in order, each once
}

// ParseRequirementsFile reads and parses the requirements file at path,
// following -r and -c includes relative to the including file and expanding
// ${VAR} from the process environment. On errors it returns what it could
// parse together with an ErrorList.
func ParseRequirementsFile(path string) (*RequirementsFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("requirements file: %w", err)
	}
	return RequirementsParser{Open: os.ReadFile, LookupEnv: os.LookupEnv}.Parse(path, data)
}

// ParseRequirements parses data as the requirements file name, reading
// includes with open (nil: includes are errors) and expanding ${VAR} from
// the process environment.
func ParseRequirements(name string, data []byte, open func(path string) ([]byte, error)) (*RequirementsFile, error) {
	return RequirementsParser{Open: open, LookupEnv: os.LookupEnv}.Parse(name, data)
}

// RequirementsParser parses pip requirements files with explicit sources
// for included files and environment variables.
type RequirementsParser struct {
	Open      func(path string) ([]byte, error) // reads an included file; nil: includes are errors
	LookupEnv func(name string) (string, bool)  // expands ${NAME}; nil: nothing is expanded
}

// Parse parses data as the requirements file name. A requirement line that
// repeats an earlier one exactly (same requirement, options and kind) is
// kept once, at its first position. --trusted-host, --no-index and
// --find-links are errors (file:line): they would turn off transport
// security or take archives from outside an index.
func (p RequirementsParser) Parse(name string, data []byte) (*RequirementsFile, error) {
	st := &reqFileState{p: p, rf: &RequirementsFile{}, seen: map[string]bool{}, lines: map[string]bool{}}
	st.file(name, data, nil, false)
	if len(st.errs) > 0 {
		return st.rf, st.errs
	}
	return st.rf, nil
}

type reqFileState struct {
	p     RequirementsParser
	rf    *RequirementsFile
	errs  ErrorList
	seen  map[string]bool
	lines map[string]bool // requirement lines kept so far, see lineKey
}

// lineKey identifies a requirement line by everything but its position, so
// that a repeated line is kept once (its first occurrence): thousands of
// copies of one line cost what one costs.
func lineKey(rl RequirementLine) string {
	var b strings.Builder
	b.WriteString(rl.Requirement.String())
	if rl.Constraint {
		b.WriteString("\x00c")
	}
	for _, h := range rl.Hashes {
		b.WriteString("\x00" + h.String())
	}
	for _, c := range rl.ConfigSettings {
		b.WriteString("\x00C" + c)
	}
	return b.String()
}

func (st *reqFileState) errorf(pos Position, text string, err error, format string, args ...any) {
	st.errs = append(st.errs, &FileError{Pos: pos, Text: text, Msg: fmt.Sprintf(format, args...), Err: err})
}

// logicalLine is a requirements line after joining continuations and
// removing comments.
type logicalLine struct {
	text string
	line int
}

var (
	commentRE = regexp.MustCompile(`(^|\s+)#.*$`)
	envVarRE  = regexp.MustCompile(`\$\{([A-Z0-9_]+)\}`)
)

func (st *reqFileState) file(name string, data []byte, chain []string, constraint bool) {
	if !st.seen[name] {
		st.seen[name] = true
		st.rf.Files = append(st.rf.Files, name)
	}
	chain = append(chain, filepath.Clean(name))
	text, err := decodeRequirements(data)
	if err != nil {
		st.errorf(Position{File: name, Line: 1}, "", err, "%v", err)
		return
	}
	for _, ll := range logicalLines(text) {
		line := ll.text
		if st.p.LookupEnv != nil && strings.Contains(line, "${") {
			line = envVarRE.ReplaceAllStringFunc(line, func(m string) string {
				if v, ok := st.p.LookupEnv(m[2 : len(m)-1]); ok {
					return v
				}
				return m
			})
		}
		st.line(Position{File: name, Line: ll.line}, line, chain, constraint)
	}
}

// decodeRequirements turns file bytes into text: a BOM picks UTF-8 or
// UTF-16, a PEP 263 coding line in the first two lines may pick Latin-1,
// anything else must be UTF-8.
func decodeRequirements(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		if len(data)%2 != 0 {
			return "", errors.New("UTF-16 file with an odd number of bytes")
		}
		u := make([]uint16, 0, len(data)/2-1)
		for i := 2; i < len(data); i += 2 {
			if data[0] == 0xff {
				u = append(u, uint16(data[i])|uint16(data[i+1])<<8)
			} else {
				u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
			}
		}
		return string(utf16.Decode(u)), nil
	}
	if enc := codingLine(data); enc != "" {
		switch strings.ReplaceAll(strings.ToLower(enc), "_", "-") {
		case "utf-8", "utf8", "ascii", "us-ascii":
		case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1":
			r := make([]rune, len(data))
			for i, b := range data {
				r[i] = rune(b)
			}
			return string(r), nil
		default:
			return "", fmt.Errorf("unsupported encoding %q declared (want utf-8 or latin-1)", enc)
		}
	}
	if !utf8.Valid(data) {
		return "", errors.New("file is not valid UTF-8 (declare another encoding with a '# -*- coding: … -*-' line)")
	}
	return string(data), nil
}

var codingRE = regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`)

func codingLine(data []byte) string {
	lines := bytes.SplitN(data, []byte("\n"), 3)
	for _, l := range lines[:min(2, len(lines))] {
		if m := codingRE.FindSubmatch(l); m != nil {
			return string(m[1])
		}
	}
	return ""
}

// logicalLines splits text into lines, joins lines ending in '\' with the
// next (a comment line ends a continuation), strips comments and drops
// blank lines, numbering each by its first physical line.
func logicalLines(text string) []logicalLine {
	var out []logicalLine
	emit := func(line int, s string) {
		if strings.IndexByte(s, '#') >= 0 {
			s = commentRE.ReplaceAllString(s, "")
		}
		s = strings.TrimSpace(s)
		if s != "" {
			out = append(out, logicalLine{text: s, line: line})
		}
	}
	var pending []string
	first := 0
	for i, l := range splitLines(text) {
		n := i + 1
		if !strings.HasSuffix(l, `\`) || commentStarts(l) {
			if commentStarts(l) {
				l = " " + l
			}
			if pending != nil {
				emit(first, strings.Join(append(pending, l), ""))
				pending = nil
			} else {
				emit(n, l)
			}
			continue
		}
		if pending == nil {
			first = n
		}
		pending = append(pending, strings.Trim(l, `\`))
	}
	if pending != nil {
		emit(first, strings.Join(pending, ""))
	}
	return out
}

// commentStarts reports whether the whole line is a comment.
func commentStarts(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t\f\v\r"), "#")
}

// splitLines splits like Python's str.splitlines for the line breaks that
// occur in text files.
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// splitArgsOptions splits a line at the first space-separated token that
// starts with '-': before it the requirement, from it the options.
func splitArgsOptions(line string) (args, opts string) {
	tokens := strings.Split(line, " ")
	for i, t := range tokens {
		if strings.HasPrefix(t, "-") {
			return strings.Join(tokens[:i], " "), strings.Join(tokens[i:], " ")
		}
	}
	return line, ""
}

// option describes a pip option allowed in requirements files.
type option struct {
	long, short string
	takesValue  bool
	perReq      bool // allowed after a requirement
}

var reqFileOptions = []option{
	{long: "--requirement", short: "-r", takesValue: true},
	{long: "--constraint", short: "-c", takesValue: true},
	{long: "--editable", short: "-e", takesValue: true},
	{long: "--index-url", short: "-i", takesValue: true},
	{long: "--extra-index-url", takesValue: true},
	{long: "--no-index"},
	{long: "--find-links", short: "-f", takesValue: true},
	{long: "--pre"},
	{long: "--no-binary", takesValue: true},
	{long: "--only-binary", takesValue: true},
	{long: "--prefer-binary"},
	{long: "--require-hashes"},
	{long: "--trusted-host", takesValue: true},
	{long: "--hash", takesValue: true, perReq: true},
	{long: "--config-settings", short: "-C", takesValue: true, perReq: true},
}

type optionValue struct {
	opt   option
	value string
}

// parseOptions parses shell-quoted options the way optparse does:
// "--name value", "--name=value", "-x value" and "-xvalue".
func parseOptions(s string) ([]optionValue, string) {
	words, msg := shellSplit(s)
	if msg != "" {
		return nil, msg
	}
	var out []optionValue
	for i := 0; i < len(words); i++ {
		w := words[i]
		var opt *option
		value, hasValue := "", false
		for j := range reqFileOptions {
			o := &reqFileOptions[j]
			switch {
			case w == o.long || o.short != "" && w == o.short:
				opt = o
			case strings.HasPrefix(w, o.long+"="):
				opt, value, hasValue = o, w[len(o.long)+1:], true
			case o.short != "" && strings.HasPrefix(w, o.short) && !strings.HasPrefix(w, "--"):
				opt, value, hasValue = o, w[len(o.short):], true
			}
			if opt != nil {
				break
			}
		}
		if opt == nil {
			return nil, fmt.Sprintf("unknown option %q (want one of -r, -c, -i, --extra-index-url, --no-index, -f, --pre, --no-binary, --only-binary, --prefer-binary, --require-hashes, --trusted-host, --hash, -C)", w)
		}
		switch {
		case opt.takesValue && !hasValue:
			if i+1 >= len(words) {
				return nil, fmt.Sprintf("option %s needs a value", opt.long)
			}
			i++
			value = words[i]
		case !opt.takesValue && hasValue:
			return nil, fmt.Sprintf("option %s takes no value", opt.long)
		}
		out = append(out, optionValue{opt: *opt, value: value})
	}
	return out, ""
}

// shellSplit splits words as POSIX shlex does: blanks separate, quotes
// group, a backslash escapes outside single quotes.
func shellSplit(s string) ([]string, string) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, "unterminated single quote"
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`+"`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, "unterminated double quote"
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, ""
}

func (st *reqFileState) line(pos Position, text string, chain []string, constraint bool) {
	args, optText := splitArgsOptions(text)
	opts, msg := parseOptions(optText)
	if msg != "" {
		st.errorf(pos, text, nil, "%s", msg)
		return
	}
	if args == "" {
		st.globalOptions(pos, text, opts, chain, constraint)
		return
	}
	rl := RequirementLine{Pos: pos, Constraint: constraint}
	ok := true
	for _, o := range opts {
		switch o.opt.long {
		case "--hash":
			h, err := ParseHash(o.value)
			if err != nil {
				st.errorf(pos, text, err, "%v", err)
				ok = false
				continue
			}
			if !slices.Contains(rl.Hashes, h) {
				rl.Hashes = append(rl.Hashes, h)
			}
		case "--config-settings":
			if !strings.Contains(o.value, "=") {
				st.errorf(pos, text, nil, "bad --config-settings %q (want KEY=VALUE)", o.value)
				ok = false
				continue
			}
			rl.ConfigSettings = append(rl.ConfigSettings, o.value)
		default:
			st.errorf(pos, text, nil, "option %s must be on a line of its own, not after a requirement", o.opt.long)
			ok = false
		}
	}
	if kind := unsupportedRequirement(args); kind != "" {
		st.errorf(pos, text, ErrUnsupported, "%s are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)", kind)
		return
	}
	r, err := ParseRequirement(args)
	if err != nil {
		st.errorf(pos, text, err, "%v", err)
		return
	}
	if r.URL != "" {
		st.errorf(pos, text, ErrUnsupported, "direct URL requirements (name @ URL) are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)")
		return
	}
	if ok {
		rl.Requirement = r
		if key := lineKey(rl); !st.lines[key] {
			st.lines[key] = true
			st.rf.Requirements = append(st.rf.Requirements, rl)
		}
	}
}

// unsupportedRequirement names the kind of a requirement that is a URL or
// a path rather than a PEP 508 name, "" for a name.
func unsupportedRequirement(s string) string {
	lower := strings.ToLower(s)
	for _, vcs := range []string{"git+", "hg+", "svn+", "bzr+"} {
		if strings.HasPrefix(lower, vcs) {
			return "VCS URLs"
		}
	}
	if i := strings.Index(lower, "://"); i > 0 && !strings.Contains(lower[:i], "@") && !strings.ContainsAny(lower[:i], " ;") {
		return "direct URLs"
	}
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") || strings.HasPrefix(lower, "file:") {
		return "local paths"
	}
	name := s
	if i := strings.IndexAny(name, " ;[<>=!~@("); i >= 0 {
		name = name[:i]
	}
	if strings.ContainsAny(name, `/\`) {
		return "local paths"
	}
	for _, ext := range []string{".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return "local archives"
		}
	}
	return ""
}

func (st *reqFileState) globalOptions(pos Position, text string, opts []optionValue, chain []string, constraint bool) {
	o := &st.rf.Options
	for _, ov := range opts {
		v := ov.value
		switch ov.opt.long {
		case "--requirement", "--constraint":
			st.include(pos, text, v, chain, constraint || ov.opt.long == "--constraint")
		case "--editable":
			st.errorf(pos, text, ErrUnsupported, "editable installs (-e) are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)")
		case "--index-url":
			o.IndexURL = relativeToFile(pos, v)
		case "--extra-index-url":
			o.ExtraIndexURLs = appendNew(o.ExtraIndexURLs, relativeToFile(pos, v))
		case "--no-index":
			// pip would then resolve from --find-links alone; here the
			// index is where whatever nixpkgs lacks comes from.
			st.errorf(pos, text, nil, "--no-index in a requirements file is refused: what nixpkgs lacks comes from an index (to run without the network, name a mirror directory with --index-url DIR, or use --offline with a filled cache)")
		case "--find-links":
			// Loose archives carry no digests an index vouches for.
			st.errorf(pos, text, nil, "--find-links %s in a requirements file is refused: loose archives are not an index (lay them out as a mirror directory and name it with --index-url DIR)", v)
		case "--pre":
			o.Pre = true
		case "--no-binary":
			o.NoBinary = appendNew(o.NoBinary, strings.Split(v, ",")...)
		case "--only-binary":
			o.OnlyBinary = appendNew(o.OnlyBinary, strings.Split(v, ",")...)
		case "--prefer-binary":
			o.PreferBinary = true
		case "--require-hashes":
			o.RequireHashes = true
		case "--trusted-host":
			// pip would then accept plain HTTP and any TLS certificate from
			// the host: a file must not turn off transport security.
			st.errorf(pos, text, nil, "--trusted-host in a requirements file is refused: it would accept plain HTTP and any certificate from %s (use an https index URL)", v)
		default:
			st.errorf(pos, text, nil, "option %s needs a requirement before it on the same line", ov.opt.long)
		}
	}
}

// relativeToFile resolves an index given as a relative path against the
// directory of the file at pos, as includes are; URLs and absolute paths
// pass through.
func relativeToFile(pos Position, v string) string {
	if v == "" || strings.Contains(v, "://") || filepath.IsAbs(v) {
		return v
	}
	return filepath.Join(filepath.Dir(pos.File), v)
}

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

func (st *reqFileState) include(pos Position, text, target string, chain []string, constraint bool) {
	if strings.Contains(target, "://") {
		st.errorf(pos, text, ErrUnsupported, "including a file by URL (%s) is unsupported (want a path relative to %s)", target, pos.File)
		return
	}
	path := target
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(pos.File), path)
	}
	if slices.Contains(chain, filepath.Clean(path)) {
		st.errorf(pos, text, nil, "include cycle: %s", strings.Join(append(slices.Clone(chain), path), " -> "))
		return
	}
	if st.p.Open == nil {
		st.errorf(pos, text, nil, "cannot include %s: no way to open files was given", path)
		return
	}
	data, err := st.p.Open(path)
	if err != nil {
		st.errorf(pos, text, err, "cannot read included file: %v", err)
		return
	}
	st.file(path, data, chain, constraint)
}
