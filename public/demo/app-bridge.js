/* Demo-only App Bridge 4 stand-in (the CDN script can't load offline). docs/decisions/030-admin.md */
(() => {
  if (window.shopify) return;
  const d = document, q = new URLSearchParams(location.search), rf = fetch.bind(window);
  const css = new CSSStyleSheet();
  css.replaceSync(`ui-modal{display:none}
.ab{font:13px/1.4 var(--p-font-family-sans,system-ui,sans-serif);color:#303030}
.ab button,.ab a{font:inherit;font-weight:600;border-radius:8px;padding:6px 12px;border:0;cursor:pointer;text-decoration:none;background:#fff;color:#303030;box-shadow:inset 0 -1px #b5b5b5,inset 0 0 0 1px #e3e3e3}
.ab .p{background:#303030;color:#fff}.ab .c{background:#c70a24;color:#fff}
.ab button:disabled{opacity:.5}.ab :focus-visible{outline:2px solid #005bd3}
.nav,.sb,.ts>*{display:flex;gap:6px;align-items:center;background:#1a1a1a;color:#fff;padding:8px 16px}
.nav{overflow-x:auto}.nav a{background:none;box-shadow:none;color:#e3e3e3;white-space:nowrap}.nav a:first-child{color:#fff;font-size:14px;margin-right:12px}
.nav a[aria-current]{background:#4a4a4a;color:#fff}
.tb{display:flex;gap:8px;align-items:center;margin-bottom:16px}.tb h1{font-size:20px;margin:0;flex:1}
.sb{position:fixed;z-index:600;inset:0 0 auto;padding:10px 16px}.sb span{flex:1;font-size:14px;font-weight:600}.sb button{background:#4a4a4a;color:#fff;box-shadow:none}.sb .p{background:#fff;color:#303030}
.f{background:#8e1f0b}
.ts{position:fixed;z-index:700;bottom:24px;left:50%;transform:translateX(-50%);display:grid;gap:8px}
.ts>*{padding:12px 16px;border-radius:10px;font-weight:600}.ts>.e{background:#c70a24}
.bk{position:fixed;z-index:500;inset:0;background:#0008;display:grid;place-items:center}
.dl{background:#fff;border-radius:12px;width:min(620px,92vw);max-height:90vh;overflow:auto}
.dl.small{width:min(380px,92vw)}
.dl>header,.dl>footer{display:flex;gap:8px;align-items:center;padding:12px 16px;background:#f3f3f3}
.dl h2{flex:1;font-size:14px;margin:0}.dl>footer{justify-content:flex-end}.dl>[hidden]{display:none}
.ld{position:fixed;z-index:800;top:0;height:3px;width:60%;background:#005bd3}`);
  d.adoptedStyleSheets = [...d.adoptedStyleSheets, css];

  const h = (tag, attrs, ...kids) => {
    const e = d.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v != null && v !== false) k[0] == "o" && k[1] == "n" ? e.addEventListener(k.slice(2), v) : e.setAttribute(k, v);
    e.append(...kids.filter((k) => k != null));
    return e;
  };
  const txt = (el) => el.textContent.trim();
  const is = (el, a, v) => el.getAttribute(a) === v;
  // Clicking the visible copy clicks the light-DOM original, so React's onClick runs.
  const proxy = (o, label, cls = "") =>
    h("button", { type: "button", class: cls + (is(o, "variant", "primary") ? " p" : "") + (is(o, "tone", "critical") ? " c" : ""), disabled: o.disabled || o.hasAttribute("loading") || null, onclick: () => o.click() }, txt(o) || label);
  const shadow = (el) => { const r = el.shadowRoot || el.attachShadow({ mode: "open" }); r.adoptedStyleSheets = [css]; return r; };

  const exp = (t) => { try { return JSON.parse(atob(t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).exp * 1e3; } catch { return 0; } };
  let token = q.get("id_token"), pending;
  const idToken = async (force) => {
    if (!force && token && exp(token) - Date.now() > 1e4) return token;
    return (pending ??= rf("/demo/session-token").then((r) => r.json()).then((j) => (token = j.token)).finally(() => (pending = null)));
  };
  window.fetch = async (input, init = {}) => {
    const url = new URL(input.url ?? input, location.href);
    if (url.origin !== location.origin || url.pathname == "/demo/session-token") return rf(input, init);
    const send = async (force) => {
      const headers = new Headers(init.headers ?? input.headers);
      headers.set("Authorization", `Bearer ${await idToken(force)}`);
      return rf(input, { ...init, headers });
    };
    const res = await send();
    return res.status == 401 && res.headers.get("X-Shopify-Retry-Invalid-Session-Request") == "1" ? send(true) : res;
  };

  let toasts, n = 0, bar;
  const toast = {
    show(message, o = {}) {
      const id = `toast-${++n}`;
      toasts ??= d.body.appendChild(h("div", { class: "ab ts", role: "status" }));
      setTimeout(() => toasts.append(h("div", { id, class: o.isError ? "e" : "" }, message)), 20);
      setTimeout(() => toast.hide(id), o.duration ?? 5e3);
      return id;
    },
    hide: (id) => d.getElementById(id)?.remove(),
  };
  const bars = () => [...d.querySelectorAll("ui-save-bar")].filter((b) => b.showing);
  const byId = (verb) => async (id) => d.getElementById(id)?.[verb]();
  window.shopify = {
    config: { apiKey: d.currentScript?.dataset.apiKey, shop: q.get("shop"), host: q.get("host"), locale: q.get("locale") },
    origin: location.origin,
    ready: Promise.resolve(),
    environment: { embedded: true, mobile: false, pos: false },
    idToken: () => idToken(),
    toast,
    saveBar: { show: byId("show"), hide: byId("hide"), toggle: byId("toggle"), leaveConfirmation: async () => bars().forEach((b) => b.flash()) },
    modal: { show: byId("show"), hide: byId("hide"), toggle: byId("toggle") },
    loading(on = true) {
      if (on) bar ??= d.body.appendChild(h("div", { class: "ld", role: "progressbar", "aria-label": "Loading" }));
      else bar = bar?.remove();
    },
  };

  class Base extends HTMLElement {
    connectedCallback() { this.render(); this.mo ??= new MutationObserver(() => this.render()); this.mo.observe(this, { childList: true, subtree: true, attributes: true, characterData: true }); }
    async toggle() { return this.showing ? this.hide() : this.show(); }
    emit(type) { this.dispatchEvent(new Event(type)); }
  }

  // rel="home" is the app name; links raise shopify:navigate, which AppProvider turns into a Remix navigation.
  class NavMenu extends Base {
    render() {
      const here = location.pathname.replace(/\/$/, ""), links = [...this.querySelectorAll("a")];
      const home = links.find((a) => a.rel == "home");
      const link = (a, label) => {
        const href = a.getAttribute("href") ?? "";
        const current = href == here || (a != home && here.startsWith(`${href}/`));
        return h("a", { href, "aria-current": current ? "page" : null, onclick(e) {
          e.preventDefault();
          if (bars().length) return bars().forEach((b) => b.flash());
          a.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
        } }, label ?? txt(a));
      };
      shadow(this).replaceChildren(h("nav", { class: "ab nav", "aria-label": "Intentful" }, home ? link(home, "Intentful") : null, ...links.filter((a) => a != home).map((a) => link(a))));
    }
  }
  const navs = () => d.querySelectorAll("ui-nav-menu").forEach((m) => m.render());
  for (const m of ["pushState", "replaceState"]) {
    const orig = history[m];
    history[m] = function (...a) { const r = orig.apply(this, a); setTimeout(navs); return r; };
  }
  addEventListener("popstate", () => setTimeout(navs));

  class TitleBar extends Base {
    static observedAttributes = ["title"];
    attributeChangedCallback() { if (this.isConnected) this.render(); }
    render() {
      const parent = this.parentElement;
      if (parent?.localName == "ui-modal") return parent.render?.();
      const kids = [...this.children].flatMap((c) => (c.localName == "section" ? [...c.children] : [c]));
      const crumb = kids.find((c) => is(c, "variant", "breadcrumb"));
      const actions = kids.filter((c) => c != crumb).sort((a, b) => is(a, "variant", "primary") - is(b, "variant", "primary"));
      shadow(this).replaceChildren(h("div", { class: "ab tb" }, crumb ? proxy(crumb, "Back") : null, h("h1", {}, this.getAttribute("title") || d.title), ...actions.map((b) => proxy(b, "Action"))));
      if (crumb) this.shadowRoot.querySelector("button").prepend("← ");
    }
  }

  class SaveBar extends Base {
    get showing() { return !!this.on; }
    async show() { if (!this.on) { this.on = true; this.render(); this.emit("show"); } }
    async hide() { if (this.on) { this.on = false; this.render(); this.emit("hide"); } }
    disconnectedCallback() { this.on = false; }
    flash() { const b = this.shadowRoot.firstChild; b?.classList.add("f"); setTimeout(() => b?.classList.remove("f"), 600); }
    render() {
      const buttons = [...this.querySelectorAll("button")], save = buttons.find((b) => is(b, "variant", "primary")), discard = buttons.find((b) => b != save);
      shadow(this).replaceChildren(...(this.on ? [h("div", { class: "ab sb", role: "region", "aria-label": "Contextual save bar" }, h("span", {}, "Unsaved changes"), discard && proxy(discard, "Discard"), save && proxy(save, "Save"))] : []));
    }
  }

  // App Bridge React portals the children into `content`.
  class Modal extends Base {
    content = d.createElement("div");
    get showing() { return !!this.box; }
    get variant() { return this.getAttribute("variant") || "base"; }
    set variant(v) { this.setAttribute("variant", v); }
    render() {
      if (!this.box) return;
      const tb = this.querySelector("ui-title-bar"), buttons = tb ? [...tb.querySelectorAll("button")].reverse() : [];
      this.head.replaceChildren(h("h2", { id: `${this.id}-title` }, tb?.getAttribute("title") ?? ""), h("button", { type: "button", "aria-label": "Close", onclick: () => this.hide() }, "✕"));
      this.foot.replaceChildren(...buttons.map((b) => proxy(b, "OK")));
      this.foot.hidden = !buttons.length;
    }
    async show() {
      if (this.box) return;
      this.back = d.activeElement;
      this.head = h("header", {});
      this.foot = h("footer", {});
      const dialog = h("div", { class: `ab dl ${this.variant}`, role: "dialog", "aria-modal": "true", "aria-labelledby": `${this.id}-title`, tabindex: "-1" }, this.head, this.content, this.foot);
      this.box = d.body.appendChild(h("div", { class: "bk", onclick: (e) => e.target == this.box && this.hide(), onkeydown: (e) => e.key == "Escape" && this.hide() }, dialog));
      this.render();
      dialog.focus();
      this.emit("show");
    }
    async hide() {
      if (!this.box) return;
      this.box = this.box.remove();
      this.back?.focus?.();
      this.emit("hide");
    }
    disconnectedCallback() { this.hide(); }
  }

  for (const [name, c] of [["ui-nav-menu", NavMenu], ["ui-title-bar", TitleBar], ["ui-save-bar", SaveBar], ["ui-modal", Modal]]) customElements.get(name) || customElements.define(name, c);
})();
