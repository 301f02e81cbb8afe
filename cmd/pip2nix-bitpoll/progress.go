package main

import (
	"fmt"
	"sync"
)

// progress reports long work on stderr: event lines when stderr is a
// terminal, nothing when it is not or with -q, so logs and pipes stay clean.
type progress struct {
	mu      sync.Mutex
	e       *env
	enabled bool
	events  int
}

func newProgress(e *env, quiet bool) *progress {
	return &progress{e: e, enabled: e.stderrIsTTY && !quiet}
}

// event shows one step (a request, an evaluation) on a single rewritten
// status line.
func (p *progress) event(msg string) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events++
	const width = 100
	if len(msg) > width {
		msg = msg[:width-1] + "…"
	}
	fmt.Fprintf(p.e.stderr, "\r\033[K[%d] %s", p.events, msg)
}

// done ends the status line.
func (p *progress) done() {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.events > 0 {
		fmt.Fprint(p.e.stderr, "\r\033[K")
	}
}

// printf prints a message that stays on screen.
func (p *progress) printf(format string, args ...any) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.e.stderr, format, args...)
}
