// The smallest extension that speaks the bridge the way @saleor/app-sdk's AppBridge does: it checks
// the origin of messages against document.referrer, asks for the handshake with notifyReady, then
// calls the CRM API next to its page with the token. Used to test the stand-in Dashboard itself.
const dashboardOrigin = document.referrer ? new URL(document.referrer).origin : null;
const status = document.getElementById("status");
const seen = { theme: null, locale: null, responses: [] };
let asked = false;

function dispatch(type, payload) {
  const actionId = crypto.randomUUID();
  window.parent.postMessage({ type, payload: { ...payload, actionId } }, "*");
  return actionId;
}

async function countCustomers(token) {
  const response = await fetch(new URL("../graphql/", location.href), {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "{ crmReport { customers } }" }),
  });
  const body = await response.json();
  if (body.errors) {
    return `refused: ${body.errors.map((e) => e.extensions && e.extensions.code).join(",")}`;
  }
  return `customers: ${body.data.crmReport.customers}`;
}

window.addEventListener("message", async ({ origin, data }) => {
  if (origin !== dashboardOrigin) {
    return;
  }
  if (data.type === "theme") {
    seen.theme = data.payload.theme;
    document.body.dataset.theme = data.payload.theme;
  } else if (data.type === "localeChanged") {
    seen.locale = data.payload.locale;
  } else if (data.type === "response") {
    seen.responses.push(data.payload);
  } else if (data.type === "handshake" && !asked) {
    asked = true;
    status.textContent = await countCustomers(data.payload.token);
    dispatch("notification", { status: "success", title: "CRM", text: status.textContent });
  }
});

window.stub = seen;
dispatch("notifyReady", {});
