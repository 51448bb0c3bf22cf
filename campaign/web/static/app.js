// The page works without this file; it only adds: markers on the photo, click to move the focus,
// dropping a photo on the upload field, dragging a post to another day on the calendar, and a row of
// fields per photo when many are dropped or chosen on the Porträts page.
(function () {
  "use strict";
  function place(el, x, y, w, h) {
    el.style.left = (x * 100) + "%";
    el.style.top = (y * 100) + "%";
    if (w !== undefined) { el.style.width = (w * 100) + "%"; el.style.height = (h * 100) + "%"; }
  }
  function markers() {
    var box = document.getElementById("photo-box");
    if (!box) { return; }
    var face = box.querySelector(".face");
    if (face) {
      var b = face.dataset.box.split(",").map(Number);
      place(face, b[0], b[1], b[2] - b[0], b[3] - b[1]);
    }
    var focus = box.querySelector(".focus");
    if (focus) { var p = focus.dataset.point.split(",").map(Number); place(focus, p[0], p[1]); }
    var form = document.getElementById(box.dataset.focusForm);
    if (!form) { return; }
    box.addEventListener("click", function (event) {
      var img = box.querySelector("img").getBoundingClientRect();
      var x = Math.min(1, Math.max(0, (event.clientX - img.left) / img.width));
      var y = Math.min(1, Math.max(0, (event.clientY - img.top) / img.height));
      form.querySelector("[name=x]").value = x.toFixed(3);
      form.querySelector("[name=y]").value = y.toFixed(3);
      form.submit();
    });
  }
  function dragAndDrop() {
    var csrf = document.body.dataset.csrf;
    document.querySelectorAll("li[draggable=true][data-post]").forEach(function (li) {
      li.addEventListener("dragstart", function (event) {
        event.dataTransfer.setData("text/plain", li.dataset.post + " " + li.dataset.time);
      });
    });
    document.querySelectorAll("td.dropday").forEach(function (td) {
      td.addEventListener("dragover", function (event) { event.preventDefault(); td.classList.add("over"); });
      td.addEventListener("dragleave", function () { td.classList.remove("over"); });
      td.addEventListener("drop", function (event) {
        event.preventDefault();
        td.classList.remove("over");
        var parts = event.dataTransfer.getData("text/plain").split(" ");
        if (parts.length !== 2) { return; }
        var body = new URLSearchParams({ date: td.dataset.day, time: parts[1], csrf_token: csrf });
        fetch("/posts/" + encodeURIComponent(parts[0]) + "/move", {
          method: "POST", body: body, headers: { "X-CSRF-Token": csrf, "HX-Request": "true" }, credentials: "same-origin"
        }).then(function () { window.location.reload(); });
      });
    });
  }
  function manyPhotos() {
    var form = document.getElementById("many-form");
    if (!form) { return; }
    var input = document.getElementById("many-photos");
    var zone = document.getElementById("many-drop");
    var rows = document.getElementById("many-rows");
    var result = document.getElementById("many-result");
    var row = document.getElementById("many-row").innerHTML;
    function build() {
      rows.textContent = "";
      Array.prototype.forEach.call(input.files, function (file, n) {
        var box = document.createElement("div");
        box.innerHTML = row.split("__NUM__").join(String(n + 1)).split("__N__").join(String(n));
        var set = box.firstElementChild;
        set.querySelector(".filename").textContent = file.name;
        set.querySelector("img").src = URL.createObjectURL(file);
        rows.appendChild(set);
      });
    }
    input.addEventListener("change", build);
    zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      if (event.dataTransfer.files.length) { input.files = event.dataTransfer.files; build(); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                           headers: { "HX-Request": "true" } }).then(function (answer) {
        var next = answer.headers.get("X-Next");
        if (answer.ok && next) { window.location.assign(next); return; }
        return answer.text().then(function (html) { result.innerHTML = html; });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { markers(); dragAndDrop(); manyPhotos(); });
})();
