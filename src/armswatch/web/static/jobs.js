/* Analyses page: refresh while a job is queued or running. */
"use strict";
(function () {
  var live = document.querySelector('tr.job[data-state="queued"], tr.job[data-state="running"]');
  if (live) { setTimeout(function () { window.location.reload(); }, 1500); }
})();
