import { Box, Button, Skeleton, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

import { CrmApiError, describeError } from "../api/crm-client";

/** Placeholder rows while data loads; announced to screen readers. */
export const LoadingState = ({ label = "Loading…", rows = 3 }: { label?: string; rows?: number }) => (
  <Box display="flex" flexDirection="column" gap={2} role="status" aria-live="polite" aria-busy="true">
    <Text size={2} color="default2">
      {label}
    </Text>
    {Array.from({ length: rows }, (_, index) => (
      <Skeleton key={index} __height="20px" />
    ))}
  </Box>
);

export const ErrorState = ({ error, onRetry }: { error: unknown; onRetry?: () => void }) => {
  const refused = error instanceof CrmApiError && (error.kind === "permission" || error.kind === "unauthenticated");
  return (
    <Box
      role="alert"
      display="flex"
      flexDirection="column"
      gap={2}
      padding={4}
      borderRadius={4}
      borderStyle="solid"
      borderWidth={1}
      borderColor="critical1"
      // The page's own background: macaw-ui's critical1 background is near-white in the dark theme too, under
      // light text. The red border and title mark it as an error in both themes.
      backgroundColor="default1"
      data-testid="error-state"
    >
      <Text fontWeight="bold" color="critical1">
        {refused ? "Access refused" : "Something went wrong"}
      </Text>
      <Text size={3}>{describeError(error)}</Text>
      {onRetry && !refused && (
        <Box>
          <Button variant="secondary" size="small" onClick={onRetry}>
            Try again
          </Button>
        </Box>
      )}
    </Box>
  );
};

export const EmptyState = ({ title, children }: { title: string; children?: ReactNode }) => (
  <Box display="flex" flexDirection="column" gap={1} padding={4} data-testid="empty-state">
    <Text fontWeight="bold">{title}</Text>
    {children && (
      <Text size={3} color="default2">
        {children}
      </Text>
    )}
  </Box>
);

/** Renders loading, error or the content, so every view has all three. */
export const QueryView = <T,>({
  query,
  children,
  loadingLabel,
}: {
  query: { data?: T; error?: unknown; loading: boolean; refetch: () => void };
  children: (data: T) => ReactNode;
  loadingLabel?: string;
}) => {
  if (query.error) return <ErrorState error={query.error} onRetry={query.refetch} />;
  if (query.data === undefined) return <LoadingState label={loadingLabel} />;
  return <>{children(query.data)}</>;
};
