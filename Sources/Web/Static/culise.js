// Culise: a little progressive enhancement. Everything works without it.

// The server's reading of a person's number (Kernel.NumberText): 1.234,56 = 1,234.56 = 1234,56 = 1234.56, thousands
// in groups of three; a lone separator before three digits (1.234) is ambiguous and reads as nothing, as the server
// refuses it. The value as a BigInt scaled by 10^digits, or null (also for more decimals than `digits`).
function personScaled(text, digits) {
  var t = (text || "").replace(/[\s\u00a0\u202f]/g, "");
  var negative = t.charAt(0) === "-";
  if (negative || t.charAt(0) === "+") { t = t.slice(1); }
  if (!/^\d[\d.,]*\d$|^\d$/.test(t)) { return null; }
  var dots = (t.match(/\./g) || []).length, commas = (t.match(/,/g) || []).length, decimal = null, group = null;
  if (dots && commas) {
    decimal = t.lastIndexOf(".") > t.lastIndexOf(",") ? "." : ",";
    group = decimal === "." ? "," : ".";
    if (t.split(decimal).length !== 2) { return null; }
  } else if (dots + commas > 1) {
    group = dots ? "." : ",";
  } else if (dots + commas === 1) {
    decimal = dots ? "." : ",";
    var halves = t.split(decimal);
    if (halves[1].length === 3 && halves[0].length <= 3 && halves[0].charAt(0) !== "0") { return null; }
  }
  var whole = decimal ? t.split(decimal)[0] : t, fraction = decimal ? t.split(decimal)[1] : "";
  if (group) {
    var groups = whole.split(group);
    if (!/^[1-9]\d{0,2}$/.test(groups[0]) || groups.slice(1).some(function (g) { return !/^\d{3}$/.test(g); })) { return null; }
    whole = groups.join("");
  }
  if (!/^\d+$/.test(whole) || !/^\d*$/.test(fraction) || fraction.length > digits) { return null; }
  var padded = (fraction + "0".repeat(digits)).slice(0, digits);
  var value = BigInt(whole) * (10n ** BigInt(digits)) + (digits > 0 ? BigInt(padded) : 0n);
  return negative ? -value : value;
}
// A person's amount in cents (0 when it does not read), for the entry form's running totals.
function personCents(text) {
  var value = personScaled(text, 2);
  return value === null ? 0 : Number(value);
}
// Written the page's way: 1.234,56 in Romanian, 1,234.56 in English.
function showCents(value) {
  var english = document.documentElement.lang === "en";
  var negative = value < 0; value = Math.abs(value);
  var whole = String(Math.floor(value / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, english ? "," : ".");
  var text = whole + (english ? "." : ",") + ("0" + (value % 100)).slice(-2);
  return negative ? "-" + text : text;
}

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
    function recompute() {
      var totals = { debit: 0, credit: 0 };
      form.querySelectorAll("input[data-amount]").forEach(function (input) { totals[input.dataset.amount] += personCents(input.value); });
      form.querySelector("[data-total=debit]").textContent = showCents(totals.debit);
      form.querySelector("[data-total=credit]").textContent = showCents(totals.credit);
      form.querySelector("[data-total=difference]").textContent = showCents(totals.debit - totals.credit);
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

// Invoice and bill form: add lines, fill a line from its product, and show the totals per VAT rate as the user types
// (EN 16931 rounding, in exact integers with BigInt; the server computes everything again when the form is sent).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-document-form]").forEach(function (form) {
    var body = form.querySelector("[data-lines]");
    var english = document.documentElement.lang === "en";
    // A person's number as a BigInt scaled by 10^6, or null (the same reading as the server's).
    function scaled(text) { return personScaled(text, 6); }
    // A machine number from the server (`12.5`, `21`) scaled by 10^6.
    function machine(text) {
      var m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(text || "");
      if (!m) { return null; }
      var value = BigInt(m[2]) * 1000000n + BigInt(((m[3] || "") + "000000").slice(0, 6));
      return m[1] ? -value : value;
    }
    // Half away from zero: a / b rounded.
    function divRound(a, b) { var q = a / b, r = a % b; if ((r < 0n ? -r : r) * 2n >= b) { q += a < 0n ? -1n : 1n; } return q; }
    function show(cents) {
      var negative = cents < 0n; if (negative) { cents = -cents; }
      var whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, english ? "," : ".");
      var text = whole + (english ? "." : ",") + (cents % 100n).toString().padStart(2, "0");
      return negative ? "-" + text : text;
    }
    function rowVAT(row) {
      var vat = row.querySelector("select[name$='.vat']"), product = row.querySelector("select[name$='.product']");
      var choice = vat && vat.value ? vat.value : (product && product.value && product.selectedOptions[0] ? product.selectedOptions[0].dataset.vat : "S:standard");
      var option = vat ? Array.prototype.find.call(vat.options, function (o) { return o.value === choice; }) : null;
      return { key: choice || "", label: option ? option.textContent : "", percent: option && option.dataset.percent ? option.dataset.percent : "0" };
    }
    function recompute() {
      var rates = {}, order = [];
      body.querySelectorAll("tr[data-line]").forEach(function (row) {
        if (row.hidden) { return; }
        var product = row.querySelector("select[name$='.product']");
        var priceText = row.querySelector("input[name$='.unit_price']").value;
        var price = priceText ? scaled(priceText) : (product && product.selectedOptions[0] ? machine(product.selectedOptions[0].dataset.price) : null);
        var quantity = scaled(row.querySelector("input[name$='.quantity']").value);
        if (price === null || quantity === null) { return; }
        var net = divRound(quantity * price, 10000000000n);   // 10^12 → cents (BT-131)
        var vat = rowVAT(row);
        if (!rates[vat.key]) { rates[vat.key] = { label: vat.label, percent: vat.percent, net: 0n }; order.push(vat.key); }
        rates[vat.key].net += net;
      });
      var target = form.querySelector("[data-rates]"), totalNet = 0n, totalVAT = 0n;
      target.textContent = "";
      order.forEach(function (key) {
        var rate = rates[key], percent = machine(rate.percent) || 0n;
        var vat = divRound(rate.net * percent, 100000000n);   // percent scaled 10^6, /100 (BT-117 per rate)
        totalNet += rate.net; totalVAT += vat;
        var tr = document.createElement("tr");
        [rate.label, show(rate.net), show(vat)].forEach(function (text, index) {
          var td = document.createElement("td"); td.textContent = text; if (index) { td.className = "num"; } tr.appendChild(td);
        });
        target.appendChild(tr);
      });
      form.querySelector("[data-total-net]").textContent = show(totalNet);
      form.querySelector("[data-total-vat]").textContent = show(totalVAT);
      form.querySelector("[data-total-all]").textContent = show(totalNet + totalVAT);
      form.querySelector("[data-doc-totals]").hidden = order.length === 0;
    }
    form.addEventListener("input", recompute);
    form.addEventListener("change", recompute);
    // Add a line: show the next hidden empty row, or copy the last one with the next index.
    var add = form.querySelector("[data-add-line]");
    if (add) {
      add.hidden = false;
      add.addEventListener("click", function () {
        var rows = body.querySelectorAll("tr[data-line]");
        var last = rows[rows.length - 1];
        var copy = last.cloneNode(true), index = rows.length;
        copy.querySelectorAll("input, select, label").forEach(function (el) {
          ["name", "id", "for"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value) { el.setAttribute(attr, value.replace(/lines\[\d+\]/, "lines[" + index + "]").replace(/^l\d+-/, "l" + index + "-")); }
          });
          if (el.tagName === "INPUT") { el.value = ""; }
          if (el.tagName === "SELECT") { el.selectedIndex = 0; }
          el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
        });
        copy.classList.remove("has-error");
        copy.firstElementChild.textContent = String(index + 1);
        body.appendChild(copy);
        copy.querySelector("select, input").focus();
      });
    }
    recompute();
  });
});

// Receipt form: ticking an open invoice fills its amount with what is open; the receipt's amount is the sum.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-open-items]").forEach(function (fieldset) {
    var form = fieldset.closest("form"), total = form.querySelector("input[name=amount]");
    function sum() {
      var cents = 0;
      fieldset.querySelectorAll("input[data-allocation]").forEach(function (input) { cents += personCents(input.value); });
      if (total) { total.value = cents ? showCents(cents) : ""; }
    }
    fieldset.querySelectorAll("input[data-fill]").forEach(function (box) {
      box.addEventListener("change", function () {
        var amount = box.closest("tr").querySelector("input[data-allocation]");
        amount.value = box.checked ? box.dataset.fill : "";
        sum();
      });
    });
    fieldset.addEventListener("input", sum);
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
