// The search page: Pagefind's UI, started with the query from ?q= (the header's search form).
(function () {
  "use strict";
  var box = document.getElementById("search");
  var ui = new PagefindUI({
    element: "#search",
    baseUrl: box.getAttribute("data-base"),
    showImages: true,
    showSubResults: false,
    resetStyles: false
  });
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
