// iki-xlsx web: the only script (no inline scripts: the Content-Security-Policy forbids them).
// 1. A running background job polls its progress and reloads the page when it ends, or when
//    more of its work is done and the page lists results (each checked group of files).
// 2. The upload area takes files dropped onto it.
// 3. A form that changes what the office keeps (data-yakin) asks first.
"use strict";

function watchJob(box) {
  const url = box.getAttribute("data-tugas");
  const state = box.querySelector(".tugas-keadaan");
  const note = box.querySelector(".tugas-catatan");
  const bar = box.querySelector("progress");
  const listsResults = box.hasAttribute("data-hasil");
  let done = bar ? bar.value : 0;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.keadaan !== "berjalan" || (listsResults && job.selesai > done)) {
          window.location.reload();
          return;
        }
        done = job.selesai;
        state.textContent = job.keadaan;
        note.textContent = (job.jumlah ? job.selesai + " dari " + job.jumlah + " " : "") + job.catatan;
        if (bar) { bar.max = job.jumlah || 1; bar.value = job.selesai; }
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 500);
}

function dropArea(area) {
  const input = area.querySelector("input[type=file]");
  const shown = area.querySelector("[data-terpilih]");
  function show() {
    const names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    shown.textContent = names.length ? names.length + " berkas: " + names.join(", ") : "";
  }
  ["dragenter", "dragover"].forEach(function (name) {
    area.addEventListener(name, function (e) { e.preventDefault(); area.classList.add("di-atas"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    area.addEventListener(name, function () { area.classList.remove("di-atas"); });
  });
  area.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; show(); }
  });
  input.addEventListener("change", show);
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-tugas][data-keadaan=berjalan]").forEach(watchJob);
  document.querySelectorAll("[data-seret]").forEach(dropArea);
  document.querySelectorAll("form[data-yakin]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-yakin"))) { e.preventDefault(); }
    });
  });
});
