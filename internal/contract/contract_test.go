package contract_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/contract"
)

// The itcare binary must not link the validator: kin-openapi's dependencies
// compile JSON Schema meta-schemas at start-up, which doubled the start-up
// time of every command (make bench).
func TestItcareBinaryDoesNotLinkTheValidator(t *testing.T) {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goBin, "list", "-deps", "github.com/itcare-cli/itcare").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "kin-openapi") || strings.Contains(pkg, "jsonschema") || pkg == "github.com/itcare-cli/itcare/internal/contract" {
			t.Fatalf("itcare links %s", pkg)
		}
	}
}

func TestLoadOnceAndCheck(t *testing.T) {
	c := contract.MustLoad(api.OpenAPISpec)
	if c2, _ := contract.Load(append([]byte(nil), api.OpenAPISpec...)); c2 != c {
		t.Fatal("the document was parsed twice")
	}
	if _, err := contract.Load([]byte("openapi: 3.0.3\ninfo: {}\n")); err == nil {
		t.Fatal("an invalid document loaded")
	}
}
