// The moderation queue's cards: a decision is sent without a reload (the card goes, the
// next one takes the focus) and keys move between cards and decide. Without this script
// each card's buttons post their own form and the queue comes back, as it does here when
// a request fails.
(function () {
  "use strict";
  var list = document.getElementById("queue-cards");
  if (!list || !window.fetch || !window.FormData) {
    return;
  }
  var live = document.getElementById("queue-live");
  var keys = document.getElementById("queue-keys");
  if (keys) {
    keys.hidden = false;
  }
  var current = null;

  // "Select all on this page" (Django's own script looks for table rows, not cards).
  var toggle = document.getElementById("action-toggle");
  if (toggle) {
    toggle.closest(".queue-select-all").hidden = false;
    toggle.addEventListener("change", function () {
      list.querySelectorAll("input.action-select").forEach(function (box) {
        box.checked = toggle.checked;
      });
    });
  }

  function cards() {
    return Array.prototype.slice.call(list.querySelectorAll(".queue-card"));
  }

  function show(card) {
    if (current) {
      current.classList.remove("is-current");
    }
    current = card;
    if (card) {
      card.classList.add("is-current");
      card.focus();
    }
  }

  function move(step) {
    var all = cards();
    if (!all.length) {
      return;
    }
    var index = all.indexOf(current);
    index = index === -1 ? 0 : Math.min(Math.max(index + step, 0), all.length - 1);
    show(all[index]);
  }

  function count(status, change) {
    var link = document.querySelector('.queue-counts a[data-status="' + status + '"] strong');
    if (link && /^\d+$/.test(link.textContent)) {
      link.textContent = String(Math.max(0, parseInt(link.textContent, 10) + change));
    }
  }

  function decide(card, button) {
    var form = document.getElementById("decide-" + card.dataset.pk);
    var data = new FormData(form); // with the card's reason fields (form="decide-…")
    data.set("status", button.value);
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {Accept: "application/json"},
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return {ok: response.ok, body: body};
        });
      })
      .then(function (result) {
        button.disabled = false;
        if (!result.ok) {
          live.textContent = result.body.error || "";
          return;
        }
        var all = cards();
        var index = all.indexOf(card);
        var next = all[index + 1] || all[index - 1] || null;
        var before = card.className.match(/status-(\w+)/);
        if (before && before[1] !== result.body.status) {
          count(before[1], -1);
          count(result.body.status, 1);
        }
        card.remove();
        live.textContent = result.body.message;
        if (next) {
          show(next);
        } else {
          current = null;
        }
      })
      .catch(function () {
        button.disabled = false;
        form.requestSubmit(button);
      });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-key]");
    if (button && list.contains(button)) {
      event.preventDefault();
      decide(button.closest(".queue-card"), button);
    }
  });

  list.addEventListener("focusin", function (event) {
    var card = event.target.closest(".queue-card");
    if (card && card !== current) {
      if (current) {
        current.classList.remove("is-current");
      }
      current = card;
      card.classList.add("is-current");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
      return;
    }
    if (event.target.closest("input, select, textarea, [contenteditable]")) {
      return; // typing a reason
    }
    if (event.key === "j") {
      move(1);
    } else if (event.key === "k") {
      move(-1);
    } else if (current && "ars".indexOf(event.key) !== -1 && event.key.length === 1) {
      var button = current.querySelector('button[data-key="' + event.key + '"]');
      if (button) {
        decide(current, button);
      }
    } else if (current && event.key === "x") {
      current.querySelector("input.action-select").click();
    } else if (current && event.key === "o") {
      window.location.href = current.querySelector("h3 a").href;
    } else {
      return;
    }
    event.preventDefault();
  });
})();
