package unidiff

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A git-style patch as nixpkgs carries them (SYNTHETIC content): a
// message, two files, the second created.
const gitPatch = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
Subject: [PATCH] use the system CA bundle

diff --git a/certifi/core.py b/certifi/core.py
index 1111111..2222222 100644
--- a/certifi/core.py
+++ b/certifi/core.py
@@ -2,3 +2,4 @@ import os
 
 def where():
-    return os.path.join(os.path.dirname(__file__), "cacert.pem")
+    env = os.environ.get("NIX_SSL_CERT_FILE")
+    return env or os.path.join(os.path.dirname(__file__), "cacert.pem")
diff --git a/NOTES b/NOTES
new file mode 100644
--- /dev/null
+++ b/NOTES
@@ -0,0 +1 @@
+patched
-- 
2.40.0
`

const corePy = "import os\n\ndef where():\n    return os.path.join(os.path.dirname(__file__), \"cacert.pem\")\n"

func TestParseAndApply(t *testing.T) {
	files, err := Parse([]byte(gitPatch))
	require.NoError(t, err)
	require.Len(t, files, 2)

	target, ok := files[0].Target(1)
	require.True(t, ok)
	assert.Equal(t, "certifi/core.py", target)
	got, err := files[0].Apply([]byte(corePy))
	require.NoError(t, err)
	assert.Equal(t, "import os\n\ndef where():\n    env = os.environ.get(\"NIX_SSL_CERT_FILE\")\n    return env or os.path.join(os.path.dirname(__file__), \"cacert.pem\")\n", string(got))

	// Shifted by lines added above: still applies (an offset, not fuzz).
	got, err = files[0].Apply([]byte("# header\n# more\n" + corePy))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(got), "# header\n# more\nimport os\n"))

	// Another release's code: the removed line is not there.
	_, err = files[0].Apply([]byte(strings.Replace(corePy, "cacert.pem", "ca.pem", 1)))
	assert.EqualError(t, err, "b/certifi/core.py: hunk 1 (@@ -2,3) does not apply")
	_, err = files[0].Apply(nil)
	assert.EqualError(t, err, "a/certifi/core.py: no such file")

	target, _ = files[1].Target(1)
	assert.Equal(t, "NOTES", target)
	assert.True(t, files[1].Creates())
	got, err = files[1].Apply(nil)
	require.NoError(t, err)
	assert.Equal(t, "patched\n", string(got))
	_, err = files[1].Apply([]byte("x\n"))
	assert.EqualError(t, err, "b/NOTES: creates a file that exists")

	_, ok = files[0].Target(3)
	assert.False(t, ok)
}

func TestNoNewlineAtEnd(t *testing.T) {
	patch := "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
	files, err := Parse([]byte(patch))
	require.NoError(t, err)
	got, err := files[0].Apply([]byte("a\nb"))
	require.NoError(t, err)
	assert.Equal(t, "a\nc\n", string(got))

	patch = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n"
	files, err = Parse([]byte(patch))
	require.NoError(t, err)
	got, err = files[0].Apply([]byte("a\n"))
	require.NoError(t, err)
	assert.Equal(t, "b", string(got))
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ name, patch, want string }{
		{"no hunk", "--- a/f\n+++ b/f\n", "line 2: b/f: no hunk"},
		{"bad header", "--- a/f\n+++ b/f\n@@ -x +1 @@\n", `line 3: malformed hunk header "@@ -x +1 @@"`},
		{"early end", "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n", "line 4: hunk ends early: 1/3 old and 1/3 new lines"},
		{"junk", "--- a/f\n+++ b/f\n@@ -1 +1 @@\n?a\n", `line 4: unexpected "?a" in a hunk`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.patch))
			assert.EqualError(t, err, tt.want)
		})
	}
	files, err := Parse([]byte("just a message\n"))
	require.NoError(t, err)
	assert.Empty(t, files)
}

// FuzzParseApply checks that every hunk Parse accepts turns its own old
// side into its own new side.
func FuzzParseApply(f *testing.F) {
	f.Add([]byte(gitPatch))
	f.Add([]byte("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"))
	f.Add([]byte("--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := Parse(data)
		if err != nil {
			return
		}
		for _, file := range files {
			for _, h := range file.Hunks {
				var old, new []string
				for _, l := range h.Lines {
					if strings.ContainsAny(l.Text, "\r\n") || l.NoEOL {
						return
					}
					if l.Op != '+' {
						old = append(old, l.Text)
					}
					if l.Op != '-' {
						new = append(new, l.Text)
					}
				}
				one := File{OldPath: "a/f", NewPath: "b/f", Hunks: []Hunk{h}}
				oldText := []byte(joinLines(old))
				got, err := one.Apply(oldText)
				if err != nil {
					t.Fatalf("hunk does not apply to its own old side: %v\n%q", err, oldText)
				}
				if string(got) != joinLines(new) {
					t.Fatalf("got %q, want %q", got, joinLines(new))
				}
			}
		}
	})
}

func joinLines(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}
