package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

func TestSIEMExporterFromConfig(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, pgtest.Path(t, dir, "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	token := filepath.Join(dir, "hec.token")
	os.WriteFile(token, []byte("11111111-2222-3333-4444-555555555555\n"), 0o600)
	open := filepath.Join(dir, "open.token")
	os.WriteFile(open, []byte("11111111-2222-3333-4444-555555555555\n"), 0o644)
	tests := []struct {
		name    string
		cfg     config.SIEM
		want    bool
		wantErr bool
	}{
		{"none", config.SIEM{}, false, false},
		{"file", config.SIEM{JSONFile: filepath.Join(dir, "events.jsonl")}, true, false},
		{"file and syslog", config.SIEM{JSONFile: filepath.Join(dir, "events.jsonl"), Syslog: "udp://127.0.0.1:514"}, true, false},
		{"bad syslog", config.SIEM{Syslog: "tcp://nohostport"}, false, true},
		{"hec", config.SIEM{HECURL: "https://splunk.corp.example:8088", HECTokenFile: token}, true, false},
		{"hec token others can read", config.SIEM{HECURL: "https://splunk.corp.example:8088", HECTokenFile: open}, false, true},
		{"hec without its token", config.SIEM{HECURL: "https://splunk.corp.example:8088", HECTokenFile: filepath.Join(dir, "none")}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := siemExporter(ctx, db, tt.cfg)
			if (err != nil) != tt.wantErr || (x != nil) != tt.want {
				t.Errorf("exporter %v, err %v", x != nil, err)
			}
		})
	}
	for _, doc := range []string{
		"[siem]\nsyslog = \"siem.corp.example:514\"\n",
		"[siem]\nhec_url = \"http://splunk.corp.example:8088\"\nhec_token_file = \"/etc/misend/hec.token\"\n",
		"[siem]\nhec_url = \"https://splunk.corp.example:8088\"\n",
	} {
		if _, err := config.Parse([]byte(doc)); err == nil {
			t.Errorf("accepted:\n%s", doc)
		}
	}
}
