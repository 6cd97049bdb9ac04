package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/server"
	"github.com/misend/misend/internal/store/pgtest"
)

// The confidential-term lists follow who sent the message (SASL login,
// else envelope sender), not the From: line. Through an SMTP session with
// the same envelope sender, a From: naming an outsider, an address the
// directory does not know or a colleague of another department does not
// let 営業部's term leave: every such message is held. Before, the From:
// picked the lists and these messages were delivered.
func TestForgedFromKeepsTheSendersTermLists(t *testing.T) {
	s, _ := startServedWithTerm(t)
	for i, from := range []string{
		"sato@corp.example",   // their own, for comparison
		"ceo@evil.example",    // outside
		"nobody@corp.example", // not in the directory
		"kato@corp.example",   // a colleague of 経理部
	} {
		t.Run(from, func(t *testing.T) {
			id := "forged-" + string(rune('a'+i)) + "@corp.example"
			raw := "From: " + from + "\r\nTo: tanaka@partner-a.example\r\nSubject: plan\r\nMessage-ID: <" + id + ">\r\n" +
				"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nORION-7 の資料です。\r\n"
			if err := sendPlain(s.SMTP.String(), "sato@corp.example", []string{"tanaka@partner-a.example"}, raw); err != nil {
				t.Fatal(err)
			}
			var held *queue.Item
			for _, it := range s.Queue.List(queue.Held) {
				if it.Outcome.MessageID == id {
					held = &it
				}
			}
			if held == nil {
				t.Fatalf("not held; spool %v, upstream got %d messages", s.Queue.Depth(), len(s.up.Messages()))
			}
			if held.Outcome.Sender != "sato@corp.example" || held.Department != "営業部" {
				t.Errorf("held for %s of %q, want sato of 営業部", held.Outcome.Sender, held.Department)
			}
			for _, m := range s.up.Messages() {
				if strings.Contains(string(m.Data), id) {
					t.Errorf("delivered upstream")
				}
			}
		})
	}
}

// misend serve refuses to start an SMTP listener other hosts can reach
// with neither --network nor --auth-file, saying what to set; before, it
// relayed for anyone. With a network list or an AUTH file it starts.
func TestServeRefusesOpenRelay(t *testing.T) {
	ctx := context.Background()
	dbPath := pgtest.Path(t, t.TempDir(), "m.db")
	authFile := filepath.Join(t.TempDir(), "smtp-users")
	if err := os.WriteFile(authFile, []byte("mta:"+auth.HashPassword("correct horse battery")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		network  []string
		authFile string
		open     bool
	}{
		{"nobody named", nil, "", true},
		{"--network", []string{"10.0.0.0/8"}, "", false},
		{"--auth-file", nil, authFile, false},
	} {
		cfg := &config.Config{}
		cfg.SMTP.Listen = "0.0.0.0:0"
		cfg.Upstream.Addr, cfg.Upstream.TLS = "127.0.0.1:1", "none"
		cfg.Queue.Dir = filepath.Join(t.TempDir(), "spool")
		none := ""
		sc := serveCmd{HTTP: &none, Network: tt.network}
		if tt.authFile != "" {
			sc.AuthFile = &tt.authFile
		}
		sc.merge(cfg)
		o, closeAll, err := sc.options(ctx, &Globals{DB: dbPath, OrgDomain: []string{"corp.example"}}, cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		s, err := server.Start(o)
		if tt.open {
			if err == nil || !strings.Contains(err.Error(), "--network") || !strings.Contains(err.Error(), "--auth-file") {
				t.Errorf("%s: open listener: %v, want a refusal naming --network and --auth-file", tt.name, err)
			}
		} else if err != nil {
			t.Errorf("%s: %v", tt.name, err)
		} else {
			s.Shutdown(ctx)
		}
		closeAll()
	}
}
