//go:build unix

package index

import "syscall"

// Flags for openRegular: do not follow a final symbolic link, do not block
// opening a FIFO.
const (
	openNoFollow = syscall.O_NOFOLLOW
	openNonBlock = syscall.O_NONBLOCK
)
