// The contents of an entry page: open beside the text on wide screens, folded on phones,
// where the list would otherwise push the page down by a screen or more.
(function () {
  var details = document.querySelector(".toc__details");
  if (!details || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 64rem)");
  function fit() {
    details.open = wide.matches;
  }
  fit();
  if (wide.addEventListener) wide.addEventListener("change", fit);
})();
