/* The case map: sites with precision rings, findings, AIS tracks (hourly, server-side), dark legs,
   AIS events and ports; a time slider; layer switcher. All text goes through aw.esc. */
"use strict";
(function () {
  var el = document.getElementById("map");
  var map = window.aw.newMap(el);
  map.setView([20, 0], 2);  // until the case's data is loaded (see show() below)
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
    return window.aw.getJSON("/api/v1/sites").then(function (gj) {
      sites.clearLayers(); window.aw.siteLayer(gj.features).eachLayer(function (l) { sites.addLayer(l); });
      el.dataset.sites = gj.features.length;
    });
  }
  var focus = el.dataset.focus, focused = false;
  function loadFindings() {
    var current = fresh("findings");
    return window.aw.getJSON("/api/v1/map/findings?limit=2000" + timeArgs()).then(function (gj) {
      if (!current()) { return; }
      findings.clearLayers();
      var byId = {};
      L.geoJSON(gj, {
        style: function (f) { return { color: window.aw.statusColour[f.properties.status] || "#333", weight: 2, fillOpacity: 0.02 }; },  // an area (a reachable region) must not hide the map under it
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
  /* A newer request for the same layer makes an older answer stale: drawing it would show the tracks
     of a view the map has already left (a zoom right after the first load). */
  var latest = { tracks: 0, events: 0, findings: 0 };
  function fresh(kind) { var n = ++latest[kind]; return function () { return n === latest[kind]; }; }
  function loadTracks() {
    status.textContent = "loading tracks…";
    var current = fresh("tracks");
    return window.aw.getJSON("/api/v1/map/tracks?" + bboxArg() + timeArgs()).then(function (gj) {
      if (!current()) { return; }
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
    var current = fresh("events");
    return window.aw.getJSON("/api/v1/events?limit=1000&" + bboxArg() + timeArgs()).then(function (page) {
      if (!current()) { return; }
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
  /* The map opens on the case's data wherever it is (AIS, sites, findings), not on a fixed region;
     "Show" zooms to one kind of data. */
  function aisBounds() {
    var b = (el.dataset.aisExtent || "").split(",").map(Number);
    return b.length === 4 && b.every(isFinite) ? L.latLngBounds([b[1], b[0]], [b[3], b[2]]) : null;
  }
  function layerBounds(group) {
    var out = null;
    group.eachLayer(function (l) {
      var b = l.getBounds ? l.getBounds() : (l.getLatLng ? L.latLngBounds(l.getLatLng(), l.getLatLng()) : null);
      if (b && b.isValid()) { out = out ? out.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); }
    });
    return out;
  }
  function boundsOf(what) {
    var parts = what === "ais" ? [aisBounds()] : what === "sites" ? [layerBounds(sites)] :
      what === "findings" ? [layerBounds(findings)] : [aisBounds(), layerBounds(sites), layerBounds(findings)];
    var out = null;
    parts.forEach(function (b) { if (b) { out = out ? out.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); } });
    return out;
  }
  var zoomTo = document.getElementById("zoom-to");
  function show(what, animate) {
    var b = boundsOf(what);
    if (!b) { return false; }
    var go = function () { map.fitBounds(b, { maxZoom: 12, padding: [30, 30], animate: animate !== false }); };
    // Leaflet drops a zoom asked for while a zoom animation runs: ask again when it ends
    if (map._animatingZoom) { map.once("zoomend", go); } else { go(); }
    return true;
  }
  zoomTo.addEventListener("change", function () { show(zoomTo.value); });
  Promise.all([loadSites(), loadFindings()]).then(function () {
    ["ais", "sites", "findings"].forEach(function (k) {
      var opt = zoomTo.querySelector('option[value="' + k + '"]');
      if (!boundsOf(k)) { opt.disabled = true; opt.textContent += " (none)"; }
    });
    var at = (el.dataset.at || "").split(",").map(Number);
    if (at.length === 2 && at.every(isFinite)) {
      map.setView(at, 12);
      L.circleMarker(at, { radius: 10, color: "#b3261e", weight: 2, fill: false, className: "at-marker" }).addTo(map);
    } else if (!focused) { show("all", false); }
    el.dataset.ready = "1";
  }).catch(function (e) { status.textContent = String(e); el.dataset.ready = "1"; });
  loadTracks(); loadEvents();
})();
