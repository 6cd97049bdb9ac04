package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
