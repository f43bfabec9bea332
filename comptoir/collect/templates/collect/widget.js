/* The sign-up widget of Comptoir: writes the form where this script stands and sends it
   without leaving the page. Without JavaScript the <noscript> form of the snippet posts
   the same fields to the same address. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var holder = document.createElement("div");
  holder.innerHTML = {{ form_html|safe }};
  script.parentNode.insertBefore(holder, script);
  var form = holder.querySelector("form");
  var status = holder.querySelector("[role=status]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "";
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "omit"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      var message = answer.data.detail;
      if (answer.data.errors) {
        Object.keys(answer.data.errors).forEach(function (name) {
          message += " " + answer.data.errors[name].join(" ");
        });
      }
      status.textContent = message;
      if (answer.ok) { form.reset(); }
    }).catch(function () {
      status.textContent = {{ failed|safe }};
    });
  });
})();
