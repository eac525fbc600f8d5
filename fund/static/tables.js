// Tables that sort and filter, and forms that show their progress, without changing what the
// server sends: every page works without this script, which only adds to it.
"use strict";

(function () {
  const collator = new Intl.Collator(document.documentElement.lang || "en", { numeric: true });

  // The words come from the page (base.html), translated with the rest of it.
  function say(name, values) {
    const text = document.body.dataset["text" + name] || name;
    return text.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
  }

  // "1,234.50 BDT", "-12", "৳ 3,000" → a number, the first in the cell ("1 / 2" → 1); none → null.
  function numberIn(text) {
    const found = text.match(/-?\d[\d,]*(\.\d+)?/);
    if (!found) return null;
    const value = Number(found[0].replace(/,/g, ""));
    return Number.isFinite(value) ? value : null;
  }

  function cellValue(row, index) {
    const cell = row.cells[index];
    if (!cell) return "";
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }

  // A lone row spanning the whole table is the "nothing yet" message, and a row headed by a
  // <th> is a total: neither is data, so neither is sorted nor filtered away.
  function isSummary(row) {
    return (row.cells.length === 1 && row.cells[0].colSpan > 1) || (row.cells.length > 0 && row.cells[0].tagName === "TH");
  }

  function dataRows(table) {
    return Array.from(table.tBodies[0].rows).filter((row) => !isSummary(row));
  }

  function sortBy(table, header, index) {
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    const numeric = header.classList.contains("num");
    // Each row's key is read once, not at every comparison.
    const keyed = dataRows(table).map((row) => {
      const text = cellValue(row, index);
      const number = numeric ? numberIn(text) : null;
      return { row, key: numeric ? (number === null ? -Number.MAX_VALUE : number) : text };
    });
    keyed.sort((a, b) => {
      const order = numeric ? a.key - b.key : collator.compare(a.key, b.key);
      return ascending ? order : -order;
    });
    const rows = keyed.map((item) => item.row);
    for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const summaries = Array.from(body.rows).filter(isSummary);
    for (const row of rows.concat(summaries)) body.appendChild(row);
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tBodies.length || table.classList.contains("paged")) return;
    if (dataRows(table).length < 2) return;
    Array.from(table.tHead.rows[0].cells).forEach((header, index) => {
      if (header.colSpan > 1 || header.textContent.trim() === "") return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = header.textContent.trim();
      button.title = say("Sort", { column: button.textContent });
      header.textContent = "";
      header.appendChild(button);
      button.addEventListener("click", () => sortBy(table, header, index));
    });
  }

  let filters = 0;
  function makeFilterable(table) {
    if (!table.tBodies.length || table.classList.contains("paged")) return;
    const rows = dataRows(table);
    if (rows.length < 6) return;
    filters += 1;
    const id = "table-filter-" + filters;
    const box = document.createElement("p");
    box.className = "table-filter d-flex gap-2 align-items-center";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = say("Filter", {});
    const input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm w-auto";
    input.id = id;
    input.placeholder = say("FilterHint", {});
    const count = document.createElement("span");
    count.className = "muted";
    count.setAttribute("aria-live", "polite");
    box.append(label, " ", input, " ", count);
    table.before(box);
    const texts = rows.map((row) => row.textContent.toLocaleLowerCase());  // read once
    input.addEventListener("input", () => {
      const words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      rows.forEach((row, at) => {
        const match = words.every((word) => texts[at].includes(word));
        row.hidden = !match;
        if (match) shown += 1;
      });
      count.textContent = words.length ? say("Rows", { shown: shown, total: rows.length }) : "";
    });
  }

  const LARGE_UPLOAD = 512 * 1024;

  // A form marked data-progress shows how far the upload is, then that the server is working,
  // and cannot be sent twice while it is on its way.
  function showProgress(form) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      const fileInput = form.querySelector("input[type=file]");
      const bar = document.createElement("progress");
      const status = document.createElement("p");
      status.className = "progress-status";
      status.setAttribute("role", "status");
      status.textContent = form.dataset.progress || say("Working", {});
      bar.max = 100;
      form.append(bar, status);
      form.dataset.sending = "yes";
      for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = true;
      // Small files go as a plain post: only a large upload takes long enough to need a bar.
      const large = fileInput && fileInput.files.length && fileInput.files[0].size > LARGE_UPLOAD;
      if (!large || !window.XMLHttpRequest) {
        bar.removeAttribute("value");
        return;
      }
      event.preventDefault();
      const request = new XMLHttpRequest();
      request.open(form.method || "post", form.action);
      request.upload.addEventListener("progress", (progress) => {
        if (!progress.lengthComputable) return;
        const percent = Math.round((100 * progress.loaded) / progress.total);
        bar.value = percent;
        status.textContent = say("Uploading", { percent: percent });
      });
      request.upload.addEventListener("load", () => {
        bar.removeAttribute("value");
        status.textContent = form.dataset.progress || say("Working", {});
      });
      request.addEventListener("load", () => {
        // The server's answer replaces the page, as a plain form post would have.
        if (request.responseURL && request.responseURL !== new URL(form.action, location.href).href) {
          location.assign(request.responseURL);
          return;
        }
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", () => {
        status.textContent = say("UploadFailed", {});
        delete form.dataset.sending;
        for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = false;
      });
      request.send(new FormData(form));
    });
  }

  function start() {
    for (const table of document.querySelectorAll("main table")) {
      makeFilterable(table);
      makeSortable(table);
    }
    for (const form of document.querySelectorAll("form[data-progress]")) showProgress(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
