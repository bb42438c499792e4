// Filters the host's roster as they type. Without this script the search box still
// works: it asks the server, which returns the matching rows.
(function () {
  "use strict";
  var input = document.querySelector("[data-roster-search]");
  if (!input) {
    return;
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-roster-row]"));
  var empty = document.querySelector("[data-roster-empty]");

  function filter() {
    var needle = input.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var match = needle === "" || row.getAttribute("data-search").indexOf(needle) !== -1;
      row.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    if (empty) {
      empty.hidden = shown !== 0;
    }
  }

  input.addEventListener("input", filter);
})();
