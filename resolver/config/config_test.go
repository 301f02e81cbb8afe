package config

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestLoadGolden loads every testdata/*.toml and compares the outcome (the
// configuration as JSON, or the error text) with testdata/*.golden.
func TestLoadGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.toml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var got string
			c, err := Load(file)
			if err != nil {
				got = "error:\n" + err.Error() + "\n"
			} else {
				var out strings.Builder
				enc := json.NewEncoder(&out)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				require.NoError(t, enc.Encode(c))
				got = out.String()
			}
			golden := strings.TrimSuffix(file, ".toml") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create it")
			assert.Equal(t, string(want), got)
		})
	}
}

func TestLoadValid(t *testing.T) {
	c, err := Load("testdata/valid.toml")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"psycopg2-binary": "psycopg2", "opencv-python": "opencv4"}, c.Aliases)
	assert.Equal(t, Package{
		Source:            SourceNixpkgs,
		Pin:               "==0.23.0",
		NativeBuildInputs: []string{"pkgs.pkg-config"},
		BuildInputs:       []string{"pkgs.libsass", "pkgs.xorg.libX11"},
		Patches:           []string{"./patches/libsass-system.patch", "../shared/fix.patch"},
		ImportsCheck:      []string{"sass", "sassutils.builder"},
	}, c.Packages["libsass"])
	assert.Equal(t, Package{Source: SourceIndex}, c.Packages["django-widget-tweaks"], "key normalized")
	assert.Equal(t, Package{Skip: true}, c.Packages["icalendar"], "dotted key")
	assert.Equal(t, Package{Pin: ">=3.19", BuildInputs: []string{"final.six"}}, c.Packages["simplejson"], "inline table")
	assert.Len(t, c.Packages, 4)
	assert.Equal(t, "testdata/valid.toml", c.Path)
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	c, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, &Config{Aliases: map[string]string{}, Packages: map[string]Package{}, Path: path}, c)

	_, err = Load(t.TempDir()) // a directory is not a missing file
	assert.ErrorContains(t, err, "config: read ")
}

func TestErrorsAreTyped(t *testing.T) {
	_, err := Load("testdata/bad-attr.toml")
	require.Error(t, err)
	var list interface{ Unwrap() []error }
	require.ErrorAs(t, err, &list)
	var lines []int
	for _, e := range list.Unwrap() {
		var ce *Error
		require.ErrorAs(t, e, &ce)
		assert.Equal(t, "testdata/bad-attr.toml", ce.File)
		lines = append(lines, ce.Line)
	}
	assert.Equal(t, []int{2, 5, 6, 7, 8}, lines, "one error per bad element, at its own line")

	_, err = Load("testdata/bad-source.toml")
	var ce *Error
	require.True(t, errors.As(err, &ce))
	assert.Equal(t, 2, ce.Line)
}

func TestFind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"requirements.txt", "pip2nix.toml"},
		{"bitpoll/requirements-production.txt", "bitpoll/pip2nix.toml"},
		{"/src/app/requirements.in", "/src/app/pip2nix.toml"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Find(tt.in), tt.in)
	}
}

func TestValidAttrPath(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"pkgs.libsass", true},
		{"pkgs.pkg-config", true},
		{"pkgs.xorg.libX11", true},
		{"final.six", true},
		{"prev.django_5", true},
		{"pkgs.gtk3'", true},
		{"pkgs", false},
		{"libsass", false},
		{"lib.foo", false},
		{"builtins.exec", false},
		{"pkgs.", false},
		{"pkgs..x", false},
		{"pkgs.1abc", false},
		{"pkgs.if", false},
		{"pkgs.foo bar", false},
		{`pkgs."quoted"`, false},
		{"pkgs.${x}", false},
		{"pkgs.foo;", false},
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ValidAttrPath(tt.in), tt.in)
	}
}

func FuzzLoad(f *testing.F) {
	files, err := filepath.Glob("testdata/*.toml")
	require.NoError(f, err)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse("fuzz.toml", data)
		if err != nil {
			// Every problem is an *Error against the file.
			errs := []error{err}
			if list, ok := err.(interface{ Unwrap() []error }); ok {
				errs = list.Unwrap()
			}
			for _, e := range errs {
				var ce *Error
				require.ErrorAs(t, e, &ce)
				assert.Equal(t, "fuzz.toml", ce.File)
			}
			return
		}
		// Whatever loads is normalized and safe to render into Nix.
		for name, attr := range c.Aliases {
			assert.True(t, validIdentifier(attr), attr)
			assert.Equal(t, name, normalizedForTest(name))
		}
		for name, p := range c.Packages {
			assert.Equal(t, name, normalizedForTest(name))
			assert.Contains(t, []string{SourceNixpkgs, SourceIndex, SourcePolicy}, p.Source)
			for _, v := range append(append([]string{}, p.NativeBuildInputs...), p.BuildInputs...) {
				assert.True(t, ValidAttrPath(v), v)
			}
			for _, v := range p.Patches {
				assert.True(t, validRelativePath(v), v)
			}
			for _, v := range p.ImportsCheck {
				assert.True(t, validModule(v), v)
			}
		}
	})
}

// normalizedForTest checks normalization independently of pypi: lower case,
// no '_' or '.', no doubled or edge '-'.
func normalizedForTest(s string) string {
	if strings.ToLower(s) != s || strings.ContainsAny(s, "_.") || strings.Contains(s, "--") ||
		strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") {
		return "not normalized: " + s
	}
	return s
}

func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile("testdata/valid.toml")
	require.NoError(b, err)
	for b.Loop() {
		if _, err := parse("valid.toml", data); err != nil {
			b.Fatal(err)
		}
	}
}
