package addin

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/misend/misend/internal/testneeds"
)

// schemaTools returns node and xmllint, or ends the test when the
// schema check cannot run here (schemacheck/install.sh installs it; test.sh
// runs that and requires it).
func schemaTools(t *testing.T) (node, xmllint string) {
	t.Helper()
	var err error
	if node, err = exec.LookPath("node"); err != nil {
		testneeds.Missing(t, "node", "not installed")
	}
	if xmllint, err = exec.LookPath("xmllint"); err != nil {
		testneeds.Missing(t, "xmllint", "not installed (schemacheck/install.sh installs libxml2-utils)")
	}
	if _, err := os.Stat("schemacheck/node_modules/@microsoft/app-manifest/package.json"); err != nil {
		testneeds.Missing(t, "manifest schemas", "not installed: run internal/addin/schemacheck/install.sh")
	}
	return node, xmllint
}

// validate runs the offline schema check on files; it returns its
// verdict per file ("ok" or the reason) and whether xmllint found the XML
// files well-formed.
func validate(t *testing.T, node, xmllint string, files ...string) map[string]string {
	t.Helper()
	out, _ := exec.Command(node, append([]string{"schemacheck/validate.cjs"}, files...)...).CombinedOutput()
	got := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		switch {
		case strings.HasPrefix(line, "ok "):
			got[strings.TrimPrefix(line, "ok ")] = "ok"
		case strings.HasPrefix(line, "invalid "):
			f, why, _ := strings.Cut(strings.TrimPrefix(line, "invalid "), ": ")
			got[f] = why
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".xml") {
			if out, err := exec.Command(xmllint, "--noout", f).CombinedOutput(); err != nil {
				got[f] = "xmllint: " + strings.TrimSpace(string(out))
			}
		}
		if _, ok := got[f]; !ok {
			t.Fatalf("no verdict on %s:\n%s", f, out)
		}
	}
	return got
}

// The manifests misend writes validate against Microsoft's published
// schemas, offline: the unified manifest and its Japanese strings against
// the JSON schema they name, the XML manifest as Microsoft's converter
// reads it (no package ships the XSD), and the converter reads in the XML
// the same add-in the unified manifest describes.
func TestManifestsValidateAgainstPublishedSchemas(t *testing.T) {
	node, xmllint := schemaTools(t)
	manifests := []Manifest{
		{PublicURL: "https://misend.corp.example", SendMode: SoftBlock},
		{PublicURL: "https://misend.corp.example:8443", SendMode: Block, AppID: "11111111-2222-3333-4444-555555555555"},
		{PublicURL: "https://メール.example.jp", SendMode: PromptUser, ID: "0f0e0d0c-0b0a-4908-8706-050403020100"},
	}
	// One run of the check for all: Node and the converter take seconds
	// to start.
	var paths, dirs []string
	for i, m := range manifests {
		dir := filepath.Join(t.TempDir(), strconv.Itoa(i))
		os.Mkdir(dir, 0o700)
		dirs = append(dirs, dir)
		x, err := m.XML()
		if err != nil {
			t.Fatal(err)
		}
		js, err := m.JSON()
		if err != nil {
			t.Fatal(err)
		}
		ja, err := m.JSONJa()
		if err != nil {
			t.Fatal(err)
		}
		for name, b := range map[string][]byte{"manifest.xml": x, "manifest.json": js, "ja-jp.json": ja} {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
	}
	for f, v := range validate(t, node, xmllint, paths...) {
		if v != "ok" {
			t.Errorf("%s: %s", f, v)
		}
	}
	for i, m := range manifests {
		// What Microsoft's converter read in the XML is the add-in the
		// unified manifest describes.
		var ours, conv unified
		js, _ := m.JSON()
		json.Unmarshal(js, &ours)
		b, err := os.ReadFile(filepath.Join(dirs[i], "manifest.xml.converted", "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &conv); err != nil {
			t.Fatal(err)
		}
		if conv.summary() != ours.summary() {
			t.Errorf("%s: the XML manifest reads as\n%s\nthe unified one says\n%s", m.SendMode, conv.summary(), ours.summary())
		}
	}
}

// unified is what the comparison reads of a unified manifest.
type unified struct {
	ID         string `json:"id"`
	Extensions []struct {
		Runtimes []struct {
			Code struct {
				Page   string `json:"page"`
				Script string `json:"script"`
			} `json:"code"`
			Actions []struct {
				ID string `json:"id"`
			} `json:"actions"`
		} `json:"runtimes"`
		AutoRunEvents []struct {
			Events []struct {
				Type     string `json:"type"`
				ActionID string `json:"actionId"`
				Options  struct {
					SendMode string `json:"sendMode"`
				} `json:"options"`
			} `json:"events"`
		} `json:"autoRunEvents"`
	} `json:"extensions"`
}

func (u unified) summary() string {
	var b strings.Builder
	b.WriteString("id " + strings.ToLower(u.ID) + "\n")
	for _, e := range u.Extensions {
		for _, r := range e.Runtimes {
			b.WriteString("runtime page " + r.Code.Page + " script " + r.Code.Script + "\n")
			if r.Code.Script == "" {
				// A pane's action has no id in the XML manifest; the
				// converter makes one up.
				continue
			}
			for _, a := range r.Actions {
				b.WriteString("function " + a.ID + "\n")
			}
		}
		for _, a := range e.AutoRunEvents {
			for _, ev := range a.Events {
				b.WriteString("event " + ev.Type + " → " + ev.ActionID + " " + ev.Options.SendMode + "\n")
			}
		}
	}
	return b.String()
}

// The check can fail: manifests broken the ways a hand edit or a bug
// would break them are refused.
func TestSchemaCheckRefusesBrokenManifests(t *testing.T) {
	node, xmllint := schemaTools(t)
	m := Manifest{PublicURL: "https://misend.corp.example", SendMode: SoftBlock}
	x, _ := m.XML()
	js, _ := m.JSON()
	tests := []struct {
		name, file string
		edit       func(string) string
	}{
		{"unified: an id that is no GUID", "manifest.json", func(s string) string {
			return strings.Replace(s, derivedID(m.PublicURL), "not-a-guid", 1)
		}},
		{"unified: an unknown property", "manifest.json", func(s string) string {
			return strings.Replace(s, `{`, `{"sendAlways": true,`, 1)
		}},
		{"unified: a send mode Outlook does not know", "manifest.json", func(s string) string {
			return strings.Replace(s, `"sendMode": "softBlock"`, `"sendMode": "sometimes"`, 1)
		}},
		{"XML: a send mode Outlook does not know", "manifest.xml", func(s string) string {
			return strings.Replace(s, `SendMode="SoftBlock"`, `SendMode="Sometimes"`, 1)
		}},
		{"XML: not well-formed", "manifest.xml", func(s string) string {
			return strings.Replace(s, "</VersionOverrides>", "", 1)
		}},
		{"XML: no add-in id", "manifest.xml", func(s string) string {
			return strings.NewReplacer("<Id>", "<Ident>", "</Id>", "</Ident>").Replace(s)
		}},
	}
	// One run of the check for all: Node and the converter take seconds
	// to start.
	var paths []string
	for i, tt := range tests {
		src := string(js)
		if strings.HasSuffix(tt.file, ".xml") {
			src = string(x)
		}
		broken := tt.edit(src)
		if broken == src {
			t.Fatalf("%s: the edit changed nothing", tt.name)
		}
		dir := filepath.Join(t.TempDir(), strconv.Itoa(i))
		os.Mkdir(dir, 0o700)
		p := filepath.Join(dir, tt.file)
		if err := os.WriteFile(p, []byte(broken), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	got := validate(t, node, xmllint, paths...)
	for i, tt := range tests {
		if v := got[paths[i]]; v == "ok" {
			t.Errorf("%s: accepted", tt.name)
		} else {
			t.Logf("%s: %s", tt.name, v)
		}
	}
}
