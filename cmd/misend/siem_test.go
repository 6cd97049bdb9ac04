package main

import (
	"context"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := siemExporter(ctx, db, tt.cfg)
			if (err != nil) != tt.wantErr || (x != nil) != tt.want {
				t.Errorf("exporter %v, err %v", x != nil, err)
			}
		})
	}
	if _, err := config.Parse([]byte("[siem]\nsyslog = \"siem.corp.example:514\"\n")); err == nil {
		t.Error("a syslog destination without a scheme was accepted")
	}
}
