/*
 * misend for Thunderbird: the checklist window. Every recipient is listed,
 * outside ones marked; each one misend flags shows why and the likely
 * intended address, and must be ticked, removed or changed to the
 * suggestion before Send. The answer goes back to the background script,
 * which checks it again and gives Thunderbird the recipients to send to.
 *
 * Served by misend on the web (/addin/thunderbird/popup.html), the page
 * makes its checklist from a draft and misend's answer in the URL fragment
 * and shows the answer instead of sending it: the same page, for previews
 * and browser tests.
 */
"use strict";

(function () {
  var inThunderbird = typeof messenger !== "undefined" && !!(messenger.runtime && messenger.runtime.sendMessage);
  var id = new URLSearchParams(location.search).get("id") || "";

  function $(x) { return document.getElementById(x); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function button(text, attr, value, onClick) {
    var b = el("button", "", text);
    b.type = "button";
    if (attr) {
      b.setAttribute(attr, value);
    }
    b.addEventListener("click", onClick);
    return b;
  }

  function loadState() {
    if (inThunderbird) {
      return messenger.runtime.sendMessage({ misend: "state", id: id });
    }
    // On the web the fragment holds a draft's recipients and misend's
    // answer on it, {lang, fields: {to, cc, bcc}, outcome, inside}: the
    // checklist is made from them as the background script makes it.
    try {
      var q = JSON.parse(decodeURIComponent(location.hash.slice(1)));
      var lang = misendTbLang(q.lang, navigator.language);
      return Promise.resolve(misendChecklist(q.fields || {}, q.outcome || {}, q.inside || [], {}, lang));
    } catch (e) {
      return Promise.resolve(null);
    }
  }

  function start(state) {
    if (!state || !Array.isArray(state.recipients) || !Array.isArray(state.message)) {
      window.close();
      return;
    }
    var lang = state.lang === "ja" ? "ja" : "en";
    var t = function (k, v) { return misendTbT(lang, k, v); };
    var choices = { confirmed: {}, removed: {}, replaced: {} };
    var done = false;
    document.documentElement.lang = lang;
    document.title = "misend: " + t("title");
    $("title").textContent = t("title");
    $("cancel").textContent = t("cancel");
    $("send").textContent = t("send");

    function answer(send) {
      if (done) {
        return;
      }
      done = true;
      var msg = {
        send: send,
        confirmed: Object.keys(choices.confirmed).filter(function (k) { return choices.confirmed[k]; }),
        remove: Object.keys(choices.removed).filter(function (k) { return choices.removed[k]; }),
        replace: choices.replaced
      };
      if (inThunderbird) {
        messenger.runtime.sendMessage(Object.assign({ misend: "answer", id: id }, msg)).then(function () { window.close(); }, function () { window.close(); });
        return;
      }
      // On the web there is no mail client to answer: show what it
      // would have been told.
      var main = $("main");
      main.parentNode.removeChild(main);
      $("result").hidden = false;
      if (!send) {
        $("result-text").textContent = t("cancelled");
        return;
      }
      var fields = { to: [], cc: [], bcc: [] };
      state.recipients.forEach(function (r) { fields[r.field].push(r.display); });
      var out = misendRecipients(fields, msg);
      var n = 0;
      ["to", "cc", "bcc"].forEach(function (f) {
        out[f].forEach(function (r) {
          n++;
          var li = el("li");
          li.appendChild(el("span", "field", t(f)));
          li.appendChild(el("span", "who", String(r)));
          $("result-list").appendChild(li);
        });
      });
      $("result-text").textContent = t("sent", { n: n });
    }

    $("cancel").addEventListener("click", function () { answer(false); });
    $("send").addEventListener("click", function () {
      if (misendCanSend(state, choices)) {
        answer(true);
      }
    });

    if (state.kind === "unavailable") {
      $("intro").textContent = t("unavailable", { why: t(state.why) });
      $("note").textContent = t(state.mode === "promptUser" ? "unavailablePrompt" : "unavailableBlock");
      $("note").hidden = false;
      if (state.mode === "promptUser") {
        $("send").textContent = t("sendAnyway");
        $("send").disabled = false;
      } else {
        $("send").hidden = true;
        $("cancel").textContent = t("close");
      }
      if (state.why === "signIn" && inThunderbird && messenger.runtime.openOptionsPage) {
        $("settings").textContent = t("openSettings");
        $("settings").hidden = false;
        $("settings").addEventListener("click", function () { messenger.runtime.openOptionsPage(); });
      }
      return;
    }

    var open = misendOpen(state);
    $("intro").textContent = t(state.verdict === "reject" ? "reject" : open ? "intro" : "introPlain");
    if (state.verdict === "hold") {
      $("note").textContent = t("hold");
      $("note").hidden = false;
    }
    if (state.verdict === "reject") {
      $("send").hidden = true;
      $("cancel").textContent = t("close");
    }

    // confirmBox is the tick box confirming key, labelled text.
    function confirmBox(key, text) {
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.setAttribute("data-key", key);
      box.checked = !!choices.confirmed[key];
      box.addEventListener("change", function () {
        choices.confirmed[key] = box.checked;
        render();
      });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + text));
      return label;
    }

    function render() {
      var ul = $("recipients");
      while (ul.firstChild) {
        ul.removeChild(ul.firstChild);
      }
      state.recipients.forEach(function (r) {
        var removed = !!(r.addr && choices.removed[r.addr]);
        var replaced = r.addr && choices.replaced[r.addr];
        var ok = !!(r.addr && choices.confirmed[r.addr]) || removed || !!replaced;
        var li = el("li", (r.flagged ? "flagged" : "") + (r.flagged && ok ? " done" : "") + (removed || replaced ? " removed" : ""));
        var head = el("div");
        head.appendChild(el("span", "field", t(r.field)));
        head.appendChild(el("span", "who", r.display));
        if (r.outside) {
          head.appendChild(el("span", "badge", t("outside")));
        }
        li.appendChild(head);
        r.reasons.forEach(function (why) { li.appendChild(el("div", "why", why)); });
        if (r.suggestion && !replaced) {
          li.appendChild(el("div", "fix", t("didYouMean", { s: r.suggestion })));
        }
        if (removed) {
          li.appendChild(el("div", "state", t("removed")));
        } else if (replaced) {
          li.appendChild(el("div", "state", t("replaced", { s: replaced })));
        }
        if (r.flagged && r.addr && state.verdict !== "reject") {
          var actions = el("div", "actions");
          if (!removed && !replaced) {
            actions.appendChild(confirmBox(r.addr, t("confirm")));
          }
          actions.appendChild(button(t(removed ? "undo" : "remove"), "data-remove", r.addr, function () {
            choices.removed[r.addr] = !removed;
            delete choices.replaced[r.addr];
            choices.confirmed[r.addr] = false;
            render();
          }));
          if (r.suggestion && !removed) {
            actions.appendChild(button(replaced ? t("undo") : t("replace", { s: r.suggestion }), "data-replace", r.addr, function () {
              if (replaced) {
                delete choices.replaced[r.addr];
              } else {
                choices.replaced[r.addr] = r.suggestion;
                choices.confirmed[r.addr] = false;
              }
              render();
            }));
          }
          li.appendChild(actions);
        }
        ul.appendChild(li);
      });

      var ml = $("message");
      while (ml.firstChild) {
        ml.removeChild(ml.firstChild);
      }
      $("about").hidden = state.message.length === 0;
      $("about-title").textContent = t("aboutMessage");
      state.message.forEach(function (m) {
        var li = el("li", "flagged" + (choices.confirmed[m.key] ? " done" : ""));
        m.reasons.forEach(function (why) { li.appendChild(el("div", "why", why)); });
        if (state.verdict !== "reject") {
          var actions = el("div", "actions");
          actions.appendChild(confirmBox(m.key, t("confirmMessage")));
          li.appendChild(actions);
        }
        ml.appendChild(li);
      });

      if (state.verdict === "reject") {
        return;
      }
      var left = misendRemaining(state, choices);
      var status = $("status");
      if (misendLeft(state, choices) === 0) {
        status.textContent = t("noRecipients");
        status.className = "bad";
      } else if (left > 0) {
        status.textContent = t("left", { n: left });
        status.className = "bad";
      } else {
        status.textContent = t("allDone");
        status.className = "ok";
      }
      $("send").disabled = !misendCanSend(state, choices);
    }
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    loadState().then(start, function () { window.close(); });
  });
})();
