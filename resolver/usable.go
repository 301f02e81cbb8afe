package resolver

import (
	"fmt"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/sdist"
)

// usableFiles is the one place that decides whether an index release can
// be built, and from what: its sdists that admit the target Python; else,
// when it publishes no sdist at all, its pure-Python 3 wheels
// (py3-none-any, py2.py3-none-any) that admit it, which nixpkgs installs
// with format = "wheel". Platform wheels never count. With no usable
// file, why says what is missing.
func (r *run) usableFiles(files []index.File, v pypi.Version) (usable []index.File, why string) {
	sdists, wheels, requires := 0, 0, ""
	var pure []index.File
	for _, f := range files {
		switch f.Kind {
		case index.Sdist:
			sdists++
			if !r.pythonOK(f.RequiresPython) {
				requires = f.RequiresPython
				continue
			}
			usable = append(usable, f)
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
	case len(usable) > 0:
		return usable, ""
	case sdists > 0:
		return nil, fmt.Sprintf("%s requires Python %s (target %s)", v, requires, r.python)
	case len(pure) > 0:
		return pure, ""
	case wheels > 0:
		return nil, fmt.Sprintf("%s requires Python %s (target %s)", v, requires, r.python)
	}
	return nil, fmt.Sprintf("%s has neither an sdist nor a pure-Python wheel and cannot be built from the index", v)
}
