/*
 * misend for Thunderbird: what `misend addin thunderbird` built this add-in
 * for. The line below is filled in at build time; settings from the
 * administrator's policies (storage.managed) and the settings page come
 * first, except the send mode, which only the administrator may change.
 */
"use strict";
var MISEND_CONFIG = {"api": "", "sendMode": "softBlock", "timeoutMs": 5000, "lang": "en", "insideDomains": []}; // misend:config
