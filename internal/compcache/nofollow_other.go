//go:build !unix

package compcache

const noFollow = 0
