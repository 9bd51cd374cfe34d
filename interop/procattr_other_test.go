//go:build interop && !linux

package interop

import "os/exec"

// dieWithTest does nothing here: the servers are killed by the tests'
// cleanups (and ours also exit when their stdin closes).
func dieWithTest(cmd *exec.Cmd) {}
