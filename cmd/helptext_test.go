package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/gendocs"
)

// Help, man pages and the Markdown reference speak to users: they name no
// file users lack, carry no implementation notes, and show each default
// once (no [=false], no "=0" next to a description giving the default).
func TestHelpSpeaksToUsers(t *testing.T) {
	man, md := generatedDocs(t)
	forbidden := []string{"itcare-api.md", "internal/sandbox/README.md", "Sends PATCH", "(documented)", "{\"operation\"", "(DELETE ", "(POST ", "(GET "}
	defaultLine := regexp.MustCompile(`^\\fB-.*\\fP(\[=|=)`)
	checked := 0
	for _, set := range []gendocs.Set{man, md} {
		for name, page := range set.Files {
			text := string(page)
			for _, f := range forbidden {
				if strings.Contains(text, f) {
					t.Errorf("%s/%s contains %q", set.Dir, name, f)
				}
			}
			lines := strings.Split(text, "\n")
			for i, l := range lines {
				if strings.Contains(l, "[=false]") || strings.Contains(l, "[=true]") {
					t.Errorf("%s/%s: %q", set.Dir, name, l)
				}
				if defaultLine.MatchString(l) && i+1 < len(lines) && strings.Contains(lines[i+1], "(default") {
					t.Errorf("%s/%s: two defaults: %q / %q", set.Dir, name, l, lines[i+1])
				}
			}
			checked++
		}
	}
	if checked < 50 {
		t.Fatalf("only %d pages checked", checked)
	}
	// The files the help points users to exist in the repository.
	for _, f := range []string{"docs/api-assumptions.md", "docs/exit-codes.md"} {
		if _, err := os.Stat(filepath.Join("..", f)); err != nil {
			t.Errorf("help names %s: %v", f, err)
		}
	}
}

// The operations' help says what a user needs: the status required and
// reached, and "Inferred" for what the documentation does not describe.
func TestOperationHelpIsUserLevel(t *testing.T) {
	r := runOffline(t, "instances", "stop", "--help")
	if !strings.Contains(r.stdout, "The instance must be ACTIVE. Once the action succeeds it is INACTIVE.") || strings.Contains(r.stdout, "Inferred") {
		t.Errorf("stop help:\n%s", r.stdout)
	}
	r = runOffline(t, "instances", "start", "--help")
	if !strings.Contains(r.stdout, "Inferred: the ITCare documentation does not describe this request") {
		t.Errorf("start help:\n%s", r.stdout)
	}
}
