// Benchline dashboard: times in the viewer's zone, confirmations, and the live build log (EventSource).
(function () {
  "use strict";
  const local = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

  function localize(root) {
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      const at = new Date(t.getAttribute("datetime"));
      if (!isNaN(at)) {
        t.textContent = local.format(at); // the UTC text stays in the title (hover)
      }
    });
  }

  function time(iso) {
    const t = document.createElement("time");
    t.setAttribute("datetime", iso);
    t.title = iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") + " UTC";
    t.textContent = t.title;
    localize({ querySelectorAll: function () { return [t]; } });
    return t;
  }

  function follow(log) {
    const source = new EventSource(log.dataset.stream);
    const status = document.getElementById("status");
    source.addEventListener("line", function (e) {
      const line = JSON.parse(e.data);
      const li = document.createElement("li");
      li.className = line.level || "";
      const n = document.createElement("span");
      n.className = "n";
      n.textContent = line.number;
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = line.text;
      li.append(n, time(line.timestamp), text);
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
      log.appendChild(li);
      if (atBottom) {
        log.scrollTop = log.scrollHeight;
      }
      const empty = document.getElementById("log-empty");
      if (empty) {
        empty.remove();
      }
      if (status && status.textContent === "pending") {
        status.textContent = "building";
        status.className = "badge building";
      }
    });
    source.addEventListener("end", function (e) {
      source.close(); // the log is complete; reload for the contents and runs of the final deployment
      const final = JSON.parse(e.data).status;
      if (status && final) {
        status.textContent = final;
        status.className = "badge " + final;
      }
    });
    source.addEventListener("problem", function (e) {
      source.close();
      const p = JSON.parse(e.data);
      const box = document.getElementById("log-problem");
      box.textContent = p.title + (p.detail ? ": " + p.detail : "");
      box.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localize(document);
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.dataset.confirm)) {
          e.preventDefault();
        }
      });
    });
    const log = document.getElementById("log");
    if (log && log.dataset.stream && window.EventSource) {
      follow(log);
    }
  });
})();
