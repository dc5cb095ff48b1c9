import Hummingbird

/// The script and styles of the console's editing screens (ads with their image, a shop's rules, a staff member's
/// subscriptions), served from the binary like `ConsoleAssets` and inert on pages without those forms. Every field
/// is read as text and converted here with a clear message when it is not what the API takes (money is typed in
/// yuan and sent in whole fen, never through floating point); the API checks everything again.
enum ConsoleFormAssets {
    static func add(to router: Router<BasicRequestContext>) {
        router.get("/console/assets/console-forms.js") { _, _ in
            ConsoleAssets.asset(script, type: "text/javascript; charset=utf-8")
        }
        router.get("/console/assets/console-forms.css") { _, _ in
            ConsoleAssets.asset(styleSheet, type: "text/css; charset=utf-8")
        }
    }

    static let styleSheet = """
        .inline-label{display:inline;font-weight:normal;margin:0}
        .sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        textarea{font:inherit;width:100%;padding:.5rem;border:1px solid #b9bec7;border-radius:.35rem}
        textarea:focus-visible,input[type=radio]:focus-visible,input[type=checkbox]:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
        .button-link{display:inline-block;padding:.5rem 1rem;background:#07c160;color:#fff;border-radius:.4rem;text-decoration:none}
        .button-link:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
        .thumb{width:56px;height:56px;object-fit:cover;border-radius:.3rem;background:#e9ebef}
        .edit-grid{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:1rem;align-items:start;max-width:72rem}
        .edit-form,.rules-form{background:#fff}.rules-form{max-width:48rem}
        .ad-preview img{width:100%;max-height:16rem;object-fit:cover;border-radius:.4rem;background:#e9ebef}
        .preview-title{margin:.4rem 0 0}.preview-price{color:#e8453c;font-weight:bold;margin:.2rem 0}
        fieldset{border:1px solid #d0d5dd;border-radius:.5rem;margin:0 0 1rem;padding:.5rem .8rem .8rem}legend{font-weight:700;padding:0 .3rem}
        .days{display:grid;grid-template-columns:7rem 1fr;gap:.3rem .6rem;align-items:center}.days label{margin:0}
        .bands{min-width:0}.bands caption{text-align:left;color:#475467;padding:.3rem 0}
        .rules-link{font-size:.9rem;font-weight:normal;margin-left:.5rem}
        .sound{font-size:.9rem;padding:.35rem .7rem}.sound[data-state=on]{background:#067647}.sound[data-state=blocked]{background:#b54708}
        @media (max-width:700px){.edit-grid{grid-template-columns:1fr}.days{grid-template-columns:1fr}}
        """

    static let script = #"""
        (function () {
          'use strict';
          var meta = document.querySelector('meta[name="csrf-token"]');
          var csrf = meta ? meta.getAttribute('content') : '';
          function newKey() {
            if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
            return String(Date.now()) + '-' + Math.random().toString(36).slice(2);
          }
          function showError(text) {
            var el = document.getElementById('action-error');
            if (el) { el.textContent = text; el.hidden = false; el.scrollIntoView({ block: 'nearest' }); } else { window.alert(text); }
          }
          function clearError() { var el = document.getElementById('action-error'); if (el) { el.hidden = true; } }
          function labelOf(el) {
            var label = el.id ? document.querySelector('label[for="' + el.id + '"]') : null;
            return label ? label.textContent.trim() : (el.name || '');
          }
          function Problem(text) { this.message = text; }
          // "18", "18.5", "18.50" yuan → 1850 fen, by the digits (no floating point).
          function fen(text, label) {
            var value = text.trim();
            if (!/^[0-9]{1,7}(\.[0-9]{1,2})?$/.test(value)) { throw new Problem(label + '：金额如 18 或 18.50 / an amount like 18 or 18.50'); }
            var parts = value.split('.');
            return Number(parts[0]) * 100 + Number(((parts[1] || '') + '00').slice(0, 2));
          }
          function whole(text, label) {
            var value = text.trim();
            if (!/^[0-9]{1,9}$/.test(value)) { throw new Problem(label + '：请填整数 / a whole number'); }
            return Number(value);
          }
          function send(url, method, body, key) {
            var headers = { 'X-CSRF-Token': csrf, 'Idempotency-Key': key };
            if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
            return fetch(url, { method: method, credentials: 'same-origin', headers: headers, body: body === undefined ? undefined : JSON.stringify(body) });
          }
          // Sends `build()`'s body; on success goes to `next`, else shows the API's message. The key stays for a
          // retry after a network failure and is replaced after any answer.
          function submitting(form, url, method, build, next) {
            form.dataset.key = newKey();
            form.addEventListener('submit', function (event) {
              event.preventDefault();
              clearError();
              var body;
              try { body = build(); } catch (problem) {
                if (problem instanceof Problem) { showError(problem.message); return; }
                throw problem;
              }
              var buttons = form.querySelectorAll('button');
              Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
              send(url, method, body, form.dataset.key).then(function (response) {
                form.dataset.key = newKey();
                if (response.ok) { window.location.assign(next(body)); return; }
                return response.json().then(function (json) {
                  showError((json && json.error && json.error.message) || ('HTTP ' + response.status));
                }, function () { showError('操作失败 Failed (HTTP ' + response.status + ')'); });
              }, function () { showError('网络错误，请重试 Network error; try again'); }).then(function () {
                Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
              });
            });
          }

          // Forms whose fields map one to one onto the API's JSON; `data-kind` says how a field is read.
          Array.prototype.forEach.call(document.querySelectorAll('form[data-json-api]'), function (form) {
            var build = function () {
              var body = {};
              Array.prototype.forEach.call(form.elements, function (el) {
                if (!el.name || el.type === 'submit' || el.type === 'button') { return; }
                var kind = el.getAttribute('data-kind') || 'text', label = labelOf(el), value = el.value;
                if (kind === 'bool') { body[el.name] = el.checked; return; }
                if (value.trim() === '') { if (kind === 'list') { body[el.name] = []; } return; }   // empty: the API's default
                if (kind === 'yuan') { body[el.name] = fen(value, label); }
                else if (kind === 'int') { body[el.name] = whole(value, label); }
                else if (kind === 'list') { body[el.name] = value.split(/[,，、]/).map(function (s) { return s.trim(); }).filter(function (s) { return s; }); }
                else if (kind === 'time') { body[el.name] = value + (value.length === 16 ? ':00' : '') + form.dataset.offset; }
                else { body[el.name] = value; }
              });
              return body;
            };
            submitting(form, form.dataset.jsonApi, form.dataset.method || 'POST', build, function (body) {
              return (form.dataset.next || window.location.pathname).replace('{id}', encodeURIComponent(body.id || ''));
            });
          });

          // The ad preview follows what is typed.
          Array.prototype.forEach.call(document.querySelectorAll('[data-preview-text]'), function (input) {
            var target = document.getElementById(input.getAttribute('data-preview-text'));
            if (!target) { return; }
            input.addEventListener('input', function () { target.textContent = input.value; });
          });

          // An image: previewed from the file at once (a data: URL; nothing leaves the browser), uploaded on request.
          Array.prototype.forEach.call(document.querySelectorAll('input[type=file][data-upload]'), function (input) {
            var preview = document.getElementById(input.getAttribute('data-preview'));
            var button = document.getElementById('ad-image-upload');
            var status = document.getElementById('ad-image-status');
            var key = newKey();
            input.addEventListener('change', function () {
              clearError();
              var file = input.files && input.files[0];
              button.disabled = true;
              if (!file) { return; }
              if (['image/png', 'image/jpeg', 'image/webp'].indexOf(file.type) < 0) { showError('图片须为 PNG、JPEG 或 WebP / The image must be PNG, JPEG or WebP'); return; }
              if (file.size > 2 * 1024 * 1024) { showError('图片不能超过 2 MB / The image must be at most 2 MB'); return; }
              var reader = new FileReader();
              reader.onload = function () { preview.src = reader.result; preview.hidden = false; button.disabled = false; status.textContent = '预览中，尚未上传 Previewing; not uploaded yet'; };
              reader.readAsDataURL(file);
              key = newKey();
            });
            button.addEventListener('click', function () {
              var file = input.files && input.files[0];
              if (!file) { return; }
              button.disabled = true;
              status.textContent = '上传中 Uploading…';
              fetch(input.getAttribute('data-upload'), { method: 'PUT', credentials: 'same-origin', body: file,
                headers: { 'X-CSRF-Token': csrf, 'Content-Type': file.type, 'Idempotency-Key': key } }).then(function (response) {
                key = newKey();
                if (response.ok) {
                  return response.json().then(function (json) {
                    status.textContent = '已上传 Uploaded';
                    if (json.image_url) { preview.src = new URL(json.image_url, window.location.href).pathname; }
                  });
                }
                button.disabled = false;
                status.textContent = '';
                return response.json().then(function (json) { showError((json && json.error && json.error.message) || ('HTTP ' + response.status)); },
                                            function () { showError('上传失败 Upload failed (HTTP ' + response.status + ')'); });
              }, function () { button.disabled = false; status.textContent = ''; showError('网络错误，请重试 Network error; try again'); });
            });
          });

          // A shop's rules: hours per weekday, radius, minimum, fee, preparation time, orders for later.
          var rules = document.querySelector('form[data-rules-api]');
          if (rules) {
            if (/[?&]saved=1/.test(window.location.search)) { document.getElementById('rules-saved').hidden = false; }
            var alwaysOpen = rules.querySelector('[data-always-open]');
            var syncDays = function () {
              Array.prototype.forEach.call(rules.querySelectorAll('[data-day]'), function (input) { input.disabled = alwaysOpen.checked; });
            };
            alwaysOpen.addEventListener('change', syncDays);
            syncDays();
            var time = function (text, label) {
              var match = /^([0-9]{1,2}):([0-9]{2})$/.exec(text.trim());
              if (!match || Number(match[1]) > 24 || Number(match[2]) > 59) { throw new Problem(label + '：时间如 09:30 / a time like 09:30'); }
              return (match[1].length === 1 ? '0' : '') + match[1] + ':' + match[2];
            };
            var build = function () {
              var body = {};
              if (!alwaysOpen.checked) {
                body.hours = {};
                Array.prototype.forEach.call(rules.querySelectorAll('[data-day]'), function (input) {
                  var label = labelOf(input), text = input.value.trim();
                  if (!text) { return; }   // closed that day
                  body.hours[input.getAttribute('data-day')] = text.split(/[,，;；]/).map(function (part) { return part.trim(); }).filter(function (part) { return part; })
                    .map(function (part) {
                      var ends = part.split(/\s*[-–~至到]\s*/);
                      if (ends.length !== 2) { throw new Problem(label + '：时段如 10:00-14:00 / a time range like 10:00-14:00'); }
                      return { opens: time(ends[0], label), closes: time(ends[1], label) };
                    });
                });
              }
              var radius = document.getElementById('radius'), minimum = document.getElementById('minimum'), prep = document.getElementById('prep');
              if (radius.value.trim()) { body.delivery_radius_metres = whole(radius.value, labelOf(radius)); }
              if (minimum.value.trim()) { body.minimum_order_fen = fen(minimum.value, labelOf(minimum)); }
              body.preparation_minutes = whole(prep.value, labelOf(prep));
              body.accepts_orders_for_later = document.getElementById('later').checked;
              var mode = (rules.querySelector('input[name=fee_mode]:checked') || { value: 'free' }).value;
              if (mode === 'flat') {
                var flat = document.getElementById('flat-fee');
                body.delivery_fee = { flat_fen: fen(flat.value, labelOf(flat)) };
              } else if (mode === 'bands') {
                var bands = [];
                Array.prototype.forEach.call(rules.querySelectorAll('[data-band-fee]'), function (feeInput) {
                  var index = feeInput.getAttribute('data-band-fee');
                  var upInput = rules.querySelector('[data-band-up="' + index + '"]');
                  if (!feeInput.value.trim() && !upInput.value.trim()) { return; }
                  var band = { fee_fen: fen(feeInput.value, labelOf(feeInput)) };
                  if (upInput.value.trim()) { band.up_to_metres = whole(upInput.value, labelOf(upInput)); }
                  bands.push(band);
                });
                if (!bands.length) { throw new Problem('按距离收费至少需要一档 / Distance fees need at least one band'); }
                body.delivery_fee = { bands: bands };
              } else {
                body.delivery_fee = {};
              }
              return body;
            };
            submitting(rules, rules.dataset.rulesApi, 'PUT', build, function () { return rules.dataset.next + '?saved=1'; });
          }
        })();
        """#
}
