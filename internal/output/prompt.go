package output

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Prompt asks for one line on stderr and reads it from stdin.
func Prompt(s *IOStreams, label string) (string, error) {
	fmt.Fprint(s.ErrOut, label)
	line, err := readLine(s.In)
	if err != nil {
		return "", fmt.Errorf("reading answer: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// PromptSecret asks for a secret without echoing it when stdin is a terminal.
func PromptSecret(s *IOStreams, label string) (string, error) {
	if f, ok := s.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if line, done, err := readNoEcho(f, s.ErrOut, label); done {
			if err != nil {
				return "", fmt.Errorf("reading secret: %w", err)
			}
			return strings.TrimSpace(line), nil
		}
	}
	fmt.Fprint(s.ErrOut, label)
	if f, ok := s.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(s.ErrOut)
		if err != nil {
			return "", fmt.Errorf("reading secret: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	line, err := readLine(s.In)
	if err != nil {
		return "", fmt.Errorf("reading secret: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// Confirm asks a yes/no question; only "y" or "yes" confirm.
func Confirm(s *IOStreams, question string) (bool, error) {
	answer, err := Prompt(s, question+" [y/N]: ")
	if err != nil {
		return false, err
	}
	switch strings.ToLower(answer) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// ReadSecretLine reads a secret piped on stdin: the first line, without its
// line ending. An empty input is an error.
func ReadSecretLine(r io.Reader) (string, error) {
	line, err := readLine(r)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if strings.TrimSpace(line) == "" {
		return "", errors.New("standard input is empty")
	}
	return line, nil
}

// readLine reads up to a newline without buffering past it, so that what
// follows on stdin stays readable.
func readLine(r io.Reader) (string, error) {
	if br, ok := r.(*bufio.Reader); ok {
		s, err := br.ReadString('\n')
		if err == io.EOF && s != "" {
			return strings.TrimSuffix(s, "\n"), nil
		}
		return strings.TrimSuffix(s, "\n"), err
	}
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if buf[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			if err == io.EOF && b.Len() > 0 {
				return b.String(), nil
			}
			return b.String(), err
		}
	}
}
