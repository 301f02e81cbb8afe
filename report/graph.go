package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

// graphNode is one node of the closure graph: a package, or the group of
// nixpkgs packages used unchanged that nothing rebuilds and that depend on
// nothing the overlay changes.
type graphNode struct {
	id, label, class string
}

// closureGraph returns the nodes and edges of the plan's closure. To keep
// large closures readable, nixpkgs packages used as they are and not
// rebuilt collapse into one node per group: those that only such packages
// require ("nixpkgs, unchanged (n)").
func closureGraph(plan *resolver.Plan) ([]graphNode, [][2]string) {
	pkgs := sortedPackages(plan)
	group := "nixpkgs_unchanged"
	idOf := map[string]string{}
	var nodes []graphNode
	collapsed := 0
	for i, p := range pkgs {
		class := "added"
		switch {
		case p.Action == resolver.UseNixpkgs && len(p.RebuiltBecause) > 0:
			class = "rebuilt"
		case p.Action == resolver.UseNixpkgs:
			idOf[p.Name] = group
			collapsed++
			continue
		case p.Action == resolver.Alias:
			class = "alias"
		case p.Action == resolver.Override:
			class = "override"
		}
		id := fmt.Sprintf("p%d", i)
		idOf[p.Name] = id
		nodes = append(nodes, graphNode{id, p.Name + " " + p.Version, class})
	}
	if collapsed > 0 {
		nodes = append(nodes, graphNode{group, fmt.Sprintf("nixpkgs, unchanged (%d)", collapsed), "unchanged"})
	}
	seen := map[[2]string]bool{}
	var edges [][2]string
	for _, p := range pkgs {
		for _, d := range p.Dependencies {
			from, to := idOf[p.Name], idOf[d.Name]
			e := [2]string{from, to}
			if to == "" || from == to || seen[e] {
				continue
			}
			seen[e] = true
			edges = append(edges, e)
		}
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i][0] != edges[j][0] {
			return edges[i][0] < edges[j][0]
		}
		return edges[i][1] < edges[j][1]
	})
	return nodes, edges
}

var graphStyles = map[string]string{
	"added":     "fill:#dbeafe,stroke:#1d4ed8",
	"override":  "fill:#fee2e2,stroke:#b91c1c",
	"alias":     "fill:#fef3c7,stroke:#b45309",
	"rebuilt":   "fill:#ffedd5,stroke:#c2410c,stroke-dasharray:4",
	"unchanged": "fill:#dcfce7,stroke:#15803d",
}

// Mermaid renders the closure as a fenced Mermaid flowchart (code hosts
// draw it), nodes marked by source and rebuild impact.
func Mermaid(plan *resolver.Plan) string {
	nodes, edges := closureGraph(plan)
	var b strings.Builder
	b.WriteString("Blue: added from the index; red: nixpkgs' package overridden; yellow: another nixpkgs attribute; orange (dashed): nixpkgs' package rebuilt locally; green: nixpkgs' packages used unchanged, grouped.\n\n")
	b.WriteString("```mermaid\nflowchart LR\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %s[\"%s\"]:::%s\n", n.id, mermaidText(n.label), n.class)
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %s --> %s\n", e[0], e[1])
	}
	for _, c := range sortedStyleKeys() {
		fmt.Fprintf(&b, "  classDef %s %s\n", c, graphStyles[c])
	}
	b.WriteString("```\n")
	return b.String()
}

// DOT renders the same graph for Graphviz.
func DOT(plan *resolver.Plan) []byte {
	nodes, edges := closureGraph(plan)
	colors := map[string]string{"added": "#dbeafe", "override": "#fee2e2", "alias": "#fef3c7", "rebuilt": "#ffedd5", "unchanged": "#dcfce7"}
	var b strings.Builder
	b.WriteString("digraph closure {\n  rankdir=LR;\n  node [shape=box, style=filled];\n")
	for _, n := range nodes {
		style := ""
		if n.class == "rebuilt" {
			style = ", style=\"filled,dashed\""
		}
		fmt.Fprintf(&b, "  %s [label=%s, fillcolor=\"%s\"%s];\n", n.id, dotString(n.label), colors[n.class], style)
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %s -> %s;\n", e[0], e[1])
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

func sortedStyleKeys() []string {
	keys := make([]string, 0, len(graphStyles))
	for k := range graphStyles {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mermaidText makes a label safe inside ["…"]: quotes and angle brackets
// as Mermaid entity codes.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "`", "#96;").Replace(s)
}

func dotString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
