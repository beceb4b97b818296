import { useCallback, useEffect, useState } from "react";

import { parseRoute, routeHref, type Route } from "./routes";

export const useRoute = () => {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  const navigate = useCallback((next: Partial<Route> & { page: Route["page"] }) => {
    window.location.hash = routeHref(next);
  }, []);
  return { route, navigate };
};
