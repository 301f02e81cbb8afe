package pypi

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseVersion(f *testing.F) {
	var vectors []versionVector
	loadVectors(f, "versions.json", &vectors)
	for _, v := range vectors {
		f.Add(v.Input)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid version") {
				t.Fatalf("error %q does not say what failed", err)
			}
			return
		}
		canon := v.String()
		w, err := ParseVersion(canon)
		if err != nil {
			t.Fatalf("%q: canonical %q does not reparse: %v", s, canon, err)
		}
		if w.String() != canon || v.Compare(w) != 0 || !w.Equal(v) {
			t.Fatalf("%q: canonical %q reparses as %q (compare %d)", s, canon, w, v.Compare(w))
		}
		if v.Public().Compare(v) > 0 || v.BaseVersion().Local() != "" {
			t.Fatalf("%q: public or base version out of order", s)
		}
	})
}

func FuzzParseSpecifierSet(f *testing.F) {
	var vec specifierVectors
	loadVectors(f, "specifiers.json", &vec)
	for _, s := range vec.Specifiers {
		f.Add(s.Input, "1.0")
	}
	for _, v := range vec.Versions {
		f.Add(">=1.0,!=1.5.*", v)
	}
	f.Fuzz(func(t *testing.T, spec, version string) {
		s, err := ParseSpecifierSet(spec)
		if err != nil {
			return
		}
		again, err := ParseSpecifierSet(s.String())
		if err != nil {
			t.Fatalf("%q: canonical %q does not reparse: %v", spec, s, err)
		}
		if again.String() != s.String() {
			t.Fatalf("%q: canonical %q reparses as %q", spec, s, again)
		}
		if v, err := ParseVersion(version); err == nil {
			for _, pre := range []bool{false, true} {
				if s.Contains(v, pre) != again.Contains(v, pre) {
					t.Fatalf("%q and its canonical form %q disagree on %s", spec, s, v)
				}
			}
			if got := s.Filter([]Version{v}); len(got) == 1 && !s.Contains(v, true) {
				t.Fatalf("%q: Filter kept %s that it does not contain", spec, v)
			}
		}
	})
}

func FuzzParseMarker(f *testing.F) {
	var vec markerVectors
	loadVectors(f, "markers.json", &vec)
	for _, m := range vec.Markers {
		f.Add(m.Input)
	}
	envs := []Environment{LinuxCPython("3.12.1"), DarwinCPython("3.8.18"), {"platform_release": "6.5.0-1025-azure", "extra": "x"}, {}}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMarker(s)
		if err != nil {
			return
		}
		again, err := ParseMarker(m.String())
		if err != nil {
			t.Fatalf("%q: canonical %q does not reparse: %v", s, m, err)
		}
		if again.String() != m.String() {
			t.Fatalf("%q: canonical %q reparses as %q", s, m, again)
		}
		for _, env := range envs {
			if m.Evaluate(env) != again.Evaluate(env) {
				t.Fatalf("%q and its canonical form %q evaluate differently in %v", s, m, env)
			}
		}
	})
}

func FuzzParseRequirement(f *testing.F) {
	var vectors []requirementVector
	loadVectors(f, "requirements.json", &vectors)
	for _, r := range vectors {
		f.Add(r.Input)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			return
		}
		again, err := ParseRequirement(r.String())
		if err != nil {
			t.Fatalf("%q: canonical %q does not reparse: %v", s, r, err)
		}
		if again.String() != r.String() || again.NormalizedName() != r.NormalizedName() {
			t.Fatalf("%q: canonical %q reparses as %q", s, r, again)
		}
	})
}

func FuzzParseRequirementsFile(f *testing.F) {
	for _, name := range []string{"requirements.txt", "requirements-production.txt", "requirements.in", "requirements-production.in"} {
		data, err := os.ReadFile(filepath.Join("testdata", "reqfiles", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("-r r.txt\n-c other.txt\nfoo==1.0 --hash=sha256:" + strings.Repeat("0", 64) + " \\\n -C a=b\n-e .\n--index-url=${INDEX}\n"))
	f.Add([]byte("\ufeff# c\nfoo ; os_name == 'nt' # trailing\n  \\\nbar[x]>=1 \\"))
	f.Add([]byte("-i ./mirror\n--extra-index-url=../up/\n-r sub/more.txt\n--no-index\n-f wheels --pre\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Every include resolves to a small fixed file, so includes and
		// cycles are exercised without a file system; one in another
		// directory names an index by a path relative to itself.
		open := func(path string) ([]byte, error) {
			if filepath.Dir(path) != "." {
				return []byte("--extra-index-url m\ninc==1\n"), nil
			}
			return []byte("inc==1\n-r r.txt\n"), nil
		}
		rf, err := ParseRequirements("r.txt", data, open)
		if rf == nil {
			t.Fatal("no result")
		}
		// Index paths are resolved against the file that names them.
		for _, u := range append([]string{rf.Options.IndexURL}, rf.Options.ExtraIndexURLs...) {
			if u != "" && !strings.Contains(u, "://") && !filepath.IsAbs(u) && u != filepath.Clean(u) {
				t.Fatalf("index path %q is not resolved", u)
			}
		}
		for _, file := range rf.Files {
			if dir := filepath.Dir(file); dir != "." && !slices.Contains(rf.Options.ExtraIndexURLs, filepath.Join(dir, "m")) {
				t.Fatalf("%s names index m, options have %v", file, rf.Options.ExtraIndexURLs)
			}
		}
		maxLine := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 2
		for _, l := range rf.Requirements {
			if l.Pos.File == "" || l.Pos.Line < 1 || l.Pos.Line > maxLine {
				t.Fatalf("requirement %s has position %v", l.Requirement, l.Pos)
			}
		}
		if err == nil {
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error %v is not an ErrorList", err)
		}
		for _, e := range list {
			if e.Pos.File == "" || e.Pos.Line < 1 || e.Pos.Line > maxLine {
				t.Fatalf("error %q has position %v", e, e.Pos)
			}
			if !strings.HasPrefix(e.Error(), e.Pos.String()+": ") || !utf8.ValidString(e.Msg) && utf8.Valid(data) {
				t.Fatalf("error %q does not start with its position", e)
			}
		}
	})
}

// FuzzNormalizeName: the allocation-free path for names already in normal
// form agrees with the full normalization, which is idempotent.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"django", "Django", "a--b", "zope.interface", "-a-", "É-x", "a__b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := NormalizeName(name)
		if want := normalizeName(name); got != want {
			t.Fatalf("NormalizeName(%q) = %q, want %q", name, got, want)
		}
		if again := NormalizeName(got); again != got {
			t.Fatalf("NormalizeName(%q) = %q, not idempotent", got, again)
		}
	})
}
