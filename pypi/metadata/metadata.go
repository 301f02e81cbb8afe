// Package metadata parses Python core metadata: the PKG-INFO file of an sdist,
// a wheel's METADATA and PEP 658 ".metadata" files. They share one format:
// RFC 822 style "Field: value" header lines, continuation lines starting with
// white space, fields that may repeat, and an optional body after the first
// empty line that holds the description (Metadata 2.1).
//
// It also converts the legacy setuptools "*.egg-info/requires.txt" into PEP 508
// requirement strings, for old sdists whose PKG-INFO lacks Requires-Dist.
package metadata

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Metadata holds the core metadata fields the tool uses. Unknown fields are
// ignored. Single-use fields keep their first occurrence; setuptools'
// placeholder "UNKNOWN" in a single-use text field reads as "" (unset).
type Metadata struct {
	MetadataVersion   string
	Name              string
	Version           string
	Summary           string
	HomePage          string
	Author            string
	AuthorEmail       string
	License           string // free text, may span several lines
	LicenseExpression string // SPDX expression (Metadata 2.4)
	RequiresPython    string
	Description       string // the Description field, or else the body

	Classifiers   []string
	RequiresDist  []string // PEP 508 strings, as written
	ProvidesExtra []string
	Dynamic       []string
	LicenseFiles  []string

	ProjectURLs map[string]string // "Project-URL: Label, URL": label → URL

	// Warnings name the lines Parse skipped ("line N: …"): pip reads such
	// files too, so they are reported, not fatal.
	Warnings []string
}

// SyntaxError is a malformed line in a metadata file or requires.txt.
type SyntaxError struct {
	Line int    // 1-based
	Msg  string // what was expected
}

// Error implements error.
func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// The fields Parse knows, by lower-case name. Single-use fields point at the
// string they fill; multi-use fields at the slice they append to.
func (m *Metadata) singleFields() map[string]*string {
	return map[string]*string{
		"metadata-version":   &m.MetadataVersion,
		"name":               &m.Name,
		"version":            &m.Version,
		"summary":            &m.Summary,
		"home-page":          &m.HomePage,
		"author":             &m.Author,
		"author-email":       &m.AuthorEmail,
		"license":            &m.License,
		"license-expression": &m.LicenseExpression,
		"requires-python":    &m.RequiresPython,
		"description":        &m.Description,
	}
}

func (m *Metadata) multiFields() map[string]*[]string {
	return map[string]*[]string{
		"classifier":     &m.Classifiers,
		"requires-dist":  &m.RequiresDist,
		"provides-extra": &m.ProvidesExtra,
		"dynamic":        &m.Dynamic,
		"license-file":   &m.LicenseFiles,
	}
}

// Fields whose "UNKNOWN" means unset: setuptools wrote that placeholder for
// every text field the author left out.
var placeholderFields = map[string]bool{
	"summary": true, "home-page": true, "author": true, "author-email": true,
	"license": true, "description": true,
}

// Parse reads a PKG-INFO, METADATA or PEP 658 metadata file. It tolerates a
// UTF-8 byte order mark, CRLF line ends, invalid UTF-8 (replaced by U+FFFD)
// and unknown fields. Name and Version are required. Continuation lines lose
// their indentation: a leading "        |" or "       |" (the pipe form some
// setuptools versions wrote), else up to eight spaces, else one tab.
func Parse(data []byte) (*Metadata, error) {
	text := normalize(data)
	lines := strings.Split(text, "\n")

	m := &Metadata{}
	singles, multis := m.singleFields(), m.multiFields()
	seen := map[string]bool{}

	i := 0
	for ; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			break // end of the headers; the rest is the body
		}
		lineNo := i + 1
		if line[0] == ' ' || line[0] == '\t' {
			m.warnf(lineNo, "continuation line without a field skipped: %q", line)
			continue
		}
		name, first, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			// Published metadata has, e.g., a License field whose later
			// lines are not indented. pip's parser keeps going; so does
			// this one, skipping the line.
			m.warnf(lineNo, "line skipped, want \"Field: value\" or an indented continuation: %q", line)
			continue
		}
		valueLines := []string{strings.TrimSpace(first)}
		for i+1 < len(lines) && lines[i+1] != "" && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') {
			i++
			valueLines = append(valueLines, unindent(lines[i]))
		}
		value := strings.TrimSpace(strings.Join(valueLines, "\n"))
		m.set(strings.ToLower(name), value, lineNo, singles, multis, seen)
	}

	if i < len(lines) {
		body := strings.TrimSpace(strings.Join(lines[i+1:], "\n"))
		if body == "UNKNOWN" {
			body = ""
		}
		// The body is the description only when no Description field gave
		// one; both at once is a writer's mistake, and the field came first.
		if m.Description == "" {
			m.Description = body
		}
	}

	if m.Name == "" {
		return nil, &SyntaxError{Line: 1, Msg: "missing required field Name"}
	}
	if m.Version == "" {
		return nil, &SyntaxError{Line: 1, Msg: "missing required field Version"}
	}
	return m, nil
}

func (m *Metadata) warnf(lineNo int, format string, args ...any) {
	m.Warnings = append(m.Warnings, fmt.Sprintf("line %d: ", lineNo)+fmt.Sprintf(format, args...))
}

func (m *Metadata) set(field, value string, lineNo int, singles map[string]*string, multis map[string]*[]string, seen map[string]bool) {
	if p, ok := singles[field]; ok {
		if seen[field] {
			return
		}
		seen[field] = true
		if value == "UNKNOWN" && placeholderFields[field] {
			value = ""
		}
		*p = value
		return
	}
	if p, ok := multis[field]; ok {
		if value != "" {
			*p = append(*p, value)
		}
		return
	}
	if field == "project-url" {
		label, url, ok := strings.Cut(value, ",")
		if !ok {
			m.warnf(lineNo, "Project-URL %q skipped: want \"Label, URL\"", value)
			return
		}
		label, url = strings.TrimSpace(label), strings.TrimSpace(url)
		if m.ProjectURLs == nil {
			m.ProjectURLs = map[string]string{}
		}
		if _, dup := m.ProjectURLs[label]; !dup {
			m.ProjectURLs[label] = url
		}
	}
}

// normalize strips a byte order mark, makes line ends "\n" and replaces
// invalid UTF-8, so that everything downstream handles one kind of text.
func normalize(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	s := strings.ToValidUTF8(string(data), "\ufffd")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func unindent(line string) string {
	for _, p := range []string{"        |", "       |"} {
		if strings.HasPrefix(line, p) {
			return line[len(p):]
		}
	}
	if line[0] == '\t' {
		return line[1:]
	}
	n := 0
	for n < 8 && n < len(line) && line[n] == ' ' {
		n++
	}
	return line[n:]
}

// Bytes renders m as a Metadata 2.1+ style file that Parse reads back to an
// equal value: header fields in a fixed order, empty fields left out, project
// URLs sorted by label, the description as the body.
func (m *Metadata) Bytes() []byte {
	var b strings.Builder
	field := func(name, value string) {
		if value == "" {
			return
		}
		lines := strings.Split(value, "\n")
		indent := "        "
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "|") {
				indent = "        |" // keep a leading pipe from being read as the marker
				break
			}
		}
		b.WriteString(name + ": " + lines[0] + "\n")
		for _, l := range lines[1:] {
			b.WriteString(indent + l + "\n")
		}
	}
	field("Metadata-Version", m.MetadataVersion)
	field("Name", m.Name)
	field("Version", m.Version)
	for _, v := range m.Dynamic {
		field("Dynamic", v)
	}
	field("Summary", m.Summary)
	field("Home-page", m.HomePage)
	field("Author", m.Author)
	field("Author-email", m.AuthorEmail)
	field("License", m.License)
	field("License-Expression", m.LicenseExpression)
	for _, v := range m.LicenseFiles {
		field("License-File", v)
	}
	labels := make([]string, 0, len(m.ProjectURLs))
	for l := range m.ProjectURLs {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		field("Project-URL", l+", "+m.ProjectURLs[l])
	}
	for _, v := range m.Classifiers {
		field("Classifier", v)
	}
	field("Requires-Python", m.RequiresPython)
	for _, v := range m.ProvidesExtra {
		field("Provides-Extra", v)
	}
	for _, v := range m.RequiresDist {
		field("Requires-Dist", v)
	}
	if m.Description != "" {
		b.WriteString("\n" + m.Description + "\n")
	}
	return []byte(b.String())
}
