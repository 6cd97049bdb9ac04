package main

import (
	"time"

	"github.com/misend/misend/internal/addin"
)

// addinFlags are misend serve's flags for the mail-client add-ins it
// serves under /addin/; webFlags embeds them.
type addinFlags struct {
	SendMode string        `help:"Outlook add-in send mode, as in its manifest: promptUser, softBlock or block (see internal/addin/README.md)." name:"send-mode" default:"softBlock"`
	Timeout  time.Duration `help:"How long the Outlook add-in waits for misend at Send before following the send mode (0.5s to 4.5s)." name:"timeout" default:"3.5s"`
	Lang     string        `help:"Add-in language for Outlook clients shown in neither Japanese nor English: en or ja." name:"lang" default:"en"`
	SSO      bool          `help:"The Outlook add-in signs in with Office single sign-on (needs --addin-app-id and --oidc-issuer)." name:"sso"`
}

// handler is the add-ins' handler for serve; publicURL is where clients
// reach misend.
func (f addinFlags) handler(publicURL string) (*addin.Handler, error) {
	return addin.New(addin.Options{PublicURL: publicURL, SendMode: f.SendMode, Timeout: f.Timeout, SSO: f.SSO, Lang: f.Lang})
}
