// The comment form, reply links and votes of an article page, posting to the comment service
// in place. From an origin not base_url's (the one the service answers), or when a
// request fails, they post as plain HTML forms, as without this script.
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
  const inPlace = new URL(form.dataset.site || "", location.href).origin === location.origin;
  let issued = 0;
  const QUOTED = 40;  // characters of the answered comment the prompt quotes (as the service's form)

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
      const answered = link.closest(".comment-body");
      const author = answered.querySelector(".comment-author").innerText.trim();
      const said = answered.querySelector(".comment-content").innerText.trim().replace(/\s+/g, " ");
      replying.querySelector(".replying-to").textContent =
        form.dataset.replying.replace("{author}", author);
      replying.querySelector(".replying-quote").textContent =
        [...said].length > QUOTED ? [...said].slice(0, QUOTED).join("") + "…" : said;
      replying.hidden = false;
      answered.after(respond);
      form.elements.author.focus();
    });
  }
  replying.querySelector(".cancel-reply").addEventListener("click", () => cancelReply(true));

  // What is left of comments.max_length, counted as the service counts (code points, a line
  // break one); read with the textarea (aria-describedby), never announced at every key.
  const length = document.getElementById("comment-length");
  const textarea = form.elements.body;
  function countLeft() {
    const left = textarea.maxLength - [...textarea.value].length;
    length.textContent = length.dataset.left.replace("{n}", Math.max(0, left));
    length.classList.toggle("near", left < 100);
  }
  textarea.addEventListener("input", countLeft);

  if (!inPlace) return;

  // A refusal said in JSON; any other failure (no answer, one hidden from scripts, a
  // proxy's page) posts the form plainly.
  async function answer(response) {
    const body = await response.json();
    if (!response.ok) throw Object.assign(new Error(body.error || response.status), { said: 1 });
    return body;
  }

  function plain(target, button) {  // answered by the service's pages
    button.disabled = false;
    target.plain = true;
    target.requestSubmit(button);
  }

  async function token() {
    if (form.elements.token.value && Date.now() - issued < 3 * 3600e3) return;
    const url = service + "token?article=" + encodeURIComponent(article);
    const body = await answer(await fetch(url, { credentials: "include" }));
    form.elements.token.value = body.token;
    issued = Date.now();  // made before its answer arrived
  }

  function send(target, data) {
    return fetch(target.action, {
      method: "POST", body: data, credentials: "include", headers: { Accept: "application/json" },
    }).then(answer);
  }

  form.addEventListener("focusin", () => { token().catch(() => {}); }, { once: true });
  form.addEventListener("submit", async (event) => {
    if (form.plain) return;
    event.preventDefault();
    const button = form.querySelector(".comment-submit");
    button.disabled = true;
    status.textContent = form.dataset.sending;
    try {
      await token();
      const wait = 3500 - (Date.now() - issued);  // the service refuses forms sent too fast
      if (wait > 0) await new Promise((done) => setTimeout(done, wait));
      const sent = await send(form, new FormData(form));
      status.textContent = form.dataset[sent.status === "approved" ? "approved" : "pending"];
      status.classList.remove("failed");
      if (sent.status !== "approved") {  // the reader may change or withdraw it until then
        const mine = document.createElement("a");
        mine.href = service + "mine/" + sent.id;
        mine.textContent = form.dataset.mine;
        status.append(" ", mine);
      }
      form.elements.body.value = "";
      form.elements.token.value = "";
      countLeft();
      cancelReply(false);
      // the form went back under the thread: the confirmation is brought to where the reader
      // looks, and focused, so that a screen reader says it too
      status.focus({ preventScroll: true });
      status.scrollIntoView({ block: "center" });
    } catch (error) {
      if (!error.said) return plain(form, button);
      status.textContent = form.dataset.failed.replace("{reason}", error.message);
      status.classList.add("failed");
    }
    button.disabled = false;
  });

  function show(votes) {
    for (const count of document.querySelectorAll(".vote-count")) {
      const live = votes[count.dataset.comment];
      if (live !== undefined) count.textContent = live;
    }
  }

  for (const voteForm of document.querySelectorAll(".vote-form")) {
    voteForm.addEventListener("submit", async (event) => {
      if (voteForm.plain) return;
      event.preventDefault();
      const button = voteForm.querySelector("button");
      const data = new FormData(voteForm);
      data.set("comment", button.value);
      button.disabled = true;
      try {
        show({ [button.value]: (await send(voteForm, data)).votes });
      } catch (error) {
        button.disabled = false;
        if (!error.said) plain(voteForm, button);
      }
    });
  }

  // The counts baked in at the last build, refreshed once the thread is in view.
  if ("IntersectionObserver" in window && document.querySelector(".vote-count")) {
    const watcher = new IntersectionObserver(async (seen) => {
      if (!seen.some((entry) => entry.isIntersecting)) return;
      watcher.disconnect();
      try {
        const url = service + "votes?article=" + encodeURIComponent(article);
        show((await answer(await fetch(url, { credentials: "include" }))).votes);
      } catch (_) { /* the service is away: the baked counts stay */ }
    });
    watcher.observe(document.getElementById("comments"));
  }
})();
