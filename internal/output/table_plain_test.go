package output

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// The plain writer must write exactly what tablewriter writes.
func TestPlainTableMatchesTablewriter(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		const chars = "abcXYZ019 -_.:/,()[]{}<>\"'!?#%&*+=@^`|~;$"
		n := r.IntN(14)
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteByte(chars[r.IntN(len(chars))])
		}
		return b.String()
	}
	for n := 0; n < 300; n++ {
		ncol := 1 + r.IntN(7)
		var header []string
		if r.IntN(4) > 0 {
			header = make([]string, ncol)
			for i := range header {
				header[i] = strings.ToUpper(word())
				if header[i] == "" {
					header[i] = "H"
				}
			}
		}
		rows := make([][]string, 1+r.IntN(6))
		for i := range rows {
			rows[i] = make([]string, ncol)
			for j := range rows[i] {
				rows[i][j] = word()
			}
		}
		var want, got bytes.Buffer
		if err := writeTablewriter(&want, header, rows); err != nil {
			t.Fatal(err)
		}
		ok, err := writePlainTable(&got, header, rows)
		if !ok || err != nil {
			t.Fatalf("plain writer refused %q", rows)
		}
		if got.String() != want.String() {
			t.Fatalf("header %q rows %q:\n got %q\nwant %q", header, rows, got.String(), want.String())
		}
	}
	if ok, _ := writePlainTable(&bytes.Buffer{}, []string{"NAME"}, [][]string{{"é"}}); ok {
		t.Error("non-ASCII cells must go to tablewriter")
	}
}
