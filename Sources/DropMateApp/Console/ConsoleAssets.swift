import Hummingbird

/// The console's one stylesheet and one script, served from the binary (the pages' policy allows scripts and
/// styles from this origin only: no CDN, nothing inline). Plain JavaScript, no build step; it never inserts text
/// as markup except the card fragments the server rendered and escaped itself.
enum ConsoleAssets {
    static func add(to router: Router<BasicRequestContext>) {
        router.get("/console/assets/console.js") { _, _ in asset(script, type: "text/javascript; charset=utf-8") }
        router.get("/console/assets/console.css") { _, _ in asset(styleSheet, type: "text/css; charset=utf-8") }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "private, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let styleSheet = """
        *{box-sizing:border-box}
        body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;background:#f4f5f7;color:#1f2329;line-height:1.45;font-size:15px}
        a{color:#0b62d6}
        .bar{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:center;padding:.6rem 1rem;background:#1f2329;color:#fff}
        .bar a{color:#cfe3ff}.bar nav{display:flex;gap:.8rem}.bar .who{margin-left:auto;opacity:.85}
        .signout{margin:0}.signout button{background:#444b55;padding:.35rem .7rem;font-size:.9rem}
        .badge{background:#e8453c;color:#fff;border-radius:1rem;padding:.15rem .7rem;font-weight:bold;cursor:pointer}
        main{padding:1rem}
        button{font:inherit;padding:.55rem 1rem;border:0;border-radius:.4rem;background:#07c160;color:#fff;cursor:pointer}
        button.secondary{background:#0b62d6}button.danger{background:#c9302c}button:disabled{opacity:.5}
        button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
        label{display:block;margin:.6rem 0 .2rem;font-weight:600}
        input,select{font:inherit;width:100%;padding:.5rem;border:1px solid #b9bec7;border-radius:.35rem;background:#fff}
        input[type=checkbox]{width:auto}
        .signin,.message{max-width:24rem;margin:3rem auto;background:#fff;padding:1.5rem;border-radius:.6rem;box-shadow:0 1px 4px rgba(0,0,0,.1)}
        .signin button{width:100%;margin-top:1rem}
        .error{color:#b42318;background:#fef3f2;padding:.5rem .7rem;border-radius:.35rem}
        .ok{color:#067647}
        .board-head{display:flex;align-items:baseline;gap:1rem;flex-wrap:wrap}.board-head h1{margin:.2rem 0}
        .live{margin:0;font-size:.9rem;color:#667085}.live[data-state=live]{color:#067647}
        .board{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:.6rem;align-items:start}
        .column{background:#e9ebef;border-radius:.5rem;padding:.4rem;min-height:6rem}
        .column h2{font-size:.95rem;margin:.2rem .3rem .5rem}.count{color:#667085;font-weight:normal}
        .card{background:#fff;border-radius:.4rem;padding:.5rem .6rem;margin-bottom:.5rem;border-left:4px solid #98a2b3;word-break:break-word}
        .column[data-column=new] .card{border-left-color:#f79009}.column[data-column=confirmed] .card{border-left-color:#0b62d6}
        .column[data-column=dispatched] .card,.column[data-column=picked_up] .card{border-left-color:#7a5af8}
        .column[data-column=delivered] .card{border-left-color:#12b76a}.column[data-column=cancelled] .card{opacity:.7}
        .card.late{border-left-color:#e8453c;background:#fff4f3}.late-tag{background:#e8453c;color:#fff;border-radius:.3rem;padding:0 .3rem;font-size:.8rem}
        .card.flash{animation:flash 2s}@keyframes flash{from{box-shadow:0 0 0 3px #f5a623}to{box-shadow:none}}
        .card h3{font-size:1rem;margin:0 0 .2rem}.age{color:#667085;font-weight:normal;font-size:.85rem}
        .card p,.card ul{margin:.15rem 0;font-size:.9rem}.items{padding-left:1.1rem}.meta{color:#475467}.note{color:#9a3412}
        .order-detail{background:#fff;border-radius:.6rem;padding:1rem;max-width:48rem}
        .order-detail dl{display:grid;grid-template-columns:8rem 1fr;gap:.3rem .8rem}.order-detail dt{color:#667085}.order-detail dd{margin:0;word-break:break-word}
        .actions{display:grid;gap:1rem;margin:1rem 0}.action{background:#f9fafb;padding:.7rem;border-radius:.4rem}.action button{margin-top:.5rem}
        .state.paused{background:#fef3f2;color:#b42318}.state{font-size:.9rem;background:#eef4ff;border-radius:.3rem;padding:.1rem .4rem;font-weight:normal}
        .task{background:#fff;border-radius:.6rem;padding:.8rem;margin-bottom:.8rem;word-break:break-word}.task h2{margin:0 0 .3rem;font-size:1.15rem}
        .task-actions{display:flex;gap:.6rem;flex-wrap:wrap}.task-actions form{flex:1}.task-actions button{width:100%;padding:.8rem;font-size:1.05rem}
        .call{display:inline-block;padding:.4rem .8rem;background:#eef4ff;border-radius:.4rem;font-weight:600}
        .duty label{display:inline;font-weight:normal}
        .table-wrap{overflow-x:auto}.list{border-collapse:collapse;background:#fff;min-width:40rem;width:100%}.list th,.list td{padding:.45rem .6rem;border-bottom:1px solid #eaecf0;text-align:left;vertical-align:top}
        form.inline{display:inline-block;margin:.1rem 0}.code{font-family:monospace;font-size:1.1rem;font-weight:bold;letter-spacing:.1em}
        .bar nav{flex-wrap:wrap}.post .body{font-size:1.05rem}details summary{cursor:pointer;color:#0b62d6;margin:.3rem 0}.error-text{color:#b42318;max-width:24rem;word-break:break-word}
        .plot{width:100%;max-width:640px;height:auto;border-radius:.5rem;font-size:13px}
        @media (max-width:900px){.board{grid-template-columns:repeat(2,minmax(0,1fr))}}
        @media (max-width:520px){.board{grid-template-columns:1fr}.column{min-height:0}.order-detail dl{grid-template-columns:1fr}.bar .who{margin-left:0}main{padding:.6rem}}
        """

    static let script = #"""
        (function () {
          'use strict';
          var meta = document.querySelector('meta[name="csrf-token"]');
          var csrf = meta ? meta.getAttribute('content') : '';
          var baseTitle = document.title;

          function newKey() {
            if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
            return String(Date.now()) + '-' + Math.random().toString(36).slice(2);
          }
          function showError(text) {
            var el = document.getElementById('action-error');
            if (el) { el.textContent = text; el.hidden = false; } else { window.alert(text); }
          }
          function post(url, body, key, method) {
            var headers = { 'X-CSRF-Token': csrf };
            if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
            if (key) { headers['Idempotency-Key'] = key; }
            return fetch(url, { method: method || 'POST', credentials: 'same-origin', headers: headers,
                                body: body === undefined ? undefined : JSON.stringify(body) });
          }

          // Actions: each form posts JSON to the staff API with the CSRF token and an Idempotency-Key (kept for a
          // retry after a network failure, replaced after an answer).
          Array.prototype.forEach.call(document.querySelectorAll('form[data-api]'), function (form) {
            form.dataset.key = newKey();
            form.addEventListener('submit', function (event) {
              event.preventDefault();
              var body = {};
              Array.prototype.forEach.call(form.elements, function (el) {
                // An empty optional field is left out (the API then sees no value, not 0 or "").
                if (el.name && el.value !== '') {
                  body[el.name] = el.hasAttribute('data-number') ? Number(el.value) : el.hasAttribute('data-bool') ? el.value === 'true' : el.value;
                }
              });
              var buttons = form.querySelectorAll('button');
              Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
              post(form.dataset.api, body, form.dataset.key, form.dataset.method).then(function (response) {
                if (response.ok && form.dataset.show) {
                  // Show one field of the answer (a new binding code) instead of moving on.
                  form.dataset.key = newKey();
                  return response.json().then(function (json) {
                    document.getElementById(form.dataset.output).textContent = String(json[form.dataset.show]);
                  });
                }
                if (response.ok) { window.location.assign(form.dataset.next || window.location.pathname); return; }
                // The session ended (idle too long, signed out elsewhere): sign in again rather than fail quietly.
                if (response.status === 401) { window.location.assign('/console/signin'); return; }
                form.dataset.key = newKey();
                return response.json().then(function (json) {
                  showError((json && json.error && json.error.message) || ('HTTP ' + response.status));
                }, function () { showError('操作失败 Failed (HTTP ' + response.status + ')'); });
              }, function () {
                showError('网络错误，请重试 Network error; try again');
              }).then(function () {
                Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
              });
            });
          });

          // Whole phone number, for roles allowed to read it (the server decides and audits).
          Array.prototype.forEach.call(document.querySelectorAll('[data-reveal]'), function (button) {
            button.addEventListener('click', function () {
              post(button.getAttribute('data-reveal')).then(function (response) {
                if (!response.ok) { throw new Error('HTTP ' + response.status); }
                return response.json();
              }).then(function (json) {
                document.getElementById('phone').textContent = json.phone;
                button.hidden = true;
              }, function () { showError('无权查看 Not allowed to see the number'); });
            });
          });

          // The live board.
          var board = document.getElementById('board');
          if (board) {
            var live = document.getElementById('live');
            var badge = document.getElementById('new-badge');
            var unseen = 0;
            var audio = null;
            // Sound: browsers keep audio off until the user interacts with the page, so it is a visible switch
            // (remembered per browser) and says so when the browser still blocks it; the badge and the title
            // count work regardless.
            var toggle = document.getElementById('sound-toggle');
            var wanted = window.localStorage.getItem('dropmate-sound') === '1';
            var rung = {};
            var context = function () {
              try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; }
              return audio;
            };
            var showSound = function () {
              var running = audio && audio.state === 'running';
              var state = !wanted ? 'off' : running ? 'on' : 'blocked';
              toggle.dataset.state = state;
              toggle.setAttribute('aria-pressed', wanted ? 'true' : 'false');
              toggle.textContent = state === 'on' ? '提示音已开 Sound on'
                : state === 'blocked' ? '点击允许提示音 Click to allow sound (the browser blocks it until you do)' : '开启提示音 Enable sound';
            };
            var tone = function () {
              if (!wanted || !audio || audio.state !== 'running') { return; }
              [0, 0.25].forEach(function (offset) {
                var osc = audio.createOscillator(), gain = audio.createGain();
                osc.frequency.value = 880; gain.gain.value = 0.15;
                osc.connect(gain); gain.connect(audio.destination);
                osc.start(audio.currentTime + offset); osc.stop(audio.currentTime + offset + 0.18);
              });
              board.dataset.tones = String(Number(board.dataset.tones || 0) + 1);
            };
            var ring = function () {
              board.dataset.rings = String(Number(board.dataset.rings || 0) + 1);
              tone();
            };
            var wake = function () {
              if (!wanted || !context()) { return showSound(); }
              audio.resume().then(showSound, showSound);
            };
            toggle.addEventListener('click', function () {
              wanted = !(wanted && audio && audio.state === 'running');
              window.localStorage.setItem('dropmate-sound', wanted ? '1' : '0');
              if (!wanted) { return showSound(); }
              context();
              if (!audio) { toggle.textContent = '此浏览器不能播放声音 No sound in this browser'; return; }
              audio.resume().then(function () { showSound(); tone(); }, showSound);
            });
            // Any click or key on the page is the interaction browsers wait for.
            document.addEventListener('pointerdown', function (event) { if (event.target !== toggle) { wake(); } });
            document.addEventListener('keydown', wake);
            if (wanted) { context(); }
            showSound();
            var bump = function () {
              unseen += 1;
              badge.textContent = '新订单 New orders: ' + unseen;
              badge.hidden = false;
              document.title = '(' + unseen + ') ' + baseTitle;
            };
            badge.addEventListener('click', function () { unseen = 0; badge.hidden = true; document.title = baseTitle; });
            var recount = function () {
              Array.prototype.forEach.call(board.querySelectorAll('.column'), function (column) {
                column.querySelector('.count').textContent = column.querySelectorAll('.card').length;
              });
            };
            var ages = function () {
              var now = Date.now() / 1000;
              Array.prototype.forEach.call(board.querySelectorAll('.card'), function (card) {
                var age = card.querySelector('.age');
                if (age) { age.textContent = Math.max(0, Math.floor((now - Number(card.dataset.created)) / 60)) + ' 分钟 min'; }
              });
            };
            var place = function (id) {
              if (!/^[0-9]+$/.test(id)) { return; }
              fetch('/console/board/cards/' + id, { credentials: 'same-origin' }).then(function (response) {
                return response.ok ? response.text() : null;
              }).then(function (markup) {
                if (!markup) { return; }
                // Markup the server rendered and escaped; parsed inert, then moved into place.
                var template = document.createElement('template');
                template.innerHTML = markup.trim();
                var card = template.content.firstElementChild;
                if (!card || !card.classList.contains('card')) { return; }
                var old = document.getElementById('order-' + id);
                var column = board.querySelector('.column[data-column="' + card.dataset.column + '"] .cards');
                if (!column) { return; }
                if (old) { old.remove(); }
                column.insertBefore(card, column.firstChild);
                card.classList.add('flash');
                recount();
                // A new order is staff's once confirmed (and paid, when payment is required): ring once for it.
                if (card.dataset.ring === '1' && !(old && old.dataset.ring === '1') && !rung[id]) { rung[id] = true; ring(); bump(); }
              });
            };
            var source = new EventSource('/console/events');
            source.addEventListener('hello', function () { live.textContent = '● 实时 Live'; live.dataset.state = 'live'; });
            source.addEventListener('order', function (event) { place(event.data); });
            source.addEventListener('reload', function () { window.location.reload(); });
            source.addEventListener('signedout', function () { source.close(); window.location.assign('/console/signin'); });
            source.onerror = function () {
              live.textContent = '重新连接中 Reconnecting…'; live.dataset.state = 'connecting';
              // Refused outright (signed out, server busy): the browser gives up, so the page starts over, which
              // also leads to the sign-in page when the session has ended.
              if (source.readyState === EventSource.CLOSED) { window.setTimeout(function () { window.location.reload(); }, 5000); }
            };
            window.setInterval(ages, 30000);
          }

          // The courier page: share the position every 30 s while on duty.
          var duty = document.getElementById('on-duty');
          if (duty) {
            var status = document.getElementById('duty-status');
            var timer = null;
            var say = function (text) { status.textContent = text; };
            var send = function () {
              if (!navigator.geolocation) { say('此浏览器不能定位 No location in this browser'); return; }
              navigator.geolocation.getCurrentPosition(function (position) {
                post('/api/v1/courier/position', { latitude: position.coords.latitude, longitude: position.coords.longitude })
                  .then(function (response) {
                    say(response.ok ? '已共享位置 Position shared ' + new Date().toLocaleTimeString() : '位置未发送 Not sent (HTTP ' + response.status + ')');
                  }, function () { say('网络错误 Network error'); });
              }, function () { say('无法获取位置 Position unavailable'); }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 15000 });
            };
            var apply = function () {
              window.clearInterval(timer);
              window.localStorage.setItem('dropmate-on-duty', duty.checked ? '1' : '0');
              if (duty.checked) { send(); timer = window.setInterval(send, 30000); } else { say('休息中 Off duty'); }
            };
            duty.checked = window.localStorage.getItem('dropmate-on-duty') === '1';
            duty.addEventListener('change', apply);
            apply();
            // New deliveries appear without touching the page.
            window.setInterval(function () {
              if (!document.querySelector('button:disabled')) { window.location.reload(); }
            }, 60000);
          }
        })();
        """#
}
