package fileerr

import "testing"

func TestError(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "pip2nix.toml", Line: 3, Msg: "unknown key"}, "pip2nix.toml:3: unknown key"},
		{Error{File: "all.zip:X.yaml", Msg: "too large"}, "all.zip:X.yaml: too large"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
