//go:build interop && linux

package interop

import (
	"os/exec"
	"syscall"
)

// dieWithTest has the kernel kill the server if the test binary dies before
// its cleanup could (a -timeout panic, a crash): no server outlives the run.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
