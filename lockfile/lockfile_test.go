package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/metadata"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

// fill sets every settable field of v (recursively) to a non-zero value
// derived from seed, so a conversion that drops a field is caught.
func fill(t *testing.T, v reflect.Value, seed string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(seed)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(len(seed)))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), seed)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fill(t, s.Index(i), seed+string(rune('a'+i)))
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(t, k, seed+"k")
		fill(t, e, seed+"v")
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i), seed+"."+v.Type().Field(i).Name)
			}
		}
	default:
		t.Fatalf("fill: unhandled kind %s", v.Kind())
	}
}

// fullInfo is an sdist inspection with every field the lock keeps set.
func fullInfo() *sdist.Info {
	return &sdist.Info{
		Metadata: &metadata.Metadata{
			MetadataVersion: "2.4", Name: "demo", Version: "1.0", Summary: "Synthetic demo", HomePage: "https://example.invalid",
			License: "MIT", LicenseExpression: "MIT", RequiresPython: ">=3.9", Classifiers: []string{"License :: OSI Approved :: MIT License"},
			RequiresDist: []string{"six"}, ProvidesExtra: []string{"x"}, Dynamic: []string{"version"}, ProjectURLs: map[string]string{"Changelog": "https://example.invalid/c"},
		},
		RequiresDistSource: sdist.SourcePKGINFO,
		BuildSystem:        sdist.BuildSystem{Declared: true, Requires: []string{"hatchling"}, Backend: "hatchling.build"},
		ImportNames:        []string{"demo"},
		SetupRequires:      []string{"setuptools_scm>=6"},
		Native:             sdist.Native{Findings: []sdist.NativeFinding{{Kind: sdist.NativeC, Count: 2, Examples: []string{"a.c", "b.c"}}}},
	}
}

// TestPlanRoundTrip proves the lock keeps every field of resolver.Plan and
// resolver.Package (a field added there and not here fails this test) and
// the inspection.
func TestPlanRoundTrip(t *testing.T) {
	var plan resolver.Plan
	fill(t, reflect.ValueOf(&plan).Elem(), "x")
	for i := range plan.Inputs {
		plan.Inputs[i].SHA256 = strings.Repeat("a", 64)
	}
	for i := range plan.Packages {
		p := &plan.Packages[i]
		p.Name += string(rune('0' + i))
		p.Sdist.SHA256 = strings.Repeat("d", 64)
		p.Sdist.Inspection = fullInfo() // the lock keeps what the resolver reads
	}
	l := FromPlan(&plan, Meta{Generator: "g", Index: "i", NixpkgsQuerySHA256: "q"})
	data, err := Marshal(l)
	require.NoError(t, err)
	back, err := Parse("pip2nix.lock", data)
	require.NoError(t, err)
	assert.Equal(t, &plan, back.Plan())
	assert.Equal(t, "q", back.Nixpkgs.QuerySHA256)
	again, err := Marshal(back)
	require.NoError(t, err)
	assert.Equal(t, string(data), string(again), "Marshal is canonical")
}

func TestInspectionsCache(t *testing.T) {
	info := fullInfo()
	sum := strings.Repeat("b", 64)
	l := &Lock{Packages: []Package{
		{Name: "demo", Version: "1.0", Sdist: &Sdist{Filename: "demo-1.0.tar.gz", SHA256: sum, Inspection: NewInspection(info)}},
		{Name: "unknown", Version: "2.0", Sdist: &Sdist{Filename: "unknown-2.0.tar.gz", Inspection: NewInspection(&sdist.Info{ImportNames: []string{"u"}})}},
		{Name: "nix", Version: "3.0"},
	}}
	var cache resolver.InspectionCache = l.Inspections()
	got, ok := cache.Inspection("demo-1.0.tar.gz", sum)
	require.True(t, ok)
	assert.Equal(t, info, got)
	_, ok = cache.Inspection("demo-1.0.tar.gz", strings.Repeat("c", 64))
	assert.False(t, ok, "another digest is another file")
	_, ok = cache.Inspection("unknown-2.0.tar.gz", sum)
	assert.False(t, ok, "a result recorded without a digest does not vouch for a known one")
	got, ok = cache.Inspection("unknown-2.0.tar.gz", "")
	require.True(t, ok)
	assert.Equal(t, []string{"u"}, got.ImportNames)

	first := Inspections{{"a", ""}: {ImportNames: []string{"first"}}}
	second := Inspections{{"a", ""}: {ImportNames: []string{"second"}}, {"b", ""}: {}}
	merged := Merge(first, second)
	assert.Equal(t, []string{"first"}, merged[FileKey{"a", ""}].ImportNames)
	assert.Len(t, merged, 2)
}

func TestParseErrors(t *testing.T) {
	good := `{"version": 1, "generator": "g", "python": {"attr": "python312", "version": "3.12.10"},
"nixpkgs": {"ref": "r", "rev": "", "querySha256": ""}, "policy": "compatible", "index": "",
"inputs": [], "packages": [], "warnings": []}`
	_, err := Parse("ok.lock", []byte(good))
	require.NoError(t, err)
	cases := []struct {
		name, data, want string
	}{
		{"syntax", "{\n\"version\": 1,\n}", "bad.lock:3: invalid character '}'"},
		{"no version", `{"packages": []}`, `bad.lock: not a pip2nix lock (no "version")`},
		{"newer", `{"version": 2}`, "bad.lock: lock format version 2; this pip2nix-bitpoll reads versions 1 to 1"},
		{"unknown field", strings.Replace(good, `"index": ""`, `"index": "", "extra": 1`, 1), `bad.lock: json: unknown field "extra"`},
		{"type", strings.Replace(good, `"policy": "compatible"`, "\n\"policy\": 3", 1), "bad.lock:3: json: cannot unmarshal number"},
		{"bad digest", strings.Replace(good, `"packages": []`, `"packages": [{"name": "a", "version": "1", "sdist": {"filename": "a-1.tar.gz", "sha256": "XYZ"}}]`, 1), `bad.lock: a@1: sdist sha256 "XYZ" is not 64 lower-case hex digits`},
		{"duplicate", strings.Replace(good, `"packages": []`, `"packages": [{"name": "a", "version": "1"}, {"name": "a", "version": "2"}]`, 1), "bad.lock: packages[1]: a appears twice"},
		{"no name", strings.Replace(good, `"packages": []`, `"packages": [{"version": "1"}]`, 1), "bad.lock: packages[0]: name and version are required"},
		{"input digest", strings.Replace(good, `"inputs": []`, `"inputs": [{"path": "r.txt", "sha256": ""}]`, 1), `bad.lock: input r.txt: sha256 "" is not 64`},
		{"trailing", good + " {}", "bad.lock:3: invalid character '{' after top-level value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.lock", []byte(c.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestReadMissing(t *testing.T) {
	_, err := Read(filepath.Join(t.TempDir(), "none.lock"))
	assert.True(t, errors.Is(err, os.ErrNotExist))
}

func sd(file, sum string) *Sdist { return &Sdist{Filename: file, SHA256: sum} }

func TestCheckIntegrity(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	old := &Lock{Packages: []Package{
		{Name: "x", Version: "1", Sdist: sd("x-1.tar.gz", a)},
		{Name: "y", Version: "1", Sdist: sd("y-1.tar.gz", "")},
	}}
	cases := []struct {
		name string
		next []Package
		bad  []Mismatch
	}{
		{"same", []Package{{Name: "x", Version: "1", Sdist: sd("x-1.tar.gz", a)}}, nil},
		{"filled in", []Package{{Name: "y", Version: "1", Sdist: sd("y-1.tar.gz", b)}}, nil},
		{"new file", []Package{{Name: "x", Version: "2", Sdist: sd("x-2.tar.gz", b)}}, nil},
		{"still unknown", []Package{{Name: "x", Version: "1", Sdist: sd("x-1.tar.gz", "")}}, nil},
		{"changed", []Package{{Name: "x", Version: "1", Sdist: sd("x-1.tar.gz", b)}}, []Mismatch{{"x@1", "x-1.tar.gz", a, b}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckIntegrity("pip2nix.lock", old, &Lock{Packages: c.next})
			if c.bad == nil {
				assert.NoError(t, err)
				return
			}
			var ie *IntegrityError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, c.bad, ie.Mismatches)
			assert.Contains(t, err.Error(), "x@1: x-1.tar.gz: recorded sha256 "+a+", served "+b)
		})
	}
}

func TestCheckFresh(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	l := &Lock{Inputs: []Input{{"req.txt", a}, {"inc.txt", a}}, Nixpkgs: Nixpkgs{Rev: "r1"}, Python: Python{Attr: "python312"}, Policy: "compatible"}
	cases := []struct {
		name string
		want Expect
		errs []string
	}{
		{"fresh", Expect{Inputs: []Input{{"req.txt", a}, {"inc.txt", a}}, NixpkgsRev: "r1", Python: "python312", Policy: "compatible"}, nil},
		{"unchecked", Expect{}, nil},
		{"changed", Expect{Inputs: []Input{{"req.txt", b}, {"inc.txt", a}}}, []string{"req.txt changed: sha256 " + b + ", the lock was made for " + a}},
		{"added and dropped", Expect{Inputs: []Input{{"req.txt", a}, {"new.txt", a}}}, []string{"new.txt: not an input of the lock", "inc.txt: an input of the lock, not given now"}},
		{"nixpkgs", Expect{NixpkgsRev: "r2"}, []string{"nixpkgs revision r2, the lock was made for r1"}},
		{"python and policy", Expect{Python: "python313", Policy: "exact"}, []string{"Python python313, the lock was made for python312", "policy exact, the lock was made for compatible"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckFresh("pip2nix.lock", l, c.want)
			if c.errs == nil {
				assert.NoError(t, err)
				return
			}
			var se *StaleError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, c.errs, se.Reasons)
			assert.Contains(t, err.Error(), "pip2nix.lock is out of date")
		})
	}
}

func TestSummarize(t *testing.T) {
	a := strings.Repeat("a", 64)
	old := &Lock{Packages: []Package{
		{Name: "django", Version: "4.2.20", Action: "use", Attr: "django"},
		{Name: "gone", Version: "1.0", Action: "add", Attr: "gone"},
		{Name: "pytz", Version: "2024.1", Action: "add", Attr: "pytz"},
		{Name: "same", Version: "1.0", Action: "use", Attr: "same"},
		{Name: "six", Version: "1.16.0", Action: "add", Attr: "six", Sdist: sd("six-1.16.0.tar.gz", "")},
		{Name: "tzdata", Version: "2025.2", Action: "use", Attr: "tzdata"},
	}}
	next := &Lock{Packages: []Package{
		{Name: "django", Version: "5.1.9", Action: "alias", Attr: "django", NixpkgsAttr: "django_5"},
		{Name: "new", Version: "2.0", Action: "add", Attr: "new"},
		{Name: "pytz", Version: "2025.2", Action: "add", Attr: "pytz"},
		{Name: "same", Version: "1.0", Action: "use", Attr: "same"},
		{Name: "six", Version: "1.16.0", Action: "add", Attr: "six", Sdist: sd("six-1.16.0.tar.gz", a)},
		{Name: "tzdata", Version: "2025.2", Action: "add", Attr: "tzdata"},
	}}
	want := "~ django 4.2.20 → 5.1.9, moved from nixpkgs django to nixpkgs django_5\n" +
		"- gone 1.0 (index)\n" +
		"+ new 2.0 (index)\n" +
		"~ pytz 2024.1 → 2025.2 (index)\n" +
		"~ six 1.16.0: digest of six-1.16.0.tar.gz filled in (sha256 " + a + ")\n" +
		"~ tzdata 2025.2 moved from nixpkgs tzdata to index\n"
	assert.Equal(t, want, Summarize(old, next))
	assert.Equal(t, "", Summarize(next, next))
	assert.Equal(t, "+ same 1.0 (nixpkgs same)\n", Summarize(nil, &Lock{Packages: next.Packages[3:4]}))
}
