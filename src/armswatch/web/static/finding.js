/* Finding page: before/after chips side by side or as a swipe. */
"use strict";
(function () {
  var side = document.getElementById("chips-side"), swipe = document.getElementById("chips-swipe");
  var range = document.getElementById("swipe-range"), over = document.getElementById("swipe-over");
  document.querySelectorAll(".chip-modes button").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll(".chip-modes button").forEach(function (x) { x.classList.toggle("on", x === b); });
      var s = b.getAttribute("data-mode") === "swipe";
      side.hidden = s; swipe.hidden = !s;
    });
  });
  if (range && over) { range.addEventListener("input", function () { over.style.width = range.value + "%"; }); }
})();
