//go:build linux || darwin || freebsd || netbsd || openbsd

package output

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// readNoEcho turns the terminal's echo off, then writes the label and reads
// a line: echo is off before the label invites typing, so an answer typed
// or pasted at once is never shown (term.ReadPassword turns echo off only
// after the label is out).
func readNoEcho(f *os.File, w io.Writer, label string) (string, bool, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return "", false, nil
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &quiet); err != nil {
		return "", false, nil
	}
	defer unix.IoctlSetTermios(fd, ioctlSetTermios, old)
	io.WriteString(w, label)
	line, err := readLine(f)
	io.WriteString(w, "\n")
	return line, true, err
}
