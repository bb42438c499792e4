// A new session's page in the admin: once a workshop is chosen, the run list offers
// only that workshop's runs (each option carries data-workshop). Without a workshop,
// every run is offered, and the session takes the workshop of the run chosen.
(function () {
  "use strict";

  function setUp() {
    var workshop = document.getElementById("id_workshop");
    var run = document.getElementById("id_run");
    if (!workshop || !run || workshop.tagName !== "SELECT") {
      return;
    }
    function offerTheWorkshopsRuns() {
      var chosen = workshop.value;
      Array.prototype.forEach.call(run.options, function (option) {
        var offered = !option.value || !chosen || option.dataset.workshop === chosen;
        option.hidden = !offered;
        option.disabled = !offered;
      });
      if (run.selectedOptions.length && run.selectedOptions[0].disabled) {
        run.value = "";
      }
    }
    workshop.addEventListener("change", offerTheWorkshopsRuns);
    offerTheWorkshopsRuns();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
