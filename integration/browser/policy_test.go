package browser

import (
	"context"
	"strings"
	"testing"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/queue"
)

// An administrator makes the organisation's noreply@ an exempt sender on
// the policy page: the next message from it leaves at once, where the one
// before waited, with no restart; a wrong entry is refused in Japanese;
// the change is in the audit log with before and after; the operator sees
// the policy but no form.
func TestAdminEditsPolicy(t *testing.T) {
	needBrowser(t)
	r := start(t)
	noreply := "noreply@corp.example"
	before := r.send(noreply, []string{"customer@newco.example"}, "ご注文ありがとうございます", "自動送信です。")
	r.waiting(before, queue.Confirming)

	r.browse(login(adm), []step{
		goTo("/policy"), status(200), text("信頼する社外ドメイン"), text("確認対象外の送信者"), text("TOML 形式で書き出す"), shot("policy-admin"),
		// A wildcard is refused with the reason, and nothing changes.
		fill("#exempt_senders", "*@corp.example"), click("form[action='/policy/lists'] button.primary"),
		text("ポリシーは変更されていません"), text("@ で終わるローカル部（noreply@）でもありません"), shot("policy-refused"),
		goTo("/policy"),
		fill("#exempt_senders", "noreply@"), click("form[action='/policy/lists'] button.primary"), status(200),
		text("保存しました"), text("第 1 版"), shot("policy-saved"),
		viewport(360, 740), goTo("/policy"), shot("policy-phone"), viewport(1366, 768),
	}, logout, login(ope), []step{
		goTo("/policy"), status(200), text("noreply@"), text("変更できるのは管理者だけです"), absent("部署ごとの設定を追加"), shot("policy-operator"),
	})

	after := r.send(noreply, []string{"customer@newco.example"}, "ご注文ありがとうございます", "自動送信です。")
	r.delivered(after)
	if !r.policy.Current().Exempt(noreply) {
		t.Error("the exemption is not in force")
	}
	es, err := r.audit.Query(context.Background(), audit.Filter{Action: audit.PolicyChange})
	if err != nil || len(es) != 1 || es[0].Actor != adm || !strings.Contains(es[0].Detail, "exempt_senders.noreply@: – → exempt") {
		t.Errorf("audit: %+v %v", es, err)
	}
}
