// The API documentation page: Swagger UI (static/vendor/swagger-ui, from npm swagger-ui-dist)
// renders the OpenAPI document named by #swagger-ui's data-spec-url. Started from this file,
// never from an inline script, so the page keeps the site's Content-Security-Policy.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }

  // Some of the renderer's controls have a visible caption but no accessible name (or one that
  // differs from the caption): the server choice, a parameter's field (named in the first
  // column of its row), the request body, the dialog's buttons. They get one whenever the
  // renderer draws them (an operation is drawn when it is opened). Its interface is English.
  var NAMES = [
    ["select#servers", "Servers"],
    ["textarea.body-param__text", "Request body"],
    [".close-modal", "Close"],
    ["button[aria-label='Apply credentials']", "Authorize"]
  ];
  function labelAll() {
    NAMES.forEach(function (pair) {
      target.querySelectorAll(pair[0]).forEach(function (control) {
        if (control.getAttribute("aria-label") !== pair[1]) {
          control.setAttribute("aria-label", pair[1]);
        }
      });
    });
    target.querySelectorAll("tr[data-param-name] select, tr[data-param-name] input")
      .forEach(function (control) {
        if (!control.hasAttribute("aria-label")) {
          control.setAttribute("aria-label",
                               control.closest("tr").getAttribute("data-param-name"));
        }
      });
  }
  new MutationObserver(labelAll).observe(target, {childList: true, subtree: true});

  window.SwaggerUIBundle({
    url: target.getAttribute("data-spec-url"),
    domNode: target,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    docExpansion: "list",
    defaultModelsExpandDepth: -1,
    validatorUrl: null,
    syntaxHighlight: false
  });
})();
