// Tests of the task pane's logic (static/outlook/taskpane.js): keeping what
// the sender confirmed with the draft, removing or replacing a recipient,
// and the Send check honouring what the pane confirmed.
"use strict";

const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const dir = path.join(__dirname, "..", "static", "outlook");
const ok = (value) => ({ status: "succeeded", value });

function fakeItem() {
  const props = {};
  const recips = (list) => {
    const f = { list };
    f.getAsync = (cb) => setImmediate(() => cb(ok(f.list.map((r) => Object.assign({}, r)))));
    // Arrays made in the script's own global are copied as plain data.
    f.setAsync = (l, cb) => setImmediate(() => { f.list = JSON.parse(JSON.stringify(l)); cb(ok()); });
    return f;
  };
  return {
    props,
    from: recips([]),
    to: recips([{ emailAddress: "Tanaka@partner-b.example", displayName: "Tanaka" }, { emailAddress: "sato@corp.example", displayName: "Sato" }]),
    cc: recips([{ emailAddress: "tanaka@partner-b.example", displayName: "" }]),
    bcc: recips([]),
    subject: { getAsync: (cb) => setImmediate(() => cb(ok("s"))) },
    body: { getAsync: (k, cb) => setImmediate(() => cb(ok("b"))) },
    getAttachmentsAsync: (cb) => setImmediate(() => cb(ok([]))),
    loadCustomPropertiesAsync: (cb) => setImmediate(() => cb(ok({
      get: (k) => props[k],
      set: (k, v) => { props[k] = v; },
      saveAsync: (cb2) => setImmediate(() => cb2(ok())),
    }))),
  };
}

function load(item, fetchImpl) {
  const office = {
    AsyncResultStatus: { Succeeded: "succeeded" },
    actions: { associate: () => {} },
    context: {
      displayLanguage: "ja-JP",
      requirements: { isSetSupported: () => true },
      roamingSettings: { get: () => "msd_test" },
      mailbox: { item },
    },
  };
  const ctx = { Office: office, fetch: fetchImpl, setTimeout, clearTimeout, Promise, JSON };
  vm.createContext(ctx);
  for (const f of ["launchevent.js", "taskpane.js"]) {
    vm.runInContext(fs.readFileSync(path.join(dir, f), "utf8"), ctx, { filename: f });
  }
  return { ctx, office };
}

test("confirming keeps the recipient with the draft, unticking takes it back", async () => {
  const item = fakeItem();
  const { ctx } = load(item);
  await ctx.misendSetConfirmed(item, "Tanaka@partner-b.example", true);
  await ctx.misendSetConfirmed(item, "code:CONFIDENTIAL_TERMS", true);
  assert.deepStrictEqual(JSON.parse(item.props.misendConfirmed), ["tanaka@partner-b.example", "code:confidential_terms"]);
  await ctx.misendSetConfirmed(item, "tanaka@partner-b.example", false);
  assert.deepStrictEqual(JSON.parse(item.props.misendConfirmed), ["code:confidential_terms"]);
});

test("remove and replace change To, Cc and Bcc", async () => {
  const item = fakeItem();
  const { ctx } = load(item);
  await ctx.misendRemoveRecipient(item, "tanaka@partner-b.example", "tanaka@partner-a.example");
  assert.deepStrictEqual(item.to.list.map((r) => r.emailAddress), ["tanaka@partner-a.example", "sato@corp.example"]);
  assert.deepStrictEqual(item.cc.list.map((r) => r.emailAddress), ["tanaka@partner-a.example"]);
  await ctx.misendRemoveRecipient(item, "tanaka@partner-a.example", null);
  assert.deepStrictEqual(item.to.list.map((r) => r.emailAddress), ["sato@corp.example"]);
  assert.deepStrictEqual(item.cc.list, []);
});

test("the pane's check lists flagged recipients and what was confirmed", async () => {
  const item = fakeItem();
  const answer = { verdict: "confirm", findings: [{ code: "SIMILAR_CONTACT", severity: "high", recipient: "tanaka@partner-b.example", message: "m", suggestion: "tanaka@partner-a.example" }] };
  const { ctx } = load(item, () => Promise.resolve({ status: 200, json: () => Promise.resolve(answer) }));
  await ctx.misendSetConfirmed(item, "tanaka@partner-b.example", true);
  const r = JSON.parse(JSON.stringify(await ctx.misendPaneCheck(item, "ja")));
  assert.strictEqual(r.flagged.length, 1);
  assert.deepStrictEqual(r.confirmed, { "tanaka@partner-b.example": true });
  // And the Send check now lets the draft go.
  const calls = [];
  ctx.onMessageSendHandler({ completed: (o) => calls.push(JSON.parse(JSON.stringify(o))) });
  await new Promise((res) => setTimeout(res, 100));
  assert.deepStrictEqual(calls, [{ allowEvent: true }]);
});

// A fetch that answers misend's API by path and records each request.
function api(routes, calls) {
  return (url, init) => {
    const p = new URL(url, "https://misend.test").pathname;
    calls.push({ path: p, body: init && init.body ? JSON.parse(init.body) : null });
    const r = routes[p] || { status: 404, body: {} };
    return Promise.resolve({ status: r.status, json: () => Promise.resolve(r.body) });
  };
}

function withHeaders(item) {
  item.headers = {};
  item.internetHeaders = { setAsync: (h, cb) => setImmediate(() => { Object.assign(item.headers, h); cb(ok()); }) };
  return item;
}

const flagged = { verdict: "confirm", findings: [{ code: "SIMILAR_CONTACT", severity: "high", recipient: "tanaka@partner-b.example", message: "m", suggestion: "tanaka@partner-a.example" }] };
const stampValue = "v=1; s=aoki@corp.example; d=x; t=1; x=2; r=AAAAAAAA; b=" + "B".repeat(43);

test("after a confirmed draft, the Send check sets misend's stamp", async () => {
  const item = withHeaders(fakeItem());
  const calls = [];
  const { ctx } = load(item, api({
    "/api/v1/check": { status: 200, body: flagged },
    "/api/v1/confirmations": { status: 201, body: { header: "X-Misend-Confirmed", value: stampValue, recipients: ["tanaka@partner-b.example"] } },
  }, calls));
  await ctx.misendSetConfirmed(item, "tanaka@partner-b.example", true);
  const done = [];
  ctx.onMessageSendHandler({ completed: (o) => done.push(JSON.parse(JSON.stringify(o))) });
  await new Promise((res) => setTimeout(res, 150));
  assert.deepStrictEqual(done, [{ allowEvent: true }]);
  assert.deepStrictEqual(item.headers, { "X-Misend-Confirmed": stampValue });
  const asked = calls.find((c) => c.path === "/api/v1/confirmations");
  assert.deepStrictEqual(asked.body.recipients, ["tanaka@partner-b.example"]);
  // The draft keeps its id, so the pane's feedback and the stamp agree.
  assert.match(asked.body.draft_id, /@outlook\.misend\.invalid$/);
  assert.strictEqual(item.props.misendDraftId, asked.body.draft_id);
});

test("nothing confirmed, nothing flagged: no stamp is asked for", async () => {
  for (const answer of [{ verdict: "pass", findings: [] }, flagged]) {
    const item = withHeaders(fakeItem());
    const calls = [];
    const { ctx } = load(item, api({ "/api/v1/check": { status: 200, body: answer } }, calls));
    const done = [];
    ctx.onMessageSendHandler({ completed: (o) => done.push(JSON.parse(JSON.stringify(o))) });
    await new Promise((res) => setTimeout(res, 150));
    assert.strictEqual(done.length, 1);
    assert.strictEqual(done[0].allowEvent, answer.verdict === "pass");
    assert.deepStrictEqual(item.headers, {});
    assert.deepStrictEqual(calls.map((c) => c.path), ["/api/v1/check"]);
  }
});

test("a stamp misend refuses, or an answer that is not one, still sends without a header", async () => {
  for (const answer of [
    { status: 503, body: {} },
    { status: 201, body: { header: "Bcc", value: "x@evil.example" } },
    { status: 201, body: { header: "X-Misend-Confirmed", value: "a\r\nBcc: x@evil.example" } },
  ]) {
    const item = withHeaders(fakeItem());
    const { ctx } = load(item, api({ "/api/v1/check": { status: 200, body: flagged }, "/api/v1/confirmations": answer }, []));
    await ctx.misendSetConfirmed(item, "tanaka@partner-b.example", true);
    const done = [];
    ctx.onMessageSendHandler({ completed: (o) => done.push(JSON.parse(JSON.stringify(o))) });
    await new Promise((res) => setTimeout(res, 150));
    assert.deepStrictEqual(done, [{ allowEvent: true }]);
    assert.deepStrictEqual(item.headers, {});
  }
});

test("removing a flagged recipient is reported to misend as dropped", async () => {
  const item = fakeItem();
  const calls = [];
  const { ctx } = load(item, api({ "/api/v1/feedback": { status: 201, body: { recorded: true } } }, calls));
  await ctx.misendRemoveRecipient(item, "tanaka@partner-b.example", null);
  assert.strictEqual(await ctx.misendDropped(item, "tanaka@partner-b.example"), true);
  assert.deepStrictEqual(calls.map((c) => c.path), ["/api/v1/feedback"]);
  assert.strictEqual(calls[0].body.kind, "dropped");
  assert.strictEqual(calls[0].body.recipient, "tanaka@partner-b.example");
  assert.strictEqual(calls[0].body.message_id, item.props.misendDraftId);
});

test("a stamp still on its way when time runs out does not stop a confirmed send, even in block mode", async () => {
  const item = withHeaders(fakeItem());
  const slow = api({ "/api/v1/check": { status: 200, body: flagged } }, []);
  const fetchImpl = (url, init) => (url.endsWith("/api/v1/confirmations") ? new Promise(() => {}) : slow(url, init));
  const { ctx } = load(item, fetchImpl);
  ctx.MISEND_CONFIG.sendMode = "block";
  ctx.MISEND_CONFIG.timeoutMs = 200;
  await ctx.misendSetConfirmed(item, "tanaka@partner-b.example", true);
  const done = [];
  ctx.onMessageSendHandler({ completed: (o) => done.push(JSON.parse(JSON.stringify(o))) });
  await new Promise((res) => setTimeout(res, 400));
  assert.deepStrictEqual(done, [{ allowEvent: true }]);
  assert.deepStrictEqual(item.headers, {});
});
