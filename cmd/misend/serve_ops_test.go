package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/siem"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

// misend serve as it runs, with a [siem] table naming a Splunk HTTP Event
// Collector and a [retention] table: mail sent over SMTP is decided and
// every decision and audit entry reaches the collector over HTTPS with
// the token; held mail nobody answered within held_days is ended by the
// sweep unsent (its body gone, the sweep audited, its sender told), and
// the collector gets those audit entries too; /metrics counts both.
func TestServeExportsToHECAndSweepsHeldMail(t *testing.T) {
	const token = "0a1b2c3d-misend-test-token"
	var mu sync.Mutex
	got := map[string]siem.Event{}
	var bad []string
	hec := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path != "/services/collector/event" || r.Header.Get("Authorization") != "Splunk "+token {
			bad = append(bad, r.URL.Path+" "+r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"text":"Invalid token","code":4}`)
			return
		}
		dec := json.NewDecoder(r.Body)
		for dec.More() {
			var e struct {
				Sourcetype string     `json:"sourcetype"`
				Event      siem.Event `json:"event"`
			}
			if err := dec.Decode(&e); err != nil || e.Sourcetype != "misend:event" {
				bad = append(bad, fmt.Sprintf("event %+v: %v", e, err))
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			k := fmt.Sprintf("%s/%d", e.Event.Type, e.Event.ID)
			if _, dup := got[k]; dup {
				bad = append(bad, "twice: "+k)
			}
			got[k] = e.Event
		}
		io.WriteString(w, `{"text":"Success","code":0}`)
	}))
	defer hec.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "splunk-ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hec.Certificate().Raw}), 0o644)
	tokenFile := filepath.Join(dir, "hec.token")
	os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)

	// A department term, so that mail naming it to an outsider is held.
	ctx := context.Background()
	dbPath := pgtest.Path(t, dir, "m.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	addOrionTerm(t, ctx, db)
	db.Close()

	s := startServedWith(t, dbPath, []directory.Person{
		{Address: "sato@corp.example", Name: "佐藤", Department: "営業部", Roles: []directory.Role{directory.RoleSender}, Lang: "ja"},
		{Address: "boss@corp.example", Name: "Boss", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}},
	}, "127.0.0.1:0", &config.Config{
		SIEM:      config.SIEM{HECURL: hec.URL, HECTokenFile: tokenFile, HECCAFile: ca, Every: config.Duration(50 * time.Millisecond)},
		Retention: &config.Retention{HeldDays: 14, AuditDays: 1095},
		Notify:    config.Notify{BaseURL: "https://misend.corp.example"},
	})
	for i, body := range []string{"The ORION-7 plan is attached.", "Thank you for your time today."} {
		msg := fmt.Sprintf("From: sato@corp.example\r\nTo: tanaka@partner.example\r\nSubject: plan %d\r\nMessage-ID: <m%d@corp.example>\r\n\r\n%s\r\n", i, i, body)
		if err := smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", []string{"tanaka@partner.example"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	waiting := s.Queue.List(queue.Held)
	if len(waiting) != 1 || waiting[0].Subject != "plan 0" {
		t.Fatalf("held: %+v", waiting)
	}
	id := waiting[0].ID

	// Fifteen days on, for the sweep: the held message is older than
	// held_days.
	s.cmd.sweep.Now = func() time.Time { return time.Now().AddDate(0, 0, 15) }
	s.cmd.sweep.FirstAfter = 10 * time.Millisecond
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.cmd.background(bctx, s.Server, slog.New(slog.NewTextHandler(io.Discard, nil)))

	wait(t, "the held message ended", func() bool {
		it, err := s.Queue.Get(id)
		return err == nil && it.State == queue.Cancelled
	})
	if _, err := s.Queue.Body(id); err == nil {
		t.Error("the ended message's body is still readable")
	}
	// Its sender is told, in Japanese, that it was deleted unsent.
	wait(t, "the sender's notice", func() bool {
		for _, m := range s.up.Messages() {
			if len(m.To) == 1 && m.To[0] == "sato@corp.example" {
				r, err := mail.CreateReader(bytes.NewReader(m.Data))
				if err != nil {
					continue
				}
				subj, _ := r.Header.Subject()
				p, err := r.NextPart()
				if err != nil {
					continue
				}
				b, _ := io.ReadAll(p.Body)
				if strings.Contains(subj, "送信されずに削除されました") && strings.Contains(string(b), "送信されていません") {
					return true
				}
			}
		}
		return false
	})

	// Everything in the database reaches the collector once: both
	// decisions, the expiry and, last, the sweep.
	wait(t, "the sweep's audit entry at the collector", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range got {
			if e.Type == "audit" && e.Action == audit.Prune {
				return true
			}
		}
		return false
	})
	// Decision records are written in batches, a moment after the mail.
	var want []string
	wait(t, "both decisions and two audit entries in the database", func() bool {
		want = want[:0]
		for _, table := range []struct{ typ, name string }{{"decision", "decisions"}, {"audit", "audit_log"}} {
			rows, err := s.db.QueryContext(ctx, `SELECT id FROM `+table.name)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var n int64
				rows.Scan(&n)
				want = append(want, fmt.Sprintf("%s/%d", table.typ, n))
			}
			rows.Close()
		}
		return len(want) >= 4
	})
	wait(t, "every event at the collector", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range want {
			if _, ok := got[k]; !ok {
				return false
			}
		}
		return true
	})
	mu.Lock()
	var actions []string
	verdicts := map[string]int{}
	for _, e := range got {
		switch e.Type {
		case "audit":
			actions = append(actions, e.Action)
		case "decision":
			verdicts[e.Verdict]++
			for _, f := range e.Findings {
				if len(f.Terms) > 0 {
					t.Errorf("a matched term left for the SIEM: %+v", f)
				}
			}
		}
	}
	for _, b := range bad {
		t.Error(b)
	}
	if len(got) != len(want) {
		t.Errorf("collector got %d events, the database holds %d", len(got), len(want))
	}
	mu.Unlock()
	if verdicts["hold"] != 1 || verdicts["pass"]+verdicts["warn"] != 1 || !contains(actions, audit.Purge) || !contains(actions, audit.Prune) {
		t.Errorf("collector got verdicts %v and audit actions %v", verdicts, actions)
	}

	res, err := http.Get("http://" + s.HTTP.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, m := range []string{`misend_retention_deleted_total{kind="held"} 1`, `misend_retention_sweeps_total{outcome="ok"} 1`,
		`misend_siem_failing{sink="hec:` + hec.URL + `/services/collector/event"} 0`, `misend_held_actions_total{action="purge"} 1`} {
		if !strings.Contains(string(metrics), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
}

func wait(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
