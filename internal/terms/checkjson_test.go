package terms_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

// TestCheckJSON runs the terms checker on the shared decision path and
// looks at the `check --json` output: CONFIDENTIAL_TERMS and PERSONAL_DATA
// for the right recipients and scopes, terms only in the operator view.
func TestCheckJSON(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	people, err := directory.ParseCSV(strings.NewReader(`address,name,department,groups,roles
miura@corp.example,三浦,部署A,Xプロジェクト,sender
sankaku@corp.example,三角,部署A,Xプロジェクト,sender
dev@corp.example,開発,部署B,Xプロジェクト,sender
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := directory.Import(ctx, db, people, []string{"corp.example"}); err != nil {
		t.Fatal(err)
	}
	dir, err := directory.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	s, err := terms.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	listA := map[string]float64{"A-ORIGINAL-FRAMEWORK": 0.83, "部署独自": 0.798, "リスク分析": 0.79, "取り扱い": 0.481, "秘密": 0.3, "極秘": 0.3, "厳秘": 0.1}
	for term, w := range listA {
		if err := s.Add(ctx, terms.DepartmentScope("部署A"), term, w, "op@corp.example"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Add(ctx, terms.Scope(terms.Organization), "社外秘", 0.9, "op@corp.example"); err != nil {
		t.Fatal(err)
	}
	cc, err := terms.NewChecker(ctx, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := &check.Service{
		Detector:    &detect.Detector{Model: model.New(model.Config{OrgDomains: dir.Domains(), Department: dir.DepartmentOf}), Content: []detect.ContentChecker{cc}},
		Policy:      &policy.Policy{},
		Departments: dir,
	}
	body := "本設計書は秘密資料でもあるので、取り扱いに注意願います。\n"
	msgs := []struct {
		name      string
		msg       *mail.Message
		wantCodes map[string]string // code+scope → recipient
	}{
		{"inside the department", &mail.Message{From: mail.Address{Addr: "miura@corp.example"}, To: []mail.Address{{Addr: "sankaku@corp.example"}}, Text: body}, nil},
		{"to the project, outside the department", &mail.Message{From: mail.Address{Addr: "miura@corp.example"}, To: []mail.Address{{Addr: "sankaku@corp.example"}, {Addr: "dev@corp.example"}}, Text: body},
			map[string]string{"CONFIDENTIAL_TERMS department:部署A": "dev@corp.example"}},
		{"outside with personal data", &mail.Message{From: mail.Address{Addr: "miura@corp.example"}, To: []mail.Address{{Addr: "sankaku@corp.example"}}, Cc: []mail.Address{{Addr: "tanaka@partner.example"}},
			Text: body + "社外秘\nカード 4111 1111 1111 1111\n"},
			map[string]string{"CONFIDENTIAL_TERMS department:部署A": "tanaka@partner.example", "CONFIDENTIAL_TERMS organization": "tanaka@partner.example", "PERSONAL_DATA ": "tanaka@partner.example"}},
	}
	pathDone := true
	for _, tt := range msgs {
		tt.msg.MessageID = "x@corp.example"
		out, ok := checkThrough(svc, tt.msg)
		if !ok {
			// The behavioural detector is not there yet: check the same
			// JSON with the content findings alone, and say so.
			pathDone = false
			out = check.Outcome{MessageID: tt.msg.MessageID, Sender: tt.msg.From.Addr, Findings: cc.CheckContent(tt.msg)}
		}
		operator, _ := json.Marshal(out)
		out.Findings = finding.SenderView(out.Findings)
		sender, _ := json.Marshal(out)
		var parsed struct {
			Findings []struct {
				Code, Scope, Recipient, Message string
				Weight                          *float64
				Terms                           []string
			}
		}
		if err := json.Unmarshal(operator, &parsed); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range parsed.Findings {
			if f.Code != "CONFIDENTIAL_TERMS" && f.Code != "PERSONAL_DATA" {
				continue
			}
			got[f.Code+" "+f.Scope] = f.Recipient
			if f.Code == "CONFIDENTIAL_TERMS" && f.Scope == "department:部署A" {
				if f.Weight == nil || *f.Weight != 0.391 || len(f.Terms) != 2 {
					t.Errorf("%s: operator view %s", tt.name, operator)
				}
			}
		}
		if len(got) != len(tt.wantCodes) {
			t.Errorf("%s: got %v, want %v\n%s", tt.name, got, tt.wantCodes, operator)
		}
		for k, v := range tt.wantCodes {
			if got[k] != v {
				t.Errorf("%s: %s recipient = %q, want %q", tt.name, k, got[k], v)
			}
		}
		for term := range listA {
			if strings.Contains(string(sender), term) {
				t.Errorf("%s: sender view shows list term %s: %s", tt.name, term, sender)
			}
		}
		for _, v := range []string{"社外秘", "4111"} {
			if strings.Contains(string(sender), v) {
				t.Errorf("%s: sender view shows %s: %s", tt.name, v, sender)
			}
		}
	}
	if !pathDone {
		t.Skip("checked content findings only: detect.Check is not implemented yet")
	}
}

// checkThrough runs the service; ok is false while the behavioural
// detector is a stub (detect.Check panics "not implemented").
func checkThrough(svc *check.Service, msg *mail.Message) (out check.Outcome, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if s, isStr := r.(string); isStr && strings.Contains(s, "not implemented") {
				ok = false
				return
			}
			panic(r)
		}
	}()
	return svc.Check(msg, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)), true
}
