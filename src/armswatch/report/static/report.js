/* armswatch report maps: wheel zoom, drag pan, label declutter, click-to-highlight.
   Vanilla JS, runs offline, fetches nothing. */
(function () {
  "use strict";

  /* Label positions tried in turn: right, left, below right, below left (dx, dy, anchor). */
  var PLACES = [[7, -6, "start"], [-7, -6, "end"], [7, 14, "start"], [-7, 14, "end"]];

  function overlaps(r, shown) {
    for (var j = 0; j < shown.length; j++) {
      var s = shown[j];
      if (r.left < s.right && r.right > s.left && r.top < s.bottom && r.bottom > s.top) { return true; }
    }
    return false;
  }

  /* Declutter site labels: try the PLACES in turn; hide a label that overlaps every time
     (document order = priority). Dots count as obstacles; labels may not poke out of the map. */
  function declutter(svg) {
    var z = parseFloat(svg.style.getPropertyValue("--z")) || 1;  /* offsets are in screen pixels */
    var labels = svg.querySelectorAll(".sites text"), dots = svg.querySelectorAll(".sites .dot"), shown = [], i;
    var box = svg.getBoundingClientRect();
    function bad(r) {
      var outside = r.width > 0 && (r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom);
      var inView = r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom;
      return (outside && inView) || overlaps(r, shown);
    }
    for (i = 0; i < dots.length && i < 2000; i++) { shown.push(dots[i].getBoundingClientRect()); }
    for (i = 0; i < labels.length && i < 500; i++) {
      var t = labels[i];
      t.style.visibility = "visible";
      var placed = null;
      for (var k = 0; k < PLACES.length && !placed; k++) {
        t.setAttribute("dx", String(PLACES[k][0] / z)); t.setAttribute("dy", String(PLACES[k][1] / z));
        t.setAttribute("text-anchor", PLACES[k][2]);
        var r = t.getBoundingClientRect();
        if (!bad(r)) { placed = r; }
      }
      if (!placed) { t.style.visibility = "hidden"; continue; }
      r = placed;
      shown.push(r);
    }
  }

  function highlight(ref, scroll) {
    var i, els = document.querySelectorAll(".hl");
    for (i = 0; i < els.length; i++) { els[i].classList.remove("hl"); }
    if (!ref) { return; }
    var shapes = document.querySelectorAll('svg.map [data-ref="' + ref + '"]');
    for (i = 0; i < shapes.length; i++) { shapes[i].classList.add("hl"); }
    var card = document.getElementById("card-" + ref);
    if (card) {
      card.classList.add("hl");
      if (scroll) { card.scrollIntoView({ behavior: "smooth", block: "center" }); }
    }
  }

  function showSite(id) {
    highlight(null, false);
    var row = document.getElementById("site-" + id);
    if (row) { row.classList.add("hl"); row.scrollIntoView({ behavior: "smooth", block: "center" }); }
  }

  /* Scale bar for the current view: Mercator scale at the latitude of the view centre. */
  var EARTH_KM = 6371.0088;
  function niceKm(km) {
    var p = Math.pow(10, Math.floor(Math.log(km) / Math.LN10)), m = km / p;
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
  }
  function updateScale(svg, vb) {
    var box = svg.parentNode.querySelector(".scalebar");
    var scale = parseFloat(svg.getAttribute("data-scale")), y1 = parseFloat(svg.getAttribute("data-y1"));
    var width = svg.getBoundingClientRect().width;
    if (!box || !scale || !width) { return; }
    var lat = 2 * Math.atan(Math.exp(y1 - (vb.y + vb.h / 2) / scale)) - Math.PI / 2;
    var pxPerKm = (width / vb.w) * scale / (EARTH_KM * Math.cos(lat));
    var km = niceKm(120 / pxPerKm);
    box.querySelector(".bar").style.width = Math.round(km * pxPerKm) + "px";
    box.querySelector(".label").textContent = (km >= 1 ? km : km * 1000) + (km >= 1 ? " km" : " m") +
      " at " + Math.abs(lat * 180 / Math.PI).toFixed(1) + (lat >= 0 ? "°N" : "°S");
  }

  function setup(svg) {
    var base = svg.viewBox.baseVal;
    var home = { x: base.x, y: base.y, w: base.width, h: base.height };
    var vb = { x: home.x, y: home.y, w: home.w, h: home.h };
    var drag = null;
    function apply() {
      svg.setAttribute("viewBox", vb.x + " " + vb.y + " " + vb.w + " " + vb.h);
      svg.style.setProperty("--z", String(home.w / vb.w));
      declutter(svg);
      updateScale(svg, vb);
    }
    function toUser(evt) {
      var r = svg.getBoundingClientRect();
      return { x: vb.x + (evt.clientX - r.left) / r.width * vb.w, y: vb.y + (evt.clientY - r.top) / r.height * vb.h };
    }
    function zoom(factor, cx, cy) {
      var w = Math.min(home.w * 4, Math.max(home.w / 500, vb.w * factor));
      var k = w / vb.w;
      vb.x = cx - (cx - vb.x) * k; vb.y = cy - (cy - vb.y) * k; vb.w = w; vb.h = vb.h * k;
      apply();
    }
    svg.addEventListener("wheel", function (evt) {
      evt.preventDefault();
      var p = toUser(evt);
      zoom(evt.deltaY < 0 ? 1 / 1.25 : 1.25, p.x, p.y);
    }, { passive: false });
    svg.addEventListener("pointerdown", function (evt) {
      drag = { x: evt.clientX, y: evt.clientY, moved: false };
      svg.setPointerCapture(evt.pointerId);
    });
    svg.addEventListener("pointermove", function (evt) {
      if (!drag) { return; }
      var r = svg.getBoundingClientRect();
      var dx = evt.clientX - drag.x, dy = evt.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) { drag.moved = true; svg.classList.add("dragging"); }
      vb.x -= dx / r.width * vb.w; vb.y -= dy / r.height * vb.h;
      drag.x = evt.clientX; drag.y = evt.clientY;
      apply();
    });
    svg.addEventListener("pointerup", function (evt) {
      svg.classList.remove("dragging");
      var click = drag && !drag.moved;
      drag = null;
      if (click) {
        var el = document.elementFromPoint(evt.clientX, evt.clientY);
        var site = el && el.closest ? el.closest("[data-site]") : null;
        if (site) { showSite(site.getAttribute("data-site")); return; }
        highlight(el && el.getAttribute ? el.getAttribute("data-ref") : null, true);
      }
    });
    svg.addEventListener("pointercancel", function () { drag = null; svg.classList.remove("dragging"); });
    var box = svg.parentNode, buttons = box.querySelectorAll("button[data-zoom]");
    for (var b = 0; b < buttons.length; b++) {
      buttons[b].addEventListener("click", function () {
        var what = this.getAttribute("data-zoom");
        if (what === "reset") { vb = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); return; }
        zoom(what === "in" ? 1 / 1.5 : 1.5, vb.x + vb.w / 2, vb.y + vb.h / 2);
      });
    }
    window.addEventListener("resize", function () { declutter(svg); updateScale(svg, vb); });
    apply();
  }

  var maps = document.querySelectorAll("svg.map");
  for (var m = 0; m < maps.length; m++) { setup(maps[m]); }
  var cards = document.querySelectorAll(".card[data-ref]");
  for (var c = 0; c < cards.length; c++) {
    cards[c].addEventListener("click", function () { highlight(this.getAttribute("data-ref"), false); });
  }
  /* Print the provenance too: open every <details> before printing. */
  window.addEventListener("beforeprint", function () {
    var d = document.querySelectorAll("details");
    for (var i = 0; i < d.length; i++) { d[i].setAttribute("open", ""); }
  });
})();
