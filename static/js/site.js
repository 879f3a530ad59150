// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  // Move focus to the main content after following the skip link, for every browser.
  var skip = document.querySelector(".utrecht-skip-link");
  var main = document.getElementById("main");
  if (skip && main) {
    skip.addEventListener("click", function () { main.focus(); });
  }
})();
