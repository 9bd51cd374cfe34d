package cmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/itcare-cli/itcare/internal/config"
	"github.com/itcare-cli/itcare/internal/gendocs"
)

// generatedDocs returns the man pages and the Markdown reference of the
// current command tree.
func generatedDocs(t *testing.T) (man, md gendocs.Set) {
	t.Helper()
	man, err := gendocs.Man(NewRootCmd(docsRoot()))
	if err != nil {
		t.Fatal(err)
	}
	md, err = gendocs.Markdown(NewRootCmd(docsRoot()))
	if err != nil {
		t.Fatal(err)
	}
	return man, md
}

func docsRoot() *Factory {
	ios := testStreams()
	return NewFactory(ios)
}

// TestDocsUpToDate fails when docs/man or docs/reference no longer match the
// commands: run `make docs`.
func TestDocsUpToDate(t *testing.T) {
	man, md := generatedDocs(t)
	var problems []string
	for _, s := range []gendocs.Set{man, md} {
		problems = append(problems, s.Check("..")...)
	}
	if len(problems) > 0 {
		t.Fatalf("generated docs out of date; run `make docs`:\n  %s", strings.Join(problems, "\n  "))
	}
}

func TestDocsAreReproducible(t *testing.T) {
	a, err := gendocs.Man(NewRootCmd(docsRoot()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := gendocs.Man(NewRootCmd(docsRoot()))
	if err != nil {
		t.Fatal(err)
	}
	for name, page := range a.Files {
		if !bytes.Equal(page, b.Files[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	root := a.Files["itcare.1"]
	if !bytes.Contains(root, []byte(`.TH "ITCARE" "1" "`+gendocs.ManDate.Format("Jan 2006")+`" "itcare" "itcare manual"`)) {
		t.Errorf("itcare.1 header:\n%s", root[:min(len(root), 200)])
	}
	for _, want := range []string{"itcare-instances-get.1", "itcare-actions-wait.1", "itcare-completion.1"} {
		if _, ok := a.Files[want]; !ok {
			t.Errorf("no %s", want)
		}
	}
	md, err := gendocs.Markdown(NewRootCmd(docsRoot()))
	if err != nil {
		t.Fatal(err)
	}
	for name, page := range md.Files {
		if bytes.Contains(page, []byte("Auto generated")) {
			t.Errorf("%s has a generation date line", name)
		}
		if d, err := config.DefaultDir(); err == nil && bytes.Contains(page, []byte(d)) {
			t.Errorf("%s shows the generating user's config folder %s", name, d)
		}
	}
}
