package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
)

func TestRegenerateCommand(t *testing.T) {
	plan := &resolver.Plan{Policy: resolver.Exact, Python: resolver.PythonInfo{Attr: "python313"}}
	got := regenerateCommand([]string{"deploy/requirements.txt", "deploy/requirements-production.txt", "extra/dev.txt"}, "", plan)
	assert.Equal(t, "pip2nix-bitpoll generate -r requirements.txt -r requirements-production.txt -r ../extra/dev.txt --policy exact --python python313", got)
	plan = &resolver.Plan{Policy: resolver.Compatible, Python: resolver.PythonInfo{Attr: "python312"}}
	assert.Equal(t, "pip2nix-bitpoll generate -r requirements.txt", regenerateCommand([]string{"requirements.txt"}, "", plan))
	assert.Equal(t, "pip2nix-bitpoll generate -r requirements.txt --config pip2nix.toml", regenerateCommand([]string{"requirements.txt"}, "/elsewhere/pip2nix.toml", plan))
}
