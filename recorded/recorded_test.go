package recorded

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/facts"
)

// records loads recorded/index as the tool does: facts.Load refuses a
// malformed or inconsistent record at its file:line, so a bad record fails
// here (the schema's checks and their tests are facts').
func records(t *testing.T) []facts.Record {
	t.Helper()
	x, err := facts.Load("index")
	require.NoError(t, err)
	return x.Records()
}

// role is PROVENANCE.md's role of a release.
func role(r facts.Record) string {
	if r.PinnedByBitpoll {
		return "pinned"
	}
	return "nixos-25.05"
}

// provenance splits PROVENANCE.md into the cells of its release table's
// rows and of its Totals table's rows, each table's header row first (rules
// dropped).
func provenance(t *testing.T) (releases, totals [][]string) {
	t.Helper()
	data, err := os.ReadFile("PROVENANCE.md")
	require.NoError(t, err)
	body, tail, ok := strings.Cut(string(data), "\n## Totals\n")
	require.True(t, ok, "PROVENANCE.md has no ## Totals section")
	return tableRows(body), tableRows(tail)
}

func tableRows(text string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	return rows
}

// TestProvenanceListsEveryRelease keeps PROVENANCE.md in step with the
// records: one table row per project and version, with the same status and
// role, and no row without a record.
func TestProvenanceListsEveryRelease(t *testing.T) {
	rows, _ := provenance(t)
	require.NotEmpty(t, rows)
	byKey := map[string][]string{}
	for _, cells := range rows[1:] {
		require.GreaterOrEqual(t, len(cells), 4, "PROVENANCE.md row %q", cells)
		byKey[cells[0]+"@"+cells[1]] = cells
	}
	for _, r := range records(t) {
		key := r.Project + "@" + r.Version
		cells, ok := byKey[key]
		if !assert.True(t, ok, "PROVENANCE.md has no row for %s %s", r.Project, r.Version) {
			continue
		}
		delete(byKey, key)
		assert.True(t, strings.HasPrefix(cells[2], r.SHA256Status), "PROVENANCE.md says %q for %s %s, the record says %q", cells[2], r.Project, r.Version, r.SHA256Status)
		assert.Equal(t, role(r), cells[3], "PROVENANCE.md's role of %s %s", r.Project, r.Version)
	}
	assert.Empty(t, byKey, "PROVENANCE.md rows with no record")
}

// TestProvenanceTotals: the Totals table (which README.md copies) counts
// the records' statuses per role.
func TestProvenanceTotals(t *testing.T) {
	_, rows := provenance(t)
	roles := map[string]string{"pinned by Bitpoll": "pinned", "nixos-25.05 version": "nixos-25.05"}
	want := map[string]int{}
	for _, r := range records(t) {
		want[role(r)+" "+r.SHA256Status]++
	}
	got := map[string]int{}
	require.Equal(t, append([]string{"role"}, facts.Statuses...), rows[0], "Totals header")
	require.Len(t, rows[1:], len(roles), "Totals rows")
	for _, cells := range rows[1:] {
		require.Len(t, cells, 1+len(facts.Statuses), "Totals row %q: role then one count per status (%s)", cells, strings.Join(facts.Statuses, ", "))
		role, ok := roles[cells[0]]
		require.True(t, ok, "Totals row of unknown role %q", cells[0])
		for i, status := range facts.Statuses {
			n, err := strconv.Atoi(cells[1+i])
			require.NoError(t, err, fmt.Sprintf("Totals %s %s", cells[0], status))
			if n != 0 {
				got[role+" "+status] = n
			}
		}
	}
	assert.Equal(t, want, got)
}
