/* Shared helpers: CSRF header on fetch, HTML escaping for text put into the DOM. */
"use strict";
window.aw = {
  csrf: function () { var m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ""; },
  esc: function (s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; },
  getJSON: function (url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }
};
