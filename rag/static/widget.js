/* 宁波制造业冠军企业问答 — embeddable chat bubble.
 * <script src="https://intranet.example/rag/widget.js" data-api="https://intranet.example/rag"
 *         data-key="(optional API key)"></script>
 * Talks to POST {data-api}/api/ask. All text is inserted as text, never as HTML. */
(function () {
  var me = document.currentScript;
  var api = (me && me.getAttribute("data-api")) || (me ? new URL(me.src).origin : "");
  var key = me && me.getAttribute("data-key");
  var css = ".rqw-bubble{position:fixed;right:24px;bottom:24px;width:56px;height:56px;border-radius:28px;" +
    "background:#c0392b;color:#fff;border:0;font-size:24px;cursor:pointer;box-shadow:0 2px 8px #0004;z-index:99999}" +
    ".rqw-panel{position:fixed;right:24px;bottom:90px;width:380px;max-height:70vh;display:none;flex-direction:column;" +
    "background:#fff;border:1px solid #ddd;border-radius:8px;box-shadow:0 4px 16px #0003;z-index:99999;" +
    "font:14px/1.6 sans-serif}.rqw-log{overflow:auto;padding:10px;flex:1}.rqw-q{color:#555;margin:8px 0 2px}" +
    ".rqw-a{white-space:pre-wrap}.rqw-src{font-size:12px;color:#666;margin:2px 0 0 8px}" +
    ".rqw-form{display:flex;border-top:1px solid #eee}.rqw-form input{flex:1;border:0;padding:10px}" +
    ".rqw-form button{border:0;background:#c0392b;color:#fff;padding:0 14px;cursor:pointer}";
  var style = document.createElement("style"); style.textContent = css; document.head.appendChild(style);
  var bubble = document.createElement("button"); bubble.className = "rqw-bubble"; bubble.title = "资料问答";
  bubble.textContent = "问"; bubble.setAttribute("aria-label", "打开资料问答");
  var panel = document.createElement("div"); panel.className = "rqw-panel";
  var log = document.createElement("div"); log.className = "rqw-log";
  var form = document.createElement("form"); form.className = "rqw-form";
  var input = document.createElement("input"); input.placeholder = "请输入问题…"; input.maxLength = 2000;
  var send = document.createElement("button"); send.type = "submit"; send.textContent = "提问";
  form.appendChild(input); form.appendChild(send); panel.appendChild(log); panel.appendChild(form);
  document.body.appendChild(panel); document.body.appendChild(bubble);
  bubble.onclick = function () { panel.style.display = panel.style.display === "flex" ? "none" : "flex"; input.focus(); };
  function line(cls, text) { var d = document.createElement("div"); d.className = cls; d.textContent = text; log.appendChild(d); log.scrollTop = log.scrollHeight; return d; }
  form.onsubmit = function (e) {
    e.preventDefault();
    var q = input.value.trim(); if (!q) return;
    input.value = ""; line("rqw-q", "问：" + q); var a = line("rqw-a", "正在查找…");
    var headers = {"Content-Type": "application/json"}; if (key) headers.Authorization = "Bearer " + key;
    fetch(api + "/api/ask", {method: "POST", headers: headers, body: JSON.stringify({question: q})})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); })
      .then(function (res) {
        if (!res.ok) { a.textContent = (res.body.error && res.body.error.message_zh) || "出错了，请稍后再试。"; return; }
        var ans = res.body; a.textContent = (ans.short ? "简答：" + ans.short + "\n" : "") + ans.text;
        (ans.citations || []).forEach(function (c) {
          line("rqw-src", "[" + c.n + "] 《" + c.title + "》" + c.publisher + "，" + c.date + "：“" + c.quote + "”");
        });
      })
      .catch(function () { a.textContent = "无法连接问答服务，请稍后再试。"; });
  };
})();
