package resolver

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// hashedLines parses requirements-file text, so the --hash options go
// through the real parser.
func hashedLines(t *testing.T, text string) []pypi.RequirementLine {
	t.Helper()
	rf, err := pypi.RequirementsParser{}.Parse("requirements.txt", []byte(text))
	require.NoError(t, err)
	return rf.Requirements
}

func TestHashChecking(t *testing.T) {
	fake := newFake(map[string][]rel{
		"foo": {{version: "1.0", deps: []string{"bar"}}},
		"bar": {{version: "2.0"}},
		"baz": {{version: "3.0"}},
	})
	fooSHA := fake.files("foo", rel{version: "1.0"})[0].SHA256
	barSHA := fake.files("bar", rel{version: "2.0"})[0].SHA256
	sum := sha512.Sum512(fake.sdistBytes("foo", rel{version: "1.0", deps: []string{"bar"}}))
	fooSHA512 := hex.EncodeToString(sum[:])
	wrong := strings.Repeat("ab", 32)
	resolve := func(text string, requireHashes bool, nix ...string) (*Plan, error) {
		return Resolve(context.Background(), Input{Requirements: hashedLines(t, text), Nixpkgs: nixSet(nix...), RequireHashes: requireHashes}, fake)
	}

	t.Run("matching hashes, dependencies included", func(t *testing.T) {
		plan, err := resolve("foo==1.0 --hash=sha256:"+wrong+" --hash=sha256:"+fooSHA+"\nbar==2.0 --hash=sha256:"+barSHA+"\n", false)
		require.NoError(t, err)
		assert.Equal(t, []string{"bar add bar 2.0", "foo add foo 1.0"}, summary(plan))
	})
	t.Run("sha512 is computed", func(t *testing.T) {
		_, err := resolve("foo==1.0 --hash=sha512:"+fooSHA512+"\nbar==2.0 --hash=sha256:"+barSHA+"\n", false)
		require.NoError(t, err)
	})
	t.Run("mismatch names the line and both digests", func(t *testing.T) {
		_, err := resolve("bar==2.0 --hash=sha256:"+barSHA+"\nfoo==1.0 --hash=sha256:"+wrong+"\n", false)
		var hm *HashMismatchError
		require.ErrorAs(t, err, &hm)
		assert.Equal(t, "requirements.txt:2: foo==1.0: hash mismatch for foo-1.0.tar.gz (https://files.invalid/foo-1.0.tar.gz): the requirements allow sha256:"+wrong+"; the file has sha256:"+fooSHA, err.Error())
	})
	t.Run("a dependency without hashes", func(t *testing.T) {
		_, err := resolve("foo==1.0 --hash=sha256:"+fooSHA+"\n", false)
		var hm *HashMissingError
		require.ErrorAs(t, err, &hm)
		assert.Equal(t, []string{"bar==2.0 --hash=sha256:" + barSHA}, hm.Packages)
		assert.Contains(t, err.Error(), "requirements.txt:1 gives --hash")
	})
	t.Run("every requirement pinned with hashes", func(t *testing.T) {
		_, err := resolve("foo==1.0 --hash=sha256:"+fooSHA+"\nbar>=2\nbaz==3.0\n", false)
		var list pypi.ErrorList
		require.ErrorAs(t, err, &list)
		assert.Equal(t, "requirements.txt:2: in hash-checking mode (requirements.txt:1 gives --hash) every requirement must be pinned with ==\n\tbar>=2\n"+
			"requirements.txt:3: in hash-checking mode (requirements.txt:1 gives --hash) every requirement needs --hash\n\tbaz==3.0", err.Error())
	})
	t.Run("--require-hashes", func(t *testing.T) {
		_, err := resolve("baz==3.0\n", true)
		assert.ErrorContains(t, err, "in hash-checking mode (--require-hashes) every requirement needs --hash")
		_, err = resolve("baz==3.0\n", false)
		assert.NoError(t, err)
	})
	t.Run("nixpkgs packages: hashes not applied, and said so", func(t *testing.T) {
		plan, err := resolve("foo==1.0 --hash=sha256:"+wrong+"\n", false, "foo=foo@1.0", "bar=bar@2.0")
		require.NoError(t, err)
		assert.Equal(t, []string{"bar use bar 2.0", "foo use foo 1.0"}, summary(plan))
		assert.Contains(t, plan.Packages[1].Notes, "--hash of requirements.txt:1 not applied: the package comes from nixpkgs (foo 1.0), whose own source hash pins it")
	})
}

// A file the index lists with md5 only: the download was verified against
// it (by the index client), the plan carries the sha256 computed from it,
// and the notes flag the weak digest.
func TestMD5OnlySdist(t *testing.T) {
	fake := newFake(map[string][]rel{"foo": {{version: "1.0", md5Only: true}}})
	want := sha256.Sum256(fake.sdistBytes("foo", rel{version: "1.0"}))
	lines, err := reqLines("foo")
	require.NoError(t, err)
	plan, err := Resolve(context.Background(), Input{Requirements: lines, Nixpkgs: nixSet()}, fake)
	require.NoError(t, err)
	p := plan.Packages[0]
	require.NotNil(t, p.Sdist)
	assert.Equal(t, hex.EncodeToString(want[:]), p.Sdist.SHA256)
	assert.Contains(t, p.Notes, "the index gives only md5 for foo-1.0.tar.gz, weaker than sha256: the download was verified against it and its sha256 computed here")
}
