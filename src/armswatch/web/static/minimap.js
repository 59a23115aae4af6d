/* Small maps: a finding with the AIS track around it, a site with its precision ring, a vessel's track and events. */
"use strict";
(function () {
  function fit(map, layer, maxZoom) { try { map.fitBounds(layer.getBounds(), { maxZoom: maxZoom || 10, padding: [20, 20] }); } catch (e) { map.setView([20, 0], 2); } }
  /* A vessel track (MultiLineString cut where no fix came for 6 h or more) and its dark legs, dashed. */
  function drawTrack(map, t, label) {
    var line = L.geoJSON(t, { style: { color: "#0b5cad", weight: 2 } }).bindPopup(label).addTo(map);
    (t.properties.dark_legs || []).forEach(function (d) {
      L.polyline([[d.from[1], d.from[0]], [d.to[1], d.to[0]]], { color: "#b3261e", weight: 2, dashArray: "6 5", className: "dark-leg" })
        .bindPopup("<b>Dark leg</b>: no AIS fix for " + window.aw.esc(d.hours) + " h<br>" + window.aw.esc(d.start.slice(0, 16)) + " – " + window.aw.esc(d.end.slice(0, 16)))
        .addTo(map);
    });
    return line;
  }
  function shift(iso, days) { var d = new Date(Date.parse(iso) + days * 86400000); return d.toISOString(); }
  var fm = document.getElementById("finding-map");
  if (fm) {
    var map = window.aw.newMap(fm);
    window.aw.getJSON("/api/v1/findings/" + encodeURIComponent(fm.dataset.finding)).then(function (f) {
      var g = L.geoJSON(f.geometry, { style: { color: "#b3261e", weight: 3 }, pointToLayer: function (x, ll) { return L.circleMarker(ll, { radius: 7, color: "#b3261e" }); } }).addTo(map);
      fit(map, g, 9);
      var v = f.subjects.filter(function (s) { return s.indexOf("vessel:mmsi:") === 0; });
      v.slice(0, 2).forEach(function (s) {
        var mmsi = s.slice(12), args = f.start ? "?start=" + encodeURIComponent(shift(f.start, -2)) + "&end=" + encodeURIComponent(shift(f.end || f.start, 2)) : "";
        window.aw.getJSON("/api/v1/vessels/" + mmsi + "/track" + args).then(function (t) {
          if (t.geometry) { drawTrack(map, t, "MMSI " + window.aw.esc(mmsi) + ": " + t.properties.shown + " of " + t.properties.positions + " positions"); }
        });
      });
    });
  }
  var sm = document.getElementById("site-map");
  if (sm) {
    var smap = window.aw.newMap(sm);
    var feature = JSON.parse(document.getElementById("site-data").textContent);
    var group = window.aw.siteLayer([feature]).addTo(smap);
    var ring = null; group.eachLayer(function (l) { if (l.getBounds && !ring) { ring = l; } });
    smap.setView([feature.properties.centroid[1], feature.properties.centroid[0]], 10);
    if (ring) { try { smap.fitBounds(ring.getBounds(), { padding: [20, 20] }); } catch (e) { /* not on map yet */ } }
  }
  var vm = document.getElementById("vessel-map");
  if (vm) {
    var vmap = window.aw.newMap(vm), mmsi = vm.dataset.mmsi, note = document.getElementById("track-note");
    vmap.setView([20, 0], 2);
    window.aw.getJSON("/api/v1/vessels/" + mmsi + "/track").then(function (t) {
      if (!t.geometry) { note.textContent = "No AIS positions stored for this vessel."; return; }
      var line = drawTrack(vmap, t, "MMSI " + window.aw.esc(mmsi));
      fit(vmap, line, 10);
      var legs = t.properties.dark_legs.length;
      vm.dataset.darkLegs = legs;
      note.textContent = "Track: " + t.properties.shown + " of " + t.properties.positions + " positions (thinned server-side), " + t.properties.start.slice(0, 16) + " – " + t.properties.end.slice(0, 16) +
        (legs ? "; " + legs + (legs === 1 ? " dark leg" : " dark legs") + " (no fix for 6 h or more, dashed red; the line is not drawn across them)" : "");
    });
    window.aw.getJSON("/api/v1/events?limit=1000&mmsi=" + mmsi).then(function (page) {
      page.items.forEach(function (e) {
        if (e.lat == null) { return; }
        L.circleMarker([e.lat, e.lon], { radius: 5, color: window.aw.eventColour[e.event_type] || "#333" })
          .bindPopup("<b>" + window.aw.esc(e.event_type) + "</b><br>" + window.aw.esc((e.start_utc || "").slice(0, 16))).addTo(vmap);
      });
    });
  }
})();
