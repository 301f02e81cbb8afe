package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver"
	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/resolver/config"
)

func TestExitCodeFromType(t *testing.T) {
	indexErr := &index.Error{Err: &index.StatusError{URL: "https://index.invalid/pypi/x/json", Code: 503, Status: "503 Service Unavailable"}}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"usage", usageErrorf("bad flag"), exitUsage},
		{"output", withCode(exitWriteError, errors.New("disk full")), exitWriteError},
		{"requirements file", pypi.ErrorList{{Pos: pypi.Position{File: "r.txt", Line: 2}, Msg: "bad"}}, exitInput},
		{"pip2nix.toml", &config.Error{}, exitInput},
		{"conflict", &resolver.ConflictError{Name: "django"}, exitConflict},
		{"index error inside a resolution", withCode(exitInput, &resolver.PackageError{Package: "x==1", Err: indexErr}), exitIndex},
		{"offline misses", &index.OfflineMissError{URLs: []string{"u"}}, exitIndex},
		{"unreadable sdist", &resolver.SdistError{Package: "x==1", URL: "u", Err: errors.New("truncated")}, exitIndex},
		{"hash mismatch, wrapped", fmt.Errorf("resolve: %w", &resolver.HashMismatchError{}), exitIntegrity},
		{"hashes missing", &resolver.HashMissingError{}, exitInput},
		{"search budget", fmt.Errorf("resolve: %w", &resolver.ExhaustedError{Steps: 10}), exitExhausted},
		{"untyped, tagged by stage", withCode(exitNix, errors.New("nix")), exitNix},
		{"untyped", errors.New("?"), exitInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, exitCode(tt.err))
		})
	}
}
