// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";

  // Move focus to the main content after following the skip link, for every browser.
  var skip = document.querySelector(".utrecht-skip-link");
  var main = document.getElementById("main");
  if (skip && main) {
    skip.addEventListener("click", function () { main.focus(); });
  }

  // Main menu: on narrow screens the navigation folds behind a "Menu" button with
  // aria-expanded (the NL Design System pattern); site.css hides the list only when this ran.
  var nav = document.querySelector(".site-nav");
  var toggle = nav && nav.querySelector(".site-nav__toggle");
  if (toggle && document.getElementById(toggle.getAttribute("aria-controls"))) {
    var setOpen = function (open) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); };
    nav.classList.add("site-nav--foldable");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true" &&
          toggle.offsetParent !== null) {
        setOpen(false);
        toggle.focus();
      }
    });
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

  // Attachments: a file above the limit is refused before anything is sent (the server refuses
  // it too). The field carries the limit (data-max-bytes) and the message (data-too-large,
  // with {size}); the message goes into the alert region beside it, and the form keeps all
  // other input. Sizes are rounded as the server rounds them (practices/uploads.py size_text).
  var fileInputs = document.querySelectorAll("input[type=file][data-max-bytes]");
  var sizeText = function (size, up) {
    var round = up ? Math.ceil : Math.round;
    var lang = document.documentElement.lang || "nl";
    if (size < 1024 * 1024) { return round(size / 1024).toLocaleString(lang) + " kB"; }
    return (round(size * 10 / (1024 * 1024)) / 10).toLocaleString(lang) + " MB";
  };
  fileInputs.forEach(function (input) {
    var limit = Number(input.getAttribute("data-max-bytes"));
    var region = document.getElementById(input.id + "-check");
    if (!limit || !region || !input.form) { return; }
    var messageId = input.id + "-check-message";
    var described = input.getAttribute("aria-describedby") || "";
    var invalid = input.getAttribute("aria-invalid");
    var check = function () {
      var file = input.files && input.files[0];
      var tooLarge = Boolean(file) && file.size > limit;
      region.textContent = "";
      if (tooLarge) {
        var shown = sizeText(file.size);
        if (shown === sizeText(limit)) { shown = sizeText(file.size, true); }
        var message = document.createElement("p");
        message.className = "utrecht-form-field-error-message";
        message.id = messageId;
        message.textContent = input.getAttribute("data-too-large").replace("{size}", shown);
        region.appendChild(message);
        input.setAttribute("aria-describedby", (described + " " + messageId).trim());
        input.setAttribute("aria-invalid", "true");
      } else {
        input.setAttribute("aria-describedby", described);
        if (invalid) { input.setAttribute("aria-invalid", invalid); } else { input.removeAttribute("aria-invalid"); }
      }
      return !tooLarge;
    };
    input.addEventListener("change", check);
    input.form.addEventListener("submit", function (event) {
      if (!check()) {
        event.preventDefault();
        input.focus();
      }
    });
  });
})();
