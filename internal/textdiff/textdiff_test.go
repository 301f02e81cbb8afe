package textdiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnified(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"add line", "a\nb\n", "a\nx\nb\n", "--- old\n+++ new\n@@ -1,2 +1,3 @@\n a\n+x\n b\n"},
		{"delete all", "a\n", "", "--- old\n+++ new\n@@ -1 +0,0 @@\n-a\n"},
		{"from empty", "", "a\n", "--- old\n+++ new\n@@ -0,0 +1 @@\n+a\n"},
		{"no final newline", "a", "a\n", "--- old\n+++ new\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"},
		{
			"two hunks",
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
			"0\n2\n3\n4\n5\n6\n7\n8\n9\nX\n",
			"--- old\n+++ new\n@@ -1,2 +1,2 @@\n-1\n+0\n 2\n@@ -9,2 +9,2 @@\n 9\n-10\n+X\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Unified("old", "new", tc.old, tc.new, 1))
		})
	}
}

// TestUnifiedAppliesWithPatch checks the diffs against patch(1) when present:
// applying our diff to the old text must give the new text.
func TestUnifiedAppliesWithPatch(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("patch(1) not installed")
	}
	pairs := [][2]string{
		{"a\nb\nc\nd\ne\nf\ng\n", "a\nB\nc\nd\ne\nF\ng\nh\n"},
		{strings.Repeat("x\n", 50) + "y\n", "y\n" + strings.Repeat("x\n", 50)},
		{"one\ntwo\nthree\n", "zero\none\nthree\nfour\n"},
	}
	for i, p := range pairs {
		dir := t.TempDir()
		file := filepath.Join(dir, "f")
		require.NoError(t, os.WriteFile(file, []byte(p[0]), 0o644))
		cmd := exec.Command(patch, "-s", file)
		cmd.Stdin = strings.NewReader(Unified("f", "f", p[0], p[1], 3))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "pair %d: %s", i, out)
		got, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, p[1], string(got), "pair %d", i)
	}
}

func FuzzUnified(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd\n")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, old, new string) {
		d := Unified("a", "b", old, new, 2)
		if (d == "") != (old == new) {
			t.Fatalf("diff emptiness wrong for %q vs %q", old, new)
		}
		// Reapplying the hunks' + and space lines must rebuild new text.
		if d != "" && strings.HasSuffix(old, "\n") && strings.HasSuffix(new, "\n") {
			assertReconstructs(t, old, new, d)
		}
	})
}

// assertReconstructs applies d to old with a minimal hunk applier.
func assertReconstructs(t *testing.T, old, new, d string) {
	oldLines := splitLines(old)
	var out []string
	next := 0
	for _, line := range strings.SplitAfter(d, "\n")[2:] {
		switch {
		case strings.HasPrefix(line, "@@"):
			var a, b, c, e int
			if n, _ := sscanRange(line, &a, &b, &c, &e); n == 0 {
				t.Fatalf("bad hunk header %q", line)
			}
			start := a - 1
			if b == 0 {
				start = a
			}
			out = append(out, oldLines[next:start]...)
			next = start
		case strings.HasPrefix(line, " "):
			out = append(out, line[1:])
			next++
		case strings.HasPrefix(line, "-"):
			next++
		case strings.HasPrefix(line, "+"):
			out = append(out, line[1:])
		}
	}
	out = append(out, oldLines[next:]...)
	if got := strings.Join(out, ""); got != new {
		t.Fatalf("reconstructed %q, want %q\ndiff:\n%s", got, new, d)
	}
}

func sscanRange(line string, a, b, c, e *int) (int, error) {
	*b, *e = 1, 1
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return 0, nil
	}
	parse := func(s string, start, n *int) {
		parts := strings.SplitN(s[1:], ",", 2)
		*start = atoi(parts[0])
		if len(parts) == 2 {
			*n = atoi(parts[1])
		}
	}
	parse(fields[1], a, b)
	parse(fields[2], c, e)
	return 1, nil
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}
