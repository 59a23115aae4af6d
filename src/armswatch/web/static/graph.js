/* Entity page: a radial drawing of the 2-hop neighbourhood (the entity in the middle, designated parties in red). */
"use strict";
(function () {
  var svg = document.getElementById("graph"), data = document.getElementById("graph-data");
  if (!svg || !data) { return; }
  var g = JSON.parse(data.textContent), NS = "http://www.w3.org/2000/svg";
  if (!g.nodes.length) { svg.style.display = "none"; return; }
  var self = g.centre || decodeURIComponent(location.pathname.split("/").pop());
  var adj = {}; g.nodes.forEach(function (n) { adj[n.id] = []; });
  g.edges.forEach(function (e) { if (adj[e.source] && adj[e.target]) { adj[e.source].push(e.target); adj[e.target].push(e.source); } });
  var depth = {}; depth[self] = 0; var queue = [self];
  while (queue.length) { var n = queue.shift(); (adj[n] || []).forEach(function (m) { if (depth[m] === undefined) { depth[m] = depth[n] + 1; queue.push(m); } }); }
  var rings = {}; g.nodes.forEach(function (n) { var d = depth[n.id] === undefined ? 3 : depth[n.id]; (rings[d] = rings[d] || []).push(n); });
  var pos = {};
  Object.keys(rings).forEach(function (d) {
    var list = rings[d], r = d * 95;
    list.forEach(function (n, i) { var a = 2 * Math.PI * i / list.length + d * 0.4; pos[n.id] = [r * Math.cos(a), r * Math.sin(a)]; });
  });
  function el(name, attrs) { var x = document.createElementNS(NS, name); Object.keys(attrs).forEach(function (k) { x.setAttribute(k, attrs[k]); }); return x; }
  g.edges.forEach(function (e) {
    var a = pos[e.source], b = pos[e.target]; if (!a || !b) { return; }
    var line = el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }); var t = el("title", {}); t.textContent = e.label; line.appendChild(t); svg.appendChild(line);
  });
  g.nodes.forEach(function (n) {
    var p = pos[n.id]; var a = el("a", { href: "/entities/" + encodeURIComponent(n.id) });
    a.appendChild(el("circle", { cx: p[0], cy: p[1], r: n.id === self ? 9 : 6, "class": n.id === self ? "self" : (n.designated ? "designated" : "") }));
    var label = el("text", { x: p[0] + 8, y: p[1] + 4 }); label.textContent = n.label.length > 28 ? n.label.slice(0, 27) + "…" : n.label;
    var title = el("title", {}); title.textContent = n.label + " (" + n.schema + ")" + (n.designated ? ", designated" : "");
    a.appendChild(label); a.appendChild(title); svg.appendChild(a);
  });
})();
