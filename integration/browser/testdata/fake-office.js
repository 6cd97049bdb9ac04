/*
 * A stand-in for Microsoft's Office.js (appsforoffice.microsoft.com), which
 * the browser tests cannot load: it is Microsoft's script, not misend's, and
 * misend's pages must not be tested against a copy of it. drive.mjs answers
 * the task pane's request for Office.js with this file.
 *
 * It offers only what launchevent.js and taskpane.js use, over one draft
 * from 佐藤 to the wrong 田中 (partnr-a, one letter off the partner-a he
 * always writes to). The page's ?lang= is Outlook's display language.
 * The roaming settings (the pane's saved token) live in localStorage, as
 * Outlook keeps them across openings of the pane; the draft and its custom
 * properties live as long as the page. window.fakeOutlook lets the test see
 * the draft and the headers set on it.
 */
(function () {
  var ok = function (value) { return { status: "succeeded", value: value }; };
  var later = function (cb, r) { setTimeout(function () { cb(r); }, 0); };
  var copy = function (v) { return JSON.parse(JSON.stringify(v)); };
  var recipients = function (list) {
    return {
      list: list,
      getAsync: function (cb) { later(cb, ok(copy(this.list))); },
      setAsync: function (l, cb) { this.list = copy(l); later(cb, ok()); }
    };
  };
  var props = {};
  var headers = {};
  var item = {
    from: { getAsync: function (cb) { later(cb, ok({ emailAddress: "sato@corp.example", displayName: "佐藤 一郎" })); } },
    to: recipients([{ emailAddress: "tanaka@partnr-a.example", displayName: "田中 太郎" }]),
    cc: recipients([{ emailAddress: "ueda@corp.example", displayName: "上田 花子" }]),
    bcc: recipients([]),
    subject: { getAsync: function (cb) { later(cb, ok("お見積もりの件")); } },
    body: { getAsync: function (kind, cb) { later(cb, ok("A社 田中様\n\nお見積もりをお送りします。")); } },
    getAttachmentsAsync: function (cb) { later(cb, ok([])); },
    loadCustomPropertiesAsync: function (cb) {
      later(cb, ok({
        get: function (k) { return props[k]; },
        set: function (k, v) { props[k] = v; },
        saveAsync: function (cb2) { later(cb2, ok()); }
      }));
    },
    internetHeaders: { setAsync: function (h, cb) { Object.assign(headers, h); later(cb, ok()); } }
  };
  var lang = new URLSearchParams(location.search).get("lang") || "ja-JP";
  window.fakeOutlook = { item: item, props: props, headers: headers };
  window.Office = {
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    onReady: function (cb) {
      var p = new Promise(function (resolve) {
        var go = function () { resolve({ host: "Outlook" }); };
        if (document.readyState === "loading") {
          document.addEventListener("DOMContentLoaded", go);
        } else {
          go();
        }
      });
      return cb ? p.then(cb) : p;
    },
    actions: { associate: function () {} },
    context: {
      displayLanguage: lang,
      requirements: { isSetSupported: function () { return true; } },
      roamingSettings: {
        get: function (k) { return localStorage.getItem("roaming:" + k); },
        set: function (k, v) { localStorage.setItem("roaming:" + k, v); },
        saveAsync: function (cb) { if (cb) { later(cb, ok()); } }
      },
      mailbox: { item: item }
    }
  };
})();
