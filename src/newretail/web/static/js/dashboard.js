// Draws the console home's charts with the vendored Apache ECharts. Each chart's numbers
// come from a JSON script tag next to it (the same rows as its table), never inline code.
(function () {
  "use strict";
  if (!window.echarts) return;
  var lang = document.documentElement.lang || "en";
  var zh = lang.indexOf("zh") === 0;
  var compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
  var palette = ["#0f766e", "#2563eb", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#dc2626"];
  var drawn = [];

  function tooltip(spec, trigger) {
    return {
      trigger: trigger,
      renderMode: "richText", // drawn on the canvas: no inline styles for the page's CSP to block
      formatter: function (params) {
        var point = Array.isArray(params) ? params[0] : params;
        return spec.labels[point.dataIndex] + "\n" + spec.shown[point.dataIndex];
      }
    };
  }

  function line(spec, values) {
    return {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: tooltip(spec, "axis"),
      xAxis: { type: "category", data: spec.axis, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return compact.format(v); } } },
      // Monotone smoothing never dips below a day's figure (no curve under zero).
      series: [{
        name: spec.series, type: "line", data: values, smooth: 0.3, smoothMonotone: "x",
        symbolSize: 5, areaStyle: { opacity: 0.12 }
      }]
    };
  }

  function bars(spec, values, box) {
    // Names get about a third of the card, within reason, and an ellipsis beyond it.
    var labelWidth = Math.round(Math.max(84, Math.min(180, box.clientWidth * 0.34)));
    // Largest first in the table, largest on top in the chart.
    return {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: tooltip(spec, "axis"),
      xAxis: { type: "value", axisLabel: { formatter: function (v) { return compact.format(v); }, hideOverlap: true } },
      yAxis: {
        type: "category", inverse: true, data: spec.labels,
        axisLabel: { width: labelWidth, overflow: "truncate" }
      },
      series: [{ name: spec.series, type: "bar", data: values, barMaxWidth: 22, itemStyle: { borderRadius: [0, 4, 4, 0] } }]
    };
  }

  function pie(spec, values) {
    return {
      tooltip: tooltip(spec, "item"),
      legend: { bottom: 0, left: "center", itemGap: 12 },
      // Shares written inside their slices: a phone-wide card has no room beside the ring.
      series: [{
        name: spec.series, type: "pie", radius: ["36%", "70%"], center: ["50%", "42%"],
        data: values.map(function (v, i) { return { name: spec.labels[i], value: v }; }),
        label: { position: "inside", formatter: "{d}%", color: "#fff", fontWeight: 600, fontSize: 11 },
        minShowLabelAngle: 14,
        labelLine: { show: false }
      }]
    };
  }

  var kinds = { line: line, bar: bars, pie: pie };
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var build = kinds[spec.kind];
    if (!build) return;
    if (spec.kind === "bar") {
      // As tall as its bars need: one store is a short chart, ten products a tall one.
      box.style.height = Math.max(150, 64 + spec.labels.length * 30) + "px";
    }
    var chart = window.echarts.init(box, null, { renderer: "canvas", locale: zh ? "ZH" : "EN" });
    var option = build(spec, spec.values.map(Number), box);
    option.animation = false;
    option.color = palette;
    option.aria = { enabled: true };
    chart.setOption(option);
    box.setAttribute("data-drawn", "1");
    drawn.push(chart);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
})();
