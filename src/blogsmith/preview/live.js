// blogsmith live preview: reloads this tab when a rebuild changed it, and shows build errors
// over the last good page. Added by `blogsmith serve` only; built sites never contain it.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = Number(me.getAttribute("data-build")) || 0;
  var events = me.getAttribute("data-events");
  var overlay = null;
  var hadErrors = false;

  function here() {
    var path = decodeURIComponent(location.pathname);
    if (path.endsWith("/")) return path + "index.html";
    var last = path.slice(path.lastIndexOf("/") + 1);
    return last.indexOf(".") === -1 ? path + "/index.html" : path;
  }

  function affected(changed) {
    if (changed === null) return true;
    var page = here();
    return changed.some(function (file) {
      return page.endsWith("/" + file) || !/\.html$/.test(file) || file === "404.html";
    });
  }

  function showErrors(errors) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.setAttribute("role", "alert");
      overlay.id = "blogsmith-errors";
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.92);color:#fff;font:14px/1.6 monospace;padding:2rem;";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("p");
    title.style.cssText = "color:#ff8a80;font-weight:bold;margin:0 0 1rem";
    title.textContent = "blogsmith: the build failed; fix these and save to continue";
    overlay.appendChild(title);
    var list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;margin:0";
    list.textContent = errors.join("\n");
    overlay.appendChild(list);
  }

  function connect() {
    var source = new EventSource(events + "?since=" + build);
    source.addEventListener("state", function (event) {
      var state = JSON.parse(event.data);
      document.documentElement.setAttribute("data-blogsmith-live", "connected");
      if (state.errors.length) {
        hadErrors = true;
        showErrors(state.errors);
        return;
      }
      if (state.build > build && (hadErrors || affected(state.changed))) {
        source.close();
        location.reload();
        return;
      }
      if (overlay) {
        overlay.remove();
        overlay = null;
      }
      build = Math.max(build, state.build);
    });
    source.onerror = function () {
      source.close();
      setTimeout(connect, 1000);
    };
  }
  connect();
})();
