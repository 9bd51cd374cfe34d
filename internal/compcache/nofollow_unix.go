//go:build unix

package compcache

import "syscall"

const noFollow = syscall.O_NOFOLLOW
