//go:build unix

package auth

import "syscall"

// noFollow makes opening the lock file fail on a symbolic link planted in
// its place, instead of creating or locking the link's target.
const noFollow = syscall.O_NOFOLLOW
