/* Review queue: keyboard shortcuts (j/k move, x select, o open, c confirm, r reject, / search) and bulk selection. */
"use strict";
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding-row"));
  var bulk = document.getElementById("bulk");
  var count = document.getElementById("selected-count");
  var cur = -1;
  function picks() { return Array.prototype.slice.call(document.querySelectorAll("input.pick")); }
  function update() { if (count) { count.textContent = picks().filter(function (p) { return p.checked; }).length; } }
  function move(i) {
    if (!rows.length) { return; }
    if (cur >= 0) { rows[cur].classList.remove("cursor"); }
    cur = Math.max(0, Math.min(rows.length - 1, i));
    rows[cur].classList.add("cursor");
    rows[cur].scrollIntoView({ block: "nearest" });
  }
  function submit(status) {
    if (!bulk) { return; }
    var any = picks().some(function (p) { return p.checked; });
    if (!any && cur >= 0) { var p = rows[cur].querySelector("input.pick"); if (p) { p.checked = true; } }
    if (!picks().some(function (p) { return p.checked; })) { return; }
    var b = document.createElement("input"); b.type = "hidden"; b.name = "status"; b.value = status;
    bulk.appendChild(b); bulk.submit();
  }
  var all = document.getElementById("select-all");
  if (all) { all.addEventListener("change", function () { picks().forEach(function (p) { p.checked = all.checked; }); update(); }); }
  picks().forEach(function (p) { p.addEventListener("change", update); });
  document.addEventListener("keydown", function (e) {
    var t = e.target.tagName;
    if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "j") { move(cur + 1); }
    else if (e.key === "k") { move(cur - 1); }
    else if (e.key === "x" && cur >= 0) { var p = rows[cur].querySelector("input.pick"); if (p) { p.checked = !p.checked; update(); } }
    else if ((e.key === "o" || e.key === "Enter") && cur >= 0) { window.location = rows[cur].querySelector("a.title").href; }
    else if (e.key === "c") { submit("confirmed"); }
    else if (e.key === "r") { submit("rejected"); }
    else if (e.key === "/") { var s = document.querySelector("header form.search input"); if (s) { e.preventDefault(); s.focus(); } }
    else { return; }
    e.preventDefault();
  });
})();
