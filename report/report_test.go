package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	audit "github.com/pip2nix-bitpoll/pip2nix-bitpoll/advisory"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The plans are shared with nixexpr's overlay goldens (synthetic data);
// they are audited as the command does before rendering. The report's own
// plans (testdata/*.plan.json, synthetic) are audited already.
const (
	planGlob        = "../nixexpr/testdata/*.plan.json"
	auditedPlanGlob = "testdata/*.plan.json"
)

func loadPlan(t testing.TB, path string) *resolver.Plan {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var plan resolver.Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&plan), path)
	return &plan
}

func plans(t testing.TB) map[string]*resolver.Plan {
	t.Helper()
	files, err := filepath.Glob(planGlob)
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string]*resolver.Plan{}
	for _, f := range files {
		plan := loadPlan(t, f)
		audit.Audit(plan, audit.Options{})
		out[strings.TrimSuffix(filepath.Base(f), ".plan.json")] = plan
	}
	audited, err := filepath.Glob(auditedPlanGlob)
	require.NoError(t, err)
	require.NotEmpty(t, audited)
	for _, f := range audited {
		out[strings.TrimSuffix(filepath.Base(f), ".plan.json")] = loadPlan(t, f)
	}
	return out
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test -update")
	assert.Equal(t, string(want), string(got), path)
}

func TestGolden(t *testing.T) {
	for name, plan := range plans(t) {
		t.Run(name, func(t *testing.T) {
			js, err := JSON(plan)
			require.NoError(t, err)
			golden(t, filepath.Join("testdata", name+".report.json.golden"), js)
			md, err := Markdown(plan)
			require.NoError(t, err)
			golden(t, filepath.Join("testdata", name+".report.md.golden"), md)
		})
	}
}

// keys returns the keys of the JSON object in data in document order.
func keys(t *testing.T, data json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var out []string
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		out = append(out, k.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return out
}

func TestJSONShape(t *testing.T) {
	plan := plans(t)["vulnerabilities"]
	data, err := JSON(plan)
	require.NoError(t, err)
	assert.True(t, bytes.HasSuffix(data, []byte("}\n")))
	assert.Contains(t, string(data), "\n  \"python\": {\n    \"attr\"", "2-space indentation")
	assert.Equal(t, []string{"python", "nixpkgs", "policy", "packages", "warnings", "advisoryDatabase"}, keys(t, data))

	var doc struct {
		Packages []json.RawMessage `json:"packages"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.NotEmpty(t, doc.Packages)
	assert.Equal(t, []string{"name", "version", "source", "attr", "requested", "nixpkgsVersion", "sdist",
		"buildSystem", "license", "requiredBy", "notes", "vulnerabilities",
		"action", "reason", "nixpkgsAttr", "extras", "yanked", "yankedReason", "prerelease", "nativeLibraries",
		"knownVulnerabilities", "advisories", "pinned"},
		keys(t, doc.Packages[0]))

	var pkgs []map[string]any
	require.NoError(t, json.Unmarshal(mustField(t, data, "packages"), &pkgs))
	django, sqlparse := pkgs[0], pkgs[1]
	assert.Equal(t, "django", django["name"])
	assert.Nil(t, django["sdist"], "nixpkgs packages have no sdist")
	assert.Equal(t, "==4.2.20", django["requested"])
	assert.Equal(t, map[string]any{
		"url":    "https://index.example/packages/source/sqlparse-0.4.4.tar.gz",
		"sha256": plan.Packages[1].Sdist.SHA256,
	}, sqlparse["sdist"])
	vulns := sqlparse["vulnerabilities"].([]any)
	require.Len(t, vulns, 1)
	assert.Equal(t, "GHSA-2m57-hf25-phgg", vulns[0].(map[string]any)["id"])
}

func mustField(t *testing.T, data []byte, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &m))
	return m[key]
}

func TestJSONEmptyListsAndNulls(t *testing.T) {
	data, err := JSON(&resolver.Plan{Packages: []resolver.Package{{Name: "a", Version: "1", Source: resolver.FromNixpkgs, Action: resolver.UseNixpkgs, Attr: "a"}}})
	require.NoError(t, err)
	s := string(data)
	for _, k := range []string{"buildSystem", "requiredBy", "notes", "vulnerabilities", "extras", "nativeLibraries", "nix", "knownVulnerabilities", "advisories"} {
		assert.Regexp(t, `"`+k+`": \[\]`, s, k)
	}
	assert.Contains(t, s, `"warnings": []`)
	for _, k := range []string{"requested", "nixpkgsVersion", "sdist", "rev", "nixpkgsAttr", "yankedReason", "pinned", "advisoryDatabase"} {
		assert.Regexp(t, `"`+k+`": null`, s, k)
	}
}

func TestJSONSortsPackages(t *testing.T) {
	plan := &resolver.Plan{Packages: []resolver.Package{{Name: "b", Attr: "b"}, {Name: "a", Attr: "a"}}}
	data, err := JSON(plan)
	require.NoError(t, err)
	assert.Less(t, strings.Index(string(data), `"name": "a"`), strings.Index(string(data), `"name": "b"`))
}

func TestNilPlan(t *testing.T) {
	_, err := JSON(nil)
	assert.Error(t, err)
	_, err = Markdown(nil)
	assert.Error(t, err)
}

func TestText(t *testing.T) {
	cases := map[string]string{
		"plain words":         "plain words",
		"a | b":               `a \| b`,
		"line\nbreak\r\nhere": "line break here",
		"*bold* _it_ `code`":  `\*bold\* \_it\_ \` + "`" + `code\` + "`",
		"<script>&amp;":       `\<script\>\&amp;`,
		"[x](javascript:y)":   `\[x\](javascript:y)`,
		"# heading":           `\# heading`,
		"${x} \\ ~~s~~":       `\$\{x\} \\ \~\~s\~\~`,
		"ctl\x1b[0m\x00":      `ctl\[0m`,
		"  spaced   out  ":    "spaced out",
		"bad \xff utf8":       "bad \uFFFD utf8",
		"5.0.6 django-simple": "5.0.6 django-simple",
	}
	for in, want := range cases {
		assert.Equal(t, want, text(in), "%q", in)
	}
}

func TestDrift(t *testing.T) {
	cases := []struct{ requested, chosen, want string }{
		{"==5.0.6", "5.0.6", "none"},
		{"==1.0", "1.0.0", "none"},
		{"==5.0.6", "5.1.9", "**drift**"},
		{">=4.2", "5.1.9", "range"},
		{"==5.0.*", "5.0.6", "range"},
		{"===5.0.6", "5.0.6", "range"},
		{">=1,==1.2", "1.2", "range"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, drift(c.requested, c.chosen), "%s vs %s", c.requested, c.chosen)
	}
}

// unescapedPipe matches a | not preceded by a backslash.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

// TestMarkdownInjection checks that index text cannot add table cells,
// lines, links or HTML to the report.
func TestMarkdownInjection(t *testing.T) {
	md, err := Markdown(plans(t)["injection"])
	require.NoError(t, err)
	s := string(md)
	var head int
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "|") {
			head = 0
			continue
		}
		n := len(unescapedPipe.FindAllStringIndex(line, -1))
		if head == 0 {
			head = n
		}
		assert.Equal(t, head, n, "row has a different number of cells: %s", line)
	}
	assert.NotContains(t, s, "<html>")
	assert.NotContains(t, s, "\n}; boom")
	assert.NotContains(t, s, "Evil | *Pkg*")
	assert.Contains(t, s, "- evil 1.0: note with \\<html\\> \\& \\`code\\` \\| pipe newline\n")
}

func TestMarkdownSections(t *testing.T) {
	md, err := Markdown(plans(t)["unknown-license"])
	require.NoError(t, err)
	s := string(md)
	for _, h := range []string{"## Packages", "## Pins vs chosen", "## Licenses", "## Build systems",
		"## Native libraries needed", "## Yanked and pre-release", "## Vulnerabilities", "## Advisories: pins vs chosen", "## Warnings"} {
		assert.Contains(t, s, "\n"+h+"\n", h)
	}
	assert.Contains(t, s, "| closed-thing | 2.0 | LicenseRef-Proprietary | unfree | **non-free** |")
	assert.Contains(t, s, "| mystery-lib | 0.4.dev1 | Custom license, see LICENSE.txt | — | **unknown** |")
	assert.Contains(t, s, "| mystery-lib | 0.4.dev1 | yes: broken metadata | yes |")
	assert.True(t, strings.HasPrefix(s, "# Python dependencies: audit report\n\n2 packages: 0 from nixpkgs, 2 from the index"))
}

func BenchmarkMarkdown(b *testing.B) {
	plan := loadPlan(b, "../nixexpr/testdata/injection.plan.json")
	for b.Loop() {
		if _, err := Markdown(plan); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSON(b *testing.B) {
	plan := loadPlan(b, "../nixexpr/testdata/vulnerabilities.plan.json")
	for b.Loop() {
		if _, err := JSON(plan); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAdvisorySections(t *testing.T) {
	all := plans(t)
	md, err := Markdown(all["advisories"])
	require.NoError(t, err)
	s := string(md)
	assert.Contains(t, s, "Checked against the advisory database advisories/ (4 advisories, newest modified 2024-10-08T19:19:01.400873Z)")
	assert.Contains(t, s, "| django | 5.0.6 | 5.1.9 | PYSEC-2024-56, PYSEC-2024-57 | PYSEC-2024-56, PYSEC-2024-57 | — |\n")
	assert.Contains(t, s, "| requests | 2.31.0 | 2.30.0 | — | — | PYSEC-2023-74 |\n")
	assert.NotContains(t, s, "| six | 1.16.0", "nothing to compare")
	assert.Contains(t, s, "Advisories of the pinned versions:\n\n| Package | Pinned | Advisory | Aliases | Fixed in | Status | Summary |\n| --- | --- | --- | --- | --- | --- | --- |\n"+
		"| django | 5.0.6 | PYSEC-2024-56 | CVE-2024-38875 | 4.2.14, 5.0.7 | **open** | urlize denial of service |\n")
	assert.Contains(t, s, "| index, osv | **open** |")
	assert.Contains(t, s, "| nixpkgs | accepted: we know \\| really |")

	md, err = Markdown(all["alias"])
	require.NoError(t, err)
	assert.Contains(t, string(md), "## Advisories: pins vs chosen\n\nNot compared: no advisory database was given (--advisories).\n")
	assert.Contains(t, string(md), "## Vulnerabilities\n\nChecked against the advisories the index publishes and nixpkgs' meta.knownVulnerabilities; no advisory database was given (--advisories).\n\nNone known for the chosen versions.\n")

	data, err := JSON(all["advisories"])
	require.NoError(t, err)
	var doc struct {
		AdvisoryDB map[string]any `json:"advisoryDatabase"`
		Packages   []struct {
			KnownVulnerabilities []string         `json:"knownVulnerabilities"`
			Advisories           []map[string]any `json:"advisories"`
			Pinned               map[string]any   `json:"pinned"`
		} `json:"packages"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, map[string]any{"source": "advisories/", "advisories": 4.0, "modified": "2024-10-08T19:19:01.400873Z"}, doc.AdvisoryDB)
	django, requests := doc.Packages[0], doc.Packages[1]
	assert.Equal(t, []string{"CVE-0000-0001 | in *urlize* (synthetic)"}, django.KnownVulnerabilities)
	assert.Equal(t, "we know | really", django.Advisories[0]["accepted"])
	assert.Nil(t, requests.Advisories[0]["accepted"])
	assert.Equal(t, []any{"index", "osv"}, requests.Advisories[0]["sources"])
	assert.Equal(t, "5.0.6", django.Pinned["version"])
	assert.Equal(t, []any{"PYSEC-2024-56", "PYSEC-2024-57"}, django.Pinned["avoided"])
	assert.Equal(t, []any{"PYSEC-2023-74"}, requests.Pinned["introduced"])
}

// TestGraph: the Mermaid and DOT graphs mark sources and rebuilds and
// group nixpkgs packages used unchanged into one node.
func TestGraph(t *testing.T) {
	plan := &resolver.Plan{Packages: []resolver.Package{
		{Name: "a", Version: "1", Action: resolver.Add, Dependencies: []resolver.Dependency{{Name: "b"}, {Name: "c"}, {Name: "d"}}},
		{Name: "b", Version: "2", Action: resolver.UseNixpkgs, RebuiltBecause: []string{"c"}, Dependencies: []resolver.Dependency{{Name: "c"}}},
		{Name: "c", Version: "3", Action: resolver.Override},
		{Name: "d", Version: "4", Action: resolver.UseNixpkgs, Dependencies: []resolver.Dependency{{Name: "e"}}},
		{Name: "e", Version: "5", Action: resolver.UseNixpkgs},
	}}
	m := Mermaid(plan)
	for _, want := range []string{"p0[\"a 1\"]:::added", "p1[\"b 2\"]:::rebuilt", "p2[\"c 3\"]:::override",
		"nixpkgs_unchanged[\"nixpkgs, unchanged (2)\"]:::unchanged", "p0 --> nixpkgs_unchanged", "p1 --> p2"} {
		assert.Contains(t, m, want)
	}
	assert.NotContains(t, m, "nixpkgs_unchanged --> nixpkgs_unchanged")
	dot := string(DOT(plan))
	assert.Contains(t, dot, `p1 [label="b 2", fillcolor="#ffedd5", style="filled,dashed"];`)
	assert.Contains(t, dot, "p0 -> nixpkgs_unchanged;")

	md, err := Markdown(plan)
	require.NoError(t, err)
	assert.Contains(t, string(md), "| b | 2 | c |", "the rebuild impact table")
	js, err := JSON(plan)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"rebuiltBecause": [
        "c"
      ]`)
}
