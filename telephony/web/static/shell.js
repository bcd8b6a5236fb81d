// Hotline staff shell: draws the navigation (the consoles this user's role may use, from
// GET /api/me) and who is signed in, into the page's <header class="shell-header">.
// Load it before the page's own script; `window.shell.me` is a promise of /api/me (name,
// role, queues, csrf_token, consoles, home) that pages reuse instead of fetching it again.
"use strict";

(function () {
  async function fetchMe() {
    const res = await fetch("/api/me", { credentials: "same-origin" });
    if (res.status === 401) {
      location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
      throw new Error("not signed in");
    }
    if (!res.ok) throw new Error(`/api/me: ${res.status}`);
    return res.json();
  }

  function draw(me) {
    const nav = document.getElementById("shell-nav");
    if (nav) {
      const ul = document.createElement("ul");
      for (const c of me.consoles || []) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = c.path; a.textContent = c.label;
        const here = location.pathname === c.path || location.pathname.startsWith(c.path + "/");
        if (here) a.setAttribute("aria-current", "page");
        li.append(a); ul.append(li);
      }
      nav.replaceChildren(ul);
    }
    const who = document.getElementById("shell-user");
    if (who) {
      const account = document.createElement("a");
      account.href = "/account"; account.textContent = me.name;
      const role = document.createElement("span"); role.textContent = `(${me.role})`;
      const form = document.createElement("form");
      form.method = "post"; form.action = "/logout";
      const token = document.createElement("input");
      token.type = "hidden"; token.name = "csrf_token"; token.value = me.csrf_token || "";
      const out = document.createElement("button");
      out.type = "submit"; out.className = "secondary"; out.textContent = "Sign out";
      form.append(token, out);
      who.replaceChildren(account, role, form);
    }
  }

  const me = fetchMe();
  window.shell = { me };
  me.then(draw).catch(() => {});
})();
