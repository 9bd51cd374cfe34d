//go:build interop

package interop

import (
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/contract"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// TestWrongShapesCaughtBySandboxContract sends, through the CLI, the same
// wrong request shapes that TestContractThroughPrism sends to Prism, to our
// sandbox with contract validation on: the sandbox's validator refuses each
// one too, and also the misspelled filter that Prism lets through (OpenAPI
// cannot forbid undeclared query parameters; the sandbox checks them
// against the parameters the contract declares).
func TestWrongShapesCaughtBySandboxContract(t *testing.T) {
	timed(t)
	sb := sandbox.New(sandbox.Options{Contract: contract.MustLoad(api.OpenAPISpec)})
	if _, err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	c := newCLI(t, "ITCARE_API_URL="+sb.APIURL(), "ITCARE_AUTH_URL="+sb.AuthURL(),
		"ITCARE_CLIENT_ID=sandbox-client", "ITCARE_CLIENT_SECRET=sandbox-secret")
	c.must("instances", "list", "--size", "1")
	if v := sb.Violations(); len(v) != 0 {
		t.Fatalf("a correct command broke the contract: %v", v)
	}
	for _, args := range [][]string{
		{"api", "-X", "GET", "/compute/instances", "-f", "statuse=ACTIVE"}, // misspelled filter
		{"api", "-X", "GET", "/compute/instances", "-f", "page=abc"},       // integer parameter
		{"api", "-X", "PATCH", "/compute/instances/10001", "-F", "operation=42"},
		{"api", "-X", "PATCH", "/compute/instances/10001", "-f", "operation=explode"},
	} {
		sb.ResetViolations()
		r := c.run(args...)
		wantCode(t, r, 1, "itcare "+strings.Join(args, " "))
		if !strings.Contains(r.stdout, "CONTRACT_VIOLATION") || len(sb.Violations()) == 0 {
			t.Errorf("itcare %s: not refused by the sandbox's contract check:\nstdout %s\nstderr %s", strings.Join(args, " "), r.stdout, r.stderr)
		}
		t.Logf("itcare %s → exit %d: %s", strings.Join(args, " "), r.code, strings.TrimSpace(r.stderr))
	}
}
