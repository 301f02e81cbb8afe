module github.com/pip2nix-bitpoll/pip2nix-bitpoll

go 1.24.0

require (
	github.com/pelletier/go-toml/v2 v2.4.3
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5
	golang.org/x/crypto v0.42.0
	golang.org/x/net v0.43.0
	golang.org/x/sync v0.19.0
)

require golang.org/x/sys v0.36.0 // indirect
