// Who else has this change form open: renewed every few seconds while the page is open.
// Without it the page still names who had it open when it was loaded, and saves are
// checked against each other on the server either way.
(function () {
  "use strict";
  var notice = document.getElementById("presence-notice");
  if (!notice || !window.fetch) {
    return;
  }
  var form = notice.closest("form");
  var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  var seconds = parseInt(notice.dataset.seconds, 10) || 20;
  var names = notice.querySelector(".presence-names");

  function ping() {
    fetch(notice.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : ""},
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        names.textContent = data.others.join(", ");
        notice.hidden = data.others.length === 0;
      })
      .catch(function () {});
  }

  window.setInterval(ping, seconds * 1000);
})();
