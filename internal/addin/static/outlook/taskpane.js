/*
 * misend for Outlook: the task pane. It shows the recipients misend asks
 * the sender to confirm, as the web confirm page does: tick each one that
 * is right, or remove it from the draft. What was ticked is kept with the
 * draft (a custom property), so the Send check does not ask again, and
 * at Send the handler turns it into misend's stamp for the gateway; a
 * recipient removed here is reported to misend as a mistake caught.
 * It uses the functions of launchevent.js, loaded before it.
 */

var MISEND_PANE_TEXT = {
  en: {
    title: "Check recipients",
    checking: "Checking…",
    clear: "Nothing to confirm: misend has no concerns about these recipients.",
    todo: "Confirm or remove each recipient below, then send.",
    allDone: "All confirmed. You can send now.",
    confirm: "This recipient is right",
    confirmMessage: "I meant to send this",
    remove: "Remove",
    replace: "Replace with {s}",
    didYouMean: "Did you mean {s}?",
    recheck: "Check again",
    signIn: "misend sign-in",
    signInHelp: "Paste your personal misend API token (misend token create, or ask your administrator).",
    save: "Save",
    saved: "Saved.",
    failed: "misend could not check this draft: {why}"
  },
  ja: {
    title: "宛先の確認",
    checking: "確認中…",
    clear: "確認が必要な宛先はありません。",
    todo: "下の宛先ごとに確認するか削除してから送信してください。",
    allDone: "すべて確認しました。送信できます。",
    confirm: "この宛先で正しい",
    confirmMessage: "このまま送信する",
    remove: "削除",
    replace: "{s} に置き換える",
    didYouMean: "もしかして {s} ？",
    recheck: "もう一度確認",
    signIn: "misend へのサインイン",
    signInHelp: "misend の個人用 API トークンを貼り付けてください（misend token create、または管理者にお問い合わせください）。",
    save: "保存",
    saved: "保存しました。",
    failed: "misend でこの下書きを確認できませんでした: {why}"
  }
};

function misendPaneT(lang, key, vars) {
  var s = (MISEND_PANE_TEXT[lang] && MISEND_PANE_TEXT[lang][key]) || MISEND_PANE_TEXT.en[key] || key;
  for (var k in vars || {}) {
    if (Object.prototype.hasOwnProperty.call(vars, k)) {
      s = s.split("{" + k + "}").join(String(vars[k]));
    }
  }
  return s;
}

// misendSetConfirmed adds or takes away key in what the sender confirmed
// for this draft, and saves it with the draft.
function misendSetConfirmed(item, key, on) {
  return misendAsync(function (cb) { item.loadCustomPropertiesAsync(cb); }).then(function (props) {
    var raw = props.get(MISEND_CONFIRMED_PROP);
    var list = raw ? JSON.parse(raw) : [];
    key = String(key).toLowerCase();
    var out = [];
    for (var i = 0; i < list.length; i++) {
      if (String(list[i]).toLowerCase() !== key) {
        out.push(list[i]);
      }
    }
    if (on) {
      out.push(key);
    }
    props.set(MISEND_CONFIRMED_PROP, JSON.stringify(out));
    return misendAsync(function (cb) { props.saveAsync(cb); }).then(function () { return out; });
  });
}

// misendRemoveRecipient takes addr out of To, Cc and Bcc, putting
// replacement (if any) in its place.
function misendRemoveRecipient(item, addr, replacement) {
  addr = String(addr).toLowerCase();
  var fix = function (f) {
    if (!f) {
      return Promise.resolve();
    }
    return misendAsync(function (cb) { f.getAsync(cb); }).then(function (list) {
      var out = [];
      var changed = false;
      for (var i = 0; i < (list || []).length; i++) {
        if (String(list[i].emailAddress).toLowerCase() === addr) {
          changed = true;
          if (replacement) {
            out.push({ emailAddress: replacement, displayName: replacement });
          }
        } else {
          out.push({ emailAddress: list[i].emailAddress, displayName: list[i].displayName });
        }
      }
      if (!changed) {
        return null;
      }
      return misendAsync(function (cb) { f.setAsync(out, cb); });
    });
  };
  return Promise.all([fix(item.to), fix(item.cc), fix(item.bcc)]);
}

// misendDropped tells misend the sender took a flagged recipient out of
// the draft: a mistake caught, recorded as the web confirm page records
// it. Best effort: nothing the sender does waits for it.
function misendDropped(item, recipient) {
  return Promise.all([misendDraftId(item), misendToken()]).then(function (v) {
    return fetch(MISEND_CONFIG.api.replace(/\/+$/, "") + "/api/v1/feedback", {
      method: "POST",
      headers: { "Authorization": "Bearer " + v[1], "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ message_id: v[0], kind: "dropped", recipient: String(recipient) })
    });
  }).then(function (res) { return res.status === 201; }, function () { return false; });
}

// misendPaneCheck checks the draft and returns the flagged findings and
// what was confirmed already.
function misendPaneCheck(item, lang) {
  return Promise.all([misendReadDraft(item), misendToken()]).then(function (v) {
    return misendPost(v[1], v[0].draft, lang).then(function (out) {
      var v2 = out && out.verdict;
      var flagged = v2 === "confirm" || v2 === "hold" || v2 === "reject" ? misendFlagged(out) : [];
      return { verdict: v2, flagged: flagged, confirmed: v[0].confirmed };
    });
  });
}

function misendPaneStart() {
  var lang = misendLang();
  var item = Office.context.mailbox.item;
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  };
  document.documentElement.lang = lang;
  $("title").textContent = misendPaneT(lang, "title");
  $("recheck").textContent = misendPaneT(lang, "recheck");
  $("signin-title").textContent = misendPaneT(lang, "signIn");
  $("signin-help").textContent = misendPaneT(lang, "signInHelp");
  $("save").textContent = misendPaneT(lang, "save");
  var status = function (text, cls) {
    $("status").textContent = text;
    $("status").className = cls || "";
  };
  var state = { flagged: [], confirmed: {} };
  var summary = function () {
    var open = 0;
    for (var i = 0; i < state.flagged.length; i++) {
      if (!state.confirmed[misendKey(state.flagged[i])]) {
        open++;
      }
    }
    if (state.flagged.length === 0) {
      status(misendPaneT(lang, "clear"), "ok");
    } else if (open === 0) {
      status(misendPaneT(lang, "allDone"), "ok");
    } else {
      status(misendPaneT(lang, "todo"), "bad");
    }
  };
  var render = function () {
    var ul = $("list");
    while (ul.firstChild) {
      ul.removeChild(ul.firstChild);
    }
    state.flagged.forEach(function (f) {
      var key = misendKey(f);
      var li = el("li", state.confirmed[key] ? "done" : "");
      if (f.recipient) {
        li.appendChild(el("div", "who", f.recipient));
      }
      (f.messages && f.messages.length ? f.messages : [f.message]).forEach(function (m) {
        li.appendChild(el("div", "why", m));
      });
      if (f.suggestion) {
        li.appendChild(el("div", "fix", misendPaneT(lang, "didYouMean", { s: f.suggestion })));
      }
      var actions = el("div", "actions");
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = !!state.confirmed[key];
      box.addEventListener("change", function () {
        misendSetConfirmed(item, key, box.checked).then(function () {
          state.confirmed[key] = box.checked;
          render();
        }, function (e) { status(misendPaneT(lang, "failed", { why: e.message }), "bad"); });
      });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + misendPaneT(lang, f.recipient ? "confirm" : "confirmMessage")));
      actions.appendChild(label);
      if (f.recipient) {
        var rm = el("button", "", misendPaneT(lang, "remove"));
        rm.type = "button";
        rm.addEventListener("click", function () {
          misendRemoveRecipient(item, f.recipient, null).then(function () {
            misendDropped(item, f.recipient);
            check();
          }, function (e) { status(misendPaneT(lang, "failed", { why: e.message }), "bad"); });
        });
        actions.appendChild(rm);
        if (f.suggestion) {
          var rp = el("button", "", misendPaneT(lang, "replace", { s: f.suggestion }));
          rp.type = "button";
          rp.addEventListener("click", function () {
            misendRemoveRecipient(item, f.recipient, f.suggestion).then(function () {
              misendDropped(item, f.recipient);
              check();
            }, function (e) { status(misendPaneT(lang, "failed", { why: e.message }), "bad"); });
          });
          actions.appendChild(rp);
        }
      }
      li.appendChild(actions);
      ul.appendChild(li);
    });
    summary();
  };
  var check = function () {
    status(misendPaneT(lang, "checking"));
    misendPaneCheck(item, lang).then(function (r) {
      state.flagged = r.flagged;
      state.confirmed = r.confirmed;
      render();
    }, function (e) {
      if (e && e.misend === "signIn") {
        $("signin").open = true;
      }
      status(misendPaneT(lang, "failed", { why: misendT(lang, (e && e.misend) || "network") }), "bad");
    });
  };
  $("recheck").addEventListener("click", check);
  $("save").addEventListener("click", function () {
    var rs = Office.context.roamingSettings;
    rs.set("misendToken", $("token").value.trim());
    rs.saveAsync(function () {
      $("token").value = "";
      status(misendPaneT(lang, "saved"), "ok");
      check();
    });
  });
  check();
}

if (typeof Office !== "undefined" && Office.onReady && typeof document !== "undefined") {
  Office.onReady(function () {
    if (Office.context && Office.context.mailbox && Office.context.mailbox.item) {
      misendPaneStart();
    }
  });
}
