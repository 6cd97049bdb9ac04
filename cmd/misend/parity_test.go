package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/misend/misend/internal/api"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
	"github.com/misend/misend/internal/terms"
)

// TestOneVerdictThreeWaysIn: POST /api/v1/check, `misend check` and the
// SMTP gateway, as `misend serve` and the command assemble them over one
// database, give the same verdict for the same message and envelope. Before
// they shared one decision path, the API and the command skipped the
// directory's aliases, the department rules and the fail-safe the gateway
// applied.
func TestOneVerdictThreeWaysIn(t *testing.T) {
	s, dbPath := startServedWithTerm(t)
	secret, err := stdout(t, func() error {
		return (&tokenCreateCmd{Name: "add-in", Expires: "1d", Address: "sato@corp.example"}).Run(&Globals{DB: dbPath})
	})
	if err != nil {
		t.Fatal(err)
	}
	secret = strings.TrimSpace(secret)

	tests := []struct {
		name string
		to   []string
		body string
		want policy.Verdict // "" when any verdict will do, as long as all three agree
	}{
		{"a colleague of the department", []string{"suzuki@corp.example"}, "ORION-7 の件、資料を共有します。", ""},
		{"department term to another department", []string{"kato@corp.example"}, "ORION-7 の件、資料を共有します。", policy.Hold},
		{"department term to a partner", []string{"tanaka@partner-a.example"}, "ORION-7 の見積もりです。", policy.Hold},
		{"a partner, nothing confidential", []string{"tanaka@partner-a.example"}, "来週の打ち合わせの件です。", ""},
		{"an internal and an outside recipient", []string{"suzuki@corp.example", "tanaka@partner-a.example"}, "ORION-7 です。", policy.Hold},
		{"a look-alike of the organisation's domain", []string{"kato@corp-example.example"}, "請求書です。", ""},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("parity-%d@corp.example", i)
			raw := "From: sato@corp.example\r\nTo: " + strings.Join(tt.to, ", ") + "\r\nSubject: test\r\n" +
				"Message-ID: <" + id + ">\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
				"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + tt.body + "\r\n"

			// The gateway, over SMTP.
			before := verdictCounts(t, s.Metrics.Verdicts)
			if err := sendPlain(s.SMTP.String(), "sato@corp.example", tt.to, raw); err != nil {
				// A reject is answered 550 and still counted.
				if se, ok := errors.AsType[*smtp.SMTPError](err); !ok || se.Code != 550 {
					t.Fatalf("gateway: %v", err)
				}
			}
			gateway := changedVerdict(t, before, verdictCounts(t, s.Metrics.Verdicts))

			// The command.
			file := filepath.Join(dir, fmt.Sprintf("%d.eml", i))
			if err := os.WriteFile(file, []byte(raw), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := runTermsCLI(t, "check", "--db", dbPath, "--org-domain", "corp.example", "--json", file)
			if err != nil {
				t.Fatal(err)
			}
			var cli decide.Outcome
			if err := json.Unmarshal([]byte(out), &cli); err != nil {
				t.Fatalf("%v: %q", err, out)
			}

			// The API.
			body, _ := json.Marshal(api.Draft{MessageID: id, To: tt.to, Subject: "test", Body: tt.body})
			req, _ := http.NewRequest("POST", "http://"+s.HTTP.String()+"/api/v1/check", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var viaAPI decide.Outcome
			err = json.NewDecoder(resp.Body).Decode(&viaAPI)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("api: %d %v", resp.StatusCode, err)
			}

			t.Logf("gateway %s, misend check %s, API %s", gateway, cli.Verdict, viaAPI.Verdict)
			if gateway != cli.Verdict || cli.Verdict != viaAPI.Verdict {
				t.Errorf("gateway %s, misend check %s (score %.2f), API %s (score %.2f)", gateway, cli.Verdict, cli.Score, viaAPI.Verdict, viaAPI.Score)
			}
			if tt.want != "" && cli.Verdict != tt.want {
				t.Errorf("verdict %s, want %s: %+v", cli.Verdict, tt.want, cli.Findings)
			}
			if cli.Sender != "sato@corp.example" || viaAPI.Sender != cli.Sender {
				t.Errorf("sender: misend check %q, API %q", cli.Sender, viaAPI.Sender)
			}
		})
	}
}

// verdictCounts reads misend_verdicts_total by verdict.
func verdictCounts(t *testing.T, c *prometheus.CounterVec) map[policy.Verdict]float64 {
	t.Helper()
	out := map[policy.Verdict]float64{}
	for _, v := range []policy.Verdict{policy.Pass, policy.Warn, policy.Confirm, policy.Delay, policy.Hold, policy.Reject} {
		var m dto.Metric
		if err := c.WithLabelValues(string(v)).Write(&m); err != nil {
			t.Fatal(err)
		}
		out[v] = m.GetCounter().GetValue()
	}
	return out
}

// changedVerdict is the one verdict whose count went up by one.
func changedVerdict(t *testing.T, before, after map[policy.Verdict]float64) policy.Verdict {
	t.Helper()
	var got []policy.Verdict
	for v, n := range after {
		if n != before[v] {
			got = append(got, v)
		}
	}
	if len(got) != 1 {
		t.Fatalf("the gateway decided %v times, want once", got)
	}
	return got[0]
}

// sendPlain sends one message over a plain SMTP session (no STARTTLS: the
// listener is on loopback).
func sendPlain(addr, from string, to []string, raw string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, strings.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

// startServedWithTerm starts misend as serve assembles it over a database
// with three people, sato and suzuki of 営業部 and kato of 経理部, and the
// term ORION-7 on 営業部's confidential list.
func startServedWithTerm(t *testing.T) (*served, string) {
	t.Helper()
	ctx := context.Background()
	dbPath := pgtest.Path(t, t.TempDir(), "m.db")
	people := []directory.Person{
		{Address: "sato@corp.example", Name: "佐藤", Department: "営業部", Roles: []directory.Role{directory.RoleSender},
			Aliases: []string{"s.sato@corp.example"}},
		{Address: "suzuki@corp.example", Name: "鈴木", Department: "営業部"},
		{Address: "kato@corp.example", Name: "加藤", Department: "経理部"},
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := directory.Import(ctx, db, people, []string{"corp.example"}); err != nil {
		t.Fatal(err)
	}
	addOrionTerm(t, ctx, db)
	return startServedOn(t, dbPath, people, "127.0.0.1:0"), dbPath
}

// addOrionTerm lists ORION-7 on 営業部's confidential terms in db.
func addOrionTerm(t *testing.T, ctx context.Context, db *store.DB) {
	t.Helper()
	ts, err := terms.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Add(ctx, terms.DepartmentScope("営業部"), "ORION-7", 0.9, "boss@corp.example"); err != nil {
		t.Fatal(err)
	}
}
