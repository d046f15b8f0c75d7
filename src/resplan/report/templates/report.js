// Enhancements only: the page is complete without this script. It shows the filter
// controls, filters the program tables by state, specialty and verdict, and sorts a
// table when its column header is pressed. It reads the page; it adds no text from files.
(function () {
  "use strict";
  var form = document.getElementById("program-filters");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.programs tbody tr"));
  var status = document.getElementById("filter-status");
  var fields = ["state", "specialty", "verdict"];

  function number(n) { return n.toLocaleString("en-US"); }

  function programs(n, kind) { return number(n) + " " + kind + (n === 1 ? "program" : "programs"); }

  // "3 of 16 programs" while a filter hides some, "16 programs" when it hides none.
  function counted(shown, total) {
    return (shown === total ? "" : number(shown) + " of ") + programs(total, "");
  }

  function apply() {
    var wanted = {};
    fields.forEach(function (name) { wanted[name] = form.elements[name].value; });
    var real = { shown: 0, total: 0 };
    var generated = { shown: 0, total: 0 };
    rows.forEach(function (row) {
      var ok = fields.every(function (name) {
        return !wanted[name] || row.getAttribute("data-" + name) === wanted[name];
      });
      row.hidden = !ok;
      var tally = row.hasAttribute("data-synthetic") ? generated : real;
      tally.total += 1;
      if (ok) { tally.shown += 1; }
    });
    document.querySelectorAll("table.programs").forEach(function (table) {
      var visible = table.querySelectorAll("tbody tr:not([hidden])").length;
      var block = table.closest(".program-group");
      if (block) {
        block.hidden = visible === 0;
        var count = block.querySelector(".group-count");
        if (count) { count.textContent = "(" + counted(visible, table.tBodies[0].rows.length) + ")"; }
      }
    });
    var sample = document.querySelector(".synthetic-count");
    if (sample) { sample.textContent = counted(generated.shown, generated.total); }
    // Generated programs are counted apart: a reader must never take them for real ones.
    status.textContent = "Showing " + number(real.shown) + " of " +
      programs(real.total, generated.total ? "real " : "") +
      (generated.total ? " and " + number(generated.shown) + " of " +
        programs(generated.total, "generated ") : "") + ".";
  }

  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });

  function sortKey(cell, numeric) {
    var text = (cell.getAttribute("data-sort") || cell.textContent).trim();
    if (numeric) { var n = parseFloat(text); return isNaN(n) ? Infinity : n; }
    return text.toLowerCase();
  }

  document.querySelectorAll("table.programs").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.hasAttribute("data-numeric");
        var body = table.tBodies[0];
        var sorted = Array.prototype.slice.call(body.rows).map(function (row, index) {
          return { row: row, index: index, key: sortKey(row.cells[column], numeric) };
        });
        sorted.sort(function (a, b) {
          if (a.key < b.key) { return ascending ? -1 : 1; }
          if (a.key > b.key) { return ascending ? 1 : -1; }
          return a.index - b.index;
        });
        sorted.forEach(function (item) { body.appendChild(item.row); });
      });
    });
  });
  apply();
}());
