/* ecozone dashboard: draws the ECharts charts whose data the page carries, the Hebei map,
   and the CSV downloads.  Nothing is fetched from the network: data and map are in the page. */
(function () {
  "use strict";
  var body = document.body;
  var lang = body.dataset.lang || "zh";
  var isStatic = body.dataset.static === "1";
  var charts = [];

  function root() {
    var css = document.querySelector('link[rel="stylesheet"]').getAttribute("href");
    return css.replace(/static\/app\.css$/, "");
  }

  // a site path such as /cities/130100 -> a link of this deployment (server or static site)
  function pageLink(path) {
    if (!isStatic) return path + (lang === "en" ? "?lang=en" : "");
    var page = path.replace(/^\/+|\/+$/g, "");
    return root() + (lang === "en" ? "en/" : "") + (page ? page + "/" : "") + "index.html";
  }

  function spec(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function csvText(columns, rows) {
    function cell(v) {
      if (v === null || v === undefined) return "";
      var s = typeof v === "number" ? String(Math.round(v * 1e6) / 1e6) : String(v);
      return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    }
    return [columns].concat(rows).map(function (r) { return r.map(cell).join(","); }).join("\n") + "\n";
  }

  function download(name, text) {
    var blob = new Blob(["\ufeff" + text], { type: "text/csv;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name + ".csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  function tableCsv(table) {
    var rows = Array.prototype.map.call(table.querySelectorAll("tr"), function (tr) {
      return Array.prototype.map.call(tr.children, function (td) { return td.innerText.trim(); });
    });
    return csvText(rows[0], rows.slice(1));
  }

  function draw(el, option) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    if (option.animationDuration === undefined) option.animationDuration = 300;
    chart.setOption(option);
    chart.on("click", function (p) {
      if (p.data && p.data.href) window.location.href = pageLink(p.data.href);
    });
    charts.push(chart);
    return chart;
  }

  document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
    draw(el, spec(el.dataset.spec).option);
  });

  // ------------------------------------------------------------------------------ the map
  var mapEl = document.getElementById("map");
  var mapData = null, mapChart = null, layerSelect = document.getElementById("map-layer");
  function mapRows() {
    var layerId = layerSelect ? layerSelect.value : "verdict";
    var layer = mapData.layers.filter(function (l) { return l.id === layerId; })[0];
    return mapData.cities.map(function (c) {
      var v = layer ? layer.values[c.code] : null;
      return {
        code: c.code, name: c.name_zh, label: lang === "en" ? c.name_en : c.name_zh,
        value: layer ? (v ? v.value : null) : c.verdict.share,
        year: layer ? (v ? v.year : null) : null,
        detail: layer ? "" : c.verdict.good + "/" + c.verdict.judged,
        href: "/cities/" + c.code
      };
    });
  }
  function drawMap() {
    var layerId = layerSelect ? layerSelect.value : "verdict";
    var layer = mapData.layers.filter(function (l) { return l.id === layerId; })[0];
    var rows = mapRows();
    var values = rows.map(function (r) { return r.value; }).filter(function (v) { return v !== null; });
    var lo = values.length ? Math.min.apply(null, values) : 0, hi = values.length ? Math.max.apply(null, values) : 100;
    var good = ["#d64541", "#f2c14e", "#7cc47f", "#1b7f3b"];
    var colours = layer ? (layer.polarity === "lower" ? good.slice().reverse() : good) : good;
    var unit = layer ? (lang === "en" ? layer.unit_en : layer.unit) : "%";
    mapChart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data || {};
          if (d.value === null || d.value === undefined) return (d.label || p.name) + ": —";
          return (d.label || p.name) + ": " + (Math.round(d.value * 100) / 100) + " " + unit +
            (d.year ? " (" + d.year + ")" : "") + (d.detail ? " · " + d.detail : "");
        }
      },
      visualMap: { min: layer ? lo : 0, max: layer ? hi : 100, left: 10, bottom: 10, calculable: true,
                   text: [layer ? (lang === "en" ? layer.name_en : layer.name_zh) : mapData.verdict_label, ""],
                   inRange: { color: colours } },
      series: [{
        type: "map", map: "hebei", roam: false, selectedMode: false,
        label: { show: true, formatter: function (p) { return (p.data && p.data.label) || p.name; } },
        emphasis: { label: { show: true } },
        data: rows
      }]
    }, true);
  }
  if (mapEl && window.echarts) {
    mapData = spec("map-data");
    echarts.registerMap("hebei", JSON.parse(document.getElementById("map-geo").textContent));
    mapChart = echarts.init(mapEl);
    mapChart.on("click", function (p) { if (p.data && p.data.href) window.location.href = pageLink(p.data.href); });
    charts.push(mapChart);
    drawMap();
    if (layerSelect) layerSelect.addEventListener("change", drawMap);
  }

  // --------------------------------------------------------------------------- downloads
  document.querySelectorAll("button.csv").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var name = btn.dataset.name || "data";
      if (btn.dataset.spec) {
        var c = spec(btn.dataset.spec).csv;
        download(name, csvText(c.columns, c.rows));
      } else if (btn.dataset.table) {
        download(name, tableCsv(document.getElementById(btn.dataset.table)));
      } else if (btn.dataset.map) {
        download(name + "-" + (layerSelect ? layerSelect.value : "verdict"),
                 csvText(["region_code", "region", "value", "year", "detail"],
                         mapRows().map(function (r) { return [r.code, r.name, r.value, r.year, r.detail]; })));
      }
    });
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.ecozoneCharts = charts;
})();
