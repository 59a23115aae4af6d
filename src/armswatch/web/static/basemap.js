/* Offline base map for Leaflet: Natural Earth countries served by this server (no remote tiles).
   The coarse outline is used when zoomed out, the detailed one from zoom 5. */
"use strict";
window.aw = window.aw || {};
window.aw.cache = {};
window.aw.newMap = function (el, opts) {
  var map = L.map(el, Object.assign({ worldCopyJump: true, minZoom: 2, maxZoom: 16, zoomSnap: 0.5 }, opts || {}));
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.attributionControl.addAttribution("Natural Earth (public domain)");
  var style = { color: "#7d8793", weight: 0.7, fillColor: "#f2efe6", fillOpacity: 1 };
  var layers = {}, shown = null;
  function load(detail) {
    if (layers[detail]) { return Promise.resolve(layers[detail]); }
    var url = "/api/v1/basemap/countries?detail=" + detail;
    var p = window.aw.cache[url] || (window.aw.cache[url] = window.aw.getJSON(url));
    return p.then(function (gj) {
      layers[detail] = L.geoJSON(gj, { style: style, interactive: false, pane: "tilePane" });
      return layers[detail];
    });
  }
  function pick() {
    var detail = map.getZoom() >= 5 ? "high" : "low";
    load(detail).then(function (layer) {
      if (shown === layer) { return; }
      if (shown) { map.removeLayer(shown); }
      layer.addTo(map); shown = layer;
    });
  }
  map.on("zoomend", pick);
  map.whenReady(pick);
  return map;
};
window.aw.statusColour = { "new": "#6c757d", confirmed: "#1b7f3b", rejected: "#b3261e" };
window.aw.eventColour = { gap: "#b3261e", encounter: "#e85d04", port_call: "#0b5cad", loitering: "#fca311", spoofing: "#7b2cbf" };
window.aw.findingPopup = function (p) {
  return '<b><a href="/findings/' + encodeURIComponent(p.id) + '">' + window.aw.esc(p.title) + "</a></b><br>" +
    '<span class="badge st-' + window.aw.esc(p.status) + '">' + window.aw.esc(p.status) + "</span> " +
    window.aw.esc(p.kind) + " · " + window.aw.esc(p.confidence);
};
window.aw.siteLayer = function (features) {
  var group = L.layerGroup();
  features.forEach(function (f) {
    var p = f.properties, c = p.centroid;
    var ll = [c[1], c[0]];
    var label = '<b><a href="/sites/' + encodeURIComponent(p.id) + '">' + window.aw.esc(p.name) + "</a></b><br>" +
      window.aw.esc(p.kind) + " · precision " + window.aw.esc(p.precision) + " (±" + Math.round(p.precision_radius_m / 100) / 10 + " km)";
    L.circle(ll, { radius: p.precision_radius_m, color: "#14213d", weight: 1, dashArray: "4 3", fillOpacity: 0.06 }).bindPopup(label).addTo(group);
    if (f.geometry.type !== "Point") { L.geoJSON(f.geometry, { style: { color: "#14213d", weight: 2 } }).addTo(group); }
    L.circleMarker(ll, { radius: 5, color: "#14213d", fillColor: "#ffd166", fillOpacity: 1, weight: 1.5, className: "site-marker" }).bindPopup(label).addTo(group);
  });
  return group;
};
