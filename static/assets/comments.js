// The comment form, reply links and votes of an article page, posting to the comment service
// in place. Without this script the same forms post as plain HTML forms (the service then
// shows a page to check the comment and send it).
(() => {
  "use strict";
  const form = document.getElementById("comment-form");
  if (!form) return;
  const service = form.dataset.service;
  const article = form.elements.article.value;
  const status = form.querySelector(".comment-status");
  const respond = document.getElementById("respond");
  const home = respond.parentNode;
  const homeNext = respond.nextSibling;
  const replying = form.querySelector(".replying");
  let issued = 0;

  async function answer(response) {
    let body = {};
    try { body = await response.json(); } catch (_) { /* not JSON: a proxy's error page */ }
    if (!response.ok) throw new Error(body.error || response.status + " " + response.statusText);
    return body;
  }

  async function token() {
    if (form.elements.token.value && Date.now() - issued < 3 * 3600e3) return;
    const url = service + "token?article=" + encodeURIComponent(article);
    const body = await answer(await fetch(url, { credentials: "include" }));
    form.elements.token.value = body.token;
    issued = Date.now();  // the token was made before its answer arrived
  }

  form.addEventListener("focusin", () => { token().catch(() => {}); }, { once: true });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector(".comment-submit");
    button.disabled = true;
    status.textContent = form.dataset.sending;
    try {
      await token();
      const wait = 3500 - (Date.now() - issued);  // the service refuses forms sent too fast
      if (wait > 0) await new Promise((done) => setTimeout(done, wait));
      const body = await answer(await fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "include",
        headers: { Accept: "application/json" },
      }));
      status.textContent = body.status === "approved" ? form.dataset.approved : form.dataset.pending;
      form.elements.body.value = "";
      form.elements.token.value = "";
      cancelReply(false);
    } catch (error) {
      status.textContent = form.dataset.failed.replace("{reason}", error.message);
    } finally {
      button.disabled = false;
    }
  });

  function cancelReply(focus) {
    form.elements.parent.value = "";
    replying.hidden = true;
    home.insertBefore(respond, homeNext);
    if (focus) form.elements.body.focus();
  }

  for (const link of document.querySelectorAll(".comment-reply")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      form.elements.parent.value = link.dataset.parent;
      replying.querySelector(".replying-to").textContent =
        form.dataset.replying.replace("{id}", link.dataset.parent);
      replying.hidden = false;
      link.closest(".comment-body").after(respond);
      form.elements.author.focus();
    });
  }
  replying.querySelector(".cancel-reply").addEventListener("click", () => cancelReply(true));

  function show(votes) {
    for (const count of document.querySelectorAll(".vote-count")) {
      const live = votes[count.dataset.comment];
      if (live !== undefined) count.textContent = live;
    }
  }

  for (const voteForm of document.querySelectorAll(".vote-form")) {
    voteForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = voteForm.querySelector("button");
      const data = new FormData(voteForm);
      data.set("comment", button.value);
      button.disabled = true;
      try {
        const body = await answer(await fetch(voteForm.action, {
          method: "POST", body: data, credentials: "include",
          headers: { Accept: "application/json" },
        }));
        show({ [button.value]: body.votes });
      } catch (_) {
        button.disabled = false;
      }
    });
  }

  // The counts baked in at the last build, refreshed once the thread is in view.
  const thread = document.getElementById("comments");
  if ("IntersectionObserver" in window && document.querySelector(".vote-count")) {
    const watcher = new IntersectionObserver(async (seen) => {
      if (!seen.some((entry) => entry.isIntersecting)) return;
      watcher.disconnect();
      try {
        const url = service + "votes?article=" + encodeURIComponent(article);
        show((await answer(await fetch(url, { credentials: "include" }))).votes);
      } catch (_) { /* the service is away: the baked counts stay */ }
    });
    watcher.observe(thread);
  }
})();
