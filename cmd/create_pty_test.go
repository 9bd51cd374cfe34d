package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/sandbox"
)

// On a terminal, create asks for each missing field (choices offered where
// the values are known), asks again after an invalid answer, reads the
// password without echo, and then creates the resource.
func TestCreatePromptsOnTerminal(t *testing.T) {
	bin := buildItcare(t)
	h := newHarness(t, sandbox.Options{ActionDuration: 100 * time.Millisecond})
	s := startPTY(t, binEnv(h, bin), bin, "overdrive", "create", "--name", "podpty01", "--service-id", "2101", "-o", "json")
	s.expect(0, "region (region) [EB/ET]: ", 10*time.Second)
	mark := len(s.output())
	s.send("eb\r")
	s.expect(mark, "sizing (sizing) [XS/S/M/L/XL]: ", 5*time.Second)
	mark = len(s.output())
	s.send("XXL\r")
	s.expect(mark, `sizing "XXL": must be one of XS, S, M, L, XL`, 5*time.Second)
	s.expect(mark, "[XS/S/M/L/XL]: ", 5*time.Second)
	mark = len(s.output())
	s.send("m\r")
	s.expect(mark, "driveSiteUri (URI of the drive site), e.g. ", 5*time.Second)
	mark = len(s.output())
	s.send("https://drive.cegedim.cloud/sites/podpty01\r")
	s.expect(mark, "password (password of the volume): ", 5*time.Second)
	mark = len(s.output())
	s.send(odPassword + "\r")
	if code := s.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, s.output())
	}
	screen := s.output()
	if strings.Contains(screen, odPassword) {
		t.Fatalf("the password was echoed:\n%s", screen)
	}
	if !strings.Contains(screen[mark:], `"name": "podpty01"`) || !strings.Contains(screen[mark:], `"status": "ACTIVE"`) {
		t.Fatalf("created volume not printed:\n%s", screen[mark:])
	}
	reqs := h.apiRequests("POST", "/storage/overdrive")
	if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), `"region":"EB"`) || !strings.Contains(string(reqs[0].Body), `"sizing":"M"`) ||
		!strings.Contains(string(reqs[0].Body), odPassword) {
		t.Fatalf("body sent: %s", reqs)
	}
}

// Off a terminal nothing is asked, even with input waiting on stdin.
func TestCreateNeverPromptsOffTerminal(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 5})
	h.login()
	h.stdin = "EB\nM\nhttps://x\n" + odPassword + "\n"
	r := h.run("overdrive", "create", "--name", "podpipe01", "--service-id", "2101")
	assertCode(t, r, ExitUsage)
	if strings.Contains(r.stderr, "[EB/ET]: ") || strings.Contains(r.stderr, "password (") {
		t.Fatalf("prompted off a terminal:\n%s", r.stderr)
	}
	for _, f := range []string{"region: required", "sizing: required", "driveSiteUri: required", "password: required"} {
		if !strings.Contains(r.stderr, f) {
			t.Fatalf("%q not listed:\n%s", f, r.stderr)
		}
	}
}

// --password-stdin reads the secret from stdin; it is refused with
// --from-file - and the secret is never accepted from --set.
func TestCreatePasswordStdin(t *testing.T) {
	h := newHarness(t, sandbox.Options{Instances: 5})
	h.login()
	args := []string{"overdrive", "create", "--name", "podstdin01", "--region", "EB", "--sizing", "S", "--service-id", "2101",
		"--drive-site-uri", "https://drive.cegedim.cloud/sites/podstdin01", "-o", "json", "--debug"}
	h.stdin = odPassword + "\n"
	r := h.run(append(args, "--password-stdin")...)
	assertCode(t, r, 0)
	noSecret(t, r, odPassword)
	if body := lastBody(t, h, "/storage/overdrive"); body["password"] != odPassword {
		t.Fatalf("password sent: %v", body["password"])
	}
	h.stdin = ""

	r = h.run(append(args, "--password-stdin", "--from-file", "-")...)
	assertCode(t, r, ExitUsage)
	r = h.run(append(args, "--set", "password="+odPassword)...)
	assertCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, "password is a secret") || strings.Contains(r.stderr, odPassword) {
		t.Fatalf("stderr: %s", r.stderr)
	}
	r = h.run("instances", "create", "--password-stdin")
	assertCode(t, r, ExitUsage) // no such flag: instances have no secret
}
