package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/stamp"
)

func TestOutlookManifestCommand(t *testing.T) {
	out := t.TempDir()
	c := &outlookManifestCmd{PublicURL: "https://misend.corp.example", SendMode: "block", Out: out}
	if err := c.Run(&Globals{}); err != nil {
		t.Fatal(err)
	}
	x, err := os.ReadFile(filepath.Join(out, "manifest.xml"))
	if err != nil || !strings.Contains(string(x), `SendMode="Block"`) || !strings.Contains(string(x), "https://misend.corp.example/addin/outlook/launchevent.js") {
		t.Fatalf("manifest.xml: %v\n%.300s", err, x)
	}
	if z, err := zip.OpenReader(filepath.Join(out, "misend-outlook.zip")); err != nil || len(z.File) != 4 {
		t.Fatalf("package: %v", err)
	}
	if err := (&outlookManifestCmd{SendMode: "softBlock"}).Run(&Globals{}); err == nil {
		t.Fatal("no public URL accepted")
	}
}

// The origins allowed to call the API across origins: the public URL's,
// and those given, each as an origin; a mistyped one stops serve.
func TestAddinOrigins(t *testing.T) {
	tests := []struct {
		public string
		extra  []string
		want   string
		err    bool
	}{
		{"https://misend.corp.example/", nil, "https://misend.corp.example", false},
		{"https://Misend.Corp.example:8443/misend/", nil, "https://misend.corp.example:8443", false},
		{"", []string{"https://outlook.office.com"}, "https://outlook.office.com", false},
		{"https://misend.corp.example", []string{"https://outlook.office.com/"}, "https://misend.corp.example https://outlook.office.com", false},
		{"https://misend.corp.example", []string{"*"}, "", true},
		{"https://misend.corp.example", []string{"null"}, "", true},
		{"https://misend.corp.example", []string{"https://outlook.office.com/owa"}, "", true},
	}
	for _, tt := range tests {
		got, err := addinFlags{Origins: tt.extra}.origins(tt.public)
		if (err != nil) != tt.err || strings.Join(got, " ") != tt.want {
			t.Errorf("%q %q: %v, %v; want %q", tt.public, tt.extra, got, err, tt.want)
		}
	}
}

// The stamp key is made once, kept from others, and the same on the next
// start; a key others can read is refused.
func TestStampKeyFile(t *testing.T) {
	spool := filepath.Join(t.TempDir(), "spool")
	k1, err := addinFlags{}.stampKeys(spool)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(spool, "confirm.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	k2, err := addinFlags{}.stampKeys(spool)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := stamp.Claim{Sender: "a@corp.example", DraftID: "d", Issued: now, Expires: now.Add(time.Hour), Recipients: []string{"b@x.example"}}
	v, _ := k1.Sign(c)
	if _, err := k2.Verify(v, stamp.Facts{Sender: "a@corp.example", Date: now, Recipients: []string{"b@x.example"}}, now); err != nil {
		t.Errorf("a stamp from before the restart: %v", err)
	}
	os.Chmod(filepath.Join(spool, "confirm.key"), 0o644)
	if _, err := (addinFlags{}).stampKeys(spool); err == nil {
		t.Error("a key others can read was used")
	}
}
