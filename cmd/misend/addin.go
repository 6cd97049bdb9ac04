package main

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/misend/misend/internal/addin"
	"github.com/misend/misend/internal/api"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/notify"
	"github.com/misend/misend/internal/stamp"
)

// addinFlags are misend serve's flags for the mail-client add-ins it
// serves under /addin/; webFlags embeds them.
type addinFlags struct {
	SendMode string        `help:"Outlook add-in send mode, as in its manifest: promptUser, softBlock or block (see internal/addin/README.md)." name:"send-mode" default:"softBlock"`
	Timeout  time.Duration `help:"How long the Outlook add-in waits for misend at Send before following the send mode (0.5s to 4.5s)." name:"timeout" default:"3.5s"`
	Lang     string        `help:"Add-in language for Outlook clients shown in neither Japanese nor English: en or ja." name:"lang" default:"en"`
	SSO      bool          `help:"The Outlook add-in signs in with Office single sign-on (needs --addin-app-id and --oidc-issuer)." name:"sso"`
	AppID    string        `help:"The add-in's Entra ID application (client) ID: the audience of its SSO tokens." name:"app-id"`
	StampKey string        `help:"File with the key that signs the add-ins' confirmation stamps, created if missing (default SPOOL/confirm.key); every replica needs the same file." name:"stamp-key"`
	Origins  []string      `help:"Another browser origin (https://host[:port]) allowed to call the API from an add-in (repeatable); the public URL's origin is allowed already." name:"origin"`
}

// stampKeys loads (or makes) the key confirmation stamps are signed and
// verified with.
func (f addinFlags) stampKeys(spool string) (*stamp.Keys, error) {
	path := f.StampKey
	if path == "" {
		if err := os.MkdirAll(spool, 0o700); err != nil {
			return nil, fmt.Errorf("confirmation stamp key: %w", err)
		}
		path = filepath.Join(spool, "confirm.key")
	}
	key, err := notify.LoadOrCreateKey(path)
	if err != nil {
		return nil, fmt.Errorf("confirmation stamp key: %w", err)
	}
	return stamp.New(key)
}

// origins are the browser origins allowed to call the API across
// origins: the public URL's and those given.
func (f addinFlags) origins(publicURL string) ([]string, error) {
	var out []string
	if publicURL != "" {
		o, err := api.NormalizeOrigin(strings.TrimSuffix(publicURL, "/"))
		if err == nil {
			out = append(out, o)
		} else if u, perr := url.Parse(publicURL); perr == nil && u.Host != "" {
			// A public URL with a path still has an origin.
			out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
		}
	}
	for _, s := range f.Origins {
		o, err := api.NormalizeOrigin(s)
		if err != nil {
			return nil, fmt.Errorf("--addin-origin: %w", err)
		}
		out = append(out, o)
	}
	return out, nil
}

// tokens returns the API's token check: misend API tokens, and with
// --addin-sso Office SSO tokens verified against the OIDC issuer's keys.
func (f addinFlags) tokens(apiTokens *auth.Service, issuer, publicURL string) (api.Authenticator, error) {
	if !f.SSO {
		return apiTokens, nil
	}
	if issuer == "" || f.AppID == "" {
		return nil, fmt.Errorf("--addin-sso needs --oidc-issuer and --addin-app-id")
	}
	cfg := addin.SSOConfig{Issuer: issuer, AppID: f.AppID}
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		cfg.Audiences = []string{"api://" + u.Host + "/" + f.AppID}
	}
	sso, err := addin.NewSSO(cfg)
	if err != nil {
		return nil, err
	}
	return addin.Tokens{API: apiTokens, SSO: sso, People: apiTokens}, nil
}

// handler is the add-ins' handler for serve; publicURL is where clients
// reach misend.
func (f addinFlags) handler(publicURL string) (*addin.Handler, error) {
	return addin.New(addin.Options{PublicURL: publicURL, SendMode: f.SendMode, Timeout: f.Timeout, SSO: f.SSO, Lang: f.Lang})
}

// addinCmd writes what deploying the add-ins needs.
type addinCmd struct {
	OutlookManifest outlookManifestCmd `cmd:"" name:"outlook-manifest" help:"Write the Outlook add-in's XML manifest and unified (JSON) manifest for the public URL."`
}

type outlookManifestCmd struct {
	PublicURL string `help:"Public https URL where mail clients reach misend (default: the config's notify base URL)." name:"public-url"`
	ID        string `help:"The add-in's GUID (default: derived from the public URL, stable per deployment)." name:"id"`
	AppID     string `help:"Entra ID application (client) ID for Office single sign-on; omit for API tokens only." name:"app-id"`
	SendMode  string `help:"promptUser, softBlock or block; the same as misend serve --addin-send-mode." name:"send-mode" default:"softBlock"`
	JSON      bool   `help:"Print the unified manifest (manifest.json) instead of the XML manifest." name:"json"`
	Out       string `help:"Directory to write manifest.xml, manifest.json, ja-jp.json and misend-outlook.zip (the unified app package) into, instead of printing." name:"out" type:"path"`
}

func (c *outlookManifestCmd) Run(g *Globals) error {
	if c.PublicURL == "" && g.Config != "" {
		cfg, err := config.Load(g.Config)
		if err != nil {
			return err
		}
		c.PublicURL = cfg.Notify.BaseURL
	}
	if c.PublicURL == "" {
		return fmt.Errorf("outlook-manifest: give --public-url (the https URL of misend serve)")
	}
	m := addin.Manifest{PublicURL: c.PublicURL, ID: c.ID, AppID: c.AppID, SendMode: c.SendMode}
	x, err := m.XML()
	if err != nil {
		return fmt.Errorf("outlook-manifest: %w", err)
	}
	js, err := m.JSON()
	if err != nil {
		return fmt.Errorf("outlook-manifest: %w", err)
	}
	if c.Out == "" {
		if c.JSON {
			_, err = os.Stdout.Write(js)
		} else {
			_, err = os.Stdout.Write(x)
		}
		return err
	}
	ja, err := m.JSONJa()
	if err != nil {
		return err
	}
	var zipped bytes.Buffer
	if err := m.Package(&zipped); err != nil {
		return err
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return err
	}
	for name, b := range map[string][]byte{"manifest.xml": x, "manifest.json": js, "ja-jp.json": ja, "misend-outlook.zip": zipped.Bytes()} {
		if err := os.WriteFile(filepath.Join(c.Out, name), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "wrote manifest.xml, manifest.json, ja-jp.json and misend-outlook.zip to %s\n", c.Out)
	return nil
}
