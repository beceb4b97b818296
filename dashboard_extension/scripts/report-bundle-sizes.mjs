// Prints each entry page's initial JavaScript (its module script and the chunks
// it preloads), gzipped, against the budget; exits non-zero over budget.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const OUT_DIR = fileURLToPath(new URL("../../saleor_crm_plugin/static/saleor_crm_plugin/dashboard/", import.meta.url));
// Widgets: 150 kB until react-intl (every string through it, ~14 kB gzipped with its message parser) came in.
const BUDGET_KB = { app: 300, "customer-widget": 165, "order-widget": 165, "product-widget": 165, "home-widget": 165 };

const initialScripts = (html) => {
  const urls = new Set();
  for (const match of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) urls.add(match[1]);
  for (const match of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) urls.add(match[1]);
  return [...urls];
};

let over = false;
console.log("entry             initial JS (gzip)   budget");
for (const [entry, budget] of Object.entries(BUDGET_KB)) {
  const html = readFileSync(join(OUT_DIR, `${entry}.html`), "utf8");
  const bytes = initialScripts(html).reduce(
    (sum, url) => sum + gzipSync(readFileSync(join(OUT_DIR, url))).length,
    0,
  );
  const kb = bytes / 1024;
  const ok = kb < budget;
  over ||= !ok;
  console.log(`${entry.padEnd(18)}${kb.toFixed(1).padStart(8)} kB${"".padEnd(10)}< ${budget} kB ${ok ? "ok" : "OVER"}`);
}
process.exit(over ? 1 : 0);
