package index

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/metadata"
)

// Project returns every release of a project with its files. It asks the JSON
// API and falls back to the Simple API (PEP 691 JSON or PEP 503 HTML, by
// content negotiation) when the index has no JSON API for the project.
func (c *Client) Project(ctx context.Context, name string) (*Project, error) {
	n, err := checkName(name)
	if err != nil {
		return nil, err
	}
	p, err := c.project(ctx, n)
	return p, c.noteMisses(err)
}

func (c *Client) project(ctx context.Context, n string) (*Project, error) {
	u := c.endpoint("pypi", n, "json")
	doc, jerr := c.fetch(ctx, u, jsonAccept, false, nil)
	if jerr == nil {
		return c.projectFromJSON(n, doc)
	}
	if !errors.Is(jerr, ErrNotFound) && !errors.Is(jerr, ErrOffline) {
		return nil, jerr
	}
	p, serr := c.simpleProject(ctx, n)
	switch {
	case serr == nil:
		return p, nil
	case errors.Is(jerr, ErrNotFound) && errors.Is(serr, ErrNotFound):
		return nil, fmt.Errorf("project %s: %w (neither %s nor %s)", n, ErrNotFound, u, c.endpoint("simple", n)+"/")
	default:
		return nil, joinMisses(jerr, serr)
	}
}

func (c *Client) simpleProject(ctx context.Context, n string) (*Project, error) {
	doc, err := c.fetch(ctx, c.endpoint("simple", n)+"/", simpleAccept, false, nil)
	if err != nil {
		return nil, err
	}
	return c.projectFromSimple(n, doc)
}

// Release returns the metadata and files of one release from the JSON API.
// When the index's requires_dist is null (unknown, not empty) it reads the
// dependencies from a PEP 658 ".metadata" file of the release, preferring
// wheels; RequiresDistKnown says whether either source answered. When the
// index has no JSON API, the release is assembled from the Simple API and the
// metadata file alone.
func (c *Client) Release(ctx context.Context, name, version string) (*ReleaseInfo, error) {
	n, err := checkName(name)
	if err != nil {
		return nil, err
	}
	r, err := c.release(ctx, n, version)
	return r, c.noteMisses(err)
}

func (c *Client) release(ctx context.Context, n, version string) (*ReleaseInfo, error) {
	if version == "" || strings.ContainsAny(version, "/?#") {
		return nil, fmt.Errorf("%s: invalid version %q", n, version)
	}
	if r, ok := c.releaseFromListing(ctx, n, version); ok {
		return r, nil
	}
	r, jerr := c.releaseJSON(ctx, n, version)
	if jerr == nil {
		return r, nil
	}
	if !errors.Is(jerr, ErrNotFound) && !errors.Is(jerr, ErrOffline) {
		return nil, jerr
	}
	// The release endpoint does not know this spelling of the version (a
	// mirror keeps one spelling), or the index has no JSON API, or no
	// release documents: look the release up in the project's listing.
	p, perr := c.project(ctx, n)
	if perr != nil {
		if errors.Is(jerr, ErrNotFound) && errors.Is(perr, ErrNotFound) {
			return nil, fmt.Errorf("%s==%s: %w", n, version, ErrNotFound)
		}
		return nil, joinMisses(jerr, perr)
	}
	rel, ok := findRelease(p, version)
	if !ok {
		if errors.Is(jerr, ErrOffline) {
			return nil, jerr
		}
		return nil, fmt.Errorf("%s==%s: %w (the index lists no such release)", n, version, ErrNotFound)
	}
	if rel.Version != version {
		r, err := c.releaseJSON(ctx, n, rel.Version)
		if err == nil || !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrOffline) {
			return r, err
		}
	}
	r = &ReleaseInfo{Name: p.Name, Version: rel.Version, Files: rel.Files, Yanked: rel.Yanked()}
	for _, f := range rel.Files {
		if f.RequiresPython != "" {
			r.RequiresPython = f.RequiresPython
			break
		}
	}
	if err := c.fillFromCoreMetadata(ctx, n, r, rel.Files, true); err != nil {
		return nil, err
	}
	return r, nil
}

// releaseFromListing answers from the project document this Client has
// already fetched when its info block describes version: the JSON API's
// project document carries the current release's info, files and
// advisories, so its release document would say the same. ok is false when
// the listing is not at hand, describes another release, or leaves the
// dependencies unknown without naming a metadata file.
func (c *Client) releaseFromListing(ctx context.Context, n, version string) (*ReleaseInfo, bool) {
	c.mu.Lock()
	doc := c.memo[jsonAccept+"\n"+c.endpoint("pypi", n, "json")]
	c.mu.Unlock()
	if doc == nil {
		return nil, false
	}
	r, err := c.releaseFromJSON(doc)
	if err != nil || !sameVersion(r.Version, version) {
		return nil, false
	}
	if !r.RequiresDistKnown {
		// Straight to a PEP 658 file the listing names; else the release
		// document and the Simple API, as for any other release.
		if err := c.fillFromCoreMetadata(ctx, n, r, r.Files, false); err != nil || !r.RequiresDistKnown {
			return nil, false
		}
	}
	return r, true
}

// releaseJSON reads a release document of the JSON API, completed from a PEP
// 658 metadata file when the index does not know the dependencies.
func (c *Client) releaseJSON(ctx context.Context, n, version string) (*ReleaseInfo, error) {
	doc, err := c.fetch(ctx, c.endpoint("pypi", n, version, "json"), jsonAccept, false, nil)
	if err != nil {
		return nil, err
	}
	r, err := c.releaseFromJSON(doc)
	if err != nil {
		return nil, err
	}
	if !r.RequiresDistKnown {
		if err := c.fillFromCoreMetadata(ctx, n, r, r.Files, true); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// fillFromCoreMetadata reads the first available PEP 658 metadata file among
// files (wheels first). askSimple consults the Simple API when none of files
// is marked as having one, since the JSON API may not say.
func (c *Client) fillFromCoreMetadata(ctx context.Context, n string, r *ReleaseInfo, files []File, askSimple bool) error {
	cands := metadataCandidates(files)
	if len(cands) == 0 && askSimple {
		p, err := c.simpleProject(ctx, n)
		switch {
		case err == nil:
			if rel, ok := findRelease(p, r.Version); ok {
				cands = metadataCandidates(rel.Files)
			}
		case !errors.Is(err, ErrNotFound):
			return fmt.Errorf("%s==%s: looking for core metadata: %w", n, r.Version, err)
		}
	}
	for _, f := range cands {
		md, err := c.coreMetadata(ctx, f)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s==%s: %w", n, r.Version, err)
		}
		r.RequiresDist = md.RequiresDist
		if r.RequiresDist == nil {
			r.RequiresDist = []string{}
		}
		r.RequiresDistKnown = true
		for _, w := range md.Warnings {
			r.MetadataWarnings = append(r.MetadataWarnings, fmt.Sprintf("the index's core metadata (%s.metadata), %s", f.Filename, w))
		}
		if r.RequiresPython == "" {
			r.RequiresPython = md.RequiresPython
		}
		if r.ProvidesExtra == nil {
			r.ProvidesExtra = md.ProvidesExtra
		}
		if r.Summary == "" {
			r.Summary = md.Summary
		}
		if r.License == "" {
			r.License = md.License
		}
		if r.LicenseExpression == "" {
			r.LicenseExpression = md.LicenseExpression
		}
		return nil
	}
	return nil
}

func metadataCandidates(files []File) []File {
	var wheels, others []File
	for _, f := range files {
		switch {
		case !f.CoreMetadata:
		case f.Kind == Wheel:
			wheels = append(wheels, f)
		default:
			others = append(others, f)
		}
	}
	return append(wheels, others...)
}

// coreMetadata fetches and parses the PEP 658 metadata file served next to f.
func (c *Client) coreMetadata(ctx context.Context, f File) (*metadata.Metadata, error) {
	u, _, _ := strings.Cut(f.URL, "#")
	u += ".metadata"
	doc, err := c.fetch(ctx, u, "", false, nil)
	if err != nil {
		return nil, err
	}
	if f.CoreMetadataSHA256 != "" {
		want, err := pypi.NewHash("sha256", f.CoreMetadataSHA256)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", u, err)
		}
		if got := sha256Hex(doc.body); got != want.Hex {
			return nil, fmt.Errorf("GET %s: %w: the index says %s, got sha256:%s", u, ErrDigestMismatch, want, got)
		}
	}
	md, err := metadata.Parse(doc.body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	return md, nil
}

// findRelease finds version among p's releases, comparing canonical forms.
func findRelease(p *Project, version string) (Release, bool) {
	for _, r := range p.Releases {
		if sameVersion(r.Version, version) {
			return r, true
		}
	}
	return Release{}, false
}

// endpoint builds an index URL below the base from path segments.
func (c *Client) endpoint(segments ...string) string {
	return c.base.JoinPath(segments...).String()
}

// noteMisses records the URLs of an offline miss, so OfflineMisses can list
// everything a run lacked, and marks err as an *Error.
func (c *Client) noteMisses(err error) error {
	if err == nil {
		return nil
	}
	var m *OfflineMissError
	if errors.As(err, &m) {
		c.mu.Lock()
		for _, u := range m.URLs {
			c.miss[u] = true
		}
		c.mu.Unlock()
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Err: err}
}

// joinMisses merges two failures of alternatives: when both are offline
// misses, one error lists both URLs; otherwise the more telling one wins.
func joinMisses(a, b error) error {
	var ma, mb *OfflineMissError
	aMiss, bMiss := errors.As(a, &ma), errors.As(b, &mb)
	switch {
	case aMiss && bMiss:
		urls := append(append([]string{}, ma.URLs...), mb.URLs...)
		sort.Strings(urls)
		return &OfflineMissError{URLs: urls}
	case bMiss && errors.Is(a, ErrNotFound):
		return b
	case errors.Is(b, ErrNotFound):
		return a
	}
	return b
}
