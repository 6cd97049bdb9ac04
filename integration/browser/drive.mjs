// drive.mjs runs one scripted browser session against misend's web pages
// in the system's headless Chromium and reports each step as a JSON line.
// The Go tests write the script (steps below) and check the outcome in
// misend itself; this file only drives the browser.
//
// Usage: node drive.mjs SCRIPT.json
//   {"base": "http://127.0.0.1:PORT", "profile": "/tmp/fresh-dir",
//    "shots": "/path/to/artifacts", "steps": [ {"op": ...}, ... ]}
// With "officejs": "/path/to/fake-office.js" the browser's request for
// Microsoft's Office.js (OFFICE_JS below, which a test machine may not
// reach) is answered with that file, so the Outlook task pane runs.
// Steps:
//   {"op":"goto","url":"/held"}              load a page, wait for it
//   {"op":"fill","selector":"#address","value":"..."}
//   {"op":"check","selector":"input[name=rcpt][value='a@b']"}
//   {"op":"click","selector":"button.primary"}  click and wait for the page it loads
//   {"op":"press","selector":"#send"}        click a button that loads no page
//   {"op":"text","contains":"..."}           the page's text must contain this
//   {"op":"see","contains":"..."}            wait until the page's text contains
//                                            this: a page that asks misend
//                                            from script fills in later
//   {"op":"absent","contains":"..."}         ... and must not contain this
//   {"op":"url","contains":"/held"}          the current URL must contain this
//   {"op":"status","want":200}               status of the last page load
//   {"op":"viewport","width":390,"height":844}
//   {"op":"shot","name":"held"}              full-page PNG into shots/NAME.png
//   {"op":"keyboard","keys":["Tab","Tab","Enter"]} press keys, then wait for load
//   {"op":"upload","selector":"#csv","path":"/tmp/people.csv"}  choose a file
//   {"op":"fits"}                            nothing widens the page past the
//                                            screen (reported, the run goes on)
//   {"op":"outlookSend","allow":true,"stamped":true}  press Outlook's Send:
//                                            run the page's Send handler
//                                            (launchevent.js) as Outlook does;
//                                            it must let the message go (or
//                                            stop it), setting misend's
//                                            confirmation stamp (or not) on
//                                            the fake Office.js draft
//   {"op":"lang","lang":"en"}                switch the page language with the
//                                            page's own control, if it is not that
//   {"op":"words","lang":"ja","words":["hold"],"literal":["department:"],
//    "patterns":["\\b[A-Z]+_[A-Z_]+\\b"]}  the page is in lang, and its visible
//                                            text (and title; code and kbd aside)
//                                            holds none of the
//                                            words (whole, any case), literal
//                                            strings or patterns; a failure here
//                                            is reported and the run goes on
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const script = JSON.parse(readFileSync(process.argv[2], 'utf8'));
mkdirSync(script.shots, { recursive: true });

const flags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// A persistent context is how Playwright takes a fresh --user-data-dir of
// our choosing; it refuses the flag in args.
const ctx = await chromium.launchPersistentContext(script.profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: flags,
  viewport: { width: 1366, height: 768 },
  locale: script.locale || 'ja-JP',
  timeout: 60000,
});
const page = ctx.pages()[0] || await ctx.newPage();
const OFFICE_JS = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
if (script.officejs) {
  const body = readFileSync(script.officejs);
  await ctx.route(OFFICE_JS, (route) => route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body }));
}
page.setDefaultTimeout(30000); // generous: CI machines are small and busy
let last = null;
page.on('response', (r) => { if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) last = r; });

// context quotes what was found with a little of the text around it.
function context(t, i, w) {
  return JSON.stringify(w) + ' in "…' + t.slice(Math.max(0, i - 30), i + w.length + 30).replace(/\s+/g, ' ') + '…"';
}

function out(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }

let failed = false;
for (const [i, s] of script.steps.entries()) {
  try {
    switch (s.op) {
      case 'goto':
        await page.goto(script.base + s.url, { waitUntil: 'load' });
        break;
      case 'fill':
        await page.fill(s.selector, s.value);
        break;
      case 'check':
        await page.check(s.selector);
        break;
      case 'click':
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(s.selector)]);
        break;
      case 'press':
        await page.click(s.selector);
        break;
      case 'keyboard':
        for (const k of s.keys.slice(0, -1)) await page.keyboard.press(k);
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press(s.keys[s.keys.length - 1])]);
        break;
      case 'text': {
        const t = await page.innerText('body');
        if (!t.includes(s.contains)) throw new Error(`page ${page.url()} lacks ${JSON.stringify(s.contains)}`);
        break;
      }
      case 'see':
        try {
          await page.waitForFunction((w) => document.body.innerText.includes(w), s.contains, { timeout: 15000 });
        } catch {
          throw new Error(`page ${page.url()} never showed ${JSON.stringify(s.contains)}`);
        }
        break;
      case 'absent': {
        const t = await page.content();
        if (t.includes(s.contains)) throw new Error(`page ${page.url()} shows ${JSON.stringify(s.contains)}`);
        break;
      }
      case 'url':
        if (!page.url().includes(s.contains)) throw new Error(`at ${page.url()}, want ${s.contains}`);
        break;
      case 'status':
        if (!last || last.status() !== s.want) throw new Error(`last page load answered ${last && last.status()}, want ${s.want}`);
        break;
      case 'viewport':
        await page.setViewportSize({ width: s.width, height: s.height });
        break;
      case 'shot':
        await page.screenshot({ path: join(script.shots, s.name + '.png'), fullPage: true });
        break;
      case 'fits': {
        // Nothing may widen the page past the screen: on a phone that
        // hides the buttons at the right edge. Wide tables scroll inside
        // their own box.
        const wide = await page.evaluate(() => {
          const vw = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= vw) return [];
          const out = [];
          for (const e of document.body.querySelectorAll('*')) {
            const r = e.getBoundingClientRect();
            if (r.right <= vw + 1 || r.width === 0) continue;
            // An absolutely placed element escapes a scrolling box that is
            // not its containing block; one in flow is clipped by it.
            let clipped = false;
            const free = getComputedStyle(e).position === 'absolute';
            for (let p = e.parentElement; !free && p && p !== document.body; p = p.parentElement) {
              const ox = getComputedStyle(p).overflowX;
              if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { clipped = true; break; }
            }
            if (clipped) continue;
            out.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).split(' ').join('.') : ''} to ${Math.round(r.right)}px`);
            if (out.length >= 3) break;
          }
          return out.length ? out : [`the page, ${document.documentElement.scrollWidth}px`];
        });
        if (wide.length) throw new Error(`page ${page.url()} is wider than the screen: ${wide.join(', ')}`);
        break;
      }
      case 'outlookSend': {
        // Outlook calls the handler with an event whose completed() it
        // waits for; the fake Office.js keeps the headers set on the draft.
        const got = await page.evaluate(() => new Promise((resolve) => {
          onMessageSendHandler({ completed: (opts) => resolve({ opts, headers: Object.assign({}, window.fakeOutlook.headers) }) });
        }));
        if (!!got.opts.allowEvent !== s.allow) throw new Error(`Send handler answered ${JSON.stringify(got.opts)}, want allowEvent ${s.allow}`);
        const stamp = got.headers['X-Misend-Confirmed'] || '';
        if (s.stamped !== undefined && !!stamp !== s.stamped) throw new Error(`Send handler set ${JSON.stringify(got.headers)}, want a stamp: ${s.stamped}`);
        break;
      }
      case 'upload':
        await page.setInputFiles(s.selector, s.path);
        break;
      case 'lang': {
        const now = await page.getAttribute('html', 'lang');
        if (now !== s.lang) {
          const control = `button[name=lang][value=${s.lang}], a[href^='/lang?lang=${s.lang}']`;
          await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(control)]);
        }
        break;
      }
      case 'words': {
        const lang = await page.getAttribute('html', 'lang');
        if (lang !== s.lang) throw new Error(`page ${page.url()} is in ${JSON.stringify(lang)}, want ${s.lang}`);
        // Text in code and kbd is a literal the reader types (a CSV
        // header), not words to translate.
        const t = await page.evaluate(() => {
          const literal = [...document.querySelectorAll('code, kbd')];
          const was = literal.map((e) => e.style.display);
          literal.forEach((e) => { e.style.display = 'none'; });
          const text = document.title + '\n' + document.body.innerText;
          literal.forEach((e, i) => { e.style.display = was[i]; });
          return text;
        });
        const found = [];
        // A word counts whole among Latin letters, wherever it touches
        // Japanese: "pass" is not in "password" nor "hold" in
        // "holder@corp.example", but "holdされました" is raw.
        for (const w of s.words || []) {
          const esc = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          const re = new RegExp(`(?<![A-Za-z0-9_@.-])${esc}(?![A-Za-z0-9_@-]|\\.[A-Za-z0-9])`, 'iu');
          const m = re.exec(t);
          if (m) found.push(context(t, m.index, w));
        }
        for (const w of s.literal || []) {
          const i = t.indexOf(w);
          if (i >= 0) found.push(context(t, i, w));
        }
        for (const p of s.patterns || []) {
          const m = new RegExp(p, 'u').exec(t);
          if (m) found.push(context(t, m.index, m[0]));
        }
        if (found.length) throw new Error(`page ${page.url()} (${lang}) shows ${found.join('; ')}`);
        break;
      }
      default:
        throw new Error(`unknown step ${s.op}`);
    }
    out({ step: i, op: s.op, ok: true, url: page.url() });
  } catch (e) {
    failed = true;
    out({ step: i, op: s.op, ok: false, url: page.url(), error: String(e.message || e).split('\n')[0] });
    try { await page.screenshot({ path: join(script.shots, `failed-step-${i}.png`), fullPage: true }); } catch {}
    // A page's words are a finding about that page: the run goes on to
    // the next, so one run lists every page that needs a translation.
    if (s.op !== 'words' && s.op !== 'fits') break;
  }
}
await ctx.close();
process.exit(failed ? 1 : 0);
