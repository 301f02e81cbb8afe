package resolver

import (
	"fmt"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
)

// usable is the one predicate that says whether an index release can be
// built for the target, and from what: its sdists that admit the target
// Python; else, when it publishes no sdist at all, its pure-Python 3
// wheels (py3-none-any, py2.py3-none-any) that admit it, which nixpkgs
// installs with format = "wheel". Platform wheels never count. With no
// usable file, why says what is missing as pip says it (for conflict
// explanations) and note as the plan's notes say it.
func (r *run) usable(rel *index.Release) (files []index.File, why, note string) {
	sdists, wheels, requires := 0, 0, ""
	var pure []index.File
	for i, f := range rel.Files {
		switch f.Kind {
		case index.Sdist:
			sdists++
			if !r.pythonOK(f.RequiresPython) {
				requires = f.RequiresPython
				continue
			}
			if len(files) == i {
				// Every file so far is a usable sdist, the common case:
				// share them (capped, so an append copies).
				files = rel.Files[: i+1 : i+1]
			} else {
				files = append(files[:len(files):len(files)], f)
			}
		case index.Wheel:
			w, err := sdist.ParseWheelName(f.Filename)
			if err != nil || !w.PurePython3() {
				continue
			}
			wheels++
			if !r.pythonOK(f.RequiresPython) {
				requires = f.RequiresPython
				continue
			}
			pure = append(pure, f)
		}
	}
	switch {
	case len(files) > 0:
		return files, "", ""
	case sdists == 0 && len(pure) > 0:
		return pure, "", ""
	case sdists > 0 || wheels > 0:
		return nil, fmt.Sprintf("requires Python %s, the target is %s", requires, r.python), fmt.Sprintf("requires Python %s (target %s)", requires, r.python)
	}
	const none = "has neither an sdist nor a pure-Python wheel and cannot be built from the index"
	return nil, none, none
}
