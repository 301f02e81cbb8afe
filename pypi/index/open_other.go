//go:build !unix

package index

// Elsewhere openRegular relies on its check after opening.
const (
	openNoFollow = 0
	openNonBlock = 0
)
