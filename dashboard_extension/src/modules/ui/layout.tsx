import { Box, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

export const Section = ({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) => (
  <Box
    as="section"
    aria-label={title}
    display="flex"
    flexDirection="column"
    gap={3}
    padding={4}
    borderRadius={4}
    borderStyle="solid"
    borderWidth={1}
    borderColor="default1"
    backgroundColor="default1"
  >
    <Box display="flex" justifyContent="space-between" alignItems="center" gap={2} flexWrap="wrap">
      <Text as="h2" size={5} fontWeight="bold">
        {title}
      </Text>
      {actions}
    </Box>
    {children}
  </Box>
);

export const Kpi = ({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) => (
  <Box display="flex" flexDirection="column" gap={1} padding={3} borderRadius={4} backgroundColor="default2">
    <Text size={2} color="default2">
      {label}
    </Text>
    <Text size={7} fontWeight="bold">
      {value}
    </Text>
    {hint && (
      <Text size={2} color="default2">
        {hint}
      </Text>
    )}
  </Box>
);

export const KpiGrid = ({ children }: { children: ReactNode }) => (
  <Box display="grid" gap={3} __gridTemplateColumns="repeat(auto-fit, minmax(160px, 1fr))">
    {children}
  </Box>
);

/** A plain table in macaw-ui's type scale; `headers` are column titles. */
export const DataTable = ({ caption, headers, children }: { caption: string; headers: string[]; children: ReactNode }) => (
  <Box overflowX="auto">
    <Box as="table" width="100%" __borderCollapse="collapse">
      <Box as="caption" className="visually-hidden">
        {caption}
      </Box>
      <thead>
        <tr>
          {headers.map((header) => (
            <Box
              as="th"
              key={header}
              textAlign="left"
              paddingY={2}
              paddingX={2}
              borderBottomStyle="solid"
              borderBottomWidth={1}
              borderColor="default1"
            >
              <Text size={2} color="default2" fontWeight="medium">
                {header}
              </Text>
            </Box>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </Box>
  </Box>
);

export const Cell = ({ children }: { children: ReactNode }) => (
  <Box as="td" paddingY={2} paddingX={2} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
    <Text size={3}>{children}</Text>
  </Box>
);
