/** The app page's own routes live in the URL hash: the Dashboard owns the path. */

export const PAGES = ["overview", "customers", "segments", "campaigns", "templates", "automations", "service", "recommendations", "settings"] as const;
export type PageName = (typeof PAGES)[number];

export const PAGE_TITLES: Record<PageName, string> = {
  overview: "Overview",
  customers: "Customers",
  segments: "Segments",
  campaigns: "Campaigns",
  templates: "Email templates",
  automations: "Automations",
  service: "Service",
  recommendations: "Recommendations",
  settings: "Settings",
};

export type Route = { page: PageName; id?: string; params: Record<string, string> };

export const parseRoute = (hash: string): Route => {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?", 2);
  const [page, id] = path.split("/").filter(Boolean);
  const params = Object.fromEntries(new URLSearchParams(query));
  if (!PAGES.includes(page as PageName)) return { page: "overview", params: {} };
  return { page: page as PageName, id: id ? decodeURIComponent(id) : undefined, params };
};

export const routeHref = (route: Partial<Route> & { page: PageName }): string => {
  const path = route.id ? `${route.page}/${encodeURIComponent(route.id)}` : route.page;
  const entries = Object.entries(route.params ?? {}).filter(([, value]) => value !== "" && value != null);
  const query = entries.length ? `?${new URLSearchParams(entries).toString()}` : "";
  return `#/${path}${query}`;
};
