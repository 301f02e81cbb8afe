package index

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// simplePage is a parsed Simple API project page. File URLs are as written
// (fragment removed) and still to be resolved against the page's URL, or
// against Base when the HTML page has a <base href>.
type simplePage struct {
	Name  string // "" for HTML pages
	Base  string
	Files []File
}

type simpleJSON struct {
	Meta struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Name  string `json:"name"`
	Files []struct {
		Filename         string            `json:"filename"`
		URL              string            `json:"url"`
		Hashes           map[string]string `json:"hashes"`
		RequiresPython   string            `json:"requires-python"`
		Yanked           json.RawMessage   `json:"yanked"`
		Size             int64             `json:"size"`
		UploadTime       string            `json:"upload-time"`
		CoreMetadata     json.RawMessage   `json:"core-metadata"`
		DistInfoMetadata json.RawMessage   `json:"data-dist-info-metadata"`
	} `json:"files"`
}

// parseSimpleJSON parses a PEP 691 project page. Unknown keys are ignored;
// an api-version whose major number is not 1 is an error, as PEP 691 asks.
func parseSimpleJSON(data []byte) (*simplePage, error) {
	var d simpleJSON
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	if v := d.Meta.APIVersion; v != "" {
		major, _, _ := strings.Cut(v, ".")
		if n, err := strconv.Atoi(major); err != nil || n != 1 {
			return nil, fmt.Errorf("unsupported Simple API version %q (this client speaks 1.x)", v)
		}
	}
	p := &simplePage{Name: d.Name}
	for _, f := range d.Files {
		ref, _, _ := strings.Cut(f.URL, "#")
		if f.Filename == "" || strings.TrimSpace(ref) == "" {
			return nil, fmt.Errorf("file entry without filename or url")
		}
		yanked, reason := false, ""
		if len(f.Yanked) > 0 && string(f.Yanked) != "null" {
			if json.Unmarshal(f.Yanked, &yanked) != nil {
				if err := json.Unmarshal(f.Yanked, &reason); err != nil {
					return nil, fmt.Errorf("%s: yanked is neither a boolean nor a string", f.Filename)
				}
				yanked = true
			}
		}
		cm, cmSHA := coreMetadata(f.CoreMetadata, f.DistInfoMetadata)
		hashes, sha, err := fileHashes(f.Filename, f.Hashes)
		if err != nil {
			return nil, err
		}
		if cmSHA, err = metadataHash(f.Filename, cmSHA); err != nil {
			return nil, err
		}
		p.Files = append(p.Files, File{
			Filename:           f.Filename,
			URL:                ref,
			Kind:               kindFromFilename(f.Filename),
			SHA256:             sha,
			Hashes:             hashes,
			Size:               f.Size,
			RequiresPython:     f.RequiresPython,
			Yanked:             yanked,
			YankedReason:       reason,
			UploadTime:         f.UploadTime,
			CoreMetadata:       cm,
			CoreMetadataSHA256: cmSHA,
		})
	}
	return p, nil
}

// parseSimpleHTML parses a PEP 503 project page: every <a href> is a file,
// with PEP 503/592/629/658/714 data attributes (HTML-unescaped) and the
// digest in the URL's #sha256= fragment. A <base href> is kept for resolving.
// The parser is deliberately small: index pages are machine-written lists of
// anchors, and anything it does not understand is skipped, never fatal.
func parseSimpleHTML(data []byte) (*simplePage, error) {
	s := string(data)
	p := &simplePage{}
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		name, attrs, next := scanTag(s, i)
		i = next
		switch name {
		case "base":
			if h, ok := attrs["href"]; ok && p.Base == "" {
				p.Base = h
			}
		case "a":
			href, ok := attrs["href"]
			if ref, _, _ := strings.Cut(href, "#"); !ok || strings.Trim(ref, htmlSpace) == "" {
				continue // not a file: no link, or a link within the page
			}
			text := ""
			if end := indexCloseA(s[i:]); end >= 0 {
				text = strings.TrimSpace(html.UnescapeString(s[i : i+end]))
			}
			f, err := anchorFile(href, text, attrs)
			if err != nil {
				return nil, err
			}
			p.Files = append(p.Files, f)
		}
	}
	return p, nil
}

// anchorFile turns one anchor into a File. The URL fragment carries the
// digest as "<algorithm>=<hex>" (pip also reads "&"-separated pairs).
func anchorFile(href, text string, attrs map[string]string) (File, error) {
	ref, frag, _ := strings.Cut(strings.Trim(href, htmlSpace), "#")
	ref = strings.Trim(ref, htmlSpace)
	f := File{URL: ref, Filename: text, RequiresPython: attrs["data-requires-python"]}
	if u, err := url.Parse(ref); err == nil && path.Base(u.Path) != "." && path.Base(u.Path) != "/" {
		// PEP 503: the anchor text must be the URL's last path segment; the
		// URL is what gets downloaded, so it wins.
		f.Filename = path.Base(u.Path)
	}
	f.Kind = kindFromFilename(f.Filename)
	digests := map[string]string{}
	for _, pair := range strings.Split(frag, "&") {
		if algo, digest, ok := strings.Cut(pair, "="); ok {
			digests[algo] = digest
		}
	}
	var err error
	if f.Hashes, f.SHA256, err = fileHashes(f.Filename, digests); err != nil {
		return File{}, err
	}
	if reason, ok := attrs["data-yanked"]; ok {
		f.Yanked, f.YankedReason = true, reason
	}
	for _, key := range []string{"data-core-metadata", "data-dist-info-metadata"} {
		v, ok := attrs[key]
		if !ok {
			continue
		}
		if algo, digest, ok := strings.Cut(v, "="); ok {
			f.CoreMetadata = true
			if algo == "sha256" {
				if f.CoreMetadataSHA256, err = metadataHash(f.Filename, digest); err != nil {
					return File{}, err
				}
			}
		} else {
			f.CoreMetadata = v == "" || strings.EqualFold(v, "true")
		}
		break
	}
	return f, nil
}

// scanTag reads the tag starting at s[i] == '<'. It returns the lower-case
// tag name ("" for closing tags, doctypes and the like), the unescaped
// attributes and the index after the tag.
func scanTag(s string, i int) (string, map[string]string, int) {
	j := i + 1
	for j < len(s) && isNameByte(s[j]) {
		j++
	}
	name := strings.ToLower(s[i+1 : j])
	if name == "" {
		end := strings.IndexByte(s[i+1:], '>')
		if end < 0 {
			return "", nil, len(s)
		}
		return "", nil, i + 1 + end + 1
	}
	attrs := map[string]string{}
	for j < len(s) {
		for j < len(s) && (isSpace(s[j]) || s[j] == '/') {
			j++
		}
		if j >= len(s) {
			break
		}
		if s[j] == '>' {
			return name, attrs, j + 1
		}
		k := j
		for k < len(s) && !isSpace(s[k]) && s[k] != '=' && s[k] != '>' && s[k] != '/' {
			k++
		}
		if k == j { // a stray '=': skip it
			j++
			continue
		}
		key := strings.ToLower(s[j:k])
		j = k
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		val := ""
		if j < len(s) && s[j] == '=' {
			j++
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				q := s[j]
				end := strings.IndexByte(s[j+1:], q)
				if end < 0 {
					return name, attrs, len(s)
				}
				val = s[j+1 : j+1+end]
				j += end + 2
			} else {
				k := j
				for k < len(s) && !isSpace(s[k]) && s[k] != '>' {
					k++
				}
				val = s[j:k]
				j = k
			}
		}
		if _, dup := attrs[key]; !dup {
			attrs[key] = html.UnescapeString(val)
		}
	}
	return name, attrs, len(s)
}

// indexCloseA finds "</a" in any case. (strings.ToLower would move the
// offsets of invalid UTF-8.)
func indexCloseA(s string) int {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '<' && s[i+1] == '/' && s[i+2]|0x20 == 'a' {
			return i
		}
	}
	return -1
}

func isNameByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// htmlSpace is HTML's ASCII white space, which browsers strip around URLs.
const htmlSpace = " \t\n\r\f"

func isSpace(b byte) bool {
	return strings.IndexByte(htmlSpace, b) >= 0
}

// sdistExtensions are the archive suffixes pip accepts for sdists.
var sdistExtensions = []string{".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip"}

func kindFromFilename(filename string) FileKind {
	lower := strings.ToLower(filename)
	if strings.HasSuffix(lower, ".whl") {
		return Wheel
	}
	for _, ext := range sdistExtensions {
		if strings.HasSuffix(lower, ext) {
			return Sdist
		}
	}
	return Other
}

// filenameVersion returns the version a distribution file of project (PEP
// 503 normalized) carries in its name: wheels are
// {name}-{ver}(-{build})?-{py}-{abi}-{plat}.whl; sdists are {name}-{ver}.ext
// where a legacy name may itself contain dashes. Versions must be valid PEP
// 440 versions, as pip requires.
func filenameVersion(project, filename string) (string, bool) {
	switch kindFromFilename(filename) {
	case Wheel:
		parts := strings.Split(filename[:len(filename)-len(".whl")], "-")
		if (len(parts) == 5 || len(parts) == 6) && pypi.NormalizeName(parts[0]) == project {
			if _, err := pypi.ParseVersion(parts[1]); err == nil {
				return parts[1], true
			}
		}
	case Sdist:
		if v, _, err := pypi.ParseSdistFilenameFor(project, filename); err == nil {
			return v, true
		}
	}
	return "", false
}

// projectFromSimple groups a Simple API page's files into releases, in order
// of first appearance. Files whose names carry no version of this project are
// skipped, as pip skips them.
func (c *Client) projectFromSimple(name string, doc *document) (*Project, error) {
	var page *simplePage
	var err error
	if isSimpleJSON(doc.contentType) {
		page, err = parseSimpleJSON(doc.body)
	} else {
		page, err = parseSimpleHTML(doc.body)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doc.url, err)
	}
	base := doc.url
	if page.Base != "" {
		b, err := url.Parse(strings.TrimSpace(page.Base))
		if err != nil {
			return nil, fmt.Errorf("%s: <base href=%q>: %w", doc.url, page.Base, err)
		}
		base = doc.url.ResolveReference(b)
	}
	p := &Project{Name: name}
	index := map[string]int{}
	for _, f := range page.Files {
		v, ok := filenameVersion(name, f.Filename)
		if !ok {
			continue
		}
		if f.URL, err = c.resolveRef(base, f.URL); err != nil {
			return nil, fmt.Errorf("%s: file %s: %w", doc.url, f.Filename, err)
		}
		i, seen := index[versionKey(v)]
		if !seen {
			i = len(p.Releases)
			index[versionKey(v)] = i
			p.Releases = append(p.Releases, Release{Version: v})
		}
		p.Releases[i].Files = append(p.Releases[i].Files, f)
	}
	return p, nil
}

func isSimpleJSON(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	return strings.HasPrefix(ct, "application/vnd.pypi.simple.") && strings.Contains(ct, "+json")
}
