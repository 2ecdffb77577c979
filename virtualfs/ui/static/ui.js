// virtualfs catalog: search as you type (over /ui/api/search) and "/" to reach the search box.
(function () {
  "use strict";
  var box = document.getElementById("search");
  var list = document.getElementById("search-results");
  if (!box || !list) { return; }
  var timer = null;
  var asked = 0;

  function clear() { list.replaceChildren(); list.hidden = true; }

  function show(hits) {
    list.replaceChildren();
    hits.slice(0, 12).forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = hit.href;
      link.setAttribute("role", "option");
      link.textContent = hit.kind + "  " + hit.name + (hit.pii ? "  · PII" : "");
      var desc = document.createElement("span");
      desc.className = "desc";
      desc.textContent = hit.description || hit.owner || "";
      link.appendChild(desc);
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = hits.length === 0;
  }

  function ask() {
    var text = box.value.trim();
    if (!text) { clear(); return; }
    var mine = ++asked;
    fetch("/ui/api/search?q=" + encodeURIComponent(text), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { hits: [] }; })
      .then(function (page) { if (mine === asked) { show(page.hits || []); } })
      .catch(function () { clear(); });
  }

  box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 120); });
  box.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && !list.hidden) { event.preventDefault(); list.querySelector("a").focus(); }
    if (event.key === "Escape") { clear(); }
  });
  list.addEventListener("keydown", function (event) {
    var here = document.activeElement.parentElement;
    if (event.key === "ArrowDown" && here.nextElementSibling) { event.preventDefault(); here.nextElementSibling.firstChild.focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (here.previousElementSibling ? here.previousElementSibling.firstChild : box).focus(); }
    if (event.key === "Escape") { clear(); box.focus(); }
  });
  document.addEventListener("keydown", function (event) {
    var typing = /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) { event.preventDefault(); box.focus(); }
  });
  document.addEventListener("click", function (event) { if (!list.contains(event.target) && event.target !== box) { list.hidden = true; } });
}());
