// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";

  // Move focus to the main content after following the skip link, for every browser.
  var skip = document.querySelector(".utrecht-skip-link");
  var main = document.getElementById("main");
  if (skip && main) {
    skip.addEventListener("click", function () { main.focus(); });
  }

  // Ask form: offer similar questions while the title is typed.
  var form = document.getElementById("question-form");
  var title = form && form.querySelector(".js-similar-source");
  var box = document.getElementById("similar-questions");
  var list = document.getElementById("similar-list");
  if (form && title && box && list && window.fetch) {
    var timer = null;
    var lastQuery = "";
    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = title.value.trim();
        if (query === lastQuery) { return; }
        lastQuery = query;
        if (query.length < 4) { box.hidden = true; return; }
        var url = form.getAttribute("data-similar-url") + "?titel=" + encodeURIComponent(query);
        var exclude = form.getAttribute("data-exclude");
        if (exclude) { url += "&behalve=" + encodeURIComponent(exclude); }
        fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { items: [] }; })
          .then(function (data) {
            list.textContent = "";
            data.items.forEach(function (item) {
              var li = document.createElement("li");
              li.className = "utrecht-unordered-list__item";
              var a = document.createElement("a");
              a.className = "utrecht-link";
              a.href = item.url;
              a.textContent = item.title;
              li.appendChild(a);
              li.appendChild(document.createTextNode(" (" + item.answers + ")"));
              list.appendChild(li);
            });
            box.hidden = data.items.length === 0;
          })
          .catch(function () { box.hidden = true; });
      }, 300);
    });
  }

  // Tag picker: show the obligations of the chosen laws first (all stay reachable).
  var lawBoxes = document.querySelectorAll(".js-law");
  var groups = document.querySelectorAll(".obligation-group");
  function filterObligations() {
    var chosen = {};
    var any = false;
    lawBoxes.forEach(function (box) { if (box.checked) { chosen[box.value] = true; any = true; } });
    groups.forEach(function (group) {
      var keep = !any || chosen[group.getAttribute("data-law")] ||
        group.querySelector("input:checked");
      group.hidden = !keep;
    });
  }
  if (lawBoxes.length && groups.length) {
    lawBoxes.forEach(function (box) { box.addEventListener("change", filterObligations); });
    filterObligations();
  }
})();
