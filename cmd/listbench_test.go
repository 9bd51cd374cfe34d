package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/output"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// cannedPages serves the sandbox's instance pages from memory, so that a
// benchmark of the list path measures the client, not the server.
func cannedPages(b *testing.B, instances, size int) *httptest.Server {
	b.Helper()
	sb := sandbox.New(sandbox.Options{Instances: instances})
	h := sb.Handler()
	tok := sandboxToken(b, h)
	pages := map[string][]byte{}
	for p := 0; p*size < instances; p++ {
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/itcare/compute/instances?page=%d&size=%d", p, size), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("page %d: %d %s", p, rec.Code, rec.Body.String())
		}
		pages[strconv.Itoa(p)] = rec.Body.Bytes()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Query().Get("page")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func sandboxToken(b *testing.B, h http.Handler) string {
	form := url.Values{"grant_type": {"client_credentials"}}
	req := httptest.NewRequest(http.MethodPost, "/auth/realms/cloud/protocol/openid-connect/token", bytes.NewBufferString(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("sandbox-client", "sandbox-secret")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tr); err != nil || tr.AccessToken == "" {
		b.Fatalf("token: %v %s", err, rec.Body.String())
	}
	return tr.AccessToken
}

// benchList runs the list --all path (pages, merge, printer) into io.Discard.
func benchList(b *testing.B, instances int, format string, jq string) {
	srv := cannedPages(b, instances, api.DefaultPageSize)
	c, err := api.New(api.Options{BaseURL: srv.URL + "/itcare", HTTPClient: &http.Client{Timeout: time.Minute}})
	if err != nil {
		b.Fatal(err)
	}
	f, err := output.ParseFormat(format)
	if err != nil {
		b.Fatal(err)
	}
	ios := testStreams()
	p := &output.Printer{IO: ios, Opts: output.Options{Format: f, JQ: jq}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := api.ListPages[api.Object](context.Background(), c, "/compute/instances", nil, api.PageOptions{All: true})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Content) != instances {
			b.Fatalf("got %d items", len(res.Content))
		}
		if err := p.PrintList(res.Content, outputColumns(family.Instances.Columns), "instances"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListAllJSON(b *testing.B)  { benchList(b, 5000, "json", "") }
func BenchmarkListAllTable(b *testing.B) { benchList(b, 5000, "table", "") }
func BenchmarkListAllYAML(b *testing.B)  { benchList(b, 5000, "yaml", "") }
func BenchmarkListAllJQ(b *testing.B)    { benchList(b, 5000, "json", ".[].name") }
