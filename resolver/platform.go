package resolver

import (
	"sync"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
)

// platform is a target's marker environment, with one copy per value of
// the "extra" variable, made once: markers are evaluated for every
// requirement the run meets.
type platform struct {
	env     pypi.Environment
	mu      sync.Mutex
	byExtra map[string]pypi.Environment
}

func newPlatform(env pypi.Environment) *platform {
	return &platform{env: env, byExtra: map[string]pypi.Environment{}}
}

// with returns the environment with the extra marker variable set; callers
// must not change it.
func (p *platform) with(extra string) pypi.Environment {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.byExtra[extra]; ok {
		return e
	}
	e := make(pypi.Environment, len(p.env)+1)
	for k, v := range p.env {
		e[k] = v
	}
	e["extra"] = extra
	p.byExtra[extra] = e
	return e
}

// active returns the requirements of reqs that apply when the given extras
// are requested (the base requirements always): reqs itself when all do,
// so callers must not change it.
func (p *platform) active(reqs []pypi.Requirement, extras []string) []pypi.Requirement {
	all := true
	for _, q := range reqs {
		if !q.Marker.IsEmpty() {
			all = false
			break
		}
	}
	if all {
		return reqs
	}
	var out []pypi.Requirement
	for _, q := range reqs {
		if q.Marker.IsEmpty() || q.Marker.Evaluate(p.with("")) {
			out = append(out, q)
			continue
		}
		for _, x := range extras {
			if q.Marker.Evaluate(p.with(x)) {
				out = append(out, q)
				break
			}
		}
	}
	return out
}

// added returns the requirements of reqs that extra adds to the base ones.
func (p *platform) added(reqs []pypi.Requirement, extra string) []pypi.Requirement {
	var out []pypi.Requirement
	for _, q := range reqs {
		if !q.Marker.IsEmpty() && q.Marker.Evaluate(p.with(extra)) && !q.Marker.Evaluate(p.with("")) {
			out = append(out, q)
		}
	}
	return out
}
