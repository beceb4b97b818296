// Plays the Saleor Dashboard's side of @saleor/app-sdk's AppBridge for one extension frame.
//
// The Dashboard frames an extension at its URL with ?domain&saleorApiUrl&id&theme (and the
// mount's context, e.g. customerId); on the frame's load, and again on each notifyReady
// action, it posts a handshake event with the token. It then posts theme and localeChanged
// events, and answers every action ({type, payload: {actionId, ...}}) with a response event.
// The test drives it through window.dashboard and reads what the extension asked for.
//
// Configured by the harness URL's query: extension (the page's URL), token, theme, locale,
// target (APP_PAGE or WIDGET), saleorApiUrl, appId, context (JSON of the mount's params), hash
// (the app page's own route, which it keeps in the URL's fragment).
(function () {
  "use strict";

  const query = new URLSearchParams(location.search);
  const config = {
    extension: query.get("extension"),
    token: query.get("token") || "",
    theme: query.get("theme") === "dark" ? "dark" : "light",
    locale: query.get("locale") || "en",
    target: query.get("target") === "WIDGET" ? "WIDGET" : "APP_PAGE",
    saleorApiUrl: query.get("saleorApiUrl") || "",
    appId: query.get("appId") || "QXBwOjE=",
    context: JSON.parse(query.get("context") || "{}"),
    hash: query.get("hash") || "",
    versions: { core: "3.23.0", dashboard: "3.23.0" },
  };

  const state = {
    config,
    actions: [], // every action the extension dispatched, in order
    events: [], // every event posted to the extension, in order
    handshakes: 0,
    frameHeight: null,
  };

  const src = new URL(config.extension);
  const params = {
    domain: config.saleorApiUrl ? new URL(config.saleorApiUrl).host : "",
    saleorApiUrl: config.saleorApiUrl,
    id: config.appId,
    theme: config.theme,
    ...config.context,
  };
  for (const [name, value] of Object.entries(params)) {
    src.searchParams.set(name, value);
  }
  src.hash = config.hash;

  document.body.className = config.theme;
  const mount = document.getElementById("mount");
  mount.className = config.target === "WIDGET" ? "widget" : "app-page";
  const frame = document.createElement("iframe");
  frame.title = "CRM extension";
  // The Dashboard's sandbox for extension frames.
  frame.setAttribute("sandbox", "allow-same-origin allow-forms allow-scripts allow-downloads allow-popups");
  frame.src = src.href;

  function post(type, payload) {
    state.events.push({ type, payload });
    frame.contentWindow.postMessage({ type, payload }, src.origin);
  }

  function handshake() {
    state.handshakes += 1;
    post("handshake", {
      token: config.token,
      version: 1,
      saleorVersion: config.versions.core,
      dashboardVersion: config.versions.dashboard,
    });
  }

  function notify(payload) {
    const item = document.createElement("li");
    item.dataset.status = payload.status || "info";
    item.textContent = [payload.title, payload.text].filter(Boolean).join(": ");
    document.getElementById("notifications").append(item);
  }

  // What the Dashboard does with each action; every one is answered with {actionId, ok}.
  const handlers = {
    notifyReady() {
      handshake();
      return true;
    },
    notification(payload) {
      notify(payload);
      return true;
    },
    redirect(payload) {
      return typeof payload.to === "string" && payload.to.length > 0;
    },
    updateRouting(payload) {
      return typeof payload.newRoute === "string";
    },
    widgetResize(payload) {
      const ok = config.target === "WIDGET" && Number.isFinite(payload.height) && payload.height > 0;
      if (ok) {
        state.frameHeight = Math.ceil(payload.height);
        frame.style.height = `${state.frameHeight}px`;
      }
      return ok;
    },
  };

  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow || event.origin !== src.origin) {
      return;
    }
    const { type, payload } = event.data || {};
    if (typeof type !== "string" || typeof payload !== "object" || payload === null) {
      return;
    }
    state.actions.push({ type, payload });
    const handler = handlers[type];
    const ok = handler ? handler(payload) : false;
    if (payload.actionId) {
      post("response", { actionId: payload.actionId, ok: Boolean(ok) });
    }
  });

  frame.addEventListener("load", () => {
    state.loaded = true;
    handshake();
    post("theme", { theme: config.theme });
    post("localeChanged", { locale: config.locale });
  });

  window.dashboard = {
    state,
    setTheme(theme) {
      config.theme = theme;
      document.body.className = theme;
      post("theme", { theme });
    },
    setLocale(locale) {
      config.locale = locale;
      post("localeChanged", { locale });
    },
    refreshToken(token) {
      config.token = token;
      post("tokenRefresh", { token });
    },
    actionsOf(type) {
      return state.actions.filter((action) => action.type === type);
    },
  };

  mount.append(frame);
})();
