/*
 * misend for Thunderbird: the settings page. The sender may set misend's
 * URL and their personal API token when the administrator's policies do
 * not; the send mode is shown, never changed here.
 */
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var $ = function (x) { return document.getElementById(x); };
  messenger.runtime.sendMessage({ misend: "settings" }).then(function (s) {
    var lang = misendTbLang(s.lang, MISEND_CONFIG.lang);
    var t = function (k, v) { return misendTbT(lang, k, v); };
    var managed = t("managed");
    document.documentElement.lang = lang;
    $("title").textContent = t("settingsTitle");
    $("server-label").textContent = t("server");
    $("token-label").textContent = t("token");
    $("token-help").textContent = s.managed.token ? managed : t("tokenHelp");
    $("mode-label").textContent = t("sendMode");
    $("mode").textContent = t("mode_" + s.sendMode);
    $("mode-managed").textContent = s.managed.sendMode ? managed : "";
    $("test").textContent = t("test");
    $("save").textContent = t("save");
    $("server").value = s.api;
    $("server").disabled = s.managed.server;
    $("token").disabled = s.managed.token;
    var status = function (text, ok) {
      $("status").textContent = text;
      $("status").className = ok ? "ok" : "bad";
    };
    // Thunderbird lets the add-in reach only the address it was built for
    // (its one host permission).
    var warnOther = function () {
      var other = false;
      try {
        other = !!s.builtFor && new URL($("server").value).origin !== new URL(s.builtFor).origin;
      } catch (e) {
        other = true;
      }
      $("other-server").textContent = t("otherServer", { s: s.builtFor });
      $("other-server").hidden = !other;
    };
    $("server").addEventListener("input", warnOther);
    warnOther();
    $("save").addEventListener("click", function () {
      var v = {};
      if (!s.managed.server) {
        v.server = $("server").value.trim();
      }
      if (!s.managed.token && $("token").value.trim()) {
        v.token = $("token").value.trim();
      }
      messenger.storage.local.set(v).then(function () {
        $("token").value = "";
        status(t("saved"), true);
      }, function (e) { status(String(e), false); });
    });
    $("test").addEventListener("click", function () {
      messenger.runtime.sendMessage({ misend: "test" }).then(function (r) {
        status(r.ok ? t("testOK", { who: r.who }) : t("testFailed", { why: t(r.why) }), r.ok);
      });
    });
  });
});
