// Culise: a little progressive enhancement. Everything works without it.
document.addEventListener("DOMContentLoaded", function () {
  // Company switcher: submit on change, keep the button for keyboard and no-JS users.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Print buttons (invoices print on A4 with the print stylesheet).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // Forms that undo something ask first, naming what and when (`data-confirm`, `{date}` from the form's date field).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var date = form.querySelector("input[name=date]");
      var text = form.dataset.confirm.replace("{date}", date && date.value ? date.value : "");
      if (!window.confirm(text)) { event.preventDefault(); event.stopImmediatePropagation(); }
    });
  });
  // Prevent double submission of forms (a repeated click must not create two records).
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      // After the browser has taken the clicked button's name and value into the submission.
      setTimeout(function () { form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; }); }, 0);
    });
  });
  // Back to a page whose form was sent: the browser restores it with its buttons disabled; enable them again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[method=post] button[type=submit]").forEach(function (b) { b.disabled = false; });
  });
  // Journal entry form: add lines and keep live totals (the server checks everything again).
  document.querySelectorAll("form[data-entry-form]").forEach(function (form) {
    var body = form.querySelector("[data-lines]");
    // The server's reading of a person's number (NumberText): 1.234,56 = 1,234.56 = 1234,56 = 1234.56; a lone
    // separator before three digits (1.234) is ambiguous and counts as nothing, as the server refuses it.
    function cents(text) {
      var t = (text || "").replace(/[\s\u00a0\u202f]/g, "");
      var negative = t.charAt(0) === "-";
      if (negative || t.charAt(0) === "+") { t = t.slice(1); }
      if (!/^\d[\d.,]*\d$|^\d$/.test(t)) { return 0; }
      var dots = (t.match(/\./g) || []).length, commas = (t.match(/,/g) || []).length, decimal = null, group = null;
      if (dots && commas) {
        decimal = t.lastIndexOf(".") > t.lastIndexOf(",") ? "." : ",";
        group = decimal === "." ? "," : ".";
        if (t.split(decimal).length !== 2) { return 0; }
      } else if (dots + commas > 1) {
        group = dots ? "." : ",";
      } else if (dots + commas === 1) {
        decimal = dots ? "." : ",";
        var halves = t.split(decimal);
        if (halves[1].length === 3 && halves[0].length <= 3 && halves[0].charAt(0) !== "0") { return 0; }
      }
      var whole = decimal ? t.split(decimal)[0] : t, fraction = decimal ? t.split(decimal)[1] : "";
      if (group) {
        var groups = whole.split(group);
        if (!/^\d{1,3}$/.test(groups[0]) || groups.slice(1).some(function (g) { return !/^\d{3}$/.test(g); })) { return 0; }
        whole = groups.join("");
      }
      if (!/^\d+$/.test(whole) || !/^\d{0,2}$/.test(fraction)) { return 0; }
      var value = parseInt(whole, 10) * 100 + (fraction ? parseInt((fraction + "0").slice(0, 2), 10) : 0);
      return negative ? -value : value;
    }
    // Written the page's way: 1.234,56 in Romanian, 1,234.56 in English.
    var english = document.documentElement.lang === "en";
    function show(value) {
      var negative = value < 0; value = Math.abs(value);
      var whole = String(Math.floor(value / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, english ? "," : ".");
      var text = whole + (english ? "." : ",") + ("0" + (value % 100)).slice(-2);
      return negative ? "-" + text : text;
    }
    function recompute() {
      var totals = { debit: 0, credit: 0 };
      form.querySelectorAll("input[data-amount]").forEach(function (input) { totals[input.dataset.amount] += cents(input.value); });
      form.querySelector("[data-total=debit]").textContent = show(totals.debit);
      form.querySelector("[data-total=credit]").textContent = show(totals.credit);
      form.querySelector("[data-total=difference]").textContent = show(totals.debit - totals.credit);
    }
    form.addEventListener("input", recompute);
    var add = form.querySelector("[data-add-line]");
    if (add) {
      add.addEventListener("click", function () {
        var rows = body.querySelectorAll("tr[data-line]");
        var last = rows[rows.length - 1];
        var copy = last.cloneNode(true);
        var index = rows.length;
        copy.querySelectorAll("input, label").forEach(function (el) {
          ["name", "id", "for"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value) { el.setAttribute(attr, value.replace(/lines\[\d+\]/, "lines[" + index + "]")); }
          });
          if (el.tagName === "INPUT") { el.value = ""; el.removeAttribute("aria-invalid"); }
        });
        copy.querySelectorAll("p.error").forEach(function (p) { p.remove(); });
        body.appendChild(copy);
        copy.querySelector("input").focus();
      });
    }
  });
});

// Bank review queue: j/k move between lines, 1–5 choose a candidate, a accepts, e jumps to the account field.
document.addEventListener("DOMContentLoaded", function () {
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-review-item]"));
  if (!items.length) { return; }
  function current() { return items.indexOf(document.activeElement.closest ? document.activeElement.closest("[data-review-item]") : null); }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.tagName === "INPUT" && target.type !== "radio" || target.tagName === "TEXTAREA" || target.tagName === "SELECT") { return; }
    var index = current();
    var item = index >= 0 ? items[index] : null;
    if (event.key === "j" || event.key === "k") {
      var next = Math.min(items.length - 1, Math.max(0, index + (event.key === "j" ? 1 : -1)));
      items[index < 0 ? 0 : next].focus();
      event.preventDefault();
    } else if (item && /^[1-5]$/.test(event.key)) {
      var radio = item.querySelector("input[data-key='" + event.key + "']");
      if (radio) { radio.checked = true; event.preventDefault(); }
    } else if (item && event.key === "a") {
      var form = item.querySelector("form[data-accept]");
      if (form) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
    } else if (item && event.key === "e") {
      var field = item.querySelector("input[data-account]");
      if (field) { event.preventDefault(); field.focus(); }
    }
  });
  items[0].focus();
});
