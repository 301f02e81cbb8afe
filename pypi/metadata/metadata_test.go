package metadata

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A setuptools-era PKG-INFO (synthetic, modelled on what setuptools 40 wrote):
// description and license as indented continuation lines, UNKNOWN placeholders.
const legacyPKGINFO = "Metadata-Version: 1.1\r\n" +
	"Name: django-markdown-deux\r\n" +
	"Version: 1.0.6\r\n" +
	"Summary: a Django app that provides template tags for using Markdown\r\n" +
	"Home-page: UNKNOWN\r\n" +
	"Author: Trent Mick\r\n" +
	"Author-email: trentm@gmail.com\r\n" +
	"License: MIT License\r\n" +
	"        \r\n" +
	"        Permission is hereby granted, free of charge\r\n" +
	"Description: Line one\r\n" +
	"        \r\n" +
	"          indented\r\n" +
	"Platform: UNKNOWN\r\n" +
	"Classifier: Framework :: Django\r\n" +
	"Classifier: License :: OSI Approved :: MIT License\r\n"

const modernMETADATA = "\ufeffMetadata-Version: 2.4\n" +
	"Name: qrcode\n" +
	"Version: 8.0\n" +
	"Summary: QR Code image generator\n" +
	"License-Expression: BSD-3-Clause\n" +
	"License-File: LICENSE\n" +
	"Requires-Python: >=3.9\n" +
	"Project-URL: Homepage, https://example.org/qrcode\n" +
	"Project-URL: Changelog, https://example.org/qrcode/changes\n" +
	"Project-URL: Homepage, https://example.org/ignored-duplicate\n" +
	"Provides-Extra: pil\n" +
	"Requires-Dist: colorama; platform_system == \"Windows\"\n" +
	"Requires-Dist: pillow>=9.1.0; extra == \"pil\"\n" +
	"Dynamic: license-file\n" +
	"X-Unknown-Field: whatever\n" +
	"\n" +
	"QR Code\n" +
	"=======\n" +
	"\n" +
	"Generate QR codes.\n\n"

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Metadata
	}{
		{
			name: "legacy setuptools",
			in:   legacyPKGINFO,
			want: Metadata{
				MetadataVersion: "1.1", Name: "django-markdown-deux", Version: "1.0.6",
				Summary:     "a Django app that provides template tags for using Markdown",
				Author:      "Trent Mick",
				AuthorEmail: "trentm@gmail.com",
				License:     "MIT License\n\nPermission is hereby granted, free of charge",
				Description: "Line one\n\n  indented",
				Classifiers: []string{"Framework :: Django", "License :: OSI Approved :: MIT License"},
			},
		},
		{
			name: "metadata 2.4 with body",
			in:   modernMETADATA,
			want: Metadata{
				MetadataVersion: "2.4", Name: "qrcode", Version: "8.0",
				Summary:           "QR Code image generator",
				LicenseExpression: "BSD-3-Clause",
				RequiresPython:    ">=3.9",
				Description:       "QR Code\n=======\n\nGenerate QR codes.",
				RequiresDist:      []string{`colorama; platform_system == "Windows"`, `pillow>=9.1.0; extra == "pil"`},
				ProvidesExtra:     []string{"pil"},
				Dynamic:           []string{"license-file"},
				LicenseFiles:      []string{"LICENSE"},
				ProjectURLs: map[string]string{
					"Homepage":  "https://example.org/qrcode",
					"Changelog": "https://example.org/qrcode/changes",
				},
			},
		},
		{
			name: "pipe continuation form",
			in:   "Name: x\nVersion: 1\nDescription: first\n       |second\n       |\n        |  third\n",
			want: Metadata{Name: "x", Version: "1", Description: "first\nsecond\n\n  third"},
		},
		{
			name: "tab continuation and case-insensitive names",
			in:   "name: x\nVERSION: 1\nlicense: GPL\n\tv3\n",
			want: Metadata{Name: "x", Version: "1", License: "GPL\nv3"},
		},
		{
			name: "first single-use field wins; empty multi-use values dropped",
			in:   "Name: first\nName: second\nVersion: 1\nClassifier:\nClassifier: A\n",
			want: Metadata{Name: "first", Version: "1", Classifiers: []string{"A"}},
		},
		{
			name: "description field beats body",
			in:   "Name: x\nVersion: 1\nDescription: from field\n\nfrom body\n",
			want: Metadata{Name: "x", Version: "1", Description: "from field"},
		},
		{
			name: "invalid UTF-8 replaced",
			in:   "Name: x\nVersion: 1\nAuthor: Ren\xe9\n",
			want: Metadata{Name: "x", Version: "1", Author: "Ren\ufffd"},
		},
		{
			name: "lone CR line ends",
			in:   "Name: x\rVersion: 2\r",
			want: Metadata{Name: "x", Version: "2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"empty", "", 1, "missing required field Name"},
		{"no version", "Name: x\n", 1, "missing required field Version"},
		{"a skipped line", "Name: x\nVersion 1\n", 1, "missing required field Version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			require.Error(t, err)
			var se *SyntaxError
			require.True(t, errors.As(err, &se), "want *SyntaxError, got %T", err)
			assert.Equal(t, tt.line, se.Line)
			assert.Contains(t, se.Error(), tt.msg)
		})
	}
}

// Malformed lines are skipped with a warning, as pip reads such files: a
// License field whose later lines are not indented (published metadata
// like this exists), a field name with a space, a stray continuation.
func TestParseLenient(t *testing.T) {
	in := "Metadata-Version: 1.1\nName: demo\nVersion: 1.0\nLicense: Copyright (c) Someone\nAll rights reserved.\n\nRedistribution is permitted.\n"
	m, err := Parse([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, "Copyright (c) Someone", m.License)
	assert.Equal(t, []string{`line 5: line skipped, want "Field: value" or an indented continuation: "All rights reserved."`}, m.Warnings)

	in = " leading: x\nName: demo\nVersion: 1.0\nRequires Dist: y\n: z\nProject-URL: https://example.org\nRequires-Dist: idna\n"
	m, err = Parse([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, []string{"idna"}, m.RequiresDist)
	assert.Equal(t, []string{
		`line 1: continuation line without a field skipped: " leading: x"`,
		`line 4: line skipped, want "Field: value" or an indented continuation: "Requires Dist: y"`,
		`line 5: line skipped, want "Field: value" or an indented continuation: ": z"`,
		`line 6: Project-URL "https://example.org" skipped: want "Label, URL"`,
	}, m.Warnings)
}

func TestBytesRoundTrip(t *testing.T) {
	m := &Metadata{
		MetadataVersion: "2.1", Name: "pkg", Version: "1.0",
		Summary:      "s",
		License:      "line one\n|pipe first\n    indented\n\nafter blank",
		Description:  "# Title\n\nbody text",
		Classifiers:  []string{"Programming Language :: Python :: 3"},
		RequiresDist: []string{`a>=1`, `b; extra == "x"`},
		ProjectURLs:  map[string]string{"Source": "https://example.org/s", "Docs": "https://example.org/d"},
	}
	out := m.Bytes()
	assert.True(t, strings.Index(string(out), "Project-URL: Docs") < strings.Index(string(out), "Project-URL: Source"), "labels sorted")
	got, err := Parse(out)
	require.NoError(t, err)
	assert.Equal(t, m, got)
}

func TestParseRequiresTxt(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{
			name: "all section kinds",
			in: "requests>=2.0\nsix\n\n# comment\n[socks]\nPySocks!=1.5.7,>=1.5.6\n\n" +
				"[:python_version < \"3\"]\nenum34\n\n[security:sys_platform == \"win32\"]\npywin32>=1.0\n",
			want: []string{
				"requests>=2.0",
				"six",
				`PySocks!=1.5.7,>=1.5.6; extra == "socks"`,
				`enum34; python_version < "3"`,
				`pywin32>=1.0; (sys_platform == "win32") and extra == "security"`,
			},
		},
		{
			name: "own marker combined with section",
			in:   "[tests:python_version>='3']\nfoo; os_name == 'posix'\n[:os_name=='nt']\nbar;python_version<'3'\n",
			want: []string{
				`foo; (os_name == 'posix') and (python_version>='3') and extra == "tests"`,
				`bar; (python_version<'3') and (os_name=='nt')`,
			},
		},
		{
			name: "URL requirement keeps white space before ;",
			in:   "[x]\npkg @ https://example.org/p.tar.gz;v=1 ; os_name == 'nt'\n",
			want: []string{`pkg @ https://example.org/p.tar.gz;v=1 ; (os_name == 'nt') and extra == "x"`},
		},
		{
			name: "CRLF, empty section",
			in:   "a\r\n[]\r\nb\r\n",
			want: []string{"a", "b"},
		},
		{name: "empty", in: "", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRequiresTxt([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRequiresTxtErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"unterminated section", "a\n[extra\nb\n", 2, "unterminated section header"},
		{"marker only", "; os_name == 'nt'\n", 1, "no requirement before the marker"},
		{"quoted extra", "[a\"b]\nc\n", 2, "is not a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequiresTxt([]byte(tt.in))
			var se *SyntaxError
			require.True(t, errors.As(err, &se), "want *SyntaxError, got %v", err)
			assert.Equal(t, tt.line, se.Line)
			assert.Contains(t, se.Msg, tt.msg)
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{legacyPKGINFO, modernMETADATA, "Name: x\nVersion: 1\nDescription: a\n       |b\n", "Name: x\nVersion: 1\nLicense: a\nb c\n d\nProject-URL: u\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		again, err := Parse(m.Bytes())
		require.NoError(t, err, "re-parsing:\n%s", m.Bytes())
		assert.Empty(t, again.Warnings, "what Bytes writes parses cleanly")
		m.Warnings = nil
		assert.Equal(t, m, again)
	})
}

func FuzzParseRequiresTxt(f *testing.F) {
	f.Add([]byte("a\n[x]\nb\n[:os_name=='nt']\nc\n[y:sys_platform=='linux']\nd; python_version<'3'\n"))
	f.Add([]byte("pkg @ https://example.org/p.tar.gz ; os_name == 'nt'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, err := ParseRequiresTxt(data)
		if err != nil {
			return
		}
		// Converted lines are plain requirements: feeding them back
		// unchanged, outside any section, must give the same strings.
		again, err := ParseRequiresTxt([]byte(strings.Join(reqs, "\n")))
		require.NoError(t, err)
		assert.Equal(t, reqs, again)
	})
}

func BenchmarkParse(b *testing.B) {
	data := []byte(modernMETADATA + strings.Repeat("Lorem ipsum dolor sit amet.\n", 400))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRequiresTxt(b *testing.B) {
	data := []byte(strings.Repeat("requests>=2.0\n[socks]\nPySocks!=1.5.7,>=1.5.6\n[security:sys_platform == \"win32\"]\npywin32>=1.0\n", 50))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseRequiresTxt(data); err != nil {
			b.Fatal(err)
		}
	}
}
