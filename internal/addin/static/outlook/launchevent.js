/*
 * misend for Outlook: the OnMessageSend (Smart Alerts) handler.
 *
 * Classic Outlook on Windows runs this file on its own in a JavaScript-only
 * runtime, so it is one classic script: no imports, no modules, no DOM.
 * Outlook on the web, on Mac and new Outlook load it from commands.html.
 *
 * It sends the draft to misend's POST /api/v1/check (the gateway's own
 * decision) and, when misend asks the sender to confirm or holds the
 * message, stops the send with a message naming each flagged recipient,
 * the reason and the likely fix. event.completed is called exactly once on
 * every path, before Outlook's long-running notice (about 5 s).
 *
 * When the sender confirmed every flagged recipient in the misend pane, it
 * asks misend for a confirmation stamp (POST /api/v1/confirmations) and
 * sets it on the message (X-Misend-Confirmed), so the mail gateway does
 * not ask the sender about the same recipients again.
 *
 * misend serves this file with the line below filled in from its
 * configuration (misend serve --addin-*).
 */
var MISEND_CONFIG = {"api": "", "sendMode": "softBlock", "timeoutMs": 3500, "sso": false, "lang": "en"}; // misend:config

var MISEND_TEXT = {
  en: {
    title: "misend: please check the recipients before sending.",
    didYouMean: "did you mean",
    review: "Open the misend pane to confirm or remove each one, then send again.",
    more: "and {n} more",
    reject: "misend will not let this message leave as it is.",
    unreachable: "misend could not check this message ({why}).",
    unreachableBlock: "Try again in a moment; sending is blocked until misend can check it.",
    unreachablePrompt: "You may send anyway: the mail gateway still checks it.",
    signIn: "not signed in to misend: open the misend pane",
    timeout: "no answer in time",
    network: "misend cannot be reached",
    refused: "misend refused the request",
    readFailed: "the draft could not be read",
    notOwn: "it is sent from an address that is not yours; the mail gateway checks it when it is sent",
    takeAction: "Review"
  },
  ja: {
    title: "misend: 送信前に宛先を確認してください。",
    didYouMean: "もしかして",
    review: "misend ペインで宛先ごとに確認するか削除してから、もう一度送信してください。",
    more: "ほか {n} 件",
    reject: "このメールはこのままでは送信できません。",
    unreachable: "misend でこのメールを確認できませんでした（{why}）。",
    unreachableBlock: "しばらくしてからもう一度送信してください。misend が確認できるまで送信できません。",
    unreachablePrompt: "このまま送信することもできます。メールゲートウェイでも確認されます。",
    signIn: "misend にサインインしていません。misend ペインを開いてください",
    timeout: "時間内に応答がありません",
    network: "misend に接続できません",
    refused: "misend が要求を拒否しました",
    readFailed: "下書きを読み取れませんでした",
    notOwn: "ご自身のアドレス以外から送信するメールのため、送信時にメールゲートウェイで確認されます",
    takeAction: "確認する"
  }
};

// MISEND_LIMIT is Outlook's limit on the alert text, in characters.
var MISEND_LIMIT = 500;

// The custom property where the task pane keeps what the sender confirmed
// for this draft.
var MISEND_CONFIRMED_PROP = "misendConfirmed";

// The custom property naming the draft for misend (Outlook gives a
// message its Message-ID only after Send): the stamp and the pane's
// feedback carry it.
var MISEND_DRAFT_PROP = "misendDraftId";

// The one header misend's answer may have the add-in set.
var MISEND_STAMP_HEADER = "X-Misend-Confirmed";

function misendLang() {
  var l = "";
  try {
    l = (Office.context && Office.context.displayLanguage) || "";
  } catch (e) {
    l = "";
  }
  l = String(l || MISEND_CONFIG.lang || "en").toLowerCase();
  return l.indexOf("ja") === 0 ? "ja" : "en";
}

function misendT(lang, key, vars) {
  var s = (MISEND_TEXT[lang] && MISEND_TEXT[lang][key]) || MISEND_TEXT.en[key] || key;
  if (vars) {
    for (var k in vars) {
      if (Object.prototype.hasOwnProperty.call(vars, k)) {
        s = s.split("{" + k + "}").join(String(vars[k]));
      }
    }
  }
  return s;
}

// misendAsync turns an Office callback-style call into a promise.
function misendAsync(call) {
  return new Promise(function (resolve, reject) {
    try {
      call(function (r) {
        if (r && r.status === "succeeded" || r && Office.AsyncResultStatus && r.status === Office.AsyncResultStatus.Succeeded) {
          resolve(r.value);
        } else {
          reject(new Error((r && r.error && r.error.message) || "failed"));
        }
      });
    } catch (e) {
      reject(e);
    }
  });
}

function misendAddresses(list) {
  var out = [];
  for (var i = 0; list && i < list.length; i++) {
    if (list[i] && list[i].emailAddress) {
      out.push(list[i].displayName && list[i].displayName !== list[i].emailAddress
        ? '"' + String(list[i].displayName).replace(/["\\\r\n]/g, " ") + '" <' + list[i].emailAddress + ">"
        : list[i].emailAddress);
    }
  }
  return out;
}

// misendReadDraft reads what misend needs of the item being sent.
function misendReadDraft(item) {
  var field = function (f) {
    return f ? misendAsync(function (cb) { f.getAsync(cb); }) : Promise.resolve(null);
  };
  return Promise.all([
    field(item.from),
    field(item.to),
    field(item.cc),
    field(item.bcc),
    field(item.subject),
    misendAsync(function (cb) { item.body.getAsync("text", cb); }),
    item.getAttachmentsAsync ? misendAsync(function (cb) { item.getAttachmentsAsync(cb); }) : Promise.resolve([]),
    misendConfirmed(item)
  ]).then(function (v) {
    var d = {
      to: misendAddresses(v[1]),
      cc: misendAddresses(v[2]),
      bcc: misendAddresses(v[3]),
      subject: v[4] || "",
      body: v[5] || "",
      attachments: []
    };
    if (v[0] && v[0].emailAddress) {
      d.from = v[0].emailAddress;
    }
    var atts = v[6] || [];
    for (var i = 0; i < atts.length; i++) {
      if (atts[i] && atts[i].name && !atts[i].isInline) {
        d.attachments.push(String(atts[i].name));
      }
    }
    return { draft: d, confirmed: v[7] };
  });
}

// misendConfirmed returns what the sender confirmed for this draft in the
// task pane ({key: true}); nothing when custom properties cannot be read.
function misendConfirmed(item) {
  if (!item.loadCustomPropertiesAsync) {
    return Promise.resolve({});
  }
  return misendAsync(function (cb) { item.loadCustomPropertiesAsync(cb); }).then(function (props) {
    var raw = props && props.get(MISEND_CONFIRMED_PROP);
    var list = raw ? JSON.parse(raw) : [];
    var set = {};
    for (var i = 0; list && i < list.length; i++) {
      set[String(list[i]).toLowerCase()] = true;
    }
    return set;
  }, function () { return {}; });
}

// misendKey is what a confirmation is kept under: the recipient, or the
// finding's code when it is about the whole message.
function misendKey(f) {
  return String(f.recipient || "code:" + f.code).toLowerCase();
}

// misendToken returns the bearer token: Office SSO when configured, else
// the personal misend API token saved by the task pane.
function misendToken() {
  var saved = function () {
    var t = "";
    try {
      t = Office.context.roamingSettings.get("misendToken") || "";
    } catch (e) {
      t = "";
    }
    if (!t) {
      var err = new Error("signIn");
      err.misend = "signIn";
      throw err;
    }
    return t;
  };
  if (MISEND_CONFIG.sso && Office.auth && Office.auth.getAccessToken) {
    return Office.auth.getAccessToken({ allowSignInPrompt: false, allowConsentPrompt: false, forMSGraphAccess: false })
      .then(function (t) { return t; }, saved);
  }
  return Promise.resolve().then(saved);
}

// misendPost sends the draft to misend; it resolves to the parsed answer.
function misendPost(token, draft, lang) {
  var url = MISEND_CONFIG.api.replace(/\/+$/, "") + "/api/v1/check?lang=" + lang;
  var body = JSON.stringify(draft);
  var fail = function (kind) {
    var e = new Error(kind);
    e.misend = kind;
    return e;
  };
  var req = fetch(url, {
    method: "POST",
    headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json" },
    body: body
  });
  return req.then(function (res) {
    if (res.status === 401) {
      throw fail("signIn");
    }
    if (res.status === 403) {
      throw fail("notOwn");
    }
    if (res.status !== 200) {
      throw fail("refused");
    }
    return res.json();
  }, function () {
    throw fail("network");
  });
}

// misendDraftId returns the draft's id for misend, made and kept with the
// draft the first time it is asked for.
function misendDraftId(item) {
  var made = function () {
    var r = "";
    for (var i = 0; i < 4; i++) {
      r += Math.floor(Math.random() * 0x100000000).toString(16);
    }
    return r + "." + Date.now().toString(16) + "@outlook.misend.invalid";
  };
  if (!item.loadCustomPropertiesAsync) {
    return Promise.resolve(made());
  }
  return misendAsync(function (cb) { item.loadCustomPropertiesAsync(cb); }).then(function (props) {
    var id = props && props.get(MISEND_DRAFT_PROP);
    if (id) {
      return String(id);
    }
    id = made();
    if (props && props.set && props.saveAsync) {
      props.set(MISEND_DRAFT_PROP, id);
      return misendAsync(function (cb) { props.saveAsync(cb); }).then(function () { return id; }, function () { return id; });
    }
    return id;
  }, function () { return made(); });
}

// misendConfirmedRecipients returns the flagged recipients of misend's
// answer that the sender confirmed in the pane.
function misendConfirmedRecipients(out, confirmed) {
  var v = out && out.verdict;
  if (v !== "confirm" && v !== "hold") {
    return [];
  }
  var list = [];
  var flagged = misendFlagged(out);
  for (var i = 0; i < flagged.length; i++) {
    var r = flagged[i].recipient;
    if (r && confirmed[misendKey(flagged[i])] && list.indexOf(String(r).toLowerCase()) < 0) {
      list.push(String(r).toLowerCase());
    }
  }
  return list;
}

// misendStamp gets misend's confirmation stamp for the recipients the
// sender confirmed and sets it on the message. It resolves to whether the
// stamp was set; without one the gateway simply asks again.
function misendStamp(item, token, draft, recipients) {
  if (!recipients.length || !item.internetHeaders || !item.internetHeaders.setAsync) {
    return Promise.resolve(false);
  }
  return misendDraftId(item).then(function (id) {
    var req = { draft_id: id, recipients: recipients };
    if (draft.from) {
      req.from = draft.from;
    }
    return fetch(MISEND_CONFIG.api.replace(/\/+$/, "") + "/api/v1/confirmations", {
      method: "POST",
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(req)
    });
  }).then(function (res) {
    if (res.status !== 201) {
      throw new Error("stamp refused: " + res.status);
    }
    return res.json();
  }).then(function (c) {
    if (!c || c.header !== MISEND_STAMP_HEADER || typeof c.value !== "string" || /[\r\n]/.test(c.value)) {
      throw new Error("not a stamp");
    }
    var h = {};
    h[MISEND_STAMP_HEADER] = c.value;
    return misendAsync(function (cb) { item.internetHeaders.setAsync(h, cb); }).then(function () { return true; });
  });
}

function misendEscape(s) {
  return String(s == null ? "" : s).replace(/[\\`*_{}\[\]()#+\-.!|<>~]/g, "\\$&");
}

// misendFlagged returns the findings to show, one per recipient (or per
// code for findings about the whole message), the most severe first. A
// recipient often has several findings (never mailed, a new domain, one
// letter off a usual one): the one shown leads with the most severe that
// has a suggestion, carries the suggestion of any of them, and lists every
// reason in messages.
function misendFlagged(out) {
  var rank = { high: 0, medium: 1, low: 2 };
  var order = function (f) {
    return (rank[f.severity] === undefined ? 3 : rank[f.severity]) * 2 + (f.suggestion ? 0 : 1);
  };
  var fs = (out.findings || []).slice().sort(function (a, b) { return order(a) - order(b); });
  var byKey = {};
  var list = [];
  for (var i = 0; i < fs.length; i++) {
    var k = misendKey(fs[i]);
    var f = byKey[k];
    if (!f) {
      f = {};
      for (var p in fs[i]) {
        if (Object.prototype.hasOwnProperty.call(fs[i], p)) {
          f[p] = fs[i][p];
        }
      }
      f.messages = [];
      byKey[k] = f;
      list.push(f);
    }
    if (!f.suggestion && fs[i].suggestion) {
      f.suggestion = fs[i].suggestion;
    }
    if (fs[i].message && f.messages.indexOf(fs[i].message) < 0) {
      f.messages.push(fs[i].message);
    }
  }
  return list;
}

// misendMessage writes the alert for the flagged findings, plain and in
// Markdown, each within Outlook's limit: lines that do not fit are
// summarised as "and N more".
function misendMessage(flagged, lang, rejected) {
  var build = function (md, n) {
    var lines = [md ? "**" + misendEscape(misendT(lang, "title")) + "**" : misendT(lang, "title"), ""];
    if (rejected) {
      lines[0] = md ? "**" + misendEscape(misendT(lang, "reject")) + "**" : misendT(lang, "reject");
    }
    for (var i = 0; i < n && i < flagged.length; i++) {
      var f = flagged[i];
      var who = f.recipient || "";
      var line;
      if (md) {
        line = "- " + (who ? "**" + misendEscape(who) + "**: " : "") + misendEscape(f.message);
        if (f.suggestion) {
          line += " (" + misendEscape(misendT(lang, "didYouMean")) + " **" + misendEscape(f.suggestion) + "**?)";
        }
      } else {
        line = "- " + (who ? who + ": " : "") + f.message;
        if (f.suggestion) {
          line += " (" + misendT(lang, "didYouMean") + " " + f.suggestion + "?)";
        }
      }
      lines.push(line);
    }
    if (flagged.length > n) {
      lines.push(md ? misendEscape(misendT(lang, "more", { n: flagged.length - n })) : misendT(lang, "more", { n: flagged.length - n }));
    }
    if (!rejected) {
      lines.push("");
      lines.push(md ? misendEscape(misendT(lang, "review")) : misendT(lang, "review"));
    }
    return lines.join("\n");
  };
  var fit = function (md) {
    for (var n = flagged.length; n >= 0; n--) {
      var s = build(md, n);
      if (s.length <= MISEND_LIMIT) {
        return s;
      }
    }
    return build(md, 0).slice(0, MISEND_LIMIT);
  };
  return { text: fit(false), markdown: fit(true) };
}

function misendSupports(version) {
  try {
    return !!Office.context.requirements.isSetSupported("Mailbox", version);
  } catch (e) {
    return false;
  }
}

// misendDecide turns misend's answer into the options for event.completed.
function misendDecide(out, confirmed, lang) {
  var v = out && out.verdict;
  if (v !== "confirm" && v !== "hold" && v !== "reject") {
    return { allowEvent: true };
  }
  var flagged = misendFlagged(out);
  if (v !== "reject" && flagged.length > 0) {
    var open = [];
    for (var i = 0; i < flagged.length; i++) {
      if (!confirmed[misendKey(flagged[i])]) {
        open.push(flagged[i]);
      }
    }
    if (open.length === 0) {
      // Everything flagged was confirmed in the pane: the gateway decides
      // the rest (a held message still waits for its approver there).
      return { allowEvent: true };
    }
    flagged = open;
  }
  var m = misendMessage(flagged, lang, v === "reject");
  var opts = { allowEvent: false, errorMessage: m.text };
  if (misendSupports("1.15")) {
    opts.errorMessageMarkdown = m.markdown;
  }
  if (v !== "reject" && misendSupports("1.14")) {
    opts.commandId = "misendOpenPane";
    opts.cancelLabel = misendT(lang, "takeAction");
  }
  return opts;
}

// misendUnavailable is what happens when misend could not check the draft,
// per the configured send mode: block stops the send; promptUser stops it
// with Outlook's Send Anyway offered; softBlock lets it go, since the
// gateway still decides on the message.
function misendUnavailable(err, lang) {
  var why = misendT(lang, (err && err.misend) || "network");
  var mode = MISEND_CONFIG.sendMode;
  if (mode === "softBlock") {
    return { allowEvent: true };
  }
  var text = misendT(lang, "unreachable", { why: why }) + " " +
    misendT(lang, mode === "block" ? "unreachableBlock" : "unreachablePrompt");
  return { allowEvent: false, errorMessage: text.slice(0, MISEND_LIMIT) };
}

function onMessageSendHandler(event) {
  var lang = "en";
  var done = false;
  var timer = null;
  // decided is misend's answer once it came: a stamp still on its way
  // when time runs out does not turn that answer into "unreachable".
  var decided = null;
  var finish = function (opts) {
    if (done) {
      return;
    }
    done = true;
    if (timer !== null) {
      clearTimeout(timer);
    }
    try {
      event.completed(opts);
    } catch (e) {
      // Nothing more can be done: Outlook applies the send mode.
    }
  };
  try {
    lang = misendLang();
    timer = setTimeout(function () {
      var e = new Error("timeout");
      e.misend = "timeout";
      finish(decided || misendUnavailable(e, lang));
    }, MISEND_CONFIG.timeoutMs > 0 ? MISEND_CONFIG.timeoutMs : 3500);
    var item = Office.context.mailbox.item;
    var read = misendReadDraft(item).then(null, function () {
      var e = new Error("readFailed");
      e.misend = "readFailed";
      throw e;
    });
    Promise.all([read, misendToken()]).then(function (v) {
      return misendPost(v[1], v[0].draft, lang).then(function (out) {
        var opts = misendDecide(out, v[0].confirmed, lang);
        var confirmed = opts.allowEvent ? misendConfirmedRecipients(out, v[0].confirmed) : [];
        if (!confirmed.length) {
          finish(opts);
          return;
        }
        // Sent either way: without the stamp the gateway asks again.
        decided = opts;
        var send = function () { finish(opts); };
        return misendStamp(item, v[1], v[0].draft, confirmed).then(send, send);
      });
    }).then(null, function (err) {
      finish(misendUnavailable(err, lang));
    });
  } catch (err) {
    finish(misendUnavailable(err, lang));
  }
}

if (typeof Office !== "undefined" && Office.actions && Office.actions.associate) {
  Office.actions.associate("onMessageSendHandler", onMessageSendHandler);
}
