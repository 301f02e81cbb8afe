package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

func requirementsCommand() *command {
	return &command{
		name: "requirements",
		help: `Usage: pip2nix-bitpoll requirements [-json] FILE...

Prints the requirements that pip requirements files resolve to: includes (-r)
and constraints (-c) followed, names and extras normalized (PEP 503),
specifiers and markers in canonical form, each with the file and line it came
from. Global options (--index-url, --pre, …) are listed too. Editable installs,
VCS and local paths are reported as unsupported, with file and line.

Examples:
  pip2nix-bitpoll requirements requirements.txt
  pip2nix-bitpoll requirements -json requirements.txt | jq '.requirements[].name'
`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			asJSON := fs.Bool("json", false, "print JSON instead of a table")
			return func(_ context.Context, e *env, args []string) error {
				if len(args) == 0 {
					return usageErrorf("requirements: name at least one requirements file")
				}
				var views []requirementsView
				for _, path := range args {
					rf, err := pypi.ParseRequirementsFile(path)
					if err != nil {
						return withCode(exitInput, err)
					}
					views = append(views, viewOf(path, rf))
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					if len(views) == 1 {
						return enc.Encode(views[0])
					}
					return enc.Encode(views)
				}
				for i, v := range views {
					if i > 0 {
						fmt.Fprintln(e.stdout)
					}
					printView(e, v)
				}
				return nil
			}
		},
	}
}

// requirementsView is the JSON shape of the requirements command.
type requirementsView struct {
	File         string             `json:"file"`
	Files        []string           `json:"files"`
	Options      pypi.GlobalOptions `json:"options"`
	Requirements []requirementView  `json:"requirements"`
}

type requirementView struct {
	Name        string   `json:"name"`
	Requirement string   `json:"requirement"`
	Extras      []string `json:"extras"`
	Specifier   string   `json:"specifier"`
	Marker      string   `json:"marker"`
	Constraint  bool     `json:"constraint"`
	Hashes      []string `json:"hashes"`
	Source      string   `json:"source"`
}

func viewOf(path string, rf *pypi.RequirementsFile) requirementsView {
	v := requirementsView{File: path, Files: rf.Files, Options: rf.Options, Requirements: []requirementView{}}
	for _, line := range rf.Requirements {
		r := line.Requirement
		r.Name = r.NormalizedName()
		v.Requirements = append(v.Requirements, requirementView{
			Name:        r.Name,
			Requirement: r.String(),
			Extras:      nonNil(r.Extras),
			Specifier:   r.Specifier.String(),
			Marker:      r.Marker.String(),
			Constraint:  line.Constraint,
			Hashes:      hashStrings(line.Hashes),
			Source:      line.Pos.String(),
		})
	}
	return v
}

func printView(e *env, v requirementsView) {
	fmt.Fprintf(e.stdout, "# %s: %d requirements from %s\n", v.File, len(v.Requirements), strings.Join(v.Files, ", "))
	if opts := v.Options.String(); opts != "" {
		fmt.Fprintf(e.stdout, "# options: %s\n", opts)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, r := range v.Requirements {
		kind := ""
		if r.Constraint {
			kind = " (constraint)"
		}
		if len(r.Hashes) > 0 {
			kind += fmt.Sprintf(" (%d hashes)", len(r.Hashes))
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", r.Requirement, r.Source, kind)
	}
	tw.Flush()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// hashStrings spells hashes as pip's --hash values ("sha256:…"); never nil,
// so JSON shows [].
func hashStrings(hs []pypi.Hash) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, h.String())
	}
	return out
}
