// Package textdiff produces unified diffs of text files, the form `--check`
// shows so that a user (or CI log) sees exactly what regeneration would change.
package textdiff

import (
	"fmt"
	"strings"
)

// Unified returns a unified diff turning oldText into newText with the given
// number of context lines, or "" when the texts are equal. The names label
// the "---" and "+++" lines.
func Unified(oldName, newName, oldText, newText string, context int) string {
	if oldText == newText {
		return ""
	}
	a, b := splitLines(oldText), splitLines(newText)
	ops := diff(a, b)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(ops, context) {
		writeHunk(&out, h, a, b)
	}
	return out.String()
}

// splitLines splits text into lines that keep their "\n"; a last line
// without one is marked the way diff(1) marks it.
func splitLines(text string) []string {
	if text == "" {
		return nil
	}
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += "\n\\ No newline at end of file\n"
	}
	return lines
}

type opKind byte

const (
	keep opKind = ' '
	del  opKind = '-'
	ins  opKind = '+'
)

// op is one line of the edit script: a line of a (keep, del) or of b (ins).
type op struct {
	kind opKind
	a, b int // indexes into a and b before this op
}

// diff computes a shortest edit script with Myers' O(ND) algorithm.
func diff(a, b []string) []op {
	n, m := len(a), len(b)
	max := n + m
	offset := max + 1
	v := make([]int, 2*max+2)
	var trace [][]int
	for d := 0; d <= max; d++ {
		snapshot := make([]int, len(v))
		copy(snapshot, v)
		trace = append(trace, snapshot)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[offset+k-1] < v[offset+k+1]) {
				x = v[offset+k+1]
			} else {
				x = v[offset+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[offset+k] = x
			if x >= n && y >= m {
				return backtrack(trace, a, b, d, offset)
			}
		}
	}
	return nil // unreachable: d = n+m always reaches the end
}

// backtrack walks the saved frontiers from the end to recover the script.
func backtrack(trace [][]int, a, b []string, d, offset int) []op {
	x, y := len(a), len(b)
	var rev []op
	for ; d > 0; d-- {
		v := trace[d]
		k := x - y
		var prevK int
		if k == -d || (k != d && v[offset+k-1] < v[offset+k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := v[offset+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x, y = x-1, y-1
			rev = append(rev, op{keep, x, y})
		}
		if x == prevX {
			y--
			rev = append(rev, op{ins, x, y})
		} else {
			x--
			rev = append(rev, op{del, x, y})
		}
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		rev = append(rev, op{keep, x, y})
	}
	ops := make([]op, len(rev))
	for i := range rev {
		ops[i] = rev[len(rev)-1-i]
	}
	return ops
}

// hunks groups the edit script into runs of changes with up to context
// kept lines around them; changes closer than 2*context share a hunk.
func hunks(ops []op, context int) [][]op {
	var out [][]op
	first, last := -1, -1
	flush := func() {
		out = append(out, ops[max(first-context, 0):min(last+1+context, len(ops))])
	}
	for i, o := range ops {
		if o.kind == keep {
			continue
		}
		if first >= 0 && i-last-1 > 2*context {
			flush()
			first = -1
		}
		if first < 0 {
			first = i
		}
		last = i
	}
	if first >= 0 {
		flush()
	}
	return out
}

func writeHunk(out *strings.Builder, h []op, a, b []string) {
	aStart, bStart := h[0].a, h[0].b
	var aLen, bLen int
	for _, o := range h {
		switch o.kind {
		case keep:
			aLen++
			bLen++
		case del:
			aLen++
		case ins:
			bLen++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
	for _, o := range h {
		switch o.kind {
		case keep:
			out.WriteString(" " + a[o.a])
		case del:
			out.WriteString("-" + a[o.a])
		case ins:
			out.WriteString("+" + b[o.b])
		}
	}
}

// hunkRange prints a range as diff -u does: "start,len", 1-based; an empty
// range names the line before it.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
