package auth

import (
	"sort"
	"time"

	"github.com/itcare-cli/itcare/internal/config"
)

// ProfileInfo is one row of `itcare auth list`. It never holds a secret.
type ProfileInfo struct {
	Name           string `json:"name"`
	Active         bool   `json:"active"`
	ClientID       string `json:"clientId,omitempty"`
	APIURL         string `json:"apiUrl,omitempty"`
	AuthURL        string `json:"authUrl,omitempty"`
	Secret         string `json:"secret"` // "keyring", "file" or "none"
	SecretLocation string `json:"secretLocation,omitempty"`
	TokenExpiry    string `json:"tokenExpiry,omitempty"`
	TokenValid     bool   `json:"tokenValid"`
}

// ListProfiles describes every profile known in the store's folder (those
// with a saved login) or named in others (the config file's sections, the
// active profile), sorted by name. active is the profile in use; apiURL
// gives the API URL of a profile without a saved login. Secrets are not
// read: the keyring is not asked.
func (s *Store) ListProfiles(active string, others []string, apiURL func(profile string) string, now time.Time, formatDate func(time.Time) string) []ProfileInfo {
	names := map[string]bool{active: true}
	for _, n := range s.Profiles() {
		names[n] = true
	}
	for _, n := range others {
		if config.ValidProfile(n) == nil {
			names[n] = true
		}
	}
	var out []ProfileInfo
	for name := range names {
		p := ProfileInfo{Name: name, Active: name == active, Secret: "none"}
		if l, err := s.LoadLogin(name); err == nil && l != nil {
			p.ClientID, p.APIURL, p.AuthURL = l.ClientID, l.APIURL, l.AuthURL
			p.Secret, p.SecretLocation = l.storage(), l.SecretLocation(s.CredentialsPath(name))
			if tok, _ := s.LoadToken(name); tok != nil && tok.ClientID == l.ClientID {
				p.TokenExpiry = formatDate(tok.Expiry)
				p.TokenValid = now.Before(tok.Expiry)
			}
		}
		if p.APIURL == "" && apiURL != nil {
			p.APIURL = apiURL(name)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
