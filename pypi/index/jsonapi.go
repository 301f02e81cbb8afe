package index

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// The JSON API's documents (/pypi/<p>/json and /pypi/<p>/<v>/json). Fields
// the index sends as null decode to Go zero values; requires_dist keeps the
// difference between null (unknown) and [] (no dependencies).
type jsonDoc struct {
	Info            jsonInfo              `json:"info"`
	URLs            []jsonFile            `json:"urls"`
	Releases        map[string][]jsonFile `json:"releases"`
	Vulnerabilities []jsonVulnerability   `json:"vulnerabilities"`
}

type jsonInfo struct {
	Name              string            `json:"name"`
	Version           string            `json:"version"`
	Summary           string            `json:"summary"`
	HomePage          string            `json:"home_page"`
	ProjectURLs       map[string]string `json:"project_urls"`
	License           string            `json:"license"`
	LicenseExpression string            `json:"license_expression"`
	Classifiers       []string          `json:"classifiers"`
	RequiresDist      []string          `json:"requires_dist"`
	RequiresPython    string            `json:"requires_python"`
	ProvidesExtra     []string          `json:"provides_extra"`
	Yanked            bool              `json:"yanked"`
	YankedReason      string            `json:"yanked_reason"`
}

type jsonFile struct {
	Filename          string            `json:"filename"`
	PackageType       string            `json:"packagetype"`
	URL               string            `json:"url"`
	Size              int64             `json:"size"`
	Digests           map[string]string `json:"digests"`
	RequiresPython    string            `json:"requires_python"`
	Yanked            bool              `json:"yanked"`
	YankedReason      string            `json:"yanked_reason"`
	UploadTime        string            `json:"upload_time"`
	UploadTimeISO8601 string            `json:"upload_time_iso_8601"`
	CoreMetadata      json.RawMessage   `json:"core-metadata"`
	DistInfoMetadata  json.RawMessage   `json:"data-dist-info-metadata"`
}

type jsonVulnerability struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Summary   string   `json:"summary"`
	Details   string   `json:"details"`
	FixedIn   []string `json:"fixed_in"`
	Link      string   `json:"link"`
	Source    string   `json:"source"`
	Withdrawn string   `json:"withdrawn"`
}

// decodeJSONDoc parses a JSON API document.
func decodeJSONDoc(data []byte) (*jsonDoc, error) {
	var d jsonDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	if d.Info.Name == "" {
		return nil, fmt.Errorf("no info.name")
	}
	return &d, nil
}

// coreMetadata reads PEP 714's "core-metadata" or PEP 658's older
// "data-dist-info-metadata" value: absent, false, true or {"sha256": …}.
func coreMetadata(values ...json.RawMessage) (bool, string) {
	for _, raw := range values {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			return b, ""
		}
		var hashes map[string]string
		if json.Unmarshal(raw, &hashes) == nil {
			return true, strings.ToLower(hashes["sha256"])
		}
	}
	return false, ""
}

func fileKind(packageType, filename string) FileKind {
	switch packageType {
	case "sdist":
		return Sdist
	case "bdist_wheel":
		return Wheel
	case "":
		return kindFromFilename(filename)
	}
	return Other
}

// toFile converts a JSON API file entry, resolving its URL against the
// document's.
func (c *Client) toFile(base *url.URL, f jsonFile) (File, error) {
	u, err := c.resolveRef(base, f.URL)
	if err != nil {
		return File{}, fmt.Errorf("file %s: %w", f.Filename, err)
	}
	cm, cmSHA := coreMetadata(f.CoreMetadata, f.DistInfoMetadata)
	hashes, sha, err := fileHashes(f.Filename, f.Digests)
	if err != nil {
		return File{}, err
	}
	if cmSHA, err = metadataHash(f.Filename, cmSHA); err != nil {
		return File{}, err
	}
	upload := f.UploadTimeISO8601
	if upload == "" {
		upload = f.UploadTime
	}
	return File{
		Filename:           f.Filename,
		URL:                u,
		Kind:               fileKind(f.PackageType, f.Filename),
		SHA256:             sha,
		Hashes:             hashes,
		Size:               f.Size,
		RequiresPython:     f.RequiresPython,
		Yanked:             f.Yanked,
		YankedReason:       f.YankedReason,
		UploadTime:         upload,
		CoreMetadata:       cm,
		CoreMetadataSHA256: cmSHA,
	}, nil
}

func (c *Client) toFiles(base *url.URL, fs []jsonFile) ([]File, error) {
	out := make([]File, 0, len(fs))
	for _, f := range fs {
		file, err := c.toFile(base, f)
		if err != nil {
			return nil, err
		}
		out = append(out, file)
	}
	return out, nil
}

// projectFromJSON builds a Project from the project endpoint's document.
// Releases come in string order of their versions, as the index serializes
// them (the order means nothing; callers sort by version).
func (c *Client) projectFromJSON(name string, doc *document) (*Project, error) {
	d, err := decodeJSONDoc(doc.body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doc.url, err)
	}
	p := &Project{Name: name}
	if d.Releases == nil {
		// Not a project document (a mirror that serves only the release
		// view): the files of info.version are all there is.
		files, err := c.toFiles(doc.url, d.URLs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", doc.url, err)
		}
		p.Releases = []Release{{Version: d.Info.Version, Files: files}}
		return p, nil
	}
	versions := make([]string, 0, len(d.Releases))
	for v := range d.Releases {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	for _, v := range versions {
		files, err := c.toFiles(doc.url, d.Releases[v])
		if err != nil {
			return nil, fmt.Errorf("%s: release %s: %w", doc.url, v, err)
		}
		p.Releases = append(p.Releases, Release{Version: v, Files: files})
	}
	return p, nil
}

// releaseFromJSON builds a ReleaseInfo from the release endpoint's document.
func (c *Client) releaseFromJSON(doc *document) (*ReleaseInfo, error) {
	d, err := decodeJSONDoc(doc.body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doc.url, err)
	}
	files, err := c.toFiles(doc.url, d.URLs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doc.url, err)
	}
	in := d.Info
	r := &ReleaseInfo{
		Name:              in.Name,
		Version:           in.Version,
		Summary:           in.Summary,
		HomePage:          in.HomePage,
		ProjectURLs:       in.ProjectURLs,
		License:           in.License,
		LicenseExpression: in.LicenseExpression,
		Classifiers:       in.Classifiers,
		RequiresDist:      in.RequiresDist,
		RequiresDistKnown: in.RequiresDist != nil,
		RequiresPython:    in.RequiresPython,
		ProvidesExtra:     in.ProvidesExtra,
		Yanked:            in.Yanked,
		YankedReason:      in.YankedReason,
		Files:             files,
	}
	for _, v := range d.Vulnerabilities {
		r.Vulnerabilities = append(r.Vulnerabilities, Vulnerability{
			ID:        v.ID,
			Aliases:   v.Aliases,
			Summary:   v.Summary,
			Details:   v.Details,
			FixedIn:   v.FixedIn,
			Link:      v.Link,
			Source:    v.Source,
			Withdrawn: v.Withdrawn,
		})
	}
	return r, nil
}

// resolveRef resolves a URL from a response against the response's own URL,
// so absolute URLs (a real index) and root-relative ones (fixtures, mirrors)
// both work. Under a file:// index a root-relative path means the mirror's
// root, not the file system's. The fragment is dropped: digests travel in
// File.SHA256.
func (c *Client) resolveRef(base *url.URL, ref string) (string, error) {
	u, err := c.joinRef(base, ref)
	if err != nil {
		return "", err
	}
	if _, err := c.checkURL(u); err != nil {
		return "", err
	}
	return u, nil
}

func (c *Client) joinRef(base *url.URL, ref string) (string, error) {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", err
	}
	if r.String() == "" {
		return "", fmt.Errorf("empty URL")
	}
	r.Fragment, r.RawFragment = "", ""
	if base.Scheme == "file" && c.base.Scheme == "file" && r.Scheme == "" && r.Host == "" &&
		strings.HasPrefix(r.Path, "/") {
		out := *c.base
		out.Path = strings.TrimSuffix(c.base.Path, "/") + r.Path
		out.RawPath = ""
		out.RawQuery = r.RawQuery
		return out.String(), nil
	}
	return base.ResolveReference(r).String(), nil
}
