// The workbench's little scripts: a task page tells the server it was read (a POST, since a
// GET never writes); a share page counts its view and its claim; the task progress chart.
(function () {
  "use strict";

  function post(url, body, json) {
    var options = { method: "POST", credentials: "same-origin", keepalive: true };
    if (json) {
      options.headers = { "Content-Type": "application/json" };
      options.body = JSON.stringify(body);
    } else {
      var form = new FormData();
      Object.keys(body).forEach(function (k) { form.append(k, body[k]); });
      options.body = form;
    }
    return fetch(url, options);
  }

  document.querySelectorAll("[data-mark-read]").forEach(function (node) {
    post(node.getAttribute("data-mark-read"), { csrf_token: node.getAttribute("data-csrf") }, false);
  });

  function visitor() {
    var key = "nr_visitor";
    var id = null;
    try { id = window.localStorage.getItem(key); } catch (e) { id = null; }
    if (!id) {
      var bytes = new Uint8Array(12);
      window.crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { window.localStorage.setItem(key, id); } catch (e) { /* private mode: one visit */ }
    }
    return id;
  }

  var share = document.querySelector("[data-share]");
  if (share) {
    var base = share.getAttribute("data-share");
    var ref = share.getAttribute("data-ref");
    post(base + "/views", { ref: ref, visitor: visitor() }, true);
    document.querySelectorAll("[data-claim]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var go = function () { window.location.href = link.href; };
        post(base + "/claims", { ref: ref, visitor: visitor() }, true).then(go, go);
      });
    });
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source) return;
      source.select();
      if (navigator.clipboard) navigator.clipboard.writeText(source.value);
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    });
  });

  var chart = document.querySelector("[data-wb-chart]");
  if (chart && window.echarts) {
    var spec = JSON.parse(document.getElementById(chart.getAttribute("data-wb-chart")).textContent);
    var colors = ["#0f766e", "#93c5bd", "#e3e7ee"];
    var drawn = window.echarts.init(chart, null, { renderer: "canvas" });
    drawn.setOption({
      color: colors,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0, left: 0 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: spec.labels, axisLabel: { width: 110, overflow: "truncate" } },
      series: spec.values.map(function (values, i) {
        return { name: spec.series[i], type: "bar", stack: "all", data: values, barMaxWidth: 22 };
      })
    });
    window.addEventListener("resize", function () { drawn.resize(); });
  }
})();
