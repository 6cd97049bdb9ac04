package addin

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"text/template"
)

// ManifestVersion is the add-in's version in the manifests misend writes.
const ManifestVersion = "1.0.0"

// Manifest describes the Outlook add-in for its manifests.
type Manifest struct {
	// PublicURL is where mail clients reach misend (https://host[:port]).
	PublicURL string
	// ID is the add-in's own GUID; empty: one derived from PublicURL, so
	// the same deployment always gets the same ID.
	ID string
	// AppID is the Entra ID application (client) ID the add-in signs in
	// with through Office SSO; empty: no SSO in the manifest.
	AppID string
	// SendMode is promptUser, softBlock (default) or block.
	SendMode string
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (m *Manifest) check() error {
	u, err := url.Parse(m.PublicURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("public URL %q: Outlook loads add-ins over https only; want https://host[:port][/path]", m.PublicURL)
	}
	m.PublicURL = strings.TrimSuffix(m.PublicURL, "/")
	if m.ID == "" {
		m.ID = derivedID(m.PublicURL)
	}
	if !guidRE.MatchString(m.ID) {
		return fmt.Errorf("add-in id %q: want a GUID", m.ID)
	}
	if m.AppID != "" && !guidRE.MatchString(m.AppID) {
		return fmt.Errorf("app id %q: want the Entra ID application (client) ID, a GUID", m.AppID)
	}
	return checkSendMode(&m.SendMode)
}

// checkLang checks a fallback language and makes an empty one English.
func checkLang(lang *string) error {
	switch *lang {
	case "":
		*lang = "en"
	case "en", "ja":
	default:
		return fmt.Errorf("language %q: want en or ja", *lang)
	}
	return nil
}

// checkSendMode checks a send mode and makes an empty one softBlock.
func checkSendMode(mode *string) error {
	switch *mode {
	case "":
		*mode = SoftBlock
	case PromptUser, SoftBlock, Block:
	default:
		return fmt.Errorf("send mode %q: want promptUser, softBlock or block", *mode)
	}
	return nil
}

// derivedID is a name-based (version 5 style) GUID of the public URL.
func derivedID(publicURL string) string {
	h := sha1.Sum([]byte("misend outlook add-in " + publicURL))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// Base is the add-in's URL prefix.
func (m Manifest) Base() string { return m.PublicURL + OutlookPrefix }

// Host is the public URL's host (and port).
func (m Manifest) Host() string {
	u, _ := url.Parse(m.PublicURL)
	return u.Host
}

// Resource is the Application ID URI Office SSO asks a token for.
func (m Manifest) Resource() string {
	return "api://" + m.Host() + "/" + m.AppID
}

// XMLSendMode is the send mode as the XML manifest spells it.
func (m Manifest) XMLSendMode() string {
	return strings.ToUpper(m.SendMode[:1]) + m.SendMode[1:]
}

// Texts shown by Outlook, per locale.
var manifestText = map[string]map[string]string{
	"en": {
		"name":        "misend",
		"full":        "misend: check recipients before Send",
		"description": "Checks each message at Send against how you usually mail and asks you to confirm unusual recipients, with the likely intended one.",
		"group":       "misend",
		"button":      "Check recipients",
		"tooltip":     "Show the recipients misend asks you to confirm, and confirm or remove each one.",
	},
	"ja": {
		"name":        "misend",
		"full":        "misend: 送信前の宛先確認",
		"description": "送信時に、いつものやり取りと照らして宛先を確認し、普段と違う宛先があれば本来の宛先の候補と共に確認を求めます。",
		"group":       "misend",
		"button":      "宛先を確認",
		"tooltip":     "misend が確認を求める宛先を表示し、宛先ごとに確認または削除します。",
	},
}

var xmlTemplate = template.Must(template.New("manifest.xml").Funcs(template.FuncMap{
	"x": func(s string) string {
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(s))
		return strings.ReplaceAll(b.String(), `"`, "&quot;")
	},
	"en": func(k string) string { return manifestText["en"][k] },
	"ja": func(k string) string { return manifestText["ja"][k] },
}).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<!-- misend Outlook add-in, written by misend addin outlook-manifest for {{x .PublicURL}}. -->
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
           xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
           xmlns:mailappor="http://schemas.microsoft.com/office/mailappversionoverrides/1.0"
           xsi:type="MailApp">
  <Id>{{x .ID}}</Id>
  <Version>{{x .Version}}</Version>
  <ProviderName>misend</ProviderName>
  <DefaultLocale>en-US</DefaultLocale>
  <DisplayName DefaultValue="{{x (en "name")}}">
    <Override Locale="ja-JP" Value="{{x (ja "name")}}"/>
  </DisplayName>
  <Description DefaultValue="{{x (en "description")}}">
    <Override Locale="ja-JP" Value="{{x (ja "description")}}"/>
  </Description>
  <IconUrl DefaultValue="{{x .Base}}icon-64.png"/>
  <HighResolutionIconUrl DefaultValue="{{x .Base}}icon-128.png"/>
  <SupportUrl DefaultValue="{{x .PublicURL}}/"/>
  <AppDomains>
    <AppDomain>{{x .PublicURL}}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Mailbox"/>
  </Hosts>
  <Requirements>
    <Sets>
      <Set Name="Mailbox" MinVersion="1.1"/>
    </Sets>
  </Requirements>
  <FormSettings>
    <Form xsi:type="ItemRead">
      <DesktopSettings>
        <SourceLocation DefaultValue="{{x .Base}}taskpane.html"/>
        <RequestedHeight>250</RequestedHeight>
      </DesktopSettings>
    </Form>
  </FormSettings>
  <Permissions>ReadWriteItem</Permissions>
  <Rule xsi:type="RuleCollection" Mode="Or">
    <Rule xsi:type="ItemIs" ItemType="Message" FormType="Edit"/>
  </Rule>
  <DisableEntityHighlighting>false</DisableEntityHighlighting>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides" xsi:type="VersionOverridesV1_0">
    <VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1" xsi:type="VersionOverridesV1_1">
      <Requirements>
        <bt:Sets DefaultMinVersion="1.12">
          <bt:Set Name="Mailbox"/>
        </bt:Sets>
      </Requirements>
      <Hosts>
        <Host xsi:type="MailHost">
          <Runtimes>
            <Runtime resid="WebViewRuntime.Url">
              <Override type="javascript" resid="JSRuntime.Url"/>
            </Runtime>
          </Runtimes>
          <DesktopFormFactor>
            <FunctionFile resid="WebViewRuntime.Url"/>
            <ExtensionPoint xsi:type="MessageComposeCommandSurface">
              <OfficeTab id="TabDefault">
                <Group id="misendGroup">
                  <Label resid="Group.Label"/>
                  <Control xsi:type="Button" id="misendOpenPane">
                    <Label resid="Pane.Label"/>
                    <Supertip>
                      <Title resid="Pane.Label"/>
                      <Description resid="Pane.Tooltip"/>
                    </Supertip>
                    <Icon>
                      <bt:Image size="16" resid="Icon.16"/>
                      <bt:Image size="32" resid="Icon.32"/>
                      <bt:Image size="80" resid="Icon.80"/>
                    </Icon>
                    <Action xsi:type="ShowTaskpane">
                      <SourceLocation resid="Taskpane.Url"/>
                    </Action>
                  </Control>
                </Group>
              </OfficeTab>
            </ExtensionPoint>
            <ExtensionPoint xsi:type="LaunchEvent">
              <LaunchEvents>
                <LaunchEvent Type="OnMessageSend" FunctionName="onMessageSendHandler" SendMode="{{x .XMLSendMode}}"/>
              </LaunchEvents>
              <SourceLocation resid="WebViewRuntime.Url"/>
            </ExtensionPoint>
          </DesktopFormFactor>
        </Host>
      </Hosts>
      <Resources>
        <bt:Images>
          <bt:Image id="Icon.16" DefaultValue="{{x .Base}}icon-16.png"/>
          <bt:Image id="Icon.32" DefaultValue="{{x .Base}}icon-32.png"/>
          <bt:Image id="Icon.80" DefaultValue="{{x .Base}}icon-80.png"/>
        </bt:Images>
        <bt:Urls>
          <bt:Url id="Taskpane.Url" DefaultValue="{{x .Base}}taskpane.html"/>
          <bt:Url id="WebViewRuntime.Url" DefaultValue="{{x .Base}}commands.html"/>
          <bt:Url id="JSRuntime.Url" DefaultValue="{{x .Base}}launchevent.js"/>
        </bt:Urls>
        <bt:ShortStrings>
          <bt:String id="Group.Label" DefaultValue="{{x (en "group")}}">
            <bt:Override Locale="ja-JP" Value="{{x (ja "group")}}"/>
          </bt:String>
          <bt:String id="Pane.Label" DefaultValue="{{x (en "button")}}">
            <bt:Override Locale="ja-JP" Value="{{x (ja "button")}}"/>
          </bt:String>
        </bt:ShortStrings>
        <bt:LongStrings>
          <bt:String id="Pane.Tooltip" DefaultValue="{{x (en "tooltip")}}">
            <bt:Override Locale="ja-JP" Value="{{x (ja "tooltip")}}"/>
          </bt:String>
        </bt:LongStrings>
      </Resources>{{if .AppID}}
      <WebApplicationInfo>
        <Id>{{x .AppID}}</Id>
        <Resource>{{x .Resource}}</Resource>
        <Scopes>
          <Scope>openid</Scope>
          <Scope>profile</Scope>
          <Scope>email</Scope>
        </Scopes>
      </WebApplicationInfo>{{end}}
    </VersionOverrides>
  </VersionOverrides>
</OfficeApp>
`))

// Version is the manifest's four-part version.
func (m Manifest) Version() string { return ManifestVersion + ".0" }

// XML writes the add-in only (XML) manifest.
func (m Manifest) XML() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := xmlTemplate.Execute(&b, m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type obj = map[string]any

// JSON writes the unified manifest for Microsoft 365 (manifest.json of
// the app package; its icons are color.png and outline.png beside it).
func (m Manifest) JSON() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	en := manifestText["en"]
	mailbox := []obj{{"name": "Mailbox", "minVersion": "1.12"}}
	icons := []obj{{"size": 16, "url": m.Base() + "icon-16.png"}, {"size": 32, "url": m.Base() + "icon-32.png"}, {"size": 80, "url": m.Base() + "icon-80.png"}}
	man := obj{
		"$schema":         "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json",
		"manifestVersion": "1.17",
		"version":         ManifestVersion,
		"id":              m.ID,
		"localizationInfo": obj{
			"defaultLanguageTag":  "en-us",
			"additionalLanguages": []obj{{"languageTag": "ja-jp", "file": "ja-jp.json"}},
		},
		"developer":   obj{"name": "misend", "websiteUrl": m.PublicURL + "/", "privacyUrl": m.PublicURL + "/", "termsOfUseUrl": m.PublicURL + "/"},
		"name":        obj{"short": en["name"], "full": en["full"]},
		"description": obj{"short": en["full"], "full": en["description"]},
		"icons":       obj{"outline": "outline.png", "color": "color.png"},
		"accentColor": "#1F5FBF",
		"validDomains": []string{
			m.Host(),
		},
		"authorization": obj{"permissions": obj{"resourceSpecific": []obj{{"name": "MailboxItem.ReadWrite.User", "type": "Delegated"}}}},
		"extensions": []obj{{
			"requirements": obj{"scopes": []string{"mail"}, "capabilities": mailbox},
			"runtimes": []obj{
				{
					"requirements": obj{"capabilities": mailbox},
					"id":           "autorun_runtime",
					"type":         "general",
					"code":         obj{"page": m.Base() + "commands.html", "script": m.Base() + "launchevent.js"},
					"lifetime":     "short",
					"actions":      []obj{{"id": "onMessageSendHandler", "type": "executeFunction", "displayName": "onMessageSendHandler"}},
				},
				{
					"requirements": obj{"capabilities": mailbox},
					"id":           "taskpane_runtime",
					"type":         "general",
					"code":         obj{"page": m.Base() + "taskpane.html"},
					"lifetime":     "short",
					"actions":      []obj{{"id": "misendOpenPane", "type": "openPage", "displayName": "misendOpenPane"}},
				},
			},
			"ribbons": []obj{{
				"contexts": []string{"mailCompose"},
				"tabs": []obj{{
					"builtInTabId": "TabDefault",
					"groups": []obj{{
						"id":    "misendGroup",
						"label": en["group"],
						"icons": icons,
						"controls": []obj{{
							"id":       "misendOpenPane",
							"type":     "button",
							"label":    en["button"],
							"icons":    icons,
							"supertip": obj{"title": en["button"], "description": en["tooltip"]},
							"actionId": "misendOpenPane",
						}},
					}},
				}},
			}},
			"autoRunEvents": []obj{{
				"requirements": obj{"capabilities": mailbox, "scopes": []string{"mail"}},
				"events":       []obj{{"type": "messageSending", "actionId": "onMessageSendHandler", "options": obj{"sendMode": m.SendMode}}},
			}},
		}},
	}
	if m.AppID != "" {
		man["webApplicationInfo"] = obj{"id": m.AppID, "resource": m.Resource()}
	}
	return marshal(man)
}

// JSONJa is the unified manifest's Japanese localisation file (ja-jp.json).
func (m Manifest) JSONJa() ([]byte, error) {
	ja := manifestText["ja"]
	return marshal(obj{
		"$schema":           "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.Localization.schema.json",
		"name.short":        ja["name"],
		"name.full":         ja["full"],
		"description.short": ja["full"],
		"description.full":  ja["description"],
		"extensions[0].ribbons[0].tabs[0].groups[0].label":                            ja["group"],
		"extensions[0].ribbons[0].tabs[0].groups[0].controls[0].label":                ja["button"],
		"extensions[0].ribbons[0].tabs[0].groups[0].controls[0].supertip.title":       ja["button"],
		"extensions[0].ribbons[0].tabs[0].groups[0].controls[0].supertip.description": ja["tooltip"],
	})
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Package writes the unified manifest's app package (a zip of
// manifest.json, ja-jp.json and the two icons), for upload in the
// Microsoft 365 admin centre.
func (m Manifest) Package(w io.Writer) error {
	js, err := m.JSON()
	if err != nil {
		return err
	}
	ja, err := m.JSONJa()
	if err != nil {
		return err
	}
	z := zip.NewWriter(w)
	for _, f := range []struct {
		name string
		b    []byte
	}{{"manifest.json", js}, {"ja-jp.json", ja}, {"color.png", icon(192)}, {"outline.png", outlineIcon(32)}} {
		fw, err := z.Create(f.name)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.b); err != nil {
			return err
		}
	}
	return z.Close()
}
