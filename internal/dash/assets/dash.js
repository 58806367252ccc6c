// godask dashboard: draws the frames the server pushes (server-sent events)
// or, in an offline report, the one frame recorded in window.GODASK_REPORT.
// Plain JavaScript and canvas/SVG; no library.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var meta = function (n) { var m = document.querySelector('meta[name="' + n + '"]'); return m ? m.content : ""; };
  var base = meta("godask-base") || "/";
  var token = meta("godask-token");
  var report = window.GODASK_REPORT || null;

  // Bounded client-side history: the page never grows without limit.
  var MAX_BOXES = 20000, MAX_MEM = 5000, MAX_MARKS = 5000, MAX_TPS = 2000;
  var S = { runs: {}, runList: [], boxes: [], mem: [], marks: [], tps: [], groups: [], threads: [],
    states: "", now: 0, dropped: 0, cpu: 0, lastCPU: null, cpuPct: 0, errCount: 0, graphRun: 0,
    errShown: -1, closing: false, maxHeld: 0 };

  // ---- helpers
  function api(path) { return base + path + (path.indexOf("?") < 0 ? "?" : "&") + "token=" + encodeURIComponent(token); }
  function bytes(n) {
    if (!n) return "0 B";
    var u = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (Math.abs(n) >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + u[i];
  }
  function secs(s) { return s < 1e-3 ? (s * 1e6).toFixed(0) + " µs" : s < 1 ? (s * 1e3).toFixed(1) + " ms" : s.toFixed(2) + " s"; }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function push(arr, items, max) { for (var i = 0; i < items.length; i++) arr.push(items[i]); if (arr.length > max) arr.splice(0, arr.length - max); }
  // A stable colour per op label.
  var colorCache = {};
  function color(label) {
    if (colorCache[label]) return colorCache[label];
    var h = 0;
    for (var i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
    return (colorCache[label] = "hsl(" + (h % 360) + ",62%," + (42 + (h >> 9) % 16) + "%)");
  }
  function labelOf(run, g) { var r = S.runs[run]; return r && r.labels && r.labels[g] !== undefined ? r.labels[g] : "?"; }
  function latest() { return S.runList.length ? S.runs[S.runList[S.runList.length - 1]] : null; }
  function canvas(id) {
    var c = $(id), dpr = window.devicePixelRatio || 1, w = c.clientWidth || 600, h = c.clientHeight || 150;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
    var ctx = c.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = "11px system-ui, sans-serif";
    return { c: c, ctx: ctx, w: w, h: h };
  }

  // ---- applying a frame
  function apply(f) {
    if (f.reset) { S.boxes = []; S.mem = []; S.marks = []; S.tps = []; }
    S.now = f.now; S.dropped = f.dropped; S.closing = !!f.closing;
    (f.runs || []).forEach(function (r) { if (!S.runs[r.id]) S.runList.push(r.id); S.runs[r.id] = r; });
    push(S.boxes, f.boxes || [], MAX_BOXES);
    push(S.mem, f.mem || [], MAX_MEM);
    push(S.marks, f.marks || [], MAX_MARKS);
    push(S.tps, f.tps || [], MAX_TPS);
    S.groups = f.groups || []; S.threads = f.threads || []; S.states = f.states || "";
    if (S.lastCPU && f.now > S.lastCPU.t) S.cpuPct = 100 * (f.cpu - S.lastCPU.cpu) / ((f.now - S.lastCPU.t) / 1e9);
    S.lastCPU = { cpu: f.cpu, t: f.now }; S.cpu = f.cpu;
    S.errCount = 0;
    S.runList.forEach(function (id) { S.errCount += S.runs[id].errors || 0; });
    schedule();
  }

  var pending = false;
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; draw(); }); } }

  function draw() {
    drawSummary(); drawBanner();
    var page = currentPage();
    if (report || page === "status") { drawStream(); drawProgress(); drawMemory(); drawTPS(); drawOpTable(); }
    if (report || page === "graph") drawGraph();
    if (report || page === "workers") drawWorkers();
    if (report || page === "errors") loadErrors();
  }

  function drawSummary() {
    var done = 0, total = 0, running = 0;
    S.groups.forEach(function (g) { done += g.finished; total += g.total; running += g.running; });
    $("total-done").textContent = done; $("total-tasks").textContent = total;
    $("total-running").textContent = running;
    var m = S.mem.length ? S.mem[S.mem.length - 1] : null, held = m ? m.h : 0;
    S.mem.forEach(function (p) { if (p.h > S.maxHeld) S.maxHeld = p.h; });
    var el = $("mem-held"); el.textContent = bytes(held); el.dataset.bytes = held; el.dataset.max = S.maxHeld;
    $("mem-spilled").textContent = bytes(m ? m.s : 0);
    $("tps-now").textContent = S.tps.length ? S.tps[S.tps.length - 1].h : 0;
    var r = latest();
    $("run-state").textContent = !r ? "–" : r.ended ? (r.err ? "run " + r.id + " failed" : "run " + r.id + " done") : "run " + r.id + " running";
    $("err-count").textContent = S.errCount ? S.errCount : "";
  }

  var connState = "connecting";
  function drawBanner() {
    var b = $("banner"), r = latest(), msg = "", bad = false;
    if (report) msg = "Offline report: the state recorded when the run ended" + (r && r.end ? ", " + secs((r.end - r.start) / 1e9) + " after it started" : "") + ".";
    else if (connState === "lost") { msg = S.closing ? "The dashboard has closed: the program's run has ended. This page shows the last state it received." : "Lost the connection to the dashboard: the program has probably ended (or the token is wrong). This page shows the last state it received."; bad = !S.closing; }
    else if (S.closing) msg = "The dashboard has closed: the program's run has ended. This page shows the last state it received.";
    else if (r && r.ended) { msg = "Run " + r.id + (r.err ? " failed: " + r.err : " finished") + ". The page shows its final state and follows the next run, if any."; bad = !!r.err; }
    b.hidden = !msg; b.textContent = msg; b.className = "banner" + (bad ? " bad" : "");
  }

  // ---- task stream: a lane per worker thread, a box per task.
  function drawStream() {
    var lanes = 1;
    S.runList.forEach(function (id) { lanes = Math.max(lanes, S.runs[id].workers || 1); });
    var c = $("stream"), laneH = Math.max(10, Math.min(28, 150 / lanes));
    c.style.height = (lanes * laneH + 40) + "px";
    var k = canvas("stream"), ctx = k.ctx, left = 56, right = k.w - 8, top = 4;
    var t1 = 0, t0 = Infinity;
    S.boxes.forEach(function (b) { if (b.e > t1) t1 = b.e; if (b.s < t0) t0 = b.s; });
    if (!report && latest() && !latest().ended) t1 = Math.max(t1, S.now);
    var span = report ? t1 - t0 : Math.min(t1 - t0, 20e9);
    if (!(span > 0)) span = 1e9;
    t0 = t1 - span;
    var sx = (right - left) / span, drawn = 0, seen = {};
    for (var l = 0; l < lanes; l++) {
      ctx.fillStyle = l % 2 ? "#fafbfc" : "#f3f4f6"; ctx.fillRect(left, top + l * laneH, right - left, laneH);
      ctx.fillStyle = "#6b7280"; ctx.fillText("thread " + l, 4, top + l * laneH + laneH / 2 + 4);
    }
    for (var i = 0; i < S.boxes.length; i++) {
      var b = S.boxes[i];
      if (b.e < t0) continue;
      var x = left + (Math.max(b.s, t0) - t0) * sx, w = Math.max(1, (b.e - Math.max(b.s, t0)) * sx);
      var lab = labelOf(b.r, b.g); seen[lab] = true;
      ctx.fillStyle = b.f ? "#d62728" : color(lab);
      ctx.fillRect(x, top + b.w * laneH + 1, w, laneH - 2);
      drawn++;
    }
    var my = top + lanes * laneH + 8;
    S.marks.forEach(function (m) {
      if (m.t < t0) return;
      var x = left + (m.t - t0) * sx;
      ctx.fillStyle = m.k === "spill" ? "#dd6b20" : "#2b6cb0";
      ctx.beginPath();
      if (m.k === "spill") { ctx.moveTo(x - 4, my); ctx.lineTo(x + 4, my); ctx.lineTo(x, my + 7); }
      else { ctx.moveTo(x - 4, my + 7); ctx.lineTo(x + 4, my + 7); ctx.lineTo(x, my); }
      ctx.fill();
    });
    ctx.fillStyle = "#6b7280";
    ctx.fillText("spill/load", 4, my + 7);
    axis(ctx, left, right, my + 22, t0, t1);
    c.dataset.boxes = drawn;
    var leg = Object.keys(seen).sort().map(function (l) { return '<span><i style="background:' + color(l) + '"></i>' + esc(l) + "</span>"; }).join("");
    if (S.dropped) leg += "<span>(" + S.dropped + " tasks not drawn: too many per tenth of a second)</span>";
    $("legend").innerHTML = leg;
  }
  function axis(ctx, left, right, y, t0, t1) {
    var span = (t1 - t0) / 1e9, step = Math.pow(10, Math.floor(Math.log10(span / 5 || 1)));
    if (span / step > 10) step *= 2;
    if (span / step > 10) step *= 2.5;
    ctx.fillStyle = "#6b7280"; ctx.strokeStyle = "#e3e6eb";
    for (var s = Math.ceil(t0 / 1e9 / step) * step; s <= t1 / 1e9; s += step) {
      var x = left + (s * 1e9 - t0) / (t1 - t0) * (right - left);
      ctx.fillRect(x, y - 12, 1, 4);
      ctx.fillText(s.toFixed(step < 1 ? 1 : 0) + "s", x - 8, y);
    }
  }

  // ---- progress per op group.
  function drawProgress() {
    var html = S.groups.map(function (g) {
      var t = Math.max(1, g.total), pct = function (n) { return (100 * n / t).toFixed(2) + "%"; };
      return '<div class="prow"><div class="name" title="' + esc(g.label) + '"><i class="sw" style="background:' + color(g.label) + '"></i>' + esc(g.label) +
        '</div><div class="bar"><div class="released" style="width:' + pct(g.released) + '"></div><div class="memory" style="width:' + pct(g.memory) +
        '"></div><div class="running" style="width:' + pct(g.running) + '"></div><div class="erred" style="width:' + pct(g.erred) + '"></div></div>' +
        '<div class="n" data-done="' + g.finished + '" data-total="' + g.total + '">' + g.finished + " / " + g.total + (g.erred ? " (" + g.erred + " erred)" : "") + "</div></div>";
    }).join("");
    $("progress").innerHTML = html || '<div class="n">no run yet</div>';
  }

  // ---- memory and tasks per second: line charts over time.
  function lines(id, pts, series, fmt) {
    var k = canvas(id), ctx = k.ctx, left = 64, right = k.w - 8, top = 8, bottom = k.h - 20;
    if (!pts.length) { ctx.fillStyle = "#6b7280"; ctx.fillText("no samples yet", left, top + 20); return; }
    var t0 = pts[0].t, t1 = pts[pts.length - 1].t, max = 1;
    if (t1 <= t0) t1 = t0 + 1e9;
    pts.forEach(function (p) { series.forEach(function (s) { if (s.get(p) > max) max = s.get(p); }); });
    max *= 1.1;
    ctx.strokeStyle = "#e3e6eb"; ctx.fillStyle = "#6b7280";
    for (var i = 0; i <= 4; i++) {
      var y = bottom - (bottom - top) * i / 4;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(right, y); ctx.stroke();
      ctx.fillText(fmt(max * i / 4), 2, y + 4);
    }
    series.forEach(function (s) {
      ctx.strokeStyle = s.color; ctx.lineWidth = 2; ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      pts.forEach(function (p, j) {
        var x = left + (p.t - t0) / (t1 - t0) * (right - left), y = bottom - s.get(p) / max * (bottom - top);
        if (j) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      });
      ctx.stroke(); ctx.setLineDash([]); ctx.lineWidth = 1;
    });
    axis(ctx, left, right, k.h - 4, t0, t1);
  }
  function drawMemory() {
    // The latest run's samples: each run has its own limit.
    var r = latest(), pts = r ? S.mem.filter(function (p) { return p.r === r.id; }) : [];
    lines("memory", pts, [
      { get: function (p) { return p.l; }, color: "#9aa3ae", dash: [6, 4] },
      { get: function (p) { return p.s; }, color: "#dd6b20" },
      { get: function (p) { return p.h; }, color: "#2b6cb0" }], bytes);
  }
  function drawTPS() { lines("tps", S.tps, [{ get: function (p) { return p.h; }, color: "#38a169" }], function (v) { return v.toFixed(0); }); }

  function drawOpTable() {
    var total = 0;
    S.groups.forEach(function (g) { total += g.seconds; });
    var rows = S.groups.slice().sort(function (a, b) { return b.seconds - a.seconds; }).map(function (g) {
      var n = g.finished + g.erred;
      return "<tr><td><i class='sw' style='background:" + color(g.label) + "'></i>" + esc(g.label) + "</td><td class=num>" + n + "</td><td class=num>" + secs(g.seconds) +
        "</td><td class=num>" + (n ? secs(g.seconds / n) : "–") + "</td><td class=num>" + (total ? (100 * g.seconds / total).toFixed(1) + "%" : "–") + "</td></tr>";
    });
    document.querySelector("#optable tbody").innerHTML = rows.join("");
  }

  // ---- graph: every task of a small graph, else op groups.
  var graphData = null, graphLoading = false;
  function drawGraph() {
    var r = latest();
    if (!r) return;
    if (report) graphData = (report.graphs || [])[report.graphs.length - 1] || null;
    else if ((!graphData || graphData.run !== r.id) && !graphLoading) {
      graphLoading = true;
      fetch(api("api/graph?run=" + r.id)).then(function (x) { return x.json(); }).then(function (g) { graphData = g; graphLoading = false; schedule(); })
        .catch(function () { graphLoading = false; });
      return;
    }
    if (!graphData || !graphData.nodes) return;
    var g = graphData, n = g.nodes.length, depth = new Array(n).fill(0), ins = [];
    for (var i = 0; i < n; i++) ins.push([]);
    g.edges.forEach(function (e) { ins[e[1]].push(e[0]); });
    // Longest path from a root; task graphs come in dependency order, a
    // summary may not: iterate to a fixed point (bounded by n rounds).
    for (var round = 0, changed = true; changed && round < n; round++) {
      changed = false;
      for (i = 0; i < n; i++) ins[i].forEach(function (d) { if (depth[d] + 1 > depth[i]) { depth[i] = depth[d] + 1; changed = true; } });
    }
    var layers = [];
    depth.forEach(function (d, i) { (layers[d] = layers[d] || []).push(i); });
    var W = $("graph").clientWidth || 900, colW = g.summary ? 190 : Math.max(40, Math.min(120, (W - 40) / layers.length));
    var rowH = g.summary ? 56 : 22, maxRows = 0;
    layers.forEach(function (l) { maxRows = Math.max(maxRows, l.length); });
    var H = maxRows * rowH + 20, pos = [];
    layers.forEach(function (l, d) { l.forEach(function (i, j) { pos[i] = { x: 20 + d * colW, y: 10 + (j + (maxRows - l.length) / 2) * rowH }; }); });
    var stateColor = { w: "#edf0f3", r: "#9ae6b4", m: "#38a169", g: "#4a5568", e: "#d62728" };
    var svg = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + Math.max(W, 40 + layers.length * colW) + " " + H + '" height="' + H + '">'];
    var bw = g.summary ? 170 : Math.min(14, colW - 8), bh = g.summary ? 40 : 14;
    g.edges.forEach(function (e) {
      var a = pos[e[0]], b = pos[e[1]];
      svg.push('<line x1="' + (a.x + bw) + '" y1="' + (a.y + bh / 2) + '" x2="' + b.x + '" y2="' + (b.y + bh / 2) + '" stroke="#c3c9d1"/>');
    });
    var cur = report ? S.groups : S.groups;
    g.nodes.forEach(function (nd, i) {
      var p = pos[i], lab = g.labels[nd.g];
      if (g.summary) {
        var c = cur[nd.g] || { finished: 0, total: g.counts[i] }, frac = c.total ? c.finished / c.total : 0;
        svg.push('<g><title>' + esc(lab) + '</title><rect x="' + p.x + '" y="' + p.y + '" width="' + bw + '" height="' + bh + '" rx="4" fill="#fff" stroke="' + color(lab) + '" stroke-width="2"/>' +
          '<rect x="' + p.x + '" y="' + (p.y + bh - 6) + '" width="' + (bw * frac) + '" height="6" fill="' + color(lab) + '"/>' +
          '<text x="' + (p.x + 6) + '" y="' + (p.y + 15) + '">' + esc(lab.length > 26 ? lab.slice(0, 25) + "…" : lab) + '</text>' +
          '<text x="' + (p.x + 6) + '" y="' + (p.y + 29) + '">' + c.finished + " / " + (c.total || g.counts[i]) + ' tasks</text></g>');
      } else {
        var st = S.states.charAt(i) || "w";
        svg.push('<rect x="' + p.x + '" y="' + p.y + '" width="' + bw + '" height="' + bh + '" rx="3" fill="' + stateColor[st] + '" stroke="' + color(lab) + '" stroke-width="2"><title>' +
          esc(nd.key) + " (" + esc(lab) + "): " + { w: "waiting", r: "running", m: "in memory", g: "released", e: "erred" }[st] + "</title></rect>");
      }
    });
    svg.push("</svg>");
    $("graph").innerHTML = svg.join("");
    $("graph-note").textContent = g.summary ? g.tasks + " tasks: too many to draw one by one, shown by op group (bar: finished)" :
      g.tasks + " tasks, coloured by state (fill) and op (outline): waiting, running, in memory, released, erred";
  }

  // ---- workers: the local executor is one worker with N threads.
  function drawWorkers() {
    var r = latest(), m = S.mem.length ? S.mem[S.mem.length - 1] : { h: 0, s: 0 }, tasks = 0, busy = 0;
    S.threads.forEach(function (t) { tasks += t.tasks; busy += t.seconds; });
    var elapsed = r ? ((r.ended ? r.end : S.now) - r.start) / 1e9 : 0;
    var rows = ["<tr><td>local</td><td class=num>" + S.threads.length + "</td><td class=num>" + tasks + "</td><td class=num>" + secs(busy) +
      "</td><td class=num>" + bytes(m.h) + "</td><td class=num>" + bytes(m.s) + "</td><td class=num>" + (report ? secs(S.cpu) : S.cpuPct.toFixed(0) + "%") + "</td></tr>"];
    S.threads.forEach(function (t, i) {
      rows.push("<tr class=sub><td>&nbsp;&nbsp;thread " + i + "</td><td></td><td class=num>" + t.tasks + "</td><td class=num>" + secs(t.seconds) +
        (elapsed > 0 ? " (" + (100 * t.seconds / elapsed).toFixed(0) + "% busy)" : "") + "</td><td></td><td></td><td></td></tr>");
    });
    document.querySelector("#workers tbody").innerHTML = rows.join("");
  }

  // ---- errors: fetched when their count changes.
  function loadErrors() {
    if (report) { showErrors(report.errors || [], S.errCount); return; }
    if (S.errShown === S.errCount) return;
    var want = S.errCount;
    fetch(api("api/errors")).then(function (x) { return x.json(); }).then(function (d) { S.errShown = want; showErrors(d.errors || [], d.total); }).catch(function () {});
  }
  function showErrors(errs, total) {
    $("errors-note").textContent = total ? total + " failed task" + (total > 1 ? "s" : "") + (total > errs.length ? " (the first " + errs.length + " shown)" : "") : "no failed tasks";
    document.querySelector("#errors tbody").innerHTML = errs.map(function (e) {
      return "<tr class=err><td>" + e.run + "</td><td><code>" + esc(e.key) + "</code></td><td>" + esc(e.op) + "</td><td><pre>" + esc(e.error.split("\n")[0]) + "</pre>" +
        (e.stack ? "<details><summary>panic stack</summary><pre>" + esc(e.stack) + "</pre></details>" : "") + "</td></tr>";
    }).join("");
  }

  // ---- pages
  function currentPage() {
    var h = location.hash.replace("#", "");
    if (!h) { var p = location.pathname.split("/").pop(); h = p || "status"; }
    return ["status", "graph", "workers", "errors"].indexOf(h) >= 0 ? h : "status";
  }
  function showPage() {
    var p = currentPage();
    document.querySelectorAll(".page").forEach(function (s) { s.hidden = s.id !== "page-" + p; });
    document.querySelectorAll("nav a").forEach(function (a) { a.className = a.dataset.page === p ? "active" : ""; });
    schedule();
  }
  window.addEventListener("hashchange", showPage);
  window.addEventListener("resize", schedule);

  if (report) {
    document.body.className = "report";
    $("conn").textContent = "offline report";
    apply(report);
    return;
  }
  showPage();
  var es = new EventSource(api("api/events"));
  es.addEventListener("frame", function (ev) {
    connState = "live"; $("conn").textContent = "live"; $("conn").className = "conn live";
    var f = JSON.parse(ev.data);
    apply(f);
    if (f.closing) { es.close(); connState = "lost"; $("conn").textContent = "closed"; $("conn").className = "conn"; schedule(); }
  });
  es.onerror = function () {
    if (es.readyState === EventSource.CLOSED || connState !== "connecting") { connState = "lost"; $("conn").textContent = "disconnected"; $("conn").className = "conn"; schedule(); }
  };
})();
