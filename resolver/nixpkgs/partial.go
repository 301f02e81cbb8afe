package nixpkgs

import "fmt"

// NotRecordedError is a lookup in a partial set (Set.Partial) of a name
// none of its packages provides: the recording does not say whether
// nixpkgs has it, so treating it as absent would wrongly send the package
// to the index.
type NotRecordedError struct {
	Name string // the name looked up, as given
	Ref  string // the query file or reference the set came from
}

// Error names the project and the partial query.
func (e *NotRecordedError) Error() string {
	return fmt.Sprintf("nixpkgs query %s is partial and does not record %s: whether nixpkgs has it is unknown; "+
		"record it, run against a live nixpkgs (--nixpkgs REF), or build it from the index whatever nixpkgs has: "+
		"[packages.%s] source = \"index\" in pip2nix.toml", e.Ref, e.Name, e.Name)
}

// Unwrap makes errors.Is(err, ErrNotRecorded) hold.
func (e *NotRecordedError) Unwrap() error { return ErrNotRecorded }

// Find is Lookup that knows the limits of a partial set: when nothing
// provides name and s.Partial is set, it returns a *NotRecordedError
// instead of an empty answer. For a complete set it never fails.
func (s *Set) Find(name string) ([]Package, error) {
	found := s.Lookup(name)
	if len(found) == 0 && s.Partial {
		return nil, &NotRecordedError{Name: name, Ref: s.Ref}
	}
	return found, nil
}
