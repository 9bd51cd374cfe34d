//go:build !unix

package auth

// noFollow: no O_NOFOLLOW here; creating a symbolic link needs privileges
// on Windows.
const noFollow = 0
