import { Box, Text } from "@saleor/macaw-ui";
import { type ReactNode, useEffect, useRef } from "react";

import { reportHeight } from "../bridge/bridge";
import { EmptyState } from "../ui/page-states";

/** A widget's body; tells the Dashboard its height whenever it changes. */
export const WidgetFrame = ({ title, children, testId }: { title: string; children: ReactNode; testId: string }) => {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => reportHeight(element.getBoundingClientRect().height));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return (
    <Box ref={ref} as="main" aria-label={title} display="flex" flexDirection="column" gap={3} padding={3}
      backgroundColor="default1" data-testid={testId}>
      <Text as="h1" size={5} fontWeight="bold" className="visually-hidden">
        {title}
      </Text>
      {children}
    </Box>
  );
};

export const MissingEntity = ({ what }: { what: string }) => (
  <EmptyState title={`No ${what} given`}>The Dashboard adds the {what} to this widget's address; open it from a {what}'s page.</EmptyState>
);
