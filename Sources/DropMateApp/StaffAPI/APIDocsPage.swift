import Foundation
import HTTPTypes

/// The staff API's reference at `/api/v1/docs`: a page of our own whose script fetches `/api/v1/openapi.json` and
/// lists every endpoint (method, path, summary, roles, parameters, bodies, answers) and every schema. No CDN and no
/// inline script or style: it runs under the console's Content-Security-Policy, and every value from the document
/// reaches the page as text (`textContent`), never as markup.
enum APIDocsPage {
    static let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>DropMate staff API</title><link rel="icon" href="data:,">
        <link rel="stylesheet" href="/api/v1/docs.css">
        <script src="/api/v1/docs.js" defer></script></head>
        <body><header><h1>DropMate staff API</h1>
        <p>The OpenAPI 3 document: <a href="/api/v1/openapi.yaml">openapi.yaml</a> · <a href="/api/v1/openapi.json">openapi.json</a></p>
        <form id="filters" role="search"><label>Find <input id="filter" type="search" placeholder="path, summary or schema"></label>
        <label>Role <select id="role"><option value="">any</option><option>admin</option><option>dispatcher</option><option>courier</option><option value="public">public</option></select></label></form></header>
        <main><p id="status">Loading the document…</p><section id="intro"></section><nav id="toc" aria-label="Endpoints"></nav>
        <section id="endpoints" aria-label="Endpoints"></section><section id="schemas" aria-label="Schemas"></section></main></body></html>
        """

    static let headers: HTTPFields = [.contentSecurityPolicy: ConsolePage.contentSecurityPolicy]

    static let stylesheet = """
        body{font:15px/1.45 system-ui,-apple-system,"Noto Sans CJK SC",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{background:#1d2330;color:#fff;padding:12px 20px}header a{color:#9cc4ff}h1{margin:0 0 4px;font-size:20px}
        form{display:flex;gap:16px;flex-wrap:wrap}input,select{font:inherit;padding:3px 6px}
        main{max-width:1100px;margin:0 auto;padding:12px 20px}#intro p{margin:6px 0;max-width:80ch}
        #toc{columns:2;font-size:13px;margin:12px 0}#toc a{display:block;text-decoration:none;color:#1d2330}
        .op{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:10px 0;padding:10px 14px}
        .op h3{margin:0;font-size:15px;font-family:ui-monospace,monospace}.method{display:inline-block;min-width:60px;
        font-weight:700;color:#fff;border-radius:4px;padding:1px 6px;margin-right:8px;text-align:center}
        .get{background:#2f7d32}.post{background:#1f5fbf}.put{background:#8a5a00}.patch{background:#6b3fa0}.delete{background:#b3261e}
        .roles span{display:inline-block;background:#eef1f6;border-radius:10px;padding:0 8px;margin-right:4px;font-size:12px}
        table{border-collapse:collapse;margin:6px 0;font-size:13px;width:100%}td,th{border-top:1px solid #eceff3;padding:3px 6px;
        text-align:left;vertical-align:top}code{font-family:ui-monospace,monospace;font-size:12.5px}
        .schema{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:10px 0;padding:8px 14px}.schema h3{margin:0;font-size:15px}
        .muted{color:#667085}[hidden]{display:none}
        """

    static let script = #"""
        "use strict";
        (function () {
          var METHODS = ["get", "post", "put", "patch", "delete"];
          function el(tag, text, cls) {
            var node = document.createElement(tag);
            if (text !== undefined && text !== null) node.textContent = String(text);
            if (cls) node.className = cls;
            return node;
          }
          function refName(ref) { return String(ref).split("/").pop(); }
          function schemaLink(name) {
            var a = el("a", name);
            a.href = "#schema-" + encodeURIComponent(name);
            return a;
          }
          // A schema in one line: a link for a $ref, the type with its format and limits otherwise.
          function describe(schema) {
            var span = el("span");
            if (!schema) return span;
            if (schema.$ref) { span.appendChild(schemaLink(refName(schema.$ref))); return span; }
            if (schema.type === "array") {
              span.appendChild(document.createTextNode("array of "));
              span.appendChild(describe(schema.items || {}));
              return span;
            }
            var parts = [schema.type || "any"];
            if (schema.format) parts.push("(" + schema.format + ")");
            if (schema["enum"]) parts.push("one of " + schema["enum"].join(", "));
            if (schema.pattern) parts.push("pattern " + schema.pattern);
            ["minimum", "maximum", "minLength", "maxLength", "maxItems"].forEach(function (key) {
              if (schema[key] !== undefined) parts.push(key + " " + schema[key]);
            });
            if (schema.nullable) parts.push("nullable");
            if (schema.readOnly) parts.push("read-only");
            span.appendChild(el("code", parts.join(" ")));
            return span;
          }
          function resolve(doc, node) {
            if (node && node.$ref) {
              var path = node.$ref.replace(/^#\//, "").split("/"), target = doc;
              for (var i = 0; i < path.length && target; i++) target = target[path[i]];
              return target || node;
            }
            return node;
          }
          function table(headings, rows) {
            var t = el("table"), head = el("tr");
            headings.forEach(function (h) { head.appendChild(el("th", h)); });
            t.appendChild(head);
            rows.forEach(function (cells) {
              var tr = el("tr");
              cells.forEach(function (cell) {
                var td = el("td");
                if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === undefined ? "" : String(cell);
                tr.appendChild(td);
              });
              t.appendChild(tr);
            });
            return t;
          }
          function operation(doc, path, method, op) {
            var box = el("article", null, "op");
            box.id = "op-" + method + "-" + path.replace(/[^A-Za-z0-9]+/g, "-");
            box.dataset.roles = (op["x-roles"] || []).join(" ") || "public";
            box.dataset.text = (method + " " + path + " " + (op.summary || "")).toLowerCase();
            var h = el("h3");
            h.appendChild(el("span", method.toUpperCase(), "method " + method));
            h.appendChild(document.createTextNode(path));
            box.appendChild(h);
            box.appendChild(el("p", op.summary));
            var roles = el("p", null, "roles");
            roles.appendChild(document.createTextNode("Roles: "));
            var list = op["x-roles"] || [];
            if (list.length === 0) roles.appendChild(el("span", "public (no credentials)"));
            list.forEach(function (r) { roles.appendChild(el("span", r)); });
            if (op["x-idempotent"]) roles.appendChild(el("span", "idempotent (Idempotency-Key)"));
            box.appendChild(roles);
            var params = (op.parameters || []).map(function (p) { return resolve(doc, p); });
            if (params.length) {
              box.appendChild(el("h4", "Parameters"));
              box.appendChild(table(["name", "in", "required", "schema", "description"], params.map(function (p) {
                return [el("code", p.name), p["in"], p.required ? "yes" : "no", describe(p.schema), p.description || ""];
              })));
            }
            if (op.requestBody) {
              box.appendChild(el("h4", "Request body" + (op.requestBody.required ? "" : " (optional)")));
              var content = op.requestBody.content || {};
              box.appendChild(table(["media type", "schema"], Object.keys(content).map(function (type) {
                return [el("code", type), describe(content[type].schema)];
              })));
            }
            box.appendChild(el("h4", "Answers"));
            var responses = op.responses || {};
            box.appendChild(table(["status", "description", "body"], Object.keys(responses).map(function (status) {
              var r = resolve(doc, responses[status]), content = r.content || {}, types = Object.keys(content);
              return [status, r.description || "", types.length ? describe(content[types[0]].schema) : ""];
            })));
            return box;
          }
          function schemaBox(name, schema) {
            var box = el("article", null, "schema");
            box.id = "schema-" + name;
            box.dataset.roles = "schema";
            box.dataset.text = name.toLowerCase();
            box.appendChild(el("h3", name));
            if (schema.description) box.appendChild(el("p", schema.description, "muted"));
            var required = schema.required || [], props = schema.properties || {};
            var names = Object.keys(props);
            if (names.length) {
              box.appendChild(table(["member", "schema", "required", "description"], names.map(function (key) {
                return [el("code", key), describe(props[key]), required.indexOf(key) >= 0 ? "yes" : "", props[key].description || ""];
              })));
            } else {
              box.appendChild(describe(schema));
            }
            return box;
          }
          function applyFilters() {
            var text = document.getElementById("filter").value.trim().toLowerCase();
            var role = document.getElementById("role").value;
            document.querySelectorAll(".op, .schema").forEach(function (box) {
              var roleOK = !role || box.dataset.roles === "schema" || box.dataset.roles.split(" ").indexOf(role) >= 0;
              box.hidden = !(roleOK && (!text || box.dataset.text.indexOf(text) >= 0));
            });
          }
          function render(doc) {
            var intro = document.getElementById("intro");
            intro.appendChild(el("h2", doc.info.title + " " + doc.info.version));
            String(doc.info.description || "").split(/\n\n/).forEach(function (p) { intro.appendChild(el("p", p)); });
            var toc = document.getElementById("toc"), ops = document.getElementById("endpoints");
            ops.appendChild(el("h2", "Endpoints"));
            var count = 0;
            Object.keys(doc.paths).forEach(function (path) {
              METHODS.forEach(function (method) {
                var op = doc.paths[path][method];
                if (!op) return;
                var box = operation(doc, path, method, op);
                ops.appendChild(box);
                var a = el("a", method.toUpperCase() + " " + path);
                a.href = "#" + box.id;
                toc.appendChild(a);
                count++;
              });
            });
            var schemas = document.getElementById("schemas");
            schemas.appendChild(el("h2", "Schemas"));
            var components = (doc.components && doc.components.schemas) || {};
            Object.keys(components).forEach(function (name) { schemas.appendChild(schemaBox(name, components[name])); });
            document.getElementById("status").textContent = count + " endpoints, " + Object.keys(components).length + " schemas.";
          }
          document.addEventListener("DOMContentLoaded", function () {
            document.getElementById("filter").addEventListener("input", applyFilters);
            document.getElementById("role").addEventListener("change", applyFilters);
            document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
            fetch("/api/v1/openapi.json", { credentials: "omit" })
              .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
              .then(render)
              .catch(function (e) { document.getElementById("status").textContent = "The document could not be loaded: " + e.message; });
          });
        })();
        """#
}
