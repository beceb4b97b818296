import { Box, Button, Text } from "@saleor/macaw-ui";
import { lazy, Suspense } from "react";

import { useBridge } from "../bridge/bridge-provider";
import { LoadingState } from "../ui/page-states";
import { PAGE_TITLES, PAGES, type PageName } from "./routes";
import { useRoute } from "./use-route";

// Each page is its own chunk: the shell loads first, charts only with the overview.
const OverviewPage = lazy(() => import("../overview/overview-page"));
const CustomersPage = lazy(() => import("../customers/customers-page"));
const SegmentsPage = lazy(() => import("../segments/segments-page"));
const CampaignsPage = lazy(() => import("../campaigns/campaigns-page"));
const TemplatesPage = lazy(() => import("../campaigns/templates-page"));
const AutomationsPage = lazy(() => import("../automations/automations-page"));
const ServicePage = lazy(() => import("../service/service-page"));
const RecommendationsPage = lazy(() => import("../recommendations/recommendations-page"));
const SettingsPage = lazy(() => import("../settings/settings-page"));

const PageContent = ({ page }: { page: PageName }) => {
  switch (page) {
    case "overview":
      return <OverviewPage />;
    case "customers":
      return <CustomersPage />;
    case "segments":
      return <SegmentsPage />;
    case "campaigns":
      return <CampaignsPage />;
    case "templates":
      return <TemplatesPage />;
    case "automations":
      return <AutomationsPage />;
    case "service":
      return <ServicePage />;
    case "recommendations":
      return <RecommendationsPage />;
    case "settings":
      return <SettingsPage />;
  }
};

/** The CRM app page: navigation between the CRM's pages, the chosen page below. */
export const AppShell = () => {
  const { route, navigate } = useRoute();
  const { state } = useBridge();

  return (
    <Box display="flex" flexDirection="column" gap={4} padding={6} backgroundColor="default1" __minHeight="100vh">
      <Box display="flex" justifyContent="space-between" alignItems="center" flexWrap="wrap" gap={2}>
        <Text as="h1" size={8} fontWeight="bold">
          CRM
        </Text>
        {!state.ready && (
          <Text size={2} color="default2" role="status">
            Connecting to the Dashboard…
          </Text>
        )}
      </Box>
      <Box as="nav" aria-label="CRM pages" display="flex" gap={2} flexWrap="wrap">
        {PAGES.map((page) => (
          <Button
            key={page}
            variant={route.page === page ? "primary" : "secondary"}
            aria-current={route.page === page ? "page" : undefined}
            onClick={() => navigate({ page })}
            data-testid={`nav-${page}`}
          >
            {PAGE_TITLES[page]}
          </Button>
        ))}
      </Box>
      <Box as="main" aria-label={PAGE_TITLES[route.page]}>
        <Suspense fallback={<LoadingState label={`Loading ${PAGE_TITLES[route.page].toLowerCase()}…`} />}>
          <PageContent page={route.page} />
        </Suspense>
      </Box>
    </Box>
  );
};
