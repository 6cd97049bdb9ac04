/*
 * misend for Thunderbird: the background script. At Send
 * (compose.onBeforeSend) it reads the draft, asks misend's
 * POST /api/v1/check (the gateway's own decision) and, when misend asks the
 * sender to confirm, holds or rejects the message, opens the checklist
 * window and waits for the sender's answer. What the sender confirmed or
 * removed is told back to misend (POST /api/v1/feedback), so a recipient
 * confirmed once is known from then on.
 *
 * It decides nothing itself. When misend cannot answer, the send mode the
 * administrator chose applies: softBlock sends (the gateway still checks
 * the message), promptUser asks the sender, block stops the send.
 * Loaded after config.js and check.js.
 */
"use strict";

var MISEND_MODES = ["softBlock", "promptUser", "block"];

// Checklist windows waiting for the sender, by id.
var misendPending = {};
var misendSeq = 0;

// What the sender ticked per compose tab, so sending the same draft again
// (after the server refused it, say) does not ask again.
var misendConfirmedByTab = {};

function misendFail(kind) {
  var e = new Error(kind);
  e.misend = kind;
  return e;
}

function misendUILang() {
  var ui = "";
  try {
    ui = messenger.i18n.getUILanguage();
  } catch (e) {
    ui = "";
  }
  return misendTbLang(ui, MISEND_CONFIG.lang);
}

// misendSettings merges the administrator's policies (storage.managed,
// from policies.json or the Windows registry) over what the sender saved
// on the settings page over what the add-in was built with. Only the
// administrator chooses the send mode: a sender cannot loosen it.
async function misendSettings() {
  var managed = {};
  try {
    managed = (await messenger.storage.managed.get(["server", "token", "sendMode", "insideDomains"])) || {};
  } catch (e) {
    // No policy for this add-in: storage.managed refuses rather than
    // answering empty.
    managed = {};
  }
  var local = {};
  try {
    local = (await messenger.storage.local.get(["server", "token"])) || {};
  } catch (e) {
    local = {};
  }
  var inside = Array.isArray(managed.insideDomains) ? managed.insideDomains : MISEND_CONFIG.insideDomains || [];
  return {
    api: String(managed.server || local.server || MISEND_CONFIG.api || "").trim().replace(/\/+$/, ""),
    token: String(managed.token || local.token || "").trim(),
    sendMode: MISEND_MODES.indexOf(managed.sendMode) >= 0 ? managed.sendMode : MISEND_CONFIG.sendMode,
    insideDomains: inside.map(function (d) { return String(d).toLowerCase(); }),
    managed: { server: !!managed.server, token: !!managed.token, sendMode: !!managed.sendMode }
  };
}

// misendCall sends one request to misend's API and returns its JSON
// answer, failing with the reason a sender is told.
async function misendCall(settings, method, path, body) {
  if (!settings.token) {
    throw misendFail("signIn");
  }
  if (!/^https?:\/\//.test(settings.api)) {
    throw misendFail("network");
  }
  var ctl = new AbortController();
  var timer = setTimeout(function () { ctl.abort(); }, MISEND_CONFIG.timeoutMs > 0 ? MISEND_CONFIG.timeoutMs : 5000);
  try {
    var res;
    try {
      res = await fetch(settings.api + path, {
        method: method,
        headers: { "Authorization": "Bearer " + settings.token, "Content-Type": "application/json", "Accept": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        signal: ctl.signal
      });
    } catch (e) {
      throw misendFail(ctl.signal.aborted ? "timeout" : "network");
    }
    if (res.status === 401) {
      throw misendFail("signIn");
    }
    if (res.status < 200 || res.status > 299) {
      throw misendFail("refused");
    }
    try {
      return await res.json();
    } catch (e) {
      throw misendFail(ctl.signal.aborted ? "timeout" : "refused");
    }
  } finally {
    clearTimeout(timer);
  }
}

// misendNamed writes a recipient for misend the way a header names it:
// "Name" <addr>, so the name counts as it does at the gateway.
function misendNamed(r) {
  var addr = misendAddr(r);
  var i = r.lastIndexOf("<");
  var name = i > 0 ? r.slice(0, i).trim().replace(/^"(.*)"$/, "$1").replace(/["\\\r\n]/g, " ").trim() : "";
  return name ? '"' + name + '" <' + addr + ">" : addr;
}

// misendBodyText is the draft's text: Thunderbird gives it as plain text
// for HTML mail too; older versions only the HTML.
function misendBodyText(details) {
  if (typeof details.plainTextBody === "string") {
    return details.plainTextBody;
  }
  return String(details.body || "")
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&amp;/g, "&");
}

// misendDraft is the draft as POST /api/v1/check reads it. Recipients
// without an address (an address book list given by its name) are left
// out: Thunderbird expands them only when it sends, and the gateway sees
// their members.
function misendDraft(details, attachments) {
  var list = function (rs) {
    return (rs || []).filter(function (r) { return misendAddr(r) !== ""; }).map(misendNamed);
  };
  var d = {
    to: list(details.to),
    cc: list(details.cc),
    bcc: list(details.bcc),
    subject: String(details.subject || ""),
    body: misendBodyText(details),
    attachments: (attachments || []).map(function (a) { return String((a && a.name) || ""); }).filter(Boolean)
  };
  var from = misendAddr(details.from);
  if (from) {
    d.from = from;
  }
  return d;
}

// misendAsk opens the checklist window for state and resolves to the
// sender's answer; closing the window is Cancel.
function misendAsk(state) {
  var id = String(++misendSeq);
  return new Promise(function (resolve, reject) {
    misendPending[id] = { state: state, resolve: resolve, windowId: null };
    messenger.windows.create({ url: "popup.html?id=" + id, type: "popup", width: 640, height: 680, allowScriptsToClose: true }).then(function (w) {
      if (misendPending[id]) {
        misendPending[id].windowId = w && w.id;
      }
    }, function (e) {
      delete misendPending[id];
      reject(e);
    });
  });
}

function misendAnswered(id, answer) {
  var p = misendPending[id];
  if (!p) {
    return false;
  }
  delete misendPending[id];
  p.resolve(answer);
  return true;
}

// misendChoices reads the window's answer as hostile input: only
// addresses that are on the checklist, and a replacement only by misend's
// own suggestion for that recipient.
function misendChoices(state, msg) {
  var c = { send: !!msg && msg.send === true, confirmed: {}, removed: {}, replaced: {} };
  var rows = {};
  state.recipients.forEach(function (r) {
    if (r.addr) {
      rows[r.addr] = r;
    }
  });
  var keys = {};
  state.message.forEach(function (m) { keys[m.key] = true; });
  var arr = function (v) { return Array.isArray(v) ? v.map(function (x) { return String(x).toLowerCase(); }) : []; };
  arr(msg && msg.confirmed).forEach(function (k) {
    if (rows[k] || keys[k]) {
      c.confirmed[k] = true;
    }
  });
  arr(msg && msg.remove).forEach(function (a) {
    if (rows[a]) {
      c.removed[a] = true;
    }
  });
  var rp = (msg && msg.replace) || {};
  Object.keys(rp).forEach(function (a) {
    var r = rows[String(a).toLowerCase()];
    if (r && r.suggestion && String(rp[a]).toLowerCase() === r.suggestion.toLowerCase()) {
      c.replaced[r.addr] = r.suggestion;
    }
  });
  return c;
}

// misendFeedback tells misend what the sender answered: a confirmed
// recipient becomes a known contact; a removed one, or a cancelled
// message, counts as a mistake caught. Failures are not the sender's
// concern.
async function misendFeedback(settings, out, state, c) {
  if (!out.message_id) {
    return;
  }
  var posts = [];
  if (!c.send) {
    posts.push({ kind: "cancelled" });
  } else {
    state.recipients.forEach(function (r) {
      if (!r.flagged || !r.addr) {
        return;
      }
      if (c.removed[r.addr] || c.replaced[r.addr]) {
        posts.push({ kind: "dropped", recipient: r.addr });
      } else if (c.confirmed[r.addr]) {
        posts.push({ kind: "confirmed", recipient: r.addr });
      }
    });
  }
  await Promise.all(posts.map(function (p) {
    p.message_id = out.message_id;
    return misendCall(settings, "POST", "/api/v1/feedback", p).then(null, function () { return null; });
  }));
}

// misendUnavailable follows the send mode when misend could not check the
// draft.
async function misendUnavailable(err, lang, settings) {
  var mode = settings ? settings.sendMode : MISEND_CONFIG.sendMode;
  if (mode !== "promptUser" && mode !== "block") {
    return { cancel: false };
  }
  var state = { kind: "unavailable", lang: lang, mode: mode, why: (err && err.misend) || "network", recipients: [], message: [] };
  try {
    var answer = await misendAsk(state);
    return { cancel: !(mode === "promptUser" && answer && answer.send === true) };
  } catch (e) {
    return { cancel: true };
  }
}

// misendBeforeSend is the compose.onBeforeSend listener.
async function misendBeforeSend(tab, eventDetails) {
  var lang = misendUILang();
  var settings = null;
  try {
    settings = await misendSettings();
    var details, attachments;
    try {
      details = (await messenger.compose.getComposeDetails(tab.id)) || eventDetails;
      attachments = await messenger.compose.listAttachments(tab.id);
    } catch (e) {
      throw misendFail("readFailed");
    }
    var out = await misendCall(settings, "POST", "/api/v1/check?lang=" + lang, misendDraft(details, attachments));
    if (!out || !MISEND_ASKS[out.verdict]) {
      return { cancel: false };
    }
    var confirmed = misendConfirmedByTab[tab.id] || {};
    var inside = settings.insideDomains.slice();
    if (misendAddr(details.from)) {
      inside.push(misendDomain(misendAddr(details.from)));
    }
    var fields = { to: details.to || [], cc: details.cc || [], bcc: details.bcc || [] };
    var state = misendChecklist(fields, out, inside, confirmed, lang);
    if (!misendOpen(state)) {
      return { cancel: false };
    }
    var c = misendChoices(state, await misendAsk(state));
    if (c.send && !misendCanSend(state, c)) {
      c.send = false;
    }
    await misendFeedback(settings, out, state, c);
    if (!c.send) {
      return { cancel: true };
    }
    var keep = misendConfirmedByTab[tab.id] || {};
    Object.keys(c.confirmed).forEach(function (k) { keep[k] = true; });
    misendConfirmedByTab[tab.id] = keep;
    return { cancel: false, details: misendRecipients(fields, { remove: Object.keys(c.removed), replace: c.replaced }) };
  } catch (err) {
    return misendUnavailable(err, lang, settings);
  }
}

// misendOnMessage answers the extension's own pages: the checklist window
// asks for its state and gives the answer; the settings page reads and
// tests the settings.
function misendOnMessage(msg) {
  if (!msg || typeof msg.misend !== "string") {
    return undefined;
  }
  switch (msg.misend) {
    case "state": {
      var p = misendPending[String(msg.id)];
      return Promise.resolve(p ? p.state : null);
    }
    case "answer": {
      var q = misendPending[String(msg.id)];
      return Promise.resolve(q ? misendAnswered(String(msg.id), msg) : false);
    }
    case "settings":
      return misendSettings().then(function (s) {
        return { api: s.api, hasToken: !!s.token, sendMode: s.sendMode, managed: s.managed, builtFor: MISEND_CONFIG.api, lang: misendUILang() };
      });
    case "test":
      return misendSettings().then(function (s) {
        return misendCall(s, "GET", "/api/v1/me").then(function (me) {
          return { ok: true, who: String((me && (me.name || me.address)) || "") };
        }, function (e) {
          return { ok: false, why: e.misend || "network" };
        });
      });
    default:
      return undefined;
  }
}

function misendWindowClosed(windowId) {
  Object.keys(misendPending).forEach(function (id) {
    if (misendPending[id].windowId === windowId) {
      misendAnswered(id, { send: false });
    }
  });
}

if (typeof messenger !== "undefined" && messenger.compose) {
  messenger.compose.onBeforeSend.addListener(misendBeforeSend);
  messenger.runtime.onMessage.addListener(misendOnMessage);
  messenger.windows.onRemoved.addListener(misendWindowClosed);
  if (messenger.compose.onAfterSend) {
    messenger.compose.onAfterSend.addListener(function (tab) {
      delete misendConfirmedByTab[tab.id];
    });
  }
}
