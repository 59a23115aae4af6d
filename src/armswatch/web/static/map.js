/* The case map: sites with precision rings, findings, AIS tracks (hourly, server-side), dark legs,
   AIS events and ports; a time slider; layer switcher. All text goes through aw.esc. */
"use strict";
(function () {
  var el = document.getElementById("map");
  var map = window.aw.newMap(el);
  map.setView([41.5, 131], 5);
  var status = document.getElementById("map-status");
  var tStart = document.getElementById("t-start"), tEnd = document.getElementById("t-end");
  var slider = document.getElementById("t-slider"), tLabel = document.getElementById("t-label");
  var sites = L.layerGroup().addTo(map), findings = L.layerGroup().addTo(map);
  var tracks = L.layerGroup().addTo(map), dark = L.layerGroup().addTo(map);
  var events = L.layerGroup().addTo(map), ports = L.layerGroup();
  L.control.layers(null, { "Sites (precision rings)": sites, "Findings": findings, "AIS tracks (hourly)": tracks,
    "Dark legs (no AIS ≥ 6 h)": dark, "AIS events": events, "Ports (World Port Index)": ports }, { collapsed: false }).addTo(map);
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var d = L.DomUtil.create("div", "map-legend");
    d.innerHTML = '<i style="background:#0b5cad"></i>track <i style="background:#b3261e"></i>dark leg <i style="background:#1b7f3b"></i>confirmed <i style="background:#6c757d"></i>new';
    return d;
  };
  legend.addTo(map);

  function windowEnd() {
    var a = Date.parse(tStart.value || el.dataset.start), b = Date.parse(tEnd.value || el.dataset.end);
    if (isNaN(a) || isNaN(b)) { return null; }
    return new Date(a + (b + 86400000 - a) * slider.value / 100);
  }
  function timeArgs() {
    var args = "", end = windowEnd();
    if (tStart.value) { args += "&start=" + encodeURIComponent(tStart.value); }
    if (end) { args += "&end=" + encodeURIComponent(end.toISOString()); tLabel.textContent = "until " + end.toISOString().slice(0, 16).replace("T", " "); }
    return args;
  }
  function bboxArg() {
    var b = map.getBounds();
    var w = Math.max(-180, b.getWest()), e = Math.min(180, b.getEast());
    if (w > e) { w = -180; e = 180; }
    return "bbox=" + [w, Math.max(-90, b.getSouth()), e, Math.min(90, b.getNorth())].map(function (x) { return x.toFixed(4); }).join(",");
  }
  function loadSites() {
    window.aw.getJSON("/api/v1/sites").then(function (gj) {
      sites.clearLayers(); window.aw.siteLayer(gj.features).eachLayer(function (l) { sites.addLayer(l); });
      el.dataset.sites = gj.features.length;
    });
  }
  var focus = el.dataset.focus, focused = false;
  function loadFindings() {
    return window.aw.getJSON("/api/v1/map/findings?limit=2000" + timeArgs()).then(function (gj) {
      findings.clearLayers();
      var byId = {};
      L.geoJSON(gj, {
        style: function (f) { return { color: window.aw.statusColour[f.properties.status] || "#333", weight: 3 }; },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 7, color: "#fff", weight: 1.5, fillColor: window.aw.statusColour[f.properties.status] || "#333", fillOpacity: 0.95 }); },
        onEachFeature: function (f, layer) { layer.bindPopup(window.aw.findingPopup(f.properties)); byId[f.properties.id] = layer; }
      }).eachLayer(function (l) { findings.addLayer(l); });
      el.dataset.findings = gj.features.length;
      if (focus && !focused && byId[focus]) {
        focused = true;
        var layer = byId[focus];
        if (layer.getBounds) { map.fitBounds(layer.getBounds(), { maxZoom: 8, padding: [40, 40] }); } else { map.setView(layer.getLatLng(), 7); }
        layer.openPopup();
      }
    });
  }
  function loadTracks() {
    status.textContent = "loading tracks…";
    return window.aw.getJSON("/api/v1/map/tracks?" + bboxArg() + timeArgs()).then(function (gj) {
      tracks.clearLayers(); dark.clearLayers();
      gj.features.forEach(function (f) {
        var p = f.properties;
        var line = L.geoJSON(f, { style: p.kind === "dark" ? { color: "#b3261e", weight: 2, dashArray: "6 5" } : { color: "#0b5cad", weight: 1.5, opacity: 0.7 } });
        line.bindPopup((p.kind === "dark" ? "<b>Dark leg</b> (no AIS fix)<br>" : "") + 'MMSI <a href="/vessels/' + p.mmsi + '">' + p.mmsi + "</a><br>" + window.aw.esc(p.start.slice(0, 16)) + " – " + window.aw.esc(p.end.slice(0, 16)));
        (p.kind === "dark" ? dark : tracks).addLayer(line);
      });
      el.dataset.tracks = gj.features.length;
      status.textContent = gj.properties.vessels + " of " + gj.properties.vessels_in_view + " vessels in view (" + gj.properties.resolution + ")";
    }).catch(function (e) { status.textContent = String(e); });
  }
  function loadEvents() {
    return window.aw.getJSON("/api/v1/events?limit=1000&" + bboxArg() + timeArgs()).then(function (page) {
      events.clearLayers();
      page.items.forEach(function (e) {
        if (e.lat == null || e.lon == null) { return; }
        L.circleMarker([e.lat, e.lon], { radius: 4, color: window.aw.eventColour[e.event_type] || "#333", weight: 2, fillOpacity: 0.4 })
          .bindPopup("<b>" + window.aw.esc(e.event_type) + '</b> MMSI <a href="/vessels/' + e.mmsi + '">' + e.mmsi + "</a><br>" +
            window.aw.esc((e.start_utc || "").slice(0, 16)) + " – " + window.aw.esc((e.end_utc || "").slice(0, 16)) + (e.port ? "<br>" + window.aw.esc(e.port) : ""))
          .addTo(events);
      });
      el.dataset.events = page.items.length;
    });
  }
  var portsLoaded = false;
  map.on("overlayadd", function (e) {
    if (e.layer === ports && !portsLoaded) {
      portsLoaded = true;
      window.aw.getJSON("/api/v1/basemap/ports").then(function (gj) {
        gj.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          L.circleMarker([c[1], c[0]], { radius: 2, color: "#555", weight: 1 }).bindTooltip(window.aw.esc(f.properties.name)).addTo(ports);
        });
      });
    }
  });
  var timer = null;
  function refresh() { clearTimeout(timer); timer = setTimeout(function () { loadTracks(); loadEvents(); loadFindings(); }, 250); }
  map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(function () { loadTracks(); loadEvents(); }, 250); });
  [slider, tStart, tEnd].forEach(function (x) { x.addEventListener("change", refresh); });
  slider.addEventListener("input", function () { var e = windowEnd(); if (e) { tLabel.textContent = "until " + e.toISOString().slice(0, 16).replace("T", " "); } });
  loadSites(); loadFindings(); loadTracks(); loadEvents();
})();
