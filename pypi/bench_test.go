package pypi

import (
	"fmt"
	"strings"
	"testing"
)

var benchVersions = []string{"1.0", "2.9.0.post0", "0.4.dev1", "1!2.0rc1.post2.dev3+ubuntu.1", "20240202", "v1.0.0-alpha.1", "5.0.6", "2024.2.2"}

func BenchmarkParseVersion(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ParseVersion(benchVersions[i%len(benchVersions)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompareVersion(b *testing.B) {
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParseVersion(s)
	}
	b.ReportAllocs()
	sum := 0
	for i := 0; b.Loop(); i++ {
		sum += vs[i%len(vs)].Compare(vs[(i+3)%len(vs)])
	}
	_ = sum
}

func BenchmarkSpecifierContains(b *testing.B) {
	s, err := ParseSpecifierSet(">=1.0,<3,!=2.5.*,~=2.2")
	if err != nil {
		b.Fatal(err)
	}
	vs := make([]Version, len(benchVersions))
	for i, v := range benchVersions {
		vs[i] = MustParseVersion(v)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Contains(vs[i%len(vs)], false)
	}
}

func BenchmarkParseRequirement(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequirement(`requests[security,socks]>=2.8.1,<3; python_version >= "3.8" and sys_platform != "win32"`); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRequirementsFile is a 1,000-line pip-compile style file: pins with
// hashes continued over lines, "# via" comments and markers.
func benchRequirementsFile() []byte {
	var sb strings.Builder
	sb.WriteString("# synthetic benchmark input\n--index-url https://mirror.example/simple\n")
	lines := 2
	for i := 0; lines < 1000; i++ {
		fmt.Fprintf(&sb, "package-%d[extra]==%d.%d.%d ; python_version >= \"3.8\" \\\n", i, i%7, i%11, i%13)
		fmt.Fprintf(&sb, "    --hash=sha256:%064x\n", i)
		fmt.Fprintf(&sb, "    # via other-%d\n", i)
		lines += 3
	}
	return []byte(sb.String())
}

func BenchmarkParseRequirementsFile(b *testing.B) {
	data := benchRequirementsFile()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequirements("bench.txt", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
