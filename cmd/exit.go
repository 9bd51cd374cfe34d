package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/auth"
	"github.com/itcare-cli/itcare/internal/output"
)

// Exit codes, documented in docs/exit-codes.md.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitActionError = 3
	ExitAuth        = 4
	ExitTimeout     = 5
	ExitInterrupted = 130
)

// UsageError is a mistake on the command line: exit code 2, nothing sent.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// SilentError carries an exit code for an error that was already reported.
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// errCancelled is a confirmation the user declined: not a failure of the
// tool, so it is said plainly (no "error:"), with exit code 1.
var errCancelled = errors.New("cancelled: nothing was changed")

// ExitCode is the one mapping from errors to exit codes.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var (
		silent  *SilentError
		usage   *UsageError
		outUse  *output.UsageError
		input   *api.InputError
		failed  *api.ActionFailedError
		timeout *api.WaitTimeoutError
		intr    *api.WaitInterruptedError
		authErr *auth.Error
		httpErr *api.HTTPError
	)
	switch {
	case errors.As(err, &silent):
		return silent.Code
	case errors.As(err, &intr), errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &usage), errors.As(err, &outUse), errors.As(err, &input), isCobraUsage(err):
		return ExitUsage
	case errors.As(err, &failed):
		return ExitActionError
	case errors.As(err, &timeout):
		return ExitTimeout
	case errors.As(err, &authErr):
		return ExitAuth
	case errors.As(err, &httpErr) && httpErr.IsAuth():
		return ExitAuth
	}
	return ExitError
}

// isCobraUsage recognises the errors cobra returns for a bad command line,
// which are untyped.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument",
		"invalid argument", "required flag", "accepts ", "requires at least", "requires at most", "if any flags in the group"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// hint is a follow-up line printed after an error message. credsFromEnv:
// the credentials come from the environment, where `itcare login` changes
// nothing.
func hint(err error, credsFromEnv bool) string {
	var (
		timeout *api.WaitTimeoutError
		intr    *api.WaitInterruptedError
		authErr *auth.Error
		httpErr *api.HTTPError
	)
	switch {
	case errors.As(err, &timeout) && len(timeout.Running) > 0:
		return "to keep waiting, run: " + api.ResumeHint(timeout.Running)
	case errors.As(err, &intr) && len(intr.Running) > 0:
		return "the action(s) go on in ITCare; to keep waiting, run: " + api.ResumeHint(intr.Running)
	case errors.As(err, &authErr):
		return ""
	case errors.As(err, &httpErr) && httpErr.StatusCode == 401 && credsFromEnv:
		return "check the credentials in " + auth.EnvClientID + " and " + auth.EnvClientSecret + " (`itcare auth status` shows which are used)"
	case errors.As(err, &httpErr) && httpErr.StatusCode == 401:
		return "check the credentials with `itcare auth status`, or run `itcare login` again"
	}
	return ""
}

// severity orders exit codes for a change on many targets: the most severe
// outcome decides the exit code (docs/exit-codes.md).
var severity = map[int]int{ExitOK: 0, ExitError: 1, ExitTimeout: 2, ExitActionError: 3, ExitAuth: 4, ExitUsage: 1, ExitInterrupted: 5}

// worseExit returns the more severe of two exit codes.
func worseExit(a, b int) int {
	if severity[b] > severity[a] {
		return b
	}
	return a
}
