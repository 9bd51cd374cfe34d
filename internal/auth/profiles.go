package auth

import (
	"errors"
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

// Status is what `itcare auth status` reports of a profile. It never holds
// a secret.
type Status struct {
	Profile           string   `json:"profile"`
	ClientID          string   `json:"clientId,omitempty"`
	APIURL            string   `json:"apiUrl"`
	AuthURL           string   `json:"authUrl"`
	CredentialsSource string   `json:"credentialsSource"`
	CredentialsFile   string   `json:"credentialsFile,omitempty"`
	SecretLocation    string   `json:"secretLocation,omitempty"`
	TokenCache        string   `json:"tokenCache"`
	TokenExpiry       string   `json:"tokenExpiry,omitempty"`
	RefreshExpiry     string   `json:"refreshExpiry,omitempty"`
	TokenValid        bool     `json:"tokenValid"`
	ConfigFile        string   `json:"configFile"`
	Warnings          []string `json:"warnings,omitempty"`
}

// ProfileStatus says where the credentials of profile come from (the
// environment, or what login saved), where its secret is and until when its
// cached token is valid. The error, an *Error, says why there are no usable
// credentials; the status still holds what is known (a saved login for other
// URLs, say).
func (s *Store) ProfileStatus(profile, apiURL, authURL, configFile string, now time.Time, formatDate func(time.Time) string) (Status, error) {
	st := Status{Profile: profile, APIURL: apiURL, AuthURL: authURL,
		TokenCache: s.TokenPath(profile), ConfigFile: configFile, CredentialsSource: "none"}
	creds, err := Resolve(s, profile, apiURL, authURL)
	if err != nil {
		if l, _ := s.LoadLogin(profile); l != nil {
			st.ClientID, st.CredentialsFile = l.ClientID, s.CredentialsPath(profile)
			st.SecretLocation = l.SecretLocation(st.CredentialsFile)
		}
		var ae *Error
		if !errors.As(err, &ae) {
			err = &Error{Msg: err.Error()}
		}
		return st, err
	}
	st.ClientID, st.CredentialsSource, st.CredentialsFile = creds.ClientID, creds.Source, creds.Path
	st.SecretLocation = creds.Location
	if creds.Source == "env" {
		st.SecretLocation = EnvClientSecret
	}
	if tok, _ := s.LoadToken(profile); tok != nil && tok.ClientID == creds.ClientID {
		st.TokenExpiry = formatDate(tok.Expiry)
		if !tok.RefreshExpiry.IsZero() {
			st.RefreshExpiry = formatDate(tok.RefreshExpiry)
		}
		st.TokenValid = now.Before(tok.Expiry)
	}
	return st, nil
}
