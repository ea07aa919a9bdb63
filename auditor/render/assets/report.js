(function () {
  "use strict";
  function flash(el) {
    el.classList.remove("flash");
    void el.offsetWidth;
    el.classList.add("flash");
    setTimeout(function () { el.classList.remove("flash"); }, 1600);
  }
  function show(el) {
    el.scrollIntoView({ behavior: "smooth", block: "center" });
    flash(el);
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("a.jump");
    if (link) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        ev.preventDefault();
        show(target);
        var fid = target.getAttribute("data-finding");
        if (fid) {
          document.querySelectorAll("mark[data-finding]").forEach(function (m) {
            if (m.getAttribute("data-finding") === fid) { flash(m); }
          });
        }
      }
      return;
    }
    var mark = ev.target.closest("mark[data-finding], td[data-cell-findings]");
    if (mark) {
      var id = mark.getAttribute("data-finding") || mark.getAttribute("data-cell-findings").split(" ")[0];
      var item = document.getElementById("f-" + id);
      if (item) { show(item); }
    }
  });
  document.querySelectorAll("input[data-sev]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.body.classList.toggle("hide-" + box.getAttribute("data-sev"), !box.checked);
    });
  });
  document.documentElement.setAttribute("data-ready", "1");
})();
