package recorded

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// projectFile is the schema of recorded/index/<name>.toml (index/README.md).
type projectFile struct {
	Project string    `toml:"project"`
	Release []release `toml:"release"`
}

type release struct {
	Version         string   `toml:"version"`
	PinnedByBitpoll bool     `toml:"pinned_by_bitpoll"`
	Sdist           string   `toml:"sdist"`
	SHA256          string   `toml:"sha256"`
	SHA256Status    string   `toml:"sha256_status"`
	RequiresPython  *string  `toml:"requires_python"`
	RequiresDist    []string `toml:"requires_dist"`
	License         *string  `toml:"license"`
	BuildBackend    *string  `toml:"build_backend"`
	BuildRequires   []string `toml:"build_requires"`
	ImportNames     []string `toml:"import_names"`
	Source          []source `toml:"source"`
}

type source struct {
	Facts   []string `toml:"facts"`
	Repo    string   `toml:"repo"`
	Commit  string   `toml:"commit"`
	Path    string   `toml:"path"`
	StoreID string   `toml:"store_id"`
	Tag     string   `toml:"tag"`
	Kind    string   `toml:"kind"`
	Found   string   `toml:"found"`
	File    string   `toml:"file"`
	Agrees  *bool    `toml:"agrees"`
}

var (
	hex64      = regexp.MustCompile(`^[0-9a-f]{64}$`)
	commitRe   = regexp.MustCompile(`^([0-9a-f]{40})?$`)
	repoRe     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	normalized = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	separators = regexp.MustCompile(`[-_.]+`)
	sdistRe    = regexp.MustCompile(`^(.+)-([^-]+)\.(tar\.gz|zip)$`)
	knownFacts = []string{"sha256", "sdist", "requires_python", "requires_dist", "license", "build_backend", "build_requires", "import_names"}
	statuses   = []string{"agree", "single", "unattributed", "disagree", "unknown"}
)

// normalize is the PEP 503 name normalization.
func normalize(name string) string {
	return strings.ToLower(separators.ReplaceAllString(name, "-"))
}

// digestHex converts a digest as written in a source to lower-case hex:
// bare hex, "sha256:<hex>" (lock files) or "sha256-<base64>" (Nix SRI).
func digestHex(found string) (string, error) {
	switch {
	case hex64.MatchString(strings.ToLower(found)):
		return strings.ToLower(found), nil
	case strings.HasPrefix(found, "sha256:") && hex64.MatchString(found[len("sha256:"):]):
		return found[len("sha256:"):], nil
	case strings.HasPrefix(found, "sha256-"):
		raw, err := base64.StdEncoding.DecodeString(found[len("sha256-"):])
		if err != nil || len(raw) != 32 {
			return "", fmt.Errorf("SRI digest %q is not 32 bytes of base64", found)
		}
		return hex.EncodeToString(raw), nil
	}
	return "", fmt.Errorf("digest %q is not hex, sha256:<hex> or sha256-<base64>", found)
}

// validate checks one recorded project file; name is its file name.
func validate(name string, data []byte) error {
	var p projectFile
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) {
			return fmt.Errorf("%s: unknown fields:\n%s", name, strict.String())
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return fmt.Errorf("%s:%d:%d: %w", name, line, col, err)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	if !normalized.MatchString(p.Project) || normalize(p.Project) != p.Project {
		fail("project %q is not a PEP 503 normalized name", p.Project)
	}
	if stem := strings.TrimSuffix(filepath.Base(name), ".toml"); stem != p.Project {
		fail("project %q does not match the file name %q", p.Project, stem)
	}
	if len(p.Release) == 0 {
		fail("no [[release]]")
	}
	seen := map[string]bool{}
	for _, r := range p.Release {
		where := p.Project + "@" + r.Version
		if r.Version == "" {
			fail("a release has no version")
		}
		if seen[r.Version] {
			fail("%s: duplicate version", where)
		}
		seen[r.Version] = true
		for _, e := range validateRelease(p.Project, r) {
			fail("%s: %v", where, e)
		}
	}
	return errors.Join(errs...)
}

func validateRelease(project string, r release) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch r.SHA256 {
	case "unknown", "disputed":
	default:
		if !hex64.MatchString(r.SHA256) {
			fail("sha256 %q is neither 64 lower-case hex digits nor \"unknown\"/\"disputed\"", r.SHA256)
		}
	}
	if !slices.Contains(statuses, r.SHA256Status) {
		fail("sha256_status %q is not one of %v", r.SHA256Status, statuses)
	}
	if (r.SHA256 == "unknown") != (r.SHA256Status == "unknown") || (r.SHA256 == "disputed") != (r.SHA256Status == "disagree") {
		fail("sha256 %q contradicts sha256_status %q", r.SHA256, r.SHA256Status)
	}
	if r.Sdist != "unknown" && r.Sdist != "disputed" {
		m := sdistRe.FindStringSubmatch(r.Sdist)
		if m == nil || normalize(m[1]) != project || m[2] != r.Version {
			fail("sdist %q is not <%s>-%s.tar.gz (or .zip)", r.Sdist, project, r.Version)
		}
	}
	if len(r.Source) == 0 {
		fail("no [[release.source]]")
	}
	agreeingRepos := map[string]bool{}
	agreeing, unattributed := 0, 0
	for i, s := range r.Source {
		at := fmt.Sprintf("source %d", i+1)
		for _, f := range s.Facts {
			if !slices.Contains(knownFacts, f) {
				fail("%s: unknown fact %q", at, f)
			}
		}
		if s.Repo == "" {
			if s.StoreID == "" {
				fail("%s: neither repo nor store_id", at)
			}
		} else if !repoRe.MatchString(s.Repo) {
			fail("%s: repo %q is not owner/name", at, s.Repo)
		} else if s.Path == "" {
			fail("%s: repo %s without a path", at, s.Repo)
		}
		if !commitRe.MatchString(s.Commit) {
			fail("%s: commit %q is not 40 hex digits or empty", at, s.Commit)
		}
		if s.Kind == "" {
			fail("%s: no kind", at)
		}
		if slices.Contains(s.Facts, "sdist") && s.File == "" && s.Found == "" {
			fail("%s: supports sdist but names no file", at)
		}
		if !slices.Contains(s.Facts, "sha256") {
			continue
		}
		if s.Agrees == nil {
			fail("%s: a digest source without agrees", at)
			continue
		}
		h, err := digestHex(s.Found)
		if err != nil {
			fail("%s: %v", at, err)
			continue
		}
		if *s.Agrees != (h == r.SHA256) {
			fail("%s: agrees = %t but found %s vs recorded %s", at, *s.Agrees, h, r.SHA256)
		}
		if *s.Agrees {
			agreeing++
			if s.Repo == "" {
				unattributed++
			} else {
				agreeingRepos[s.Repo] = true
			}
		}
	}
	if hex64.MatchString(r.SHA256) && agreeing == 0 {
		fail("digest %s has no source that gives it", r.SHA256)
	}
	switch r.SHA256Status {
	case "agree":
		if len(agreeingRepos) < 2 {
			fail("status agree needs two repositories giving the digest, has %d", len(agreeingRepos))
		}
	case "single":
		if len(agreeingRepos) != 1 {
			fail("status single needs exactly one repository giving the digest, has %d", len(agreeingRepos))
		}
	case "unattributed":
		if len(agreeingRepos) != 0 || unattributed == 0 {
			fail("status unattributed needs only unattributed excerpts giving the digest")
		}
	}
	for _, d := range r.RequiresDist {
		if strings.TrimSpace(d) == "" {
			fail("empty requires_dist entry")
		}
	}
	return errs
}

func indexFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("index", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded/index/*.toml")
	}
	return files
}

func TestRecordedIndexFiles(t *testing.T) {
	for _, f := range indexFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(f, data); err != nil {
			t.Error(err)
		}
	}
}

// TestProvenanceListsEveryRelease keeps PROVENANCE.md in step with the
// records: one table row per project and version, with the same status.
func TestProvenanceListsEveryRelease(t *testing.T) {
	prov, err := os.ReadFile("PROVENANCE.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(prov), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 {
			continue
		}
		rows[strings.TrimSpace(cells[1])+"@"+strings.TrimSpace(cells[2])] = strings.TrimSpace(cells[3])
	}
	for _, f := range indexFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var p projectFile
		if err := toml.Unmarshal(data, &p); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range p.Release {
			status, ok := rows[p.Project+"@"+r.Version]
			if !ok {
				t.Errorf("PROVENANCE.md has no row for %s %s", p.Project, r.Version)
				continue
			}
			if !strings.HasPrefix(status, r.SHA256Status) {
				t.Errorf("PROVENANCE.md says %q for %s %s, the record says %q", status, p.Project, r.Version, r.SHA256Status)
			}
		}
	}
}

const validRecord = `project = "six"

[[release]]
version = "1.16.0"
pinned_by_bitpoll = true
sdist = "six-1.16.0.tar.gz"
sha256 = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"
sha256_status = "single"
import_names = ["six"]

[[release.source]]
facts = ["sha256", "sdist"]
repo = "conda-forge/six-feedstock"
commit = "dc17668f47aad0b1a0f2ec5dd4b3e7d2d0fc26cb"
path = "recipe/meta.yaml"
kind = "synthetic test record"
found = "sha256-HmHDdHehYmRY4297HYKqXJsJT6SAKJIHLknenGDEySY="
file = "six-1.16.0.tar.gz"
agrees = true
`

func TestValidate(t *testing.T) {
	tests := []struct {
		name, file, old, new, want string
	}{
		{"valid", "six.toml", "", "", ""},
		{"file name differs", "Six.toml", "", "", `does not match the file name`},
		{"not normalized", "six.toml", `project = "six"`, `project = "Six_x"`, "not a PEP 503 normalized name"},
		{"short digest", "six.toml", `sha256 = "1e61c3`, `sha256 = "1e61c`, "neither 64 lower-case hex"},
		{"upper-case digest", "six.toml", `sha256 = "1e61c3`, `sha256 = "1E61C3`, "neither 64 lower-case hex"},
		{"digest without agreeing source", "six.toml", `agrees = true`, `agrees = false`, "has no source that gives it"},
		{"agrees on a different digest", "six.toml", `found = "sha256-HmHD`, `found = "sha256-AmHD`, "agrees = true but found"},
		{"unknown field", "six.toml", `import_names`, `yanked_by = "x"` + "\nimport_names", "yanked_by"},
		{"duplicate version", "six.toml", "\n[[release]]\n", "\n[[release]]\nversion = \"1.16.0\"\nsdist = \"unknown\"\nsha256 = \"unknown\"\nsha256_status = \"unknown\"\n[[release.source]]\nfacts = []\nrepo = \"a/b\"\npath = \"p\"\nkind = \"k\"\n\n[[release]]\n", "duplicate version"},
		{"no source", "six.toml", "[[release.source]]", "[[release.sourcex]]", "sourcex"},
		{"status overstated", "six.toml", `sha256_status = "single"`, `sha256_status = "agree"`, "needs two repositories"},
		{"unknown status", "six.toml", `sha256_status = "single"`, `sha256_status = "probably"`, "is not one of"},
		{"unknown digest with a status", "six.toml", `sha256 = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"`, `sha256 = "unknown"`, "contradicts sha256_status"},
		{"sdist of another version", "six.toml", `sdist = "six-1.16.0.tar.gz"`, `sdist = "six-1.15.0.tar.gz"`, "is not <six>-1.16.0"},
		{"bad repo", "six.toml", `repo = "conda-forge/six-feedstock"`, `repo = "six-feedstock"`, "is not owner/name"},
		{"unattributed without store id", "six.toml", `repo = "conda-forge/six-feedstock"`, `repo = ""`, "neither repo nor store_id"},
		{"bad commit", "six.toml", `commit = "dc17`, `commit = "zz17`, "is not 40 hex digits"},
		{"unknown fact", "six.toml", `facts = ["sha256", "sdist"]`, `facts = ["sha256", "sdist", "color"]`, `unknown fact "color"`},
		{"not TOML", "six.toml", `project = "six"`, `project = `, "six.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := validRecord
			if tt.old != "" {
				if !strings.Contains(data, tt.old) {
					t.Fatalf("test case does not apply: %q not in the record", tt.old)
				}
				data = strings.Replace(data, tt.old, tt.new, 1)
			}
			err := validate(tt.file, []byte(data))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("valid record rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestDigestHex(t *testing.T) {
	const want = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"
	for _, in := range []string{want, strings.ToUpper(want), "sha256:" + want, "sha256-HmHDdHehYmRY4297HYKqXJsJT6SAKJIHLknenGDEySY="} {
		got, err := digestHex(in)
		if err != nil || got != want {
			t.Errorf("digestHex(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "sha256:xyz", "sha256-AAAA", "md5:" + want[:32]} {
		if got, err := digestHex(in); err == nil {
			t.Errorf("digestHex(%q) = %q, want an error", in, got)
		}
	}
}

// FuzzValidate: validate never panics, whatever the bytes.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(validRecord))
	f.Add([]byte(`project = "x"` + "\n[[release]]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = validate("six.toml", data)
	})
}
