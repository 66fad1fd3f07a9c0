// Ascent dashboard: live updates of the run view over server-sent events, and the chart state
// the browser tests read (window.ascentState, body[data-points]).
"use strict";
(function () {
  const state = (window.ascentState = { charts: 0, points: 0, lastStep: -1, events: 0, status: "" });
  const cards = [];

  function collect() {
    document.querySelectorAll(".chart-card[data-chart]").forEach(function (el) {
      const dom = document.getElementById(el.dataset.chart);
      const inst = dom && window.echarts && echarts.getInstanceByDom(dom);
      if (!inst) return;
      const series = inst.getOption().series || [];
      cards.push({
        inst: inst,
        keys: JSON.parse(el.dataset.keys || "[]"),
        data: series.map(function (s) { return (s.data || []).slice(); }),
      });
    });
    state.charts = cards.length;
  }

  function count() {
    let n = 0;
    cards.forEach(function (c) { c.data.forEach(function (d) { n += d.length; }); });
    state.points = n;
    document.body.dataset.points = String(n);
    document.body.dataset.charts = String(cards.length);
  }

  function setStatus(s) {
    state.status = s;
    const el = document.getElementById("status");
    if (el) { el.textContent = s; el.className = "status " + s; }
  }

  function onMetrics(row) {
    if (typeof row.step !== "number" || row.step <= state.lastStep) return; // replayed after reconnect
    state.lastStep = row.step;
    state.events++;
    cards.forEach(function (c) {
      let changed = false;
      c.keys.forEach(function (k, i) {
        const v = k ? row[k] : undefined;
        if (typeof v === "number" && isFinite(v)) { c.data[i].push([row.step, v]); changed = true; }
      });
      if (changed) c.inst.setOption({ series: c.data.map(function (d) { return { data: d }; }) });
    });
    const ls = document.getElementById("laststep");
    if (ls) ls.textContent = "step " + row.step;
    count();
  }

  function warn(text) {
    const box = document.getElementById("warnings");
    if (!box) return;
    const p = document.createElement("p");
    p.className = "warn";
    p.textContent = text;
    box.appendChild(p);
  }

  function live(run) {
    const id = run.dataset.run;
    const url = "/api/runs/" + encodeURIComponent(id) + "/events?offset=" + encodeURIComponent(run.dataset.offset || "0");
    const es = new EventSource(url);
    es.addEventListener("metrics", function (e) { onMetrics(JSON.parse(e.data)); });
    es.addEventListener("warning", function (e) { warn(JSON.parse(e.data)); });
    es.addEventListener("status", function (e) {
      const s = JSON.parse(e.data);
      setStatus(s);
      if (s !== "running" && s !== "unknown") es.close(); // finished: nothing more will come
    });
    es.addEventListener("reset", function () { es.close(); location.reload(); });
    state.stream = es;
  }

  // The run list refreshes statuses and step counts every 5 s (new runs need a reload).
  function pollList(table) {
    setInterval(function () {
      fetch("/api/runs").then(function (r) { return r.json(); }).then(function (runs) {
        runs.forEach(function (run) {
          const tr = table.querySelector('tr[data-run="' + CSS.escape(run.id) + '"]');
          if (!tr) return;
          const st = tr.querySelector(".status");
          st.textContent = run.shown_status;
          st.className = "status " + run.shown_status;
          tr.querySelector(".steps").textContent = String(run.steps);
          tr.querySelector(".last").textContent = String(run.last_step);
        });
      }).catch(function () { /* server gone: keep the last view */ });
    }, 5000);
  }

  function init() {
    collect();
    count();
    const run = document.getElementById("run");
    if (run) {
      setStatus(run.dataset.status || "");
      const ls = document.getElementById("laststep");
      state.lastStep = ls ? parseInt(ls.textContent.replace("step ", ""), 10) : -1;
      if (run.dataset.live === "true") live(run);
    }
    const list = document.querySelector("table.runs");
    if (list) pollList(list);
    window.addEventListener("resize", function () { cards.forEach(function (c) { c.inst.resize(); }); });
    state.ready = true;
    document.body.dataset.ready = "true";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
