// Benchline dashboard: times in the viewer's zone, confirmations, live rows and parts, the live build log
// (EventSource).
(function () {
  "use strict";
  const local = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
  // A build log's lines: the time of day only (the date and UTC are in the title).
  const clock = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

  function localize(root) {
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      const at = new Date(t.getAttribute("datetime"));
      if (!isNaN(at)) {
        t.textContent = (t.closest(".log") ? clock : local).format(at); // the UTC text stays in the title (hover)
      }
    });
  }

  function time(iso) {
    const t = document.createElement("time");
    t.setAttribute("datetime", iso);
    t.title = iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") + " UTC";
    const at = new Date(iso);
    t.textContent = isNaN(at) ? t.title : clock.format(at);
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

  // A live stream of page parts (LiveStreams): each event is "<part id>\n<its HTML>"; the part with that id is
  // replaced, a new one goes first (a new deployment is the newest row).
  function live(container, url, event, onPart) {
    // The parts as the server rendered them (before times were localized): a first event that brings a part
    // unchanged since then is not swapped in (its element, and any reference to it, stays).
    const rendered = new Map();
    Array.from(container.children).forEach(function (el) {
      if (el.id) {
        rendered.set(el.id, el.outerHTML);
      }
    });
    const source = new EventSource(url);
    const note = document.getElementById("live-note");
    source.addEventListener(event, function (e) {
      const cut = e.data.indexOf("\n");
      const id = e.data.substring(0, cut);
      const template = document.createElement("template");
      template.innerHTML = e.data.substring(cut + 1).trim();
      const part = template.content.firstElementChild;
      if (!part) {
        return;
      }
      const old = document.getElementById(id);
      const unchanged = rendered.get(id) === part.outerHTML;
      rendered.delete(id);
      if (unchanged && old) {
        return;
      }
      if (old && old.querySelector("details[open]")) {
        // Someone has one of this part's forms open: the new part waits until they close it.
        const waiting = !pending.has(id);
        pending.set(id, part);
        if (waiting) {
          old.addEventListener("toggle", function later() {
            if (!old.querySelector("details[open]") && pending.has(id)) {
              old.removeEventListener("toggle", later, true);
              put(old, pending.get(id));
              pending.delete(id);
            }
          }, true);
        }
        return;
      }
      put(old, part);
    });
    const pending = new Map();
    function put(old, part) {
      if (old) {
        old.replaceWith(part);
      } else {
        container.prepend(part);
      }
      localize(part);
      confirmations(part);
      if (onPart) {
        onPart(part);
      }
    }
    source.addEventListener("problem", function (e) {
      if (note) {
        const p = JSON.parse(e.data);
        note.textContent = "Live updates paused: " + p.title + (p.detail ? " (" + p.detail + ")" : "") + ".";
        note.hidden = false;
      }
    });
    source.addEventListener("ok", function () {
      if (note) {
        note.hidden = true;
      }
    });
    source.addEventListener("end", function (e) {
      source.close();
      if (note) {
        const p = JSON.parse(e.data);
        note.textContent = "Live updates stopped: " + p.title + (p.detail ? " (" + p.detail + ")" : "") + ".";
        note.hidden = false;
      }
    });
  }

  function confirmations(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.dataset.confirm)) {
          e.preventDefault();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    confirmations(document);
    const rows = document.getElementById("rows");
    if (rows && rows.dataset.live && window.EventSource) {
      live(rows, rows.dataset.live, "row", function () {
        const empty = document.getElementById("rows-empty");
        if (empty) {
          empty.remove();
        }
        rows.closest(".table-wrap").hidden = false;
      });
    }
    const parts = document.getElementById("live-parts");
    if (parts && parts.dataset.live && window.EventSource) {
      live(parts, parts.dataset.live, "part");
    }
    localize(document); // after the live parts noted how they were rendered
    const log = document.getElementById("log");
    if (log && log.dataset.stream && window.EventSource) {
      follow(log);
    }
  });
})();
