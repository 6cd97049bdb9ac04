package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/store/pgtest"
)

// runTermsCLI runs one misend command line in-process and returns what it
// printed.
func runTermsCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var c cli
	parser, err := kong.New(&c, kong.Name("misend"), kong.Exit(func(int) { t.Fatalf("exit on %v", args) }))
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := parser.Parse(args)
	if err != nil {
		return "", err
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	runErr := ctx.Run(&c.Globals)
	os.Stdout = stdout
	w.Close()
	return string(<-done), runErr
}

func TestTermsAndDirectoryCommands(t *testing.T) {
	dir := t.TempDir()
	db := pgtest.Path(t, dir, "m.db")
	csv := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(csv, []byte("address,name,department,groups,roles\n"+
		"miura@corp.example,三浦,部署A,X,sender\n"+
		"boss@corp.example,部長,部署A,,sender;approver\n"+
		"op@corp.example,運用,情シス,,operator\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("address,name,department,groups,roles\nnope,X,A,,sender\nx@corp.example,Y,A,,wizard\n"), 0o600)

	steps := []struct {
		args    []string
		wantOut string
		wantErr string
	}{
		{[]string{"directory", "import", "--db", db, bad}, "", "line 3, column roles"},
		{[]string{"directory", "import", "--db", db, "--org-domain", "corp.example", csv}, "imported 3 people", ""},
		{[]string{"terms", "add", "--db", db, "--scope", "department:部署A", "--weight", "0.83", "A-ORIGINAL-FRAMEWORK"}, "1 term(s)", ""},
		{[]string{"terms", "add", "--db", db, "--scope", "department:部署A", "--weight", "1.5", "x"}, "", "out of [0,1]"},
		{[]string{"terms", "add", "--db", db, "--scope", "team:A", "--weight", "0.5", "x"}, "", "bad scope"},
		{[]string{"terms", "rule", "--db", db, "--scope", "department:部署A", "--any"}, "any matched term", ""},
		{[]string{"terms", "propose", "--db", db, "--scope", "department:部署A", "--weight", "0.79", "--by", "miura@corp.example", "リスク分析"}, "", "not an operator"},
		{[]string{"terms", "propose", "--db", db, "--scope", "department:部署A", "--weight", "0.79", "--by", "op@corp.example", "リスク分析"}, "change 2 pending; approvers of department:部署A: boss@corp.example", ""},
		{[]string{"terms", "approve", "--db", db, "--by", "op@corp.example", "2"}, "", "not an approver"},
		{[]string{"terms", "approve", "--db", db, "--by", "boss@corp.example", "2"}, "change 2 approved", ""},
		{[]string{"terms", "except", "--db", db, "--scope", "department:部署A", "--for", "24h", "--by", "miura@corp.example", "リスク分析"}, "", "neither an operator nor an approver"},
		{[]string{"terms", "except", "--db", db, "--scope", "department:部署A", "--for", "24h", "--by", "boss@corp.example", "リスク分析"}, "exempt", ""},
		{[]string{"terms", "add", "--db", db, "--scope", "department:部署A", "--weight", "0.5", "秘密", " "}, "", "nothing changed"},
		{[]string{"terms", "list", "--db", db, "--exceptions"}, "リスク分析", ""},
	}
	for _, s := range steps {
		out, err := runTermsCLI(t, s.args...)
		switch {
		case s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)):
			t.Errorf("%v: err = %v, want %q", s.args, err, s.wantErr)
		case s.wantErr == "" && err != nil:
			t.Errorf("%v: %v", s.args, err)
		case !strings.Contains(out, s.wantOut):
			t.Errorf("%v: output %q, want %q", s.args, out, s.wantOut)
		}
	}
	out, err := runTermsCLI(t, "terms", "list", "--db", db, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		Term   string
		Weight float64
	}
	if err := json.NewDecoder(bytes.NewReader([]byte(out))).Decode(&list); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if len(list) != 2 || list[0].Term != "A-ORIGINAL-FRAMEWORK" || list[1].Term != "リスク分析" || list[1].Weight != 0.79 {
		t.Errorf("list = %+v", list)
	}
	out, _ = runTermsCLI(t, "terms", "history", "--db", db, "--json")
	if !strings.Contains(out, `"status":"approved","decided_by":"boss@corp.example"`) {
		t.Errorf("history = %s", out)
	}
}

func TestTermsRecommendCommand(t *testing.T) {
	dir := t.TempDir()
	db := pgtest.Path(t, dir, "m.db")
	csv := filepath.Join(dir, "people.csv")
	os.WriteFile(csv, []byte("address,name,department,groups,roles\n"+
		"a1@corp.example,A1,部署A,,sender\na2@corp.example,A2,部署A,,sender\n"+
		"b1@corp.example,B1,部署B,,sender\nop@corp.example,Op,情シス,,operator\nboss@corp.example,Boss,部署A,,approver\n"), 0o600)
	// Department A writes about its framework; department B writes about
	// the very same words but must not count for A's recommendations.
	var msgs []*mail.Message
	for i := range 20 {
		body := "お疲れ様です。A-ORIGINAL-FRAMEWORKでリスク分析を行います。よろしくお願いします。"
		from := "a1@corp.example"
		if i%2 == 1 {
			body = "お疲れ様です。会議室を予約しました。よろしくお願いします。"
			from = "a2@corp.example"
		}
		msgs = append(msgs, &mail.Message{From: mail.Address{Addr: from}, Subject: "件名", Text: body})
		msgs = append(msgs, &mail.Message{From: mail.Address{Addr: "b1@corp.example"}, Text: "A-ORIGINAL-FRAMEWORKで脆弱性診断をします。"})
	}
	saved := walkMail
	walkMail = func(ctx context.Context, paths []string, opt ingest.Options, fn func(string, *mail.Message) error) (ingest.Summary, error) {
		for i, m := range msgs {
			if err := fn(fmt.Sprintf("test#%d", i), m); err != nil {
				return ingest.Summary{}, err
			}
		}
		return ingest.Summary{Files: 1, Messages: len(msgs)}, nil
	}
	defer func() { walkMail = saved }()

	for _, args := range [][]string{
		{"directory", "import", "--db", db, "--org-domain", "corp.example", csv},
		{"terms", "add", "--db", db, "--scope", "department:部署A", "--weight", "0.83", "A-ORIGINAL-FRAMEWORK"},
	} {
		if _, err := runTermsCLI(t, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	out, err := runTermsCLI(t, "terms", "recommend", "--db", db, "--json", "--mail", dir, "--propose-by", "op@corp.example")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Scope        string
		Mails        int
		Confidential int `json:"confidential_mails"`
		Recommended  []struct {
			Term   string
			Weight float64
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if res.Scope != "department:部署A" || res.Mails != 20 || res.Confidential != 10 {
		t.Fatalf("result = %+v (department B's mail must not count)", res)
	}
	if len(res.Recommended) == 0 || res.Recommended[0].Term != "リスク分析" || res.Recommended[0].Weight != 0.83 {
		t.Fatalf("recommended = %+v", res.Recommended)
	}
	for _, r := range res.Recommended {
		if r.Term == "脆弱性診断" || r.Term == "お願い" {
			t.Errorf("recommended %s", r.Term)
		}
	}
	out, _ = runTermsCLI(t, "terms", "history", "--db", db, "--pending", "--json")
	if !strings.Contains(out, `"term":"リスク分析"`) || !strings.Contains(out, `"status":"pending"`) {
		t.Errorf("recommendations not filed as proposals: %s", out)
	}
}

// TestTermsRecommendFromIndex imports history with --index-terms and checks
// that recommend without --mail reads the index and agrees with --mail,
// honours --since/--until, and that terms index shows and drops it.
func TestTermsRecommendFromIndex(t *testing.T) {
	dir := t.TempDir()
	db := pgtest.Path(t, dir, "m.db")
	csv := filepath.Join(dir, "people.csv")
	os.WriteFile(csv, []byte("address,name,department,groups,roles\n"+
		"a1@corp.example,A1,部署A,,sender\nb1@corp.example,B1,部署B,,sender\n"), 0o600)
	var msgs []*mail.Message
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range 20 {
		body := "お疲れ様です。A-ORIGINAL-FRAMEWORKでリスク分析を行います。よろしくお願いします。"
		if i%2 == 1 {
			body = "お疲れ様です。会議室を予約しました。よろしくお願いします。"
		}
		msgs = append(msgs, &mail.Message{MessageID: fmt.Sprintf("a%d@corp.example", i), Date: day.Add(time.Duration(i/10) * 24 * time.Hour),
			From: mail.Address{Addr: "a1@corp.example"}, To: []mail.Address{{Addr: "x@partner.example"}}, Subject: "件名", Text: body})
		msgs = append(msgs, &mail.Message{MessageID: fmt.Sprintf("b%d@corp.example", i), Date: day,
			From: mail.Address{Addr: "b1@corp.example"}, To: []mail.Address{{Addr: "x@partner.example"}}, Text: "A-ORIGINAL-FRAMEWORKで脆弱性診断をします。"})
	}
	saved := walkMail
	walkMail = func(ctx context.Context, paths []string, opt ingest.Options, fn func(string, *mail.Message) error) (ingest.Summary, error) {
		for i, m := range msgs {
			if err := fn(fmt.Sprintf("test#%d", i), m); err != nil {
				return ingest.Summary{}, err
			}
		}
		return ingest.Summary{Files: 1, Messages: len(msgs)}, nil
	}
	defer func() { walkMail = saved }()

	mustRun := func(args ...string) string {
		t.Helper()
		out, err := runTermsCLI(t, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}
	mustRun("directory", "import", "--db", db, "--org-domain", "corp.example", csv)
	mustRun("terms", "add", "--db", db, "--scope", "department:部署A", "--weight", "0.83", "A-ORIGINAL-FRAMEWORK")
	if _, err := runTermsCLI(t, "terms", "recommend", "--db", db); err == nil || !strings.Contains(err.Error(), "--index-terms") {
		t.Fatalf("recommend without an index: %v", err)
	}
	if out := mustRun("import", "--db", db, "--index-terms", dir); !strings.Contains(out, "term index: 40 messages indexed") {
		t.Fatalf("import: %s", out)
	}
	fromIndex := mustRun("terms", "recommend", "--db", db, "--json")
	fromMail := mustRun("terms", "recommend", "--db", db, "--json", "--mail", dir)
	if fromIndex != fromMail || !strings.Contains(fromIndex, `"term":"リスク分析","weight":0.83`) || !strings.Contains(fromIndex, `"mails":20,`) {
		t.Fatalf("from the index:\n%s\nfrom the mail:\n%s", fromIndex, fromMail)
	}
	if out := mustRun("terms", "recommend", "--db", db, "--json", "--since", "2026-03-03"); !strings.Contains(out, `"mails":10,`) {
		t.Errorf("--since: %s", out)
	}
	if out := mustRun("terms", "recommend", "--db", db, "--json", "--mail", dir, "--until", "2026-03-02"); !strings.Contains(out, `"mails":10,`) {
		t.Errorf("--mail --until: %s", out)
	}
	for _, bad := range [][]string{{"--since", "March"}, {"--since", "2026-03-03", "--until", "2026-03-01"}} {
		if _, err := runTermsCLI(t, append([]string{"terms", "recommend", "--db", db}, bad...)...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if out := mustRun("terms", "index", "--db", db); !strings.Contains(out, "40 messages from 2026-03-02 to 2026-03-03") {
		t.Errorf("index: %s", out)
	}
	if out := mustRun("terms", "index", "--db", db, "--prune-before", "2026-03-03", "--json"); !strings.Contains(out, `"messages":10,`) || !strings.Contains(out, `"pruned":30`) {
		t.Errorf("prune: %s", out)
	}
	if out := mustRun("terms", "index", "--db", db, "--drop", "--person-names", "keep"); !strings.Contains(out, "empty") || !strings.Contains(out, "with person names") {
		t.Errorf("drop: %s", out)
	}
}
