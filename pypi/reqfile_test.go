package pypi

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// memFiles opens files from a map, as includes in tests.
func memFiles(files map[string]string) func(string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		if s, ok := files[filepath.ToSlash(path)]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
}

// dump renders a parsed file for golden comparison.
func dump(rf *RequirementsFile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "files: %s\n", strings.Join(rf.Files, " "))
	if o := rf.Options.String(); o != "" {
		fmt.Fprintf(&b, "options: %s\n", o)
	}
	for _, l := range rf.Requirements {
		fmt.Fprintf(&b, "%s: %s", l.Pos, l.Requirement)
		if l.Constraint {
			b.WriteString(" [constraint]")
		}
		for _, h := range l.Hashes {
			b.WriteString(" --hash=" + h.String())
		}
		for _, c := range l.ConfigSettings {
			b.WriteString(" -C " + c)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestParseRequirementsFileBitpoll(t *testing.T) {
	for _, name := range []string{"requirements.txt", "requirements-production.txt", "requirements.in", "requirements-production.in"} {
		t.Run(name, func(t *testing.T) {
			rf, err := ParseRequirementsFile(filepath.Join("testdata", "reqfiles", name))
			require.NoError(t, err)
			got := dump(rf)
			golden := filepath.Join("testdata", "reqfiles", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), got)
		})
	}
}

func TestParseRequirements(t *testing.T) {
	const sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	tests := []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  string
	}{
		{
			name:  "comments, blanks and continuations",
			files: map[string]string{"r.txt": "# top\n\nfoo==1.0 # pinned\nbar>=1,\\\n  <2 \\\n ; python_version >= '3.8'\n  # via x\nbaz[A_B]\\\n# comment ends it\n"},
			want:  "files: r.txt\nr.txt:3: foo==1.0\nr.txt:4: bar<2,>=1; python_version >= \"3.8\"\nr.txt:8: baz[a-b]\n",
		},
		{
			name:  "BOM, CRLF and hashes",
			files: map[string]string{"r.txt": "\ufefffoo==1.0 --hash=sha256:" + strings.ToUpper(sha) + " \\\r\n    --hash sha512:" + strings.Repeat("ab", 64) + "\r\nbar -C key=value --config-settings=a=b\r\n"},
			want:  "files: r.txt\nr.txt:1: foo==1.0 --hash=sha256:" + sha + " --hash=sha512:" + strings.Repeat("ab", 64) + "\nr.txt:3: bar -C key=value -C a=b\n",
		},
		{
			name: "includes and constraints relative to the including file",
			files: map[string]string{
				"dir/r.txt":        "-r sub/more.txt\n--constraint=../c.txt\nfoo\n",
				"dir/sub/more.txt": "bar==2\n",
				"c.txt":            "-rnested.txt\nfoo<3\n",
				"nested.txt":       "baz!=1\n",
			},
			want: "files: dir/r.txt dir/sub/more.txt c.txt nested.txt\ndir/sub/more.txt:1: bar==2\nnested.txt:1: baz!=1 [constraint]\nc.txt:2: foo<3 [constraint]\ndir/r.txt:3: foo\n",
		},
		{
			name:  "global options",
			files: map[string]string{"r.txt": "-i https://mirror.example/simple\n--extra-index-url https://extra.example/simple\n--pre\n--no-binary :all: --only-binary=lxml,cffi\n--prefer-binary\n--require-hashes\nfoo\n"},
			want:  "files: r.txt\noptions: --index-url https://mirror.example/simple --extra-index-url https://extra.example/simple --pre --no-binary :all: --only-binary lxml,cffi --prefer-binary --require-hashes\nr.txt:7: foo\n",
		},
		{
			// pip resolves an include's paths against the include; an index
			// path in an included file is no different.
			name: "index paths relative to the file that names them",
			files: map[string]string{
				"dir/r.txt":         "-r sub/index.txt\n--extra-index-url ../top-mirror\n--extra-index-url /abs/mirror\nfoo\n",
				"dir/sub/index.txt": "--index-url ./mirror\n--extra-index-url file:///srv/mirror\n",
			},
			want: "files: dir/r.txt dir/sub/index.txt\noptions: --index-url dir/sub/mirror --extra-index-url file:///srv/mirror --extra-index-url top-mirror --extra-index-url /abs/mirror\ndir/r.txt:4: foo\n",
		},
		{
			name:  "environment variables",
			files: map[string]string{"r.txt": "-i ${INDEX}/simple\nfoo==${FOO_VERSION}\nbar==1.0 # ${lower} is not expanded\n"},
			env:   map[string]string{"INDEX": "https://mirror.example", "FOO_VERSION": "2.0", "lower": "x"},
			want:  "files: r.txt\noptions: --index-url https://mirror.example/simple\nr.txt:2: foo==2.0\nr.txt:3: bar==1.0\n",
		},
		{
			name:  "latin-1 coding line",
			files: map[string]string{"r.txt": "# -*- coding: latin-1 -*-\nfoo ; os_name == '\xe9'\n"},
			want:  "files: r.txt\nr.txt:2: foo; os_name == \"é\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "r.txt"
			if _, ok := tt.files[name]; !ok {
				name = "dir/r.txt"
			}
			p := RequirementsParser{Open: memFiles(tt.files), LookupEnv: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }}
			rf, err := p.Parse(name, []byte(tt.files[name]))
			require.NoError(t, err)
			assert.Equal(t, tt.want, dump(rf))
		})
	}
}

func TestParseRequirementsErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // each error's text
		unsup bool
	}{
		{
			name:  "unsupported forms are all reported",
			files: map[string]string{"r.txt": "-e ./pkg\ngit+https://host.example/repo.git#egg=x\nhttps://host.example/x-1.0.tar.gz\n./pkg\n/abs/pkg\npkg-1.0-py3-none-any.whl\nx @ https://host.example/x.zip\nok==1\n"},
			want: []string{
				"r.txt:1: editable installs (-e) are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)\n\t-e ./pkg",
				"r.txt:2: VCS URLs are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)\n\tgit+https://host.example/repo.git#egg=x",
				"r.txt:3: direct URLs are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)\n\thttps://host.example/x-1.0.tar.gz",
				"r.txt:4: local paths are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)\n\t./pkg",
				"r.txt:5: local paths are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)\n\t/abs/pkg",
				"r.txt:6: local archives are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)\n\tpkg-1.0-py3-none-any.whl",
				"r.txt:7: direct URL requirements (name @ URL) are unsupported (a pure Nix build needs a name and version from the index, as in name==1.0)\n\tx @ https://host.example/x.zip",
			},
			unsup: true,
		},
		{
			name:  "cycle",
			files: map[string]string{"r.txt": "-r a.txt\n", "a.txt": "foo\n-r r.txt\n"},
			want:  []string{"a.txt:2: include cycle: r.txt -> a.txt -> r.txt\n\t-r r.txt"},
		},
		{
			name:  "bad lines",
			files: map[string]string{"r.txt": "foo==\nbar --hash=md5:00\n--frobnicate\n--hash=sha256:00\n-r missing.txt\nbaz --pre\n-i\n--trusted-host insecure.example\n"},
			want: []string{
				"r.txt:1: invalid requirement \"foo==\" at column 4: specifier \"==\": version \"\": empty string\n\tfoo==",
				"r.txt:2: bad --hash \"md5:00\": the algorithm must be sha256, sha384 or sha512\n\tbar --hash=md5:00",
				"r.txt:3: unknown option \"--frobnicate\" (want one of -r, -c, -i, --extra-index-url, --no-index, -f, --pre, --no-binary, --only-binary, --prefer-binary, --require-hashes, --trusted-host, --hash, -C)\n\t--frobnicate",
				"r.txt:4: option --hash needs a requirement before it on the same line\n\t--hash=sha256:00",
				"r.txt:5: cannot read included file: open missing.txt: file does not exist\n\t-r missing.txt",
				"r.txt:6: option --pre must be on a line of its own, not after a requirement\n\tbaz --pre",
				"r.txt:7: option --index-url needs a value\n\t-i",
				"r.txt:8: --trusted-host in a requirements file is refused: it would accept plain HTTP and any certificate from insecure.example (use an https index URL)\n\t--trusted-host insecure.example",
			},
		},
		{
			// Silently ignored, they would send the run to the index the
			// file meant to avoid, or leave its archives out.
			name:  "--no-index and --find-links are refused",
			files: map[string]string{"r.txt": "foo==1\n--no-index\n-f ./wheels\n--find-links=https://host.example/wheels/\n"},
			want: []string{
				"r.txt:2: --no-index in a requirements file is refused: what nixpkgs lacks comes from an index (to run without the network, name a mirror directory with --index-url DIR, or use --offline with a filled cache)\n\t--no-index",
				"r.txt:3: --find-links ./wheels in a requirements file is refused: loose archives are not an index (lay them out as a mirror directory and name it with --index-url DIR)\n\t-f ./wheels",
				"r.txt:4: --find-links https://host.example/wheels/ in a requirements file is refused: loose archives are not an index (lay them out as a mirror directory and name it with --index-url DIR)\n\t--find-links=https://host.example/wheels/",
			},
		},
		{
			name:  "not UTF-8",
			files: map[string]string{"r.txt": "foo\xff\n"},
			want:  []string{"r.txt:1: file is not valid UTF-8 (declare another encoding with a '# -*- coding: … -*-' line)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rf, err := ParseRequirements("r.txt", []byte(tt.files["r.txt"]), memFiles(tt.files))
			require.Error(t, err)
			require.NotNil(t, rf)
			var list ErrorList
			require.True(t, errors.As(err, &list))
			var got []string
			for _, e := range list {
				got = append(got, e.Error())
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.unsup, errors.Is(err, ErrUnsupported))
		})
	}
}

func TestParseRequirementsFileMissing(t *testing.T) {
	_, err := ParseRequirementsFile(filepath.Join("testdata", "no-such-file.txt"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestParseRequirementsFileIncludesOnDisk(t *testing.T) {
	rf, err := ParseRequirementsFile(filepath.Join("testdata", "reqfiles", "nested", "top.txt"))
	require.NoError(t, err)
	assert.Equal(t, []string{
		filepath.Join("testdata", "reqfiles", "nested", "top.txt"),
		filepath.Join("testdata", "reqfiles", "nested", "sub", "pins.txt"),
		filepath.Join("testdata", "reqfiles", "requirements.in"),
	}, rf.Files)
	require.Len(t, rf.Requirements, 14)
	first := rf.Requirements[0]
	assert.Equal(t, "django==5.0.6", first.Requirement.String())
	assert.Equal(t, filepath.Join("testdata", "reqfiles", "nested", "sub", "pins.txt")+":2", first.Pos.String())
	assert.Equal(t, []Hash{{Algorithm: "sha256", Hex: "0000000000000000000000000000000000000000000000000000000000000001"}}, first.Hashes)
	for _, l := range rf.Requirements[1:13] {
		assert.True(t, l.Constraint, "%s comes from a -c file", l.Pos)
	}
	last := rf.Requirements[13]
	assert.False(t, last.Constraint)
	assert.Equal(t, `sentry-sdk>=2; python_version >= "3.8"`, last.Requirement.String())
}

func TestRequirementsCommentsAndURLs(t *testing.T) {
	data := "-i https://host.example/wheels/#frag # a comment\n--extra-index-url=https://host.example/simple#x\nfoo ; os_name == 'a#b'  # real comment\n"
	rf, err := ParseRequirements("r.txt", []byte(data), nil)
	require.NoError(t, err)
	assert.Equal(t, "https://host.example/wheels/#frag", rf.Options.IndexURL)
	assert.Equal(t, []string{"https://host.example/simple#x"}, rf.Options.ExtraIndexURLs)
	require.Len(t, rf.Requirements, 1)
	assert.Equal(t, `foo; os_name == "a#b"`, rf.Requirements[0].Requirement.String())
	assert.Equal(t, "", GlobalOptions{}.String())
}

func TestFileErrorFormat(t *testing.T) {
	e := &FileError{Pos: Position{File: "r.txt", Line: 3}, Text: "-e .", Msg: "editable installs (-e) are unsupported", Err: ErrUnsupported}
	assert.Equal(t, "r.txt:3: editable installs (-e) are unsupported\n\t-e .", e.Error())
	assert.ErrorIs(t, e, ErrUnsupported)
	list := ErrorList{e, {Pos: Position{File: "r.txt", Line: 1}, Msg: "file is not valid UTF-8"}}
	assert.Equal(t, "r.txt:3: editable installs (-e) are unsupported\n\t-e .\nr.txt:1: file is not valid UTF-8", list.Error())
	assert.ErrorIs(t, list, ErrUnsupported)
}

func TestParseRequirementsIncludeWithoutOpener(t *testing.T) {
	_, err := ParseRequirements("r.txt", []byte("-r other.txt\n-r https://host.example/r.txt\n"), nil)
	require.Error(t, err)
	assert.Equal(t, "r.txt:1: cannot include other.txt: no way to open files was given\n\t-r other.txt\n"+
		"r.txt:2: including a file by URL (https://host.example/r.txt) is unsupported (want a path relative to r.txt)\n\t-r https://host.example/r.txt", err.Error())
}

func TestDecodeRequirements(t *testing.T) {
	utf16 := func(bigEndian bool, s string) []byte {
		out := []byte{0xff, 0xfe}
		if bigEndian {
			out = []byte{0xfe, 0xff}
		}
		for _, r := range s {
			if bigEndian {
				out = append(out, byte(r>>8), byte(r))
			} else {
				out = append(out, byte(r), byte(r>>8))
			}
		}
		return out
	}
	tests := []struct {
		name string
		data []byte
		want string
		err  string
	}{
		{"utf-8 BOM", []byte("\ufefffoo\n"), "foo\n", ""},
		{"utf-16 LE", utf16(false, "foo==1\n"), "foo==1\n", ""},
		{"utf-16 BE", utf16(true, "bär\n"), "bär\n", ""},
		{"utf-16 odd", []byte{0xff, 0xfe, 'a'}, "", "UTF-16 file with an odd number of bytes"},
		{"coding utf-8", []byte("# coding: utf-8\nfoo\n"), "# coding: utf-8\nfoo\n", ""},
		{"coding latin-1 on line 2", []byte("#!x\n# vim: set fileencoding=latin-1 :\n\xe9\n"), "#!x\n# vim: set fileencoding=latin-1 :\né\n", ""},
		{"coding unknown", []byte("# -*- coding: koi8-r -*-\n"), "", `unsupported encoding "koi8-r" declared (want utf-8 or latin-1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeRequirements(tt.data)
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestShellSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"-C 'a=b c' --hash=x", []string{"-C", "a=b c", "--hash=x"}, ""},
		{`-C "k=\"v\" \x"`, []string{"-C", `k="v" \x`}, ""},
		{`a\ b	c`, []string{"a b", "c"}, ""},
		{`''`, []string{""}, ""},
		{"-C 'a", nil, "unterminated single quote"},
		{`-C "a`, nil, "unterminated double quote"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, msg := shellSplit(tt.in)
			assert.Equal(t, tt.err, msg)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRepeatedLinesKeptOnce(t *testing.T) {
	text := strings.Repeat("django==5.0.6\n", 3) + "-c c.txt\nDjango==5.0.6\ndjango>=5\n"
	rf, err := RequirementsParser{Open: func(string) ([]byte, error) { return []byte("django==5.0.6\n"), nil }}.Parse("r.txt", []byte(text))
	require.NoError(t, err)
	assert.Equal(t, "files: r.txt c.txt\nr.txt:1: django==5.0.6\nc.txt:1: django==5.0.6 [constraint]\nr.txt:5: Django==5.0.6\nr.txt:6: django>=5\n", dump(rf))
}
