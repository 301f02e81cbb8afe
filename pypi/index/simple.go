package index

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"golang.org/x/net/html"

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

// parseSimpleHTML parses a PEP 503 project page with an HTML tokenizer: every
// <a href> is a file, with PEP 503/592/629/658/714 data attributes
// (unescaped) and the digest in the URL's fragment. A <base href> is kept
// for resolving. Anything else is skipped, never fatal; an anchor without
// its </a> ends at the next anchor. The work is linear in the page's size.
func parseSimpleHTML(data []byte) (*simplePage, error) {
	z := html.NewTokenizer(bytes.NewReader(data))
	p := &simplePage{}
	var open *anchor
	closeAnchor := func() error {
		if open == nil {
			return nil
		}
		f, err := anchorFile(open.href, strings.TrimSpace(open.text.String()), open.attrs)
		open = nil
		if err != nil {
			return err
		}
		p.Files = append(p.Files, f)
		return nil
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := closeAnchor(); err != nil {
				return nil, err
			}
			if z.Err() == io.EOF {
				return p, nil
			}
			return nil, z.Err()
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttrs := z.TagName()
			switch string(name) {
			case "a":
				if err := closeAnchor(); err != nil {
					return nil, err
				}
				attrs := tagAttrs(z, hasAttrs)
				href, ok := attrs["href"]
				if ref, _, _ := strings.Cut(href, "#"); ok && strings.Trim(ref, htmlSpace) != "" {
					open = &anchor{href: href, attrs: attrs}
				}
			case "base":
				if h, ok := tagAttrs(z, hasAttrs)["href"]; ok && p.Base == "" {
					p.Base = h
				}
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "a" {
				if err := closeAnchor(); err != nil {
					return nil, err
				}
			}
		case html.TextToken:
			if open != nil {
				open.text.Write(z.Text())
			}
		}
	}
}

// anchor is an <a href> whose text is being read.
type anchor struct {
	href  string
	attrs map[string]string
	text  bytes.Buffer
}

// tagAttrs reads the current tag's attributes (keys lower-case, values
// unescaped); a repeated attribute keeps its first value, as browsers do.
func tagAttrs(z *html.Tokenizer, more bool) map[string]string {
	attrs := map[string]string{}
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		if _, dup := attrs[string(k)]; !dup {
			attrs[string(k)] = string(v)
		}
	}
	return attrs
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

// htmlSpace is HTML's ASCII white space, which browsers strip around URLs.
const htmlSpace = " \t\n\r\f"

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
