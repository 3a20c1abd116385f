/* Keepwise dashboard: progressive enhancement only (every page works without it).
   - charts: <div data-chart="ID"> + <script type="application/json" id="ID"> spec → ECharts
   - sortable tables: click a header of table.sortable
   - jobs: [data-job] elements follow /api/jobs/{id} until the job ends, then reload */
(function () {
  "use strict";
  var pctFmt = function (v) { return v == null ? "—" : (v * 100).toFixed(1) + "%"; };
  var numFmt = function (v) { return v == null ? "—" : Number(v).toLocaleString(); };

  function option(spec) {
    var fmt = spec.percent ? pctFmt : numFmt;
    var axisLabel = { formatter: function (v) { return fmt(v); } };
    var base = { animation: false, tooltip: { trigger: "axis", valueFormatter: fmt, renderMode: "richText" },
                 grid: { left: 60, right: 20, top: 30, bottom: 40, containLabel: false } };
    if (spec.type === "spark") {
      return { animation: false, grid: { left: 2, right: 2, top: 4, bottom: 4 },
        tooltip: { trigger: "axis", valueFormatter: fmt, renderMode: "richText" },
        xAxis: { type: "category", data: spec.x, show: false },
        yAxis: { type: "value", show: false, scale: true },
        series: spec.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, symbol: "none", connectNulls: false,
                   lineStyle: { width: 2 }, areaStyle: { opacity: 0.08 } }; }) };
    }
    if (spec.type === "pie") {
      return { animation: false, tooltip: { trigger: "item", renderMode: "richText" }, legend: { type: "scroll", orient: "vertical", right: 0, top: "middle" },
        series: [{ type: "pie", radius: ["40%", "75%"], center: ["35%", "50%"], label: { show: false }, data: spec.series }] };
    }
    if (spec.type === "heatmap") {
      return { animation: false, tooltip: { position: "top", renderMode: "richText", formatter: function (p) {
          return spec.y[p.value[1]] + " · " + spec.x[p.value[0]] + ": " + pctFmt(p.value[2]); } },
        grid: { left: 80, right: 20, top: 10, bottom: 60 },
        xAxis: { type: "category", data: spec.x, name: spec.xName || "", nameLocation: "middle", nameGap: 25 },
        yAxis: { type: "category", data: spec.y },
        visualMap: { min: 0, max: 1, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                     itemHeight: 120, formatter: function (v) { return pctFmt(v); } },
        series: [{ type: "heatmap", data: spec.data, label: { show: spec.x.length <= 13, fontSize: 9,
                   formatter: function (p) { return Math.round(p.value[2] * 100); } } }] };
    }
    var stacked = spec.type === "stacked";
    var xType = spec.xType || "category";
    return Object.assign(base, {
      legend: { type: "scroll", top: 0 },
      xAxis: xType === "value" ? { type: "value", name: spec.xName || "", nameLocation: "middle", nameGap: 25 }
                               : { type: "category", data: spec.x },
      yAxis: { type: "value", axisLabel: axisLabel, min: spec.yMin, max: spec.yMax },
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.type === "line" || spec.type === "step" ? "line" : "bar",
                 step: spec.type === "step" ? "end" : false, stack: stacked ? "all" : undefined,
                 data: s.data, showSymbol: false, connectNulls: false };
      })
    });
  }

  function drawCharts() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-chart"));
      if (!src) { return; }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(JSON.parse(src.textContent)));
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-drawn", "1");
    });
  }

  function cellValue(td) {
    var raw = td.getAttribute("data-v");
    var text = raw !== null ? raw : td.textContent.trim();
    var n = parseFloat(text);
    return raw !== null && !isNaN(n) ? n : text;
  }

  function sortable() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("thead th").forEach(function (th, i) {
        th.addEventListener("click", function () {
          var asc = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = cellValue(a.cells[i]), y = cellValue(b.cells[i]);
            var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
            return asc ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  function followJobs() {
    document.querySelectorAll("[data-job]").forEach(function (el) {
      var id = el.getAttribute("data-job");
      if (["done", "failed", "interrupted"].indexOf(el.getAttribute("data-status")) >= 0) { return; }
      var timer = setInterval(function () {
        fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (job) {
            var bar = el.querySelector(".progress > span");
            if (bar) { bar.style.width = Math.round((job.progress || 0) * 100) + "%"; }
            var stage = el.querySelector(".stage");
            if (stage) { stage.textContent = (job.status || "") + (job.stage ? " · " + job.stage : ""); }
            if (["done", "failed", "interrupted"].indexOf(job.status) >= 0) {
              clearInterval(timer); window.location.reload();
            }
          }).catch(function () {});
      }, 1000);
    });
  }

  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(); sortable(); followJobs(); confirmForms();
  });
})();
