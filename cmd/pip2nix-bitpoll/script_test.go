package main

// End-to-end tests as small scripts, in the manner of cmd/go's testdata/script:
// each testdata/script/*.txt holds commands and expectations, then files
// ("-- name --" sections) laid out in a fresh work directory.
//
// Commands:
//   [!] pip2nix ARGS...    run the tool in-process; "!" expects failure
//   status N               the last run's exit code was N
//   [!] stdout REGEXP      the last run's stdout (does not) match
//   [!] stderr REGEXP      likewise for stderr
//   [!] exists FILE        the file exists (or not)
//   cmp FILE1 FILE2        the files are byte-identical
//   cp SRC DST             copy a file
//   env NAME=VALUE         set a variable for later lines and the tool
// Arguments are split on spaces; single quotes group; $WORK, $ROOT (the
// repository) and $INDEX (a fixture index server's URL) are expanded.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/fixtures/testindex"
)

func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/script/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runScript(t, root, file)
		})
	}
}

type scriptState struct {
	t              *testing.T
	file           string
	vars           map[string]string
	work           string
	stdout, stderr string
	status         int
}

func runScript(t *testing.T, root, file string) {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	script, archive := splitArchive(string(data))
	work := t.TempDir()
	for name, content := range archive {
		path := filepath.Join(work, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	srv := testindex.New(t, testindex.Root(), testindex.Options{})
	s := &scriptState{t: t, file: file, work: work, vars: map[string]string{
		"WORK":           work,
		"ROOT":           root,
		"INDEX":          srv.URL(),
		"XDG_CACHE_HOME": filepath.Join(work, ".cache"),
	}}
	t.Chdir(work)
	for i, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s.exec(i+1, line)
	}
}

// splitArchive separates the script from its "-- name --" file sections.
func splitArchive(data string) (string, map[string]string) {
	files := map[string]string{}
	header := regexp.MustCompile(`(?m)^-- (.+) --$\n?`)
	locs := header.FindAllStringSubmatchIndex(data, -1)
	if len(locs) == 0 {
		return data, files
	}
	for i, loc := range locs {
		end := len(data)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		files[data[loc[2]:loc[3]]] = data[loc[1]:end]
	}
	return data[:locs[0][0]], files
}

func (s *scriptState) exec(lineNo int, line string) {
	t := s.t
	where := fmt.Sprintf("%s:%d: %s", s.file, lineNo, line)
	negate := strings.HasPrefix(line, "! ")
	line = strings.TrimPrefix(line, "! ")
	args := s.split(line)
	switch args[0] {
	case "pip2nix":
		var out, errOut bytes.Buffer
		e := &env{stdout: &out, stderr: &errOut, workDir: s.work, getenv: func(k string) string { return s.vars[k] }}
		s.status = run(context.Background(), e, args[1:])
		s.stdout, s.stderr = out.String(), errOut.String()
		if negate != (s.status != 0) {
			t.Fatalf("%s\nexit status %d\nstdout:\n%s\nstderr:\n%s", where, s.status, s.stdout, s.stderr)
		}
	case "status":
		want, err := strconv.Atoi(args[1])
		require.NoError(t, err, where)
		if s.status != want {
			t.Fatalf("%s\nexit status %d, want %d\nstderr:\n%s", where, s.status, want, s.stderr)
		}
	case "stdout", "stderr":
		text := s.stdout
		if args[0] == "stderr" {
			text = s.stderr
		}
		re, err := regexp.Compile("(?m)" + args[1])
		require.NoError(t, err, where)
		if re.MatchString(text) == negate {
			t.Fatalf("%s\n%s was:\n%s", where, args[0], text)
		}
	case "exists":
		_, err := os.Stat(args[1])
		if (err == nil) == negate {
			t.Fatalf("%s: exists=%v", where, err == nil)
		}
	case "cmp":
		a, err := os.ReadFile(args[1])
		require.NoError(t, err, where)
		b, err := os.ReadFile(args[2])
		require.NoError(t, err, where)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: files differ", where)
		}
	case "cp":
		data, err := os.ReadFile(args[1])
		require.NoError(t, err, where)
		require.NoError(t, os.MkdirAll(filepath.Dir(args[2]), 0o755), where)
		require.NoError(t, os.WriteFile(args[2], data, 0o644), where)
	case "env":
		name, value, ok := strings.Cut(args[1], "=")
		require.True(t, ok, where)
		s.vars[name] = value
	default:
		t.Fatalf("%s: unknown command %q", where, args[0])
	}
}

// split breaks a line into words, honouring single quotes and expanding
// $NAME from the script's variables.
func (s *scriptState) split(line string) []string {
	var words []string
	var cur strings.Builder
	inQuote, inWord := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			inQuote = !inQuote
			inWord = true
		case r == ' ' && !inQuote:
			if inWord {
				words = append(words, s.expand(cur.String()))
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, s.expand(cur.String()))
	}
	return words
}

func (s *scriptState) expand(word string) string {
	return os.Expand(word, func(name string) string {
		if v, ok := s.vars[name]; ok {
			return v
		}
		return "$" + name
	})
}

func TestPatchDir(t *testing.T) {
	for _, c := range []struct{ config, overlay, want string }{
		{"", "python-packages.nix", "."},
		{"pip2nix.toml", "python-packages.nix", "."},
		{"reqs/pip2nix.toml", "out/python-packages.nix", "../reqs"},
		{"/a/b/pip2nix.toml", "/a/python-packages.nix", "b"},
	} {
		if got := patchDir(c.config, c.overlay); got != c.want {
			t.Errorf("patchDir(%q, %q) = %q, want %q", c.config, c.overlay, got, c.want)
		}
	}
}
