// Tests of the Thunderbird add-in's background script
// (static/thunderbird/background.js) in Node with a small fake of the
// `messenger` object it uses and Node's own fetch. Run with
// `node --test internal/addin/jstest/`; no packages needed.
//
// The tests marked "served" talk to a real misend: cmd/misend's
// TestThunderbirdAddinAgainstServe starts `misend serve` on loopback over a
// learned history and runs this file with MISEND_TEST_URL and
// MISEND_TEST_TOKEN set. Without them they are skipped; the others need no
// server (misend "unreachable" is a closed port on loopback).
"use strict";

const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const vm = require("node:vm");

const dir = path.join(__dirname, "..", "static", "thunderbird");
const read = (f) => fs.readFileSync(path.join(dir, f), "utf8");
const served = { url: process.env.MISEND_TEST_URL || "", token: process.env.MISEND_TEST_TOKEN || "" };
const noServer = !served.url || !served.token ? "needs MISEND_TEST_URL and MISEND_TEST_TOKEN (cmd/misend TestThunderbirdAddinAgainstServe)" : false;

// plain copies objects made in the scripts' own global as plain data.
const plain = (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

// fakeMessenger is the part of Thunderbird's messenger API the add-in
// uses. o.drafts are the compose tabs' details by tab id; o.sender plays
// the person at the checklist window: it gets the window's state and
// returns the answer the window would send, or "close".
function fakeMessenger(o) {
  const on = {};
  const m = {
    opened: [],
    feedback: [],
    i18n: { getUILanguage: () => o.lang || "ja" },
    storage: {
      managed: {
        get: async () => {
          if (!o.managed) {
            throw new Error("Managed storage manifest not found");
          }
          return o.managed;
        },
      },
      local: { get: async () => o.local || {}, set: async (v) => Object.assign(o.local, v) },
    },
    compose: {
      getComposeDetails: async (tabId) => o.drafts[tabId],
      listAttachments: async () => (o.attachments || []).map((name, i) => ({ id: i, name, size: 10 })),
      onBeforeSend: { addListener: (fn) => { on.beforeSend = fn; } },
      onAfterSend: { addListener: (fn) => { on.afterSend = fn; } },
    },
    runtime: { onMessage: { addListener: (fn) => { on.message = fn; } } },
    windows: {
      create: async (opts) => {
        const entry = { opts, id: 100 + m.opened.length };
        m.opened.push(entry);
        // The window loads and asks for its checklist, as popup.js does.
        setImmediate(async () => {
          const id = new URLSearchParams(opts.url.split("?")[1]).get("id");
          entry.state = plain(await on.message({ misend: "state", id }));
          const answer = o.sender ? o.sender(entry.state) : { send: false };
          if (answer === "close") {
            on.removed(entry.id);
          } else {
            entry.accepted = await on.message(Object.assign({ misend: "answer", id }, answer));
          }
        });
        return { id: entry.id };
      },
      onRemoved: { addListener: (fn) => { on.removed = fn; } },
    },
  };
  m.on = on;
  return m;
}

// load runs config.js, check.js and background.js as Thunderbird's
// background page does, with the config line as misend builds it.
function load(messenger, config) {
  const cfg = Object.assign({ api: served.url || "http://127.0.0.1:9", sendMode: "softBlock", timeoutMs: 3000, lang: "en", insideDomains: ["corp.example"] }, config || {});
  const conf = read("config.js").replace(/^var MISEND_CONFIG = .*; \/\/ misend:config$/m, "var MISEND_CONFIG = " + JSON.stringify(cfg) + "; // misend:config");
  const ctx = {
    messenger,
    // Every feedback post is noted, so tests can see what misend was told.
    fetch: (url, init) => {
      if (String(url).includes("/api/v1/feedback")) {
        messenger.feedback.push(JSON.parse(init.body));
      }
      return fetch(url, init);
    },
    AbortController, URL, URLSearchParams, setTimeout, clearTimeout, console,
  };
  vm.createContext(ctx);
  for (const [f, src] of [["config.js", conf], ["check.js", read("check.js")], ["background.js", read("background.js")]]) {
    vm.runInContext(src, ctx, { filename: f });
  }
  assert.strictEqual(typeof messenger.on.beforeSend, "function", "onBeforeSend has a listener");
  return ctx;
}

// send presses Send in compose tab tabId and returns what the add-in
// tells Thunderbird.
async function send(messenger, tabId) {
  return plain(await messenger.on.beforeSend({ id: tabId }, messenger.drafts ? messenger.drafts[tabId] : undefined));
}

function draft(to, extra) {
  return Object.assign({ from: "佐藤 一郎 <sato@corp.example>", to, cc: [], bcc: [], subject: "お見積もりの件", isPlainText: true,
    plainTextBody: "A社 田中様\n\nいつもお世話になっております。お見積もりをお送りします。", body: "" }, extra || {});
}

// closedPort returns a loopback URL nothing listens on.
async function closedPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const port = srv.address().port;
  await new Promise((r) => srv.close(r));
  return "http://127.0.0.1:" + port;
}

// The wrong Tanaka: partner A's 田中, whom 佐藤 mails every week, with
// the domain mistyped.
const wrongTanaka = "田中 太郎 <tanaka@partnr-a.example>";

test("served: an honest draft passes without a window", { skip: noServer }, async () => {
  const o = { drafts: { 1: draft(["田中 太郎 <tanaka@partner-a.example>"], { cc: ["上田 花子 <ueda@corp.example>"] }) }, local: { token: served.token } };
  const m = fakeMessenger(o);
  load(m);
  assert.deepStrictEqual(await send(m, 1), { cancel: false });
  assert.strictEqual(m.opened.length, 0);
});

test("served: the wrong Tanaka opens the checklist with the suggestion", { skip: noServer }, async (t) => {
  const d = draft([wrongTanaka], { cc: ["上田 花子 <ueda@corp.example>"] });
  let answer = { send: false };
  const o = { drafts: { 2: d }, local: { token: served.token }, attachments: ["見積書.pdf"], sender: () => answer };
  const m = fakeMessenger(o);
  load(m);

  await t.test("Cancel stops the send and tells misend", async () => {
    assert.deepStrictEqual(await send(m, 2), { cancel: true });
    assert.strictEqual(m.opened.length, 1);
    const w = m.opened[0];
    assert.strictEqual(w.opts.type, "popup");
    assert.match(w.opts.url, /^popup\.html\?id=\d+$/);
    const s = w.state;
    assert.strictEqual(s.lang, "ja");
    assert.ok(["confirm", "hold"].includes(s.verdict), s.verdict);
    assert.deepStrictEqual(s.recipients.map((r) => [r.field, r.addr, r.outside, r.flagged]),
      [["to", "tanaka@partnr-a.example", true, true], ["cc", "ueda@corp.example", false, false]]);
    assert.strictEqual(s.recipients[0].suggestion, "tanaka@partner-a.example");
    assert.ok(s.recipients[0].reasons.some((r) => r.includes("tanaka@partner-a.example")), s.recipients[0].reasons.join(" / "));
    assert.deepStrictEqual(m.feedback.map((f) => f.kind), ["cancelled"]);
  });

  await t.test("a Send with the flagged recipient unticked is refused", async () => {
    answer = { send: true };
    assert.deepStrictEqual(await send(m, 2), { cancel: true });
  });

  await t.test("changing to the suggestion sends to the intended 田中", async () => {
    answer = { send: true, replace: { "tanaka@partnr-a.example": "tanaka@partner-a.example" } };
    const r = await send(m, 2);
    assert.deepStrictEqual(r, { cancel: false, details: { to: ["tanaka@partner-a.example"], cc: ["上田 花子 <ueda@corp.example>"], bcc: [] } });
    assert.deepStrictEqual(m.feedback.at(-1), { kind: "dropped", recipient: "tanaka@partnr-a.example", message_id: m.feedback.at(-1).message_id });
  });

  await t.test("a replacement other than misend's suggestion is ignored", async () => {
    answer = { send: true, replace: { "tanaka@partnr-a.example": "someone@evil.example" } };
    assert.deepStrictEqual(await send(m, 2), { cancel: true });
  });

  await t.test("removing the flagged recipient sends to the others", async () => {
    answer = { send: true, remove: ["tanaka@partnr-a.example"] };
    assert.deepStrictEqual(await send(m, 2), { cancel: false, details: { to: [], cc: ["上田 花子 <ueda@corp.example>"], bcc: [] } });
  });
});

test("served: a draft with a confirmed recipient passes", { skip: noServer }, async () => {
  // 田中 at partner C is new to 佐藤, and right: 佐藤 confirms once.
  const newcomer = "田中 一 <tanaka@partner-c.example>";
  const o = { drafts: { 3: draft([newcomer]), 4: draft([newcomer], { subject: "打ち合わせの件" }) }, local: { token: served.token },
    sender: (s) => ({ send: true, confirmed: s.recipients.filter((r) => r.flagged).map((r) => r.addr) }) };
  const m = fakeMessenger(o);
  load(m);
  assert.deepStrictEqual(await send(m, 3), { cancel: false, details: { to: [newcomer], cc: [], bcc: [] } });
  assert.strictEqual(m.opened.length, 1);
  assert.deepStrictEqual(m.feedback.map((f) => [f.kind, f.recipient]), [["confirmed", "tanaka@partner-c.example"]]);
  // Sending this draft again, and a new one to the same person, asks
  // nothing: misend knows the recipient now.
  assert.deepStrictEqual(await send(m, 3), { cancel: false });
  assert.deepStrictEqual(await send(m, 4), { cancel: false });
  assert.strictEqual(m.opened.length, 1);
});

test("served: English in an English Thunderbird", { skip: noServer }, async () => {
  const o = { lang: "en-US", drafts: { 5: draft(["tanaka@partnr-a.example"]) }, local: { token: served.token } };
  const m = fakeMessenger(o);
  load(m);
  assert.deepStrictEqual(await send(m, 5), { cancel: true });
  const s = m.opened[0].state;
  assert.strictEqual(s.lang, "en");
  assert.ok(s.recipients[0].reasons.some((r) => /[a-z]{4,}/.test(r) && !/[ぁ-ん]/.test(r)), s.recipients[0].reasons.join(" / "));
});

test("served: a refused token follows the send mode", { skip: noServer }, async () => {
  const o = { drafts: { 6: draft([wrongTanaka]) }, local: { token: "msd_not_a_token" }, sender: () => ({ send: true }) };
  const m = fakeMessenger(o);
  load(m, { sendMode: "block" });
  assert.deepStrictEqual(await send(m, 6), { cancel: true });
  assert.strictEqual(m.opened[0].state.kind, "unavailable");
  assert.strictEqual(m.opened[0].state.why, "signIn");
});

test("served: the settings page's connection test names the person", { skip: noServer }, async () => {
  const ok = fakeMessenger({ local: { token: served.token } });
  load(ok);
  assert.deepStrictEqual(plain(await ok.on.message({ misend: "test" })), { ok: true, who: "佐藤 一郎" });
  const bad = fakeMessenger({ local: { token: "msd_wrong" } });
  load(bad);
  assert.deepStrictEqual(plain(await bad.on.message({ misend: "test" })), { ok: false, why: "signIn" });
  const s = plain(await bad.on.message({ misend: "settings" }));
  assert.strictEqual(s.hasToken, true);
  assert.strictEqual(s.token, undefined, "the token itself never leaves the background script");
});

test("addresses are read from what Thunderbird gives, and nothing else", () => {
  const ctx = load(fakeMessenger({}));
  const cases = [
    ["tanaka@partner-a.example", "tanaka@partner-a.example"],
    ["田中 太郎 <Tanaka@Partner-A.example>", "tanaka@partner-a.example"],
    ['"Tanaka, Taro" <tanaka@partner-a.example>', "tanaka@partner-a.example"],
    ["  plain@x.example  ", "plain@x.example"],
    ["a@x.example, b@y.example", ""],
    ["<a@x.example> trailing", ""],
    ["Name <a@x.example> <b@y.example>", "b@y.example"],
    ["営業部メーリングリスト", ""],
    ["no-at-sign", ""],
    ["a@b@c", ""],
    ["<>", ""],
    ["", ""],
    [{ id: "c1", type: "contact" }, ""],
    [null, ""],
  ];
  for (const [in_, want] of cases) {
    assert.strictEqual(ctx.misendAddr(in_), want, JSON.stringify(in_));
  }
  assert.strictEqual(ctx.misendInside("a@sub.corp.example", ["corp.example"]), true);
  assert.strictEqual(ctx.misendInside("a@evilcorp.example", ["corp.example"]), false);
  assert.strictEqual(ctx.misendInside("a@corp.example.evil", ["corp.example"]), false);
});

for (const [mode, cancel, window] of [["softBlock", false, false], ["promptUser", false, true], ["block", true, true]]) {
  test(`misend unreachable, ${mode}: cancel ${cancel}`, async () => {
    const o = { drafts: { 1: draft([wrongTanaka]) }, local: { token: "msd_x" }, sender: () => ({ send: true }) };
    const m = fakeMessenger(o);
    load(m, { api: await closedPort(), sendMode: mode });
    assert.deepStrictEqual(await send(m, 1), { cancel });
    assert.strictEqual(m.opened.length, window ? 1 : 0);
    if (window) {
      assert.deepStrictEqual(m.opened[0].state, { kind: "unavailable", lang: "ja", mode, why: "network", recipients: [], message: [] });
    }
  });
}

test("promptUser: the sender may still cancel, or close the window", async () => {
  for (const answer of [{ send: false }, "close"]) {
    const o = { drafts: { 1: draft([wrongTanaka]) }, local: { token: "msd_x" }, sender: () => answer };
    const m = fakeMessenger(o);
    load(m, { api: await closedPort(), sendMode: "promptUser" });
    assert.deepStrictEqual(await send(m, 1), { cancel: true });
  }
});

test("misend too slow: the send mode applies at the timeout", async () => {
  const srv = net.createServer(() => {}); // accepts and never answers
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  try {
    const o = { drafts: { 1: draft([wrongTanaka]) }, local: { token: "msd_x" }, sender: () => ({ send: false }) };
    const m = fakeMessenger(o);
    load(m, { api: "http://127.0.0.1:" + srv.address().port, sendMode: "block", timeoutMs: 200 });
    const t0 = Date.now();
    assert.deepStrictEqual(await send(m, 1), { cancel: true });
    assert.ok(Date.now() - t0 < 2000);
    assert.strictEqual(m.opened[0].state.why, "timeout");
  } finally {
    srv.close();
  }
});

test("no token: the sender is sent to the settings (block), or the mail goes (softBlock)", async () => {
  for (const [mode, cancel] of [["block", true], ["softBlock", false]]) {
    const m = fakeMessenger({ drafts: { 1: draft([wrongTanaka]) }, local: {} });
    load(m, { sendMode: mode });
    assert.deepStrictEqual(await send(m, 1), { cancel });
    if (cancel) {
      assert.strictEqual(m.opened[0].state.why, "signIn");
    }
  }
});

test("settings: the administrator's policies win, and only they set the send mode", async () => {
  const m = fakeMessenger({ managed: { server: "https://misend.corp.example/", token: "msd_managed", sendMode: "block", insideDomains: ["Corp.Example", "group.example"] },
    local: { server: "https://other.example", token: "msd_local", sendMode: "softBlock" } });
  const ctx = load(m, { sendMode: "promptUser" });
  const s = plain(await ctx.misendSettings());
  assert.deepStrictEqual(s, { api: "https://misend.corp.example", token: "msd_managed", sendMode: "block", insideDomains: ["corp.example", "group.example"],
    managed: { server: true, token: true, sendMode: true } });
  const m2 = fakeMessenger({ local: { server: "https://misend.corp.example", token: "msd_local", sendMode: "softBlock" } });
  const ctx2 = load(m2, { sendMode: "promptUser", api: "https://built.example" });
  const s2 = plain(await ctx2.misendSettings());
  assert.strictEqual(s2.sendMode, "promptUser", "a sender cannot loosen the send mode");
  assert.strictEqual(s2.token, "msd_local");
  assert.strictEqual(s2.api, "https://misend.corp.example");
});

test("the draft as misend reads it", () => {
  const ctx = load(fakeMessenger({}));
  const d = plain(ctx.misendDraft({
    from: "佐藤 <Sato@Corp.Example>",
    to: ["田中 \"太郎\" <tanaka@partner-a.example>", "営業部メーリングリスト", "plain@x.example"],
    cc: [{ id: "contact-1", type: "contact" }], bcc: [],
    subject: "件名", body: "<p>A社&nbsp;田中様</p><script>x()</script><div>資料&amp;見積</div>",
  }, [{ name: "a.pdf" }, { name: "" }]));
  assert.deepStrictEqual(d, { to: ['"田中  太郎" <tanaka@partner-a.example>', "plain@x.example"], cc: [], bcc: [], subject: "件名",
    body: "A社 田中様\n 資料&見積\n", attachments: ["a.pdf"], from: "sato@corp.example" });
});

test("the checklist: outside marked, one row per flagged recipient, whole-message findings", () => {
  const ctx = load(fakeMessenger({}));
  const out = { verdict: "hold", findings: [
    { code: "NEW_RECIPIENT", severity: "medium", recipient: "tanaka@partnr-a.example", message: "new" },
    { code: "LOOKALIKE_DOMAIN", severity: "high", recipient: "tanaka@partnr-a.example", message: "one letter off", suggestion: "tanaka@partner-a.example" },
    { code: "CONFIDENTIAL_TERMS", severity: "high", message: "confidential" },
  ] };
  const fields = { to: ["Tanaka <TANAKA@partnr-a.example>", "x@sub.corp.example"], cc: ["tanaka@partnr-a.example"], bcc: ["list name"] };
  const s = plain(ctx.misendChecklist(fields, out, ["corp.example"], {}, "en"));
  assert.deepStrictEqual(s.recipients.map((r) => [r.addr, r.outside, r.flagged, r.reasons, r.suggestion]), [
    ["tanaka@partnr-a.example", true, true, ["one letter off", "new"], "tanaka@partner-a.example"],
    ["x@sub.corp.example", false, false, [], ""],
    ["tanaka@partnr-a.example", true, false, [], ""],
    ["", false, false, [], ""],
  ]);
  assert.deepStrictEqual(s.message, [{ key: "code:confidential_terms", code: "CONFIDENTIAL_TERMS", reasons: ["confidential"] }]);
  const c = (x) => Object.assign({ confirmed: {}, removed: {}, replaced: {} }, x);
  assert.strictEqual(ctx.misendRemaining(s, c()), 2);
  assert.strictEqual(ctx.misendCanSend(s, c({ confirmed: { "tanaka@partnr-a.example": true } })), false);
  assert.strictEqual(ctx.misendCanSend(s, c({ confirmed: { "tanaka@partnr-a.example": true, "code:confidential_terms": true } })), true);
  assert.strictEqual(ctx.misendCanSend(Object.assign({}, s, { verdict: "reject" }), c({ confirmed: { "tanaka@partnr-a.example": true, "code:confidential_terms": true } })), false);
  // Confirmed before for this draft: nothing left to ask.
  const again = plain(ctx.misendChecklist(fields, out, ["corp.example"], { "tanaka@partnr-a.example": true, "code:confidential_terms": true }, "en"));
  assert.strictEqual(ctx.misendOpen(again), false);
  // A verdict from the score alone: each outside recipient is to be checked.
  const bare = plain(ctx.misendChecklist(fields, { verdict: "confirm", findings: [] }, ["corp.example"], {}, "ja"));
  assert.deepStrictEqual(bare.recipients.map((r) => r.flagged), [true, false, true, false]);
  assert.deepStrictEqual(bare.recipients[0].reasons, ["misend がこの宛先の確認を求めています。"]);
});

test("the recipients Thunderbird is given back keep everything not removed", () => {
  const ctx = load(fakeMessenger({}));
  const contact = { id: "c1", type: "contact" };
  const fields = { to: ["A <a@x.example>", "b@x.example", contact], cc: ["a@x.example"], bcc: ["c@y.example"] };
  assert.deepStrictEqual(plain(ctx.misendRecipients(fields, { remove: ["B@x.example"], replace: { "c@y.example": "c@z.example", "a@x.example": "not an address" } })),
    { to: ["A <a@x.example>", contact], cc: ["a@x.example"], bcc: ["c@z.example"] });
});

test("the checklist window's answer is read as hostile", () => {
  const ctx = load(fakeMessenger({}));
  const state = { kind: "check", verdict: "confirm", message: [{ key: "code:x" }],
    recipients: [{ field: "to", addr: "a@x.example", flagged: true, suggestion: "a@y.example", reasons: [] }] };
  const c = plain(ctx.misendChoices(state, { send: "yes", confirmed: ["A@x.example", "code:x", "z@z.example"], remove: ["q@q.example"], replace: { "a@x.example": "evil@e.example" } }));
  assert.deepStrictEqual(c, { send: false, confirmed: { "a@x.example": true, "code:x": true }, removed: {}, replaced: {} });
  assert.deepStrictEqual(plain(ctx.misendChoices(state, null)), { send: false, confirmed: {}, removed: {}, replaced: {} });
});
