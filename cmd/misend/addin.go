package main

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/misend/misend/internal/addin"
	"github.com/misend/misend/internal/api"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/keyfile"
	"github.com/misend/misend/internal/stamp"
	"github.com/misend/misend/internal/version"
)

// addinFlags are misend serve's flags for the mail-client add-ins it
// serves under /addin/; webFlags embeds them.
type addinFlags struct {
	SendMode string        `help:"Add-in send mode: promptUser, softBlock or block, as in the Outlook manifest; also that of the Thunderbird add-in served at /addin/thunderbird/misend.xpi (see internal/addin/README.md)." name:"send-mode" default:"softBlock"`
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
	key, err := keyfile.Load(path, keyfile.AtLeast32, true)
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

// thunderbird is the handler serving the Thunderbird add-in (.xpi and
// checklist page) with the same send mode and language as Outlook's.
func (f addinFlags) thunderbird(publicURL string) (*addin.ThunderbirdHandler, error) {
	return addin.NewThunderbird(addin.Thunderbird{PublicURL: publicURL, SendMode: f.SendMode, Lang: f.Lang, Version: addinVersion(version.Read().Version)})
}

// addinVersion is the Thunderbird add-in's version for a misend release
// (v1.4.2 gives 1.4.2), so installed copies update with misend; builds
// from a work tree are 1.0.0.
func addinVersion(v string) string {
	if m := releaseVersion.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return "1.0.0"
}

var releaseVersion = regexp.MustCompile(`^v?((0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8}))(\D|$)`)

// addinCmd writes what deploying the add-ins needs.
type addinCmd struct {
	OutlookManifest outlookManifestCmd `cmd:"" name:"outlook-manifest" help:"Write the Outlook add-in's XML manifest and unified (JSON) manifest for the public URL."`
	Thunderbird     thunderbirdCmd     `cmd:"" name:"thunderbird" help:"Build the Thunderbird add-in (.xpi) for the public URL."`
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

type thunderbirdCmd struct {
	PublicURL string        `help:"URL where Thunderbird reaches misend; the add-in may connect there only (default: the config's notify base URL)." name:"public-url"`
	Out       string        `help:"Where to write the .xpi." short:"o" name:"out" default:"misend.xpi" type:"path"`
	ID        string        `help:"The add-in's ID, the key of its settings in policies.json (default: misend@ and the URL's host name)." name:"id"`
	SendMode  string        `help:"When misend cannot be reached: softBlock (send; the gateway still checks), promptUser (ask the sender) or block." name:"send-mode" default:"softBlock"`
	Timeout   time.Duration `help:"How long the add-in waits for misend at Send before following the send mode." name:"timeout" default:"5s"`
	Lang      string        `help:"Language for Thunderbird shown in neither Japanese nor English: en or ja." name:"lang" default:"en"`
	Version   string        `help:"The add-in's version; raise it so installed copies update." name:"addin-version" default:"1.0.0"`
}

func (c *thunderbirdCmd) Run(g *Globals) error {
	inside := g.OrgDomain
	if g.Config != "" {
		cfg, err := config.Load(g.Config)
		if err != nil {
			return err
		}
		if c.PublicURL == "" {
			c.PublicURL = cfg.Notify.BaseURL
		}
		if len(inside) == 0 {
			inside = cfg.OrgDomains
		}
	}
	if c.PublicURL == "" {
		return fmt.Errorf("addin thunderbird: give --public-url (the URL of misend serve)")
	}
	t := addin.Thunderbird{PublicURL: c.PublicURL, ID: c.ID, SendMode: c.SendMode, Timeout: c.Timeout, Lang: c.Lang,
		InsideDomains: inside, Version: c.Version}
	var buf bytes.Buffer
	if err := t.XPI(&buf); err != nil {
		return fmt.Errorf("addin thunderbird: %w", err)
	}
	if err := os.WriteFile(c.Out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("addin thunderbird: %w", err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes) for %s\n", c.Out, buf.Len(), c.PublicURL)
	return nil
}
