//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package output

import (
	"io"
	"os"
)

// readNoEcho is not available here: PromptSecret uses term.ReadPassword.
func readNoEcho(f *os.File, w io.Writer, label string) (string, bool, error) { return "", false, nil }
