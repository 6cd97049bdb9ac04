package browser

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/addin"
	"github.com/misend/misend/internal/api"
	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/feedback"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/policystore"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/reports"
	"github.com/misend/misend/internal/server"
	"github.com/misend/misend/internal/sink"
	"github.com/misend/misend/internal/stamp"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
	"github.com/misend/misend/internal/testneeds"
	"github.com/misend/misend/internal/web"
)

const (
	sato      = "sato@corp.example"  // sender, 営業部
	boss      = "boss@corp.example"  // approver of 営業部 (held mail and its term list)
	ope       = "ope@corp.example"   // operator
	adm       = "adm@corp.example"   // admin and auditor
	auditor   = "kansa@corp.example" // auditor only
	password  = "correct horse battery"
	salesList = terms.Scope("department:営業部")
)

// needBrowser ends the test unless Chromium and playwright-core are
// installed (integration/install-servers.sh) and the run is not -short: a
// failure where servers are required, a skip elsewhere.
func needBrowser(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are slow; skipped with -short")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		testneeds.Missing(t, "Chromium", "no /usr/bin/chromium (integration/install-servers.sh installs it)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		testneeds.Missing(t, "Chromium", "no node to drive it")
	}
	if _, err := os.Stat("node_modules/playwright-core/package.json"); err != nil {
		testneeds.Missing(t, "Chromium", "no playwright-core to drive it (integration/browser/install.sh)")
	}
}

// rig is misend running on loopback the way `misend serve` runs it.
type rig struct {
	t        *testing.T
	srv      *server.Server
	sink     *sink.Sink
	db       *store.DB
	terms    *terms.Store
	live     *terms.Live
	audit    *audit.Log
	model    *model.Model
	auth     *auth.Service
	feedback *feedback.Log
	decided  *decisions.Log
	policy   *policy.Policy
	base     string
	shots    string
	// officejs, when set, is the file the browser gets for Microsoft's
	// Office.js (see drive.mjs).
	officejs string
}

// followLists waits until the server's term lists include the changes
// approved so far: the first message checked after the interval starts a
// look in the background and is itself checked against the lists in force.
func (r *rig) followLists() {
	time.Sleep(100 * time.Millisecond) // the live lists look for changes every 50 ms
	r.live.CheckContent(&mail.Message{})
	r.live.Settle()
}

var people = []directory.Person{
	{Address: sato, Name: "佐藤 一郎", Department: "営業部", Roles: []directory.Role{directory.RoleSender}, Lang: "ja"},
	{Address: "ueda@corp.example", Name: "上田 花子", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
	{Address: boss, Name: "部長 太郎", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}, Lang: "ja"},
	{Address: ope, Name: "運用 次郎", Department: "情報システム部", Roles: []directory.Role{directory.RoleOperator}},
	{Address: adm, Name: "管理 三郎", Department: "情報システム部", Roles: []directory.Role{directory.RoleAdmin, directory.RoleAuditor}},
	{Address: auditor, Name: "監査 四郎", Department: "内部監査室", Roles: []directory.Role{directory.RoleAuditor}},
}

// history is a synthetic year of 営業部's mail: 佐藤 mails 田中 and 鈴木 at
// partner A; 営業部 discusses a confidential project (厳秘, always with
// リスク分析) among themselves, and writes ordinary mail besides.
func history(now time.Time) []*mail.Message {
	var out []*mail.Message
	start := now.AddDate(-1, 0, 0)
	for i := range 150 {
		to := []mail.Address{{Name: "田中", Addr: "tanaka@partner-a.example"}}
		if i%3 == 0 {
			to = append(to, mail.Address{Name: "鈴木", Addr: "suzuki@partner-a.example"})
		}
		out = append(out, &mail.Message{MessageID: fmt.Sprintf("p%d@corp.example", i), Date: start.Add(time.Duration(i) * 55 * time.Hour),
			From: mail.Address{Name: "佐藤 一郎", Addr: sato}, To: to, Subject: "お見積もりの件",
			Text: "いつもお世話になっております。会議の資料を送ります。ご確認ください。"})
	}
	topics := []string{"新製品", "価格改定", "販売計画", "提携交渉"}
	for i := range 30 {
		out = append(out, &mail.Message{MessageID: fmt.Sprintf("c%d@corp.example", i), Date: start.Add(time.Duration(i) * 200 * time.Hour),
			From: mail.Address{Addr: sato}, To: []mail.Address{{Addr: "ueda@corp.example"}, {Addr: boss}},
			Subject: "【厳秘】" + topics[i%4],
			Text:    "厳秘。" + topics[i%4] + "のリスク分析を添付します。リスク分析の結果は部内限りです。"})
	}
	for i := range 60 {
		out = append(out, &mail.Message{MessageID: fmt.Sprintf("o%d@corp.example", i), Date: start.Add(time.Duration(i) * 130 * time.Hour),
			From: mail.Address{Addr: "ueda@corp.example"}, To: []mail.Address{{Addr: sato}},
			Subject: "会議", Text: "明日の会議の資料です。" + topics[i%4] + "について確認をお願いします。"})
	}
	return out
}

func start(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "misend.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := directory.Import(ctx, db, people, []string{"corp.example"}); err != nil {
		t.Fatal(err)
	}
	dir, err := directory.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// Learn the history as misend import does: the model, and the term
	// index recommendations are mined from.
	if err := model.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	m := model.New(model.Config{OrgDomains: []string{"corp.example"}, Department: dir.DepartmentOf})
	ts, err := terms.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := ts.IndexWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range history(now) {
		m.Learn(msg)
		ix.Add(msg)
	}
	if _, err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := ts.Add(ctx, salesList, "厳秘", 0.9, ope); err != nil {
		t.Fatal(err)
	}
	if err := ts.SetRule(ctx, terms.Rule{Scope: salesList, Any: true}); err != nil {
		t.Fatal(err)
	}
	polCfg := policy.Config{Default: policy.Rules{
		Bands: map[policy.Verdict]float64{policy.Hold: 0.999},
		Codes: map[finding.Code]policy.Verdict{finding.NewRecipient: policy.Confirm, finding.ConfidentialTerms: policy.Hold},
	}}
	pol, err := policy.New(polCfg)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := check.Load(ctx, db, check.LoadOptions{OrgDomains: []string{"corp.example"}, Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	// A running server follows list changes (an approved term applies to
	// the next message), as serve must.
	live, err := terms.NewLive(ctx, ts, dir, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	loaded.Detector.Content = []detect.ContentChecker{live}

	al, err := audit.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// The policy as serve keeps it: edited on the page, in force for the
	// next message.
	ps, err := policystore.Open(ctx, db, policystore.Options{Policy: pol, File: polCfg, Audit: al})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := decisions.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dl.Close() })
	fl, err := feedback.Open(ctx, db, loaded.Model)
	if err != nil {
		t.Fatal(err)
	}
	// Stamps as serve signs them, so the Outlook add-in's Send handler
	// gets one for the recipients the sender confirmed in its pane.
	keys, err := stamp.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	as, err := auth.Open(ctx, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if err := as.AddAccount(ctx, p.Address, password, nil); err != nil {
			t.Fatal(err)
		}
	}

	sk := sink.New()
	sl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go sk.Serve(sl)
	t.Cleanup(func() { sk.Close() })

	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		tokyo = time.FixedZone("JST", 9*3600)
	}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	r := &rig{t: t, sink: sk, db: db, terms: ts, live: live, audit: al, model: loaded.Model, auth: as, feedback: fl, decided: dl, policy: pol}
	r.srv, err = server.Start(server.Options{
		SMTPAddr:    "127.0.0.1:0",
		HTTPAddr:    "127.0.0.1:0",
		SpoolDir:    t.TempDir(),
		Upstream:    relay.Client{Addr: sl.Addr().String(), TLS: relay.TLSNone},
		Retry:       queue.Retry{First: 50 * time.Millisecond, Max: 200 * time.Millisecond, MaxAge: time.Hour},
		Decide:      loaded.Path,
		Decisions:   dl,
		Model:       loaded.Model,
		AuditBody:   al.BodyReads(),
		AuditAction: al.HeldActions(),
		People:      as,
		HeldChanged: fl.HeldChanged,
		Log:         logger,
		Web: func(s *server.Server) http.Handler {
			ui, err := web.New(web.Options{Auth: as, Audit: al, Held: s.Held, Directory: dir, DB: db, Terms: ts,
				Policy: &polCfg, Policies: ps, Decisions: reports.DecisionsTable{DB: db}, Feedback: fl, Location: tokyo, Log: logger})
			if err != nil {
				t.Errorf("web: %v", err)
				return nil
			}
			mux := http.NewServeMux()
			mux.Handle(api.Prefix, api.New(api.Options{Tokens: as, Check: loaded.Path, Held: s.Held, Decisions: dl,
				Reports: reports.DecisionsTable{DB: db}, Feedback: fl, Audit: al, Location: tokyo, Log: logger,
				Stamps: keys}))
			outlook, err := addin.New(addin.Options{})
			if err != nil {
				t.Errorf("outlook add-in: %v", err)
				return nil
			}
			mux.Handle(addin.OutlookPrefix, outlook)
			tb, err := addin.NewThunderbird(addin.Thunderbird{})
			if err != nil {
				t.Errorf("thunderbird add-in: %v", err)
				return nil
			}
			mux.Handle(addin.ThunderbirdPrefix, tb)
			mux.Handle("/", ui)
			return mux
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.srv.Shutdown(context.Background()) })
	r.base = "http://" + r.srv.HTTP.String()
	return r
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func artifacts(t *testing.T) string {
	dir := os.Getenv("MISEND_BROWSER_ARTIFACTS")
	if dir == "" {
		abs, err := filepath.Abs("artifacts")
		if err != nil {
			t.Fatal(err)
		}
		dir = abs
	}
	dir = filepath.Join(dir, t.Name())
	// A fresh directory per run: no screenshot left from an earlier one.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// send submits a message to misend's gateway over SMTP, as a mail client
// or MTA would, and returns its Message-ID.
func (r *rig) send(from string, to []string, subject, body string) string {
	r.t.Helper()
	return r.sendID(fmt.Sprintf("%d.%s", time.Now().UnixNano(), from), from, to, subject, body)
}

func (r *rig) sendID(id, from string, to []string, subject, body string) string {
	r.t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
		from, strings.Join(to, ", "), mimeWord(subject), id, time.Now().Format(time.RFC1123Z), body)
	if err := submit(r.srv.SMTP.String(), from, to, b.Bytes()); err != nil {
		r.t.Fatalf("send %q: %v", subject, err)
	}
	return id
}

// submit speaks plain SMTP on loopback (the gateway offers STARTTLS only
// when configured with a certificate).
func submit(addr, from string, to []string, data []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.corp.example"); err != nil {
		return err
	}
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, rc := range to {
		if err := c.Rcpt(rc, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func mimeWord(s string) string { return "=?utf-8?b?" + b64(s) + "?=" }

// waiting returns the spooled message with this Message-ID once it waits in
// state.
func (r *rig) waiting(msgID string, state queue.State) queue.Item {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, it := range r.srv.Queue.List(state) {
			if it.Outcome.MessageID == msgID {
				return it
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	var states []string
	for st, n := range r.srv.Queue.Depth() {
		states = append(states, fmt.Sprintf("%s=%d", st, n))
	}
	r.t.Fatalf("message %s never waited as %s (spool: %s)", msgID, state, strings.Join(states, " "))
	return queue.Item{}
}

// delivered waits until the sink has a message with this Message-ID.
func (r *rig) delivered(msgID string) sink.Message {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range r.sink.Messages() {
			if bytes.Contains(m.Data, []byte("<"+msgID+">")) {
				return m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("message %s never reached the upstream", msgID)
	return sink.Message{}
}

func (r *rig) notDelivered(msgID string) {
	r.t.Helper()
	for _, m := range r.sink.Messages() {
		if bytes.Contains(m.Data, []byte("<"+msgID+">")) {
			r.t.Fatalf("message %s reached the upstream", msgID)
		}
	}
}

// step is one browser action (see drive.mjs).
type step map[string]any

func goTo(url string) step    { return step{"op": "goto", "url": url} }
func fill(sel, v string) step { return step{"op": "fill", "selector": sel, "value": v} }
func tick(sel string) step    { return step{"op": "check", "selector": sel} }
func click(sel string) step   { return step{"op": "click", "selector": sel} }
func press(sel string) step   { return step{"op": "press", "selector": sel} }
func text(s string) step      { return step{"op": "text", "contains": s} }
func see(s string) step       { return step{"op": "see", "contains": s} }
func absent(s string) step    { return step{"op": "absent", "contains": s} }
func at(s string) step        { return step{"op": "url", "contains": s} }
func status(code int) step    { return step{"op": "status", "want": code} }
func shot(name string) step   { return step{"op": "shot", "name": name} }
func viewport(w, h int) step  { return step{"op": "viewport", "width": w, "height": h} }
func keys(k ...string) step   { return step{"op": "keyboard", "keys": k} }
func upload(sel, path string) step {
	return step{"op": "upload", "selector": sel, "path": path}
}
func login(who string) []step {
	return []step{goTo("/login"), shot("login"), fill("#address", who), fill("#password", password),
		click("form[action='/login'] button"), status(200)}
}

// logout signs out with the button every page carries; a page that needs
// a session then sends the browser to sign in.
var logout = []step{click("form[action='/logout'] button"), goTo("/held"), at("/login")}

// browse runs the steps in a fresh Chromium profile and fails the test
// with the browser's report if a step fails.
func (r *rig) browse(steps ...[]step) {
	r.t.Helper()
	if r.shots == "" {
		r.shots = artifacts(r.t)
	}
	var all []step
	for _, s := range steps {
		all = append(all, s...)
	}
	script := map[string]any{"base": r.base, "profile": r.t.TempDir(), "shots": r.shots, "steps": all}
	if r.officejs != "" {
		script["officejs"] = r.officejs
	}
	b, err := json.Marshal(script)
	if err != nil {
		r.t.Fatal(err)
	}
	path := filepath.Join(r.t.TempDir(), "script.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "drive.mjs", path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var failed []string
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var res struct {
			Step  int
			Op    string
			OK    bool
			URL   string
			Error string
		}
		if json.Unmarshal(sc.Bytes(), &res) == nil && !res.OK {
			what := fmt.Sprint(all[res.Step])
			if res.Op == "words" || res.Op == "fits" {
				what = res.Op // a words step lists hundreds; the error says what was found
			}
			failed = append(failed, fmt.Sprintf("step %d (%s) at %s: %s", res.Step, what, res.URL, res.Error))
		}
	}
	if err != nil || len(failed) > 0 {
		r.t.Fatalf("browser: %v\n%s\n%s", err, strings.Join(failed, "\n"), stderr.String())
	}
}
