package addin

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden manifests in testdata")

var testManifest = Manifest{PublicURL: "https://misend.corp.example/", ID: "5b0c3b1e-2f55-4c8e-9a43-0d1c7a6e2b10",
	AppID: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", SendMode: SoftBlock}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

// element is a parsed XML element, enough to look for what the manifest
// must contain.
type element struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []element  `xml:",any"`
}

func (e element) attr(local string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (e element) find(path ...string) []element {
	if len(path) == 0 {
		return []element{e}
	}
	var out []element
	for _, c := range e.Children {
		if c.XMLName.Local == path[0] {
			out = append(out, c.find(path[1:]...)...)
		}
	}
	return out
}

func TestXMLManifest(t *testing.T) {
	b, err := testManifest.XML()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "manifest.xml", b)
	var root element
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	if root.XMLName.Local != "OfficeApp" || root.XMLName.Space != "http://schemas.microsoft.com/office/appforoffice/1.1" || root.attr("type") != "MailApp" {
		t.Fatalf("root %v type %q", root.XMLName, root.attr("type"))
	}
	// The order of OfficeApp's children is fixed by its schema.
	var order []string
	for _, c := range root.Children {
		order = append(order, c.XMLName.Local)
	}
	want := "Id Version ProviderName DefaultLocale DisplayName Description IconUrl HighResolutionIconUrl SupportUrl AppDomains Hosts Requirements FormSettings Permissions Rule DisableEntityHighlighting VersionOverrides"
	if strings.Join(order, " ") != want {
		t.Fatalf("OfficeApp children:\n %s\nwant\n %s", strings.Join(order, " "), want)
	}
	if id := root.find("Id")[0].Text; id != testManifest.ID {
		t.Errorf("Id %q", id)
	}
	v11 := root.find("VersionOverrides", "VersionOverrides")
	if len(v11) != 1 || v11[0].attr("type") != "VersionOverridesV1_1" {
		t.Fatal("no VersionOverridesV1_1")
	}
	if s := v11[0].find("Requirements", "Sets"); len(s) != 1 || s[0].attr("DefaultMinVersion") != "1.12" {
		t.Error("Mailbox 1.12 is not required")
	}
	ev := v11[0].find("Hosts", "Host", "DesktopFormFactor", "ExtensionPoint", "LaunchEvents", "LaunchEvent")
	if len(ev) != 1 || ev[0].attr("Type") != "OnMessageSend" || ev[0].attr("FunctionName") != "onMessageSendHandler" || ev[0].attr("SendMode") != "SoftBlock" {
		t.Fatalf("launch event %+v", ev)
	}
	urls := map[string]string{}
	for _, u := range v11[0].find("Resources", "Urls", "Url") {
		urls[u.attr("id")] = u.attr("DefaultValue")
	}
	if urls["JSRuntime.Url"] != "https://misend.corp.example/addin/outlook/launchevent.js" || urls["WebViewRuntime.Url"] != "https://misend.corp.example/addin/outlook/commands.html" ||
		urls["Taskpane.Url"] != "https://misend.corp.example/addin/outlook/taskpane.html" {
		t.Fatalf("urls %v", urls)
	}
	// Every resid points at a resource.
	ids := map[string]bool{}
	var walk func(e element)
	walk = func(e element) {
		if e.XMLName.Local == "Image" || e.XMLName.Local == "Url" || e.XMLName.Local == "String" {
			ids[e.attr("id")] = true
		}
		for _, c := range e.Children {
			walk(c)
		}
	}
	walk(v11[0])
	walk = func(e element) {
		if r := e.attr("resid"); r != "" && !ids[r] {
			t.Errorf("resid %q has no resource", r)
		}
		for _, c := range e.Children {
			walk(c)
		}
	}
	walk(v11[0])
	ctl := v11[0].find("Hosts", "Host", "DesktopFormFactor", "ExtensionPoint", "OfficeTab", "Group", "Control")
	if len(ctl) != 1 || ctl[0].attr("id") != "misendOpenPane" {
		t.Error("the Smart Alerts command id misendOpenPane is not a control")
	}
	wa := v11[0].find("WebApplicationInfo")
	if len(wa) != 1 || wa[0].find("Id")[0].Text != testManifest.AppID || wa[0].find("Resource")[0].Text != "api://misend.corp.example/"+testManifest.AppID {
		t.Fatalf("WebApplicationInfo %+v", wa)
	}
}

func TestJSONManifest(t *testing.T) {
	b, err := testManifest.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "manifest.json", b)
	var m struct {
		ID         string `json:"id"`
		Extensions []struct {
			Runtimes []struct {
				ID      string            `json:"id"`
				Code    map[string]string `json:"code"`
				Actions []struct{ ID, Type string }
			}
			AutoRunEvents []struct {
				Events []struct {
					Type     string `json:"type"`
					ActionID string `json:"actionId"`
					Options  struct {
						SendMode string `json:"sendMode"`
					}
				}
			}
		}
		WebApplicationInfo struct{ ID, Resource string }
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != testManifest.ID || len(m.Extensions) != 1 || m.WebApplicationInfo.ID != testManifest.AppID {
		t.Fatalf("%+v", m)
	}
	ext := m.Extensions[0]
	actions := map[string]string{}
	for _, r := range ext.Runtimes {
		for _, a := range r.Actions {
			actions[a.ID] = a.Type
		}
	}
	ev := ext.AutoRunEvents[0].Events[0]
	if ev.Type != "messageSending" || ev.Options.SendMode != "softBlock" || actions[ev.ActionID] != "executeFunction" || actions["misendOpenPane"] != "openPage" {
		t.Fatalf("events %+v actions %v", ev, actions)
	}
	if ext.Runtimes[0].Code["script"] != "https://misend.corp.example/addin/outlook/launchevent.js" {
		t.Fatal(ext.Runtimes[0].Code)
	}
}

func TestPackage(t *testing.T) {
	var buf bytes.Buffer
	if err := testManifest.Package(&buf); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		if strings.HasSuffix(f.Name, ".json") && !json.Valid(b) {
			t.Errorf("%s is not JSON", f.Name)
		}
	}
	if strings.Join(names, " ") != "manifest.json ja-jp.json color.png outline.png" {
		t.Fatal(names)
	}
}

func TestManifestChecks(t *testing.T) {
	for _, m := range []Manifest{
		{PublicURL: "http://misend.corp.example"},
		{PublicURL: "https://misend.corp.example", SendMode: "Block"},
		{PublicURL: "https://misend.corp.example", ID: "not-a-guid"},
		{PublicURL: "https://misend.corp.example", AppID: "x"},
		{PublicURL: "https://misend.corp.example/?a=1"},
	} {
		if _, err := m.XML(); err == nil {
			t.Errorf("%+v accepted", m)
		}
	}
	a, _ := Manifest{PublicURL: "https://a.example"}.XML()
	b, _ := Manifest{PublicURL: "https://a.example/"}.XML()
	c, _ := Manifest{PublicURL: "https://b.example"}.XML()
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Error("the derived id must be stable per public URL and differ between them")
	}
	if x, _ := (Manifest{PublicURL: "https://a.example", SendMode: Block}).XML(); !bytes.Contains(x, []byte(`SendMode="Block"`)) || bytes.Contains(x, []byte("WebApplicationInfo")) {
		t.Error("block mode / no SSO without an app id")
	}
}
