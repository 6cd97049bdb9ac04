// Validates add-in manifests offline, from node_modules (npm ci here):
//
//   - a unified (JSON) manifest or localization file against the JSON
//     schema it names, as Microsoft publishes it in @microsoft/app-manifest;
//   - an XML (add-in only) manifest by converting it with Microsoft's own
//     converter (office-addin-manifest-converter) into FILE.converted/ and
//     validating what comes out the same way. No package ships Microsoft's
//     XSD for the XML manifest; the converter is what reads every element
//     Microsoft's tools know, and refuses a manifest it cannot read.
//
// Usage: node validate.cjs FILE... Prints one line per file, "ok FILE" or
// "invalid FILE: …", and exits non-zero when any is invalid.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const root = path.join(__dirname, "node_modules", "@microsoft", "app-manifest", "build", "json-schemas", "teams");
const prefix = "https://developer.microsoft.com/json-schemas/teams/";

// schemaFor maps the $schema URL a manifest names to the file shipped in
// the package; nothing is fetched.
function schemaFor(url) {
  if (typeof url !== "string" || !url.startsWith(prefix)) {
    throw new Error("names no Microsoft Teams schema: " + url);
  }
  const rel = url.slice(prefix.length);
  if (!/^v[0-9.]+\/MicrosoftTeams(\.Localization)?\.schema\.json#?$/.test(rel)) {
    throw new Error("unknown schema " + url);
  }
  const file = path.join(root, rel.replace(/#$/, ""));
  if (!fs.existsSync(file)) {
    throw new Error("schema not shipped by @microsoft/app-manifest: " + url);
  }
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function validateJSON(file) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  // unicodeRegExp off: the localization schema's patterns are written for
  // JavaScript's plain regular expressions, as Microsoft's tools read them.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schemaFor(doc.$schema));
  if (!validate(doc)) {
    throw new Error(validate.errors.map((e) => (e.instancePath || "/") + " " + e.message).join("; "));
  }
}

async function validateXML(file) {
  const { convert } = require("office-addin-manifest-converter");
  const out = file + ".converted";
  fs.rmSync(out, { recursive: true, force: true });
  // The converter reports what it cannot read on the console and carries
  // on; what it says is collected and counts as a failure.
  const said = [];
  const { log, warn, error } = console;
  console.log = console.warn = console.error = (...a) => said.push(a.join(" "));
  try {
    await convert(file, out, false);
  } finally {
    Object.assign(console, { log, warn, error });
  }
  const problems = said.filter((s) => /error|fail|invalid|not found|unknown|unexpected/i.test(s));
  if (problems.length) {
    throw new Error("converter: " + problems.join("; "));
  }
  for (const f of fs.readdirSync(out).filter((f) => f.endsWith(".json")).sort()) {
    try {
      validateJSON(path.join(out, f));
    } catch (e) {
      throw new Error("converted " + f + ": " + e.message);
    }
  }
}

(async () => {
  let bad = 0;
  for (const file of process.argv.slice(2)) {
    try {
      if (file.endsWith(".xml")) {
        await validateXML(file);
      } else {
        validateJSON(file);
      }
      console.log("ok " + file);
    } catch (e) {
      bad++;
      console.log("invalid " + file + ": " + e.message);
    }
  }
  process.exit(bad ? 1 : 0);
})();
