// Tests of the Outlook Smart Alerts handler (static/outlook/launchevent.js)
// in Node with a small fake of the Office.js objects it uses. Run with
// `node --test internal/addin/jstest/`; no packages needed.
"use strict";

const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const source = fs.readFileSync(path.join(__dirname, "..", "static", "outlook", "launchevent.js"), "utf8");

// load runs the handler file as Outlook's JavaScript-only runtime would: a
// classic script in a fresh global, with config laid over the defaults the
// way misend serves it.
function load(office, fetchImpl, config) {
  const cfg = Object.assign({ api: "https://misend.test", sendMode: "softBlock", timeoutMs: 1000, sso: false, lang: "en" }, config || {});
  const src = source.replace(/^var MISEND_CONFIG = .*; \/\/ misend:config$/m, "var MISEND_CONFIG = " + JSON.stringify(cfg) + "; // misend:config");
  assert.notStrictEqual(src, source, "the config line was found");
  const ctx = { Office: office, fetch: fetchImpl, setTimeout, clearTimeout, Promise, JSON, console };
  vm.createContext(ctx);
  vm.runInContext(src, ctx, { filename: "launchevent.js" });
  return ctx;
}

const ok = (value) => ({ status: "succeeded", value });
const failed = (message) => ({ status: "failed", error: { message } });

function fakeOffice(opts) {
  opts = opts || {};
  const field = (value) => ({ getAsync: (cb) => setImmediate(() => cb(ok(value))) });
  const props = Object.assign({}, opts.props || {});
  const item = {
    from: field({ emailAddress: "aoki@corp.example", displayName: "Aoki" }),
    to: field(opts.to || [{ emailAddress: "tanaka@partner-b.example", displayName: "Tanaka" }]),
    cc: field([]),
    bcc: field([]),
    subject: field("見積もりの件"),
    body: { getAsync: (kind, cb) => setImmediate(() => cb(opts.bodyFails ? failed("no body") : ok("A社 田中様"))) },
    getAttachmentsAsync: (cb) => setImmediate(() => cb(ok([{ name: "quote.pdf", isInline: false }, { name: "logo.png", isInline: true }]))),
    loadCustomPropertiesAsync: (cb) => setImmediate(() => cb(ok({ get: (k) => props[k] }))),
  };
  const associated = {};
  return {
    associated,
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    actions: { associate: (name, fn) => { associated[name] = fn; } },
    auth: {
      getAccessToken: () => opts.ssoFails ? Promise.reject(new Error("13001")) : Promise.resolve("sso-token"),
    },
    context: {
      displayLanguage: opts.lang || "en-US",
      requirements: { isSetSupported: (name, v) => name === "Mailbox" && Number(v) <= 1.15 },
      roamingSettings: { get: (k) => (k === "misendToken" ? (opts.token === undefined ? "msd_test" : opts.token) : undefined) },
      mailbox: { item: opts.noItem ? undefined : item },
    },
  };
}

function answer(status, body) {
  return () => Promise.resolve({ status, json: () => Promise.resolve(body) });
}

const wrongTanaka = {
  verdict: "confirm", score: 0.9,
  findings: [
    { code: "SIMILAR_CONTACT", severity: "high", recipient: "tanaka@partner-b.example", message: "never mailed before; you often mail tanaka@partner-a.example", suggestion: "tanaka@partner-a.example" },
    { code: "NEW_DOMAIN", severity: "medium", recipient: "tanaka@partner-b.example", message: "a new domain for you" },
  ],
};

// send runs the handler once and returns every event.completed call,
// waiting past the handler's timeout so a late second call would be seen.
async function send(office, fetchImpl, config, wait) {
  const ctx = load(office, fetchImpl, config);
  const calls = [];
  office.associated.onMessageSendHandler({ completed: (o) => calls.push(o) });
  await new Promise((r) => setTimeout(r, wait || 150));
  assert.strictEqual(typeof ctx.onMessageSendHandler, "function");
  // Objects made in the script's own global compare as plain data.
  return JSON.parse(JSON.stringify(calls));
}

test("a pass verdict lets the message go", async () => {
  let seen;
  const fetchImpl = (url, init) => { seen = { url, init }; return answer(200, { verdict: "pass", score: 0.01, findings: [] })(); };
  const calls = await send(fakeOffice(), fetchImpl);
  assert.deepStrictEqual(calls, [{ allowEvent: true }]);
  assert.strictEqual(seen.url, "https://misend.test/api/v1/check?lang=en");
  assert.strictEqual(seen.init.headers.Authorization, "Bearer msd_test");
  const draft = JSON.parse(seen.init.body);
  assert.deepStrictEqual(draft.to, ['"Tanaka" <tanaka@partner-b.example>']);
  assert.strictEqual(draft.from, "aoki@corp.example");
  assert.strictEqual(draft.subject, "見積もりの件");
  assert.deepStrictEqual(draft.attachments, ["quote.pdf"]);
});

test("a confirm verdict blocks with each recipient, reason and suggestion", async () => {
  const calls = await send(fakeOffice(), answer(200, wrongTanaka));
  assert.strictEqual(calls.length, 1);
  const o = calls[0];
  assert.strictEqual(o.allowEvent, false);
  assert.match(o.errorMessage, /tanaka@partner-b\.example: never mailed before/);
  assert.match(o.errorMessage, /did you mean tanaka@partner-a\.example\?/);
  assert.match(o.errorMessageMarkdown, /\*\*tanaka@partner\\-b\\\.example\*\*/);
  assert.strictEqual(o.errorMessageMarkdown.split("\n- ").length - 1, 1, "one line per recipient");
  assert.strictEqual(o.commandId, "misendOpenPane");
  assert.ok(o.errorMessage.length <= 500 && o.errorMessageMarkdown.length <= 500);
});

test("a hold in Japanese is explained in Japanese", async () => {
  let url;
  const calls = await send(fakeOffice({ lang: "ja-JP" }), (u) => { url = u; return answer(200, Object.assign({}, wrongTanaka, { verdict: "hold" }))(); });
  assert.match(url, /lang=ja$/);
  assert.strictEqual(calls.length, 1);
  assert.strictEqual(calls[0].allowEvent, false);
  assert.match(calls[0].errorMessage, /送信前に宛先を確認してください/);
  assert.match(calls[0].errorMessage, /もしかして tanaka@partner-a\.example/);
  assert.strictEqual(calls[0].cancelLabel, "確認する");
});

// misend's answer on the wrong Tanaka as misend gives it: three findings of
// the same severity, the suggestion not on the first. The alert must not
// lose it (it once showed "a new domain" alone, with no suggestion).
test("the suggestion of any finding on a recipient is shown, with its reasons", async () => {
  const out = {
    verdict: "hold",
    findings: [
      { code: "NEW_RECIPIENT", severity: "medium", recipient: "tanaka@partnr-a.example", message: "never mailed" },
      { code: "NEW_DOMAIN", severity: "high", recipient: "tanaka@partnr-a.example", message: "a new domain" },
      { code: "LOOKALIKE_DOMAIN", severity: "high", recipient: "tanaka@partnr-a.example", message: "one letter off", suggestion: "tanaka@partner-a.example" },
      { code: "ATTACHMENT", severity: "low", message: "whole message" },
    ],
  };
  const ctx = load(fakeOffice(), answer(200, out));
  const flagged = JSON.parse(JSON.stringify(ctx.misendFlagged(out)));
  assert.deepStrictEqual(flagged.map((f) => [f.recipient || f.code, f.message, f.suggestion, f.messages]), [
    ["tanaka@partnr-a.example", "one letter off", "tanaka@partner-a.example", ["one letter off", "a new domain", "never mailed"]],
    ["ATTACHMENT", "whole message", undefined, ["whole message"]],
  ]);
  const calls = await send(fakeOffice(), answer(200, out));
  assert.match(calls[0].errorMessage, /tanaka@partnr-a\.example: one letter off \(did you mean tanaka@partner-a\.example\?\)/);
});

test("recipients confirmed in the task pane pass", async () => {
  const office = fakeOffice({ props: { misendConfirmed: JSON.stringify(["Tanaka@partner-b.example"]) } });
  const calls = await send(office, answer(200, wrongTanaka));
  assert.deepStrictEqual(calls, [{ allowEvent: true }]);
});

test("a long list stays within Outlook's 500 characters", async () => {
  const findings = [];
  for (let i = 0; i < 40; i++) {
    findings.push({ code: "NEW_RECIPIENT", severity: "medium", recipient: "person" + i + "@outside" + i + ".example", message: "never mailed before by you or your team", suggestion: "someone" + i + "@corp.example" });
  }
  const calls = await send(fakeOffice(), answer(200, { verdict: "confirm", findings }));
  assert.strictEqual(calls.length, 1);
  assert.ok(calls[0].errorMessage.length <= 500, calls[0].errorMessage.length);
  assert.ok(calls[0].errorMessageMarkdown.length <= 500, calls[0].errorMessageMarkdown.length);
  assert.match(calls[0].errorMessage, /and \d+ more/);
});

for (const [mode, allowed] of [["softBlock", true], ["promptUser", false], ["block", false]]) {
  test(`misend unreachable, ${mode}: allowEvent ${allowed}`, async () => {
    const calls = await send(fakeOffice(), () => Promise.reject(new TypeError("fetch failed")), { sendMode: mode });
    assert.strictEqual(calls.length, 1);
    assert.strictEqual(calls[0].allowEvent, allowed);
    if (!allowed) {
      assert.match(calls[0].errorMessage, /misend cannot be reached/);
    }
  });

  test(`misend too slow, ${mode}: completed once, at the timeout`, async () => {
    let late;
    const slow = () => new Promise((resolve) => { late = resolve; });
    const office = fakeOffice();
    load(office, slow, { sendMode: mode, timeoutMs: 50 });
    const calls = [];
    office.associated.onMessageSendHandler({ completed: (o) => calls.push(o) });
    await new Promise((r) => setTimeout(r, 120));
    assert.strictEqual(calls.length, 1);
    assert.strictEqual(calls[0].allowEvent, allowed);
    late({ status: 200, json: () => Promise.resolve(wrongTanaka) });
    await new Promise((r) => setTimeout(r, 30));
    assert.strictEqual(calls.length, 1, "a late answer does not complete twice");
  });
}

test("an error status from misend follows the send mode", async () => {
  const calls = await send(fakeOffice(), answer(500, { error: { code: "internal" } }), { sendMode: "block" });
  assert.strictEqual(calls.length, 1);
  assert.strictEqual(calls[0].allowEvent, false);
  assert.match(calls[0].errorMessage, /refused/);
});

test("a draft from an address that is not the sender's: told why, in their language", async () => {
  const refused = answer(403, { error: { code: "forbidden", message: "info@corp.example is not an address of yours" } });
  let calls = await send(fakeOffice(), refused, { sendMode: "block" });
  assert.strictEqual(calls.length, 1);
  assert.strictEqual(calls[0].allowEvent, false);
  assert.match(calls[0].errorMessage, /not yours; the mail gateway checks it/);
  calls = await send(fakeOffice({ lang: "ja-JP" }), refused, { sendMode: "promptUser" });
  assert.match(calls[0].errorMessage, /ご自身のアドレス以外から送信するメール/);
  // softBlock: it goes, and the gateway decides.
  calls = await send(fakeOffice(), refused, { sendMode: "softBlock" });
  assert.deepStrictEqual(JSON.parse(JSON.stringify(calls)), [{ allowEvent: true }]);
});

test("no token: the sender is told to sign in (block)", async () => {
  const calls = await send(fakeOffice({ token: "" }), answer(200, wrongTanaka), { sendMode: "block" });
  assert.strictEqual(calls.length, 1);
  assert.strictEqual(calls[0].allowEvent, false);
  assert.match(calls[0].errorMessage, /not signed in/);
});

test("Office SSO token is used when configured, the saved token when SSO fails", async () => {
  const auths = [];
  const f = (u, init) => { auths.push(init.headers.Authorization); return answer(200, { verdict: "pass" })(); };
  await send(fakeOffice(), f, { sso: true });
  await send(fakeOffice({ ssoFails: true }), f, { sso: true });
  assert.deepStrictEqual(auths, ["Bearer sso-token", "Bearer msd_test"]);
});

test("a draft that cannot be read still completes", async () => {
  const calls = await send(fakeOffice({ bodyFails: true }), answer(200, wrongTanaka), { sendMode: "promptUser" });
  assert.strictEqual(calls.length, 1);
  assert.strictEqual(calls[0].allowEvent, false);
  assert.match(calls[0].errorMessage, /could not be read/);
});

test("no item and no fetch at all still complete", async () => {
  const calls = await send(fakeOffice({ noItem: true }), undefined, { sendMode: "softBlock" });
  assert.deepStrictEqual(calls, [{ allowEvent: true }]);
});

test("event.completed throwing does not escape the handler", async () => {
  const office = fakeOffice();
  load(office, answer(200, { verdict: "pass" }));
  let n = 0;
  office.associated.onMessageSendHandler({ completed: () => { n++; throw new Error("boom"); } });
  await new Promise((r) => setTimeout(r, 100));
  assert.strictEqual(n, 1);
});
