/*
 * misend for Thunderbird: what the background script and the checklist
 * window share. Texts in Japanese and English, reading addresses, turning
 * misend's answer into the checklist, and the sender's choices back into
 * the recipients Thunderbird sends to. No Thunderbird API is used here, so
 * the checklist page also works when misend serves it on the web, and Node
 * tests load it as it is.
 */
"use strict";

var MISEND_TB_TEXT = {
  en: {
    title: "Check before sending",
    intro: "Check the recipients below. Tick each one misend flags to confirm it, or take it off the message.",
    introPlain: "misend has no concerns about these recipients.",
    hold: "As it stands, this message will wait for your department's approver after you send it.",
    reject: "misend will not let this message leave as it is. See why below, then change the message.",
    to: "To",
    cc: "Cc",
    bcc: "Bcc",
    outside: "Outside",
    confirm: "This recipient is right",
    confirmMessage: "I have checked this",
    remove: "Remove",
    undo: "Undo",
    replace: "Change to {s}",
    replaced: "Will be sent to {s} instead",
    removed: "Will not be sent to this address",
    didYouMean: "Did you mean {s}?",
    aboutMessage: "About the whole message",
    generic: "misend asks you to check this recipient.",
    left: "{n} left to check.",
    allDone: "All checked. You can send.",
    noRecipients: "No recipients are left.",
    send: "Send",
    sendAnyway: "Send anyway",
    cancel: "Cancel",
    close: "Close",
    unavailable: "misend could not check this message ({why}).",
    unavailablePrompt: "You may send it anyway: the mail gateway still checks it.",
    unavailableBlock: "Sending is blocked until misend can check it. Try again in a moment.",
    openSettings: "Open misend settings",
    signIn: "misend is not set up: no personal API token",
    timeout: "no answer in time",
    network: "misend cannot be reached",
    refused: "misend refused the request",
    readFailed: "the draft could not be read",
    sent: "Thunderbird sends the message to these {n} recipients.",
    cancelled: "Cancelled: the message was not sent.",
    settingsTitle: "misend settings",
    server: "misend URL",
    token: "Personal API token",
    tokenHelp: "Paste the token made with misend token create, or ask your administrator.",
    sendMode: "When misend cannot be reached",
    mode_softBlock: "Send it: the mail gateway still checks it",
    mode_promptUser: "Ask me whether to send it",
    mode_block: "Do not send it",
    managed: "Set by your administrator.",
    save: "Save",
    saved: "Saved.",
    test: "Test connection",
    testOK: "Connected as {who}.",
    testFailed: "Could not connect: {why}",
    otherServer: "Thunderbird lets this add-in reach {s} only; ask your administrator for an add-in built for another address."
  },
  ja: {
    title: "送信前の確認",
    intro: "宛先を確認してください。misend が確認を求めている宛先は、チェックを入れて確認するか、宛先から外してください。",
    introPlain: "確認が必要な宛先はありません。",
    hold: "このまま送信すると、所属部署の承認者が承認するまで送信が保留されます。",
    reject: "このメールはこのままでは送信できません。下の理由をご確認のうえ、内容を修正してください。",
    to: "宛先",
    cc: "CC",
    bcc: "BCC",
    outside: "社外",
    confirm: "この宛先で間違いありません",
    confirmMessage: "内容を確認しました",
    remove: "宛先から外す",
    undo: "元に戻す",
    replace: "{s} に変更する",
    replaced: "{s} に変更して送信します",
    removed: "この宛先には送信しません",
    didYouMean: "もしかして: {s}",
    aboutMessage: "メール全体について",
    generic: "misend がこの宛先の確認を求めています。",
    left: "あと {n} 件の確認が必要です。",
    allDone: "すべて確認しました。送信できます。",
    noRecipients: "宛先が残っていません。",
    send: "送信",
    sendAnyway: "このまま送信",
    cancel: "キャンセル",
    close: "閉じる",
    unavailable: "misend でこのメールを確認できませんでした（{why}）。",
    unavailablePrompt: "このまま送信することもできます。送信後、メールゲートウェイでも確認されます。",
    unavailableBlock: "misend が確認できるまで送信できません。しばらくしてからもう一度送信してください。",
    openSettings: "misend の設定を開く",
    signIn: "misend の設定がありません（個人用 API トークン未設定）",
    timeout: "時間内に応答がありません",
    network: "misend に接続できません",
    refused: "misend が要求を拒否しました",
    readFailed: "下書きを読み取れませんでした",
    sent: "Thunderbird は次の {n} 件の宛先に送信します。",
    cancelled: "キャンセルしました。メールは送信されていません。",
    settingsTitle: "misend の設定",
    server: "misend の URL",
    token: "個人用 API トークン",
    tokenHelp: "misend token create で作成したトークンを貼り付けてください。お持ちでない場合はシステム管理者にお問い合わせください。",
    sendMode: "misend に接続できないとき",
    mode_softBlock: "送信する（メールゲートウェイで確認されます）",
    mode_promptUser: "送信するかどうか確認する",
    mode_block: "送信しない",
    managed: "システム管理者が設定しています。",
    save: "保存",
    saved: "保存しました。",
    test: "接続を確認",
    testOK: "{who} として接続できました。",
    testFailed: "接続できませんでした: {why}",
    otherServer: "このアドインが接続できるのは {s} だけです。別の URL を使う場合は、その URL 用のアドインをシステム管理者にご依頼ください。"
  }
};

// misendTbLang picks ja or en from a UI language such as "ja-JP".
function misendTbLang(ui, fallback) {
  var l = String(ui || fallback || "en").toLowerCase();
  return l.indexOf("ja") === 0 ? "ja" : "en";
}

function misendTbT(lang, key, vars) {
  var s = (MISEND_TB_TEXT[lang] && MISEND_TB_TEXT[lang][key]) || MISEND_TB_TEXT.en[key] || key;
  if (vars) {
    for (var k in vars) {
      if (Object.prototype.hasOwnProperty.call(vars, k)) {
        s = s.split("{" + k + "}").join(String(vars[k]));
      }
    }
  }
  return s;
}

// misendAddr returns the lower-case address of a Thunderbird recipient:
// "Name <a@b>" or "a@b". Anything else (an address book list given by
// name, a contact object) has none: "".
function misendAddr(r) {
  if (typeof r !== "string") {
    return "";
  }
  var m = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(r);
  var a = m ? m[1] : r.trim();
  return /^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+$/.test(a) ? a.toLowerCase() : "";
}

function misendDomain(addr) {
  var i = String(addr).lastIndexOf("@");
  return i < 0 ? "" : String(addr).slice(i + 1).toLowerCase();
}

// misendInside reports whether addr is inside the organisation: its domain
// is one of domains or a subdomain of one.
function misendInside(addr, domains) {
  var d = misendDomain(addr);
  for (var i = 0; i < (domains || []).length; i++) {
    var o = String(domains[i]).toLowerCase();
    if (o && (d === o || d.slice(-o.length - 1) === "." + o)) {
      return true;
    }
  }
  return false;
}

// misendKey is what a confirmation is kept under: the recipient, or the
// finding's code when it is about the whole message.
function misendKey(f) {
  return String(f.recipient || "code:" + f.code).toLowerCase();
}

var MISEND_ASKS = { confirm: true, hold: true, reject: true };

// misendChecklist turns misend's answer on a draft into what the checklist
// window shows: every recipient (outside ones marked), each flagged one
// with misend's reasons and suggestion, and the findings about the whole
// message. Keys in confirmed were ticked for this draft before and are not
// asked again. fields is {to, cc, bcc} as Thunderbird gives them.
function misendChecklist(fields, out, insideDomains, confirmed, lang) {
  var byKey = {};
  var order = [];
  var rank = { high: 0, medium: 1, low: 2 };
  var fs = (out.findings || []).slice().sort(function (a, b) {
    return (rank[a.severity] === undefined ? 3 : rank[a.severity]) - (rank[b.severity] === undefined ? 3 : rank[b.severity]);
  });
  for (var i = 0; i < fs.length; i++) {
    var k = misendKey(fs[i]);
    if (!byKey[k]) {
      byKey[k] = { key: k, code: fs[i].code, reasons: [], suggestion: "" };
      order.push(k);
    }
    if (fs[i].message && byKey[k].reasons.indexOf(fs[i].message) < 0) {
      byKey[k].reasons.push(String(fs[i].message));
    }
    if (fs[i].suggestion && !byKey[k].suggestion) {
      byKey[k].suggestion = String(fs[i].suggestion);
    }
  }
  var recipients = [];
  var seen = {};
  var anyFlagged = false;
  ["to", "cc", "bcc"].forEach(function (field) {
    (fields[field] || []).forEach(function (r) {
      var addr = misendAddr(r);
      var row = { field: field, display: typeof r === "string" ? r : String(r && r.id || ""), addr: addr,
        outside: addr ? !misendInside(addr, insideDomains) : false, flagged: false, reasons: [], suggestion: "" };
      var f = addr && byKey[addr];
      if (f && !seen[addr]) {
        seen[addr] = true;
        row.reasons = f.reasons;
        row.suggestion = f.suggestion;
        row.flagged = !confirmed[addr];
        anyFlagged = anyFlagged || row.flagged;
      }
      recipients.push(row);
    });
  });
  var message = [];
  for (var j = 0; j < order.length; j++) {
    var m = byKey[order[j]];
    if (m.key.indexOf("code:") === 0 && !confirmed[m.key]) {
      message.push({ key: m.key, code: m.code, reasons: m.reasons });
    }
  }
  // A verdict from the score alone names no recipient: then each outside
  // recipient is to be checked, as a checklist without misend would.
  if (!anyFlagged && message.length === 0 && order.length === 0) {
    recipients.forEach(function (row) {
      if (row.outside && !confirmed[row.addr]) {
        row.flagged = true;
        row.reasons = [misendTbT(lang, "generic")];
      }
    });
  }
  return { kind: "check", lang: lang, verdict: out.verdict, recipients: recipients, message: message };
}

// misendOpen reports whether state still has something to ask about.
function misendOpen(state) {
  if (state.verdict === "reject") {
    return true;
  }
  return state.message.length > 0 || state.recipients.some(function (r) { return r.flagged; });
}

// misendRemaining counts what the sender must still tick or remove before
// Send: choices is {confirmed: {key: true}, removed: {addr: true},
// replaced: {addr: suggestion}}.
function misendRemaining(state, choices) {
  var n = 0;
  state.recipients.forEach(function (r) {
    if (r.flagged && !choices.confirmed[r.addr] && !choices.removed[r.addr] && !choices.replaced[r.addr]) {
      n++;
    }
  });
  state.message.forEach(function (m) {
    if (!choices.confirmed[m.key]) {
      n++;
    }
  });
  return n;
}

// misendLeft counts the recipients the message would still go to.
function misendLeft(state, choices) {
  return state.recipients.filter(function (r) { return !r.addr || !choices.removed[r.addr]; }).length;
}

// misendCanSend reports whether the checklist lets the message go.
function misendCanSend(state, choices) {
  if (state.kind === "unavailable") {
    return state.mode === "promptUser";
  }
  return state.verdict !== "reject" && misendRemaining(state, choices) === 0 && misendLeft(state, choices) > 0;
}

// misendRecipients applies the sender's choices to Thunderbird's
// recipients: removed ones are left out, replaced ones swapped for the
// suggestion; the rest are kept exactly as they were.
function misendRecipients(fields, answer) {
  var removed = {};
  var replaced = {};
  (answer.remove || []).forEach(function (a) { removed[String(a).toLowerCase()] = true; });
  var rp = answer.replace || {};
  for (var a in rp) {
    if (Object.prototype.hasOwnProperty.call(rp, a) && misendAddr(rp[a])) {
      replaced[a.toLowerCase()] = rp[a];
    }
  }
  var out = {};
  ["to", "cc", "bcc"].forEach(function (field) {
    var list = [];
    var have = {};
    (fields[field] || []).forEach(function (r) {
      var addr = misendAddr(r);
      if (addr && removed[addr]) {
        return;
      }
      var keep = addr && replaced[addr] ? replaced[addr] : r;
      var k = misendAddr(keep) || keep;
      if (typeof k === "string" && have[k]) {
        return;
      }
      have[k] = true;
      list.push(keep);
    });
    out[field] = list;
  });
  return out;
}
