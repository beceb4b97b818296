import { Chip, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

import { formatPercent, humanize, riskLevel } from "../format/format";

export type ChipTone = "critical" | "warning" | "success" | "neutral";

const TONE_BORDERS = {
  critical: "critical1",
  warning: "warning1",
  success: "success1",
  neutral: "default1",
} as const;

/**
 * A chip whose tone is its border: macaw-ui's coloured chip backgrounds keep their light colours in the dark
 * theme under light text (contrast as low as 1.1:1), so the text stays on the page's own background.
 */
export const ToneChip = ({ tone, title, children }: { tone: ChipTone; title?: string; children: ReactNode }) => (
  <Chip size="medium" backgroundColor="default1" borderStyle="solid" borderWidth={1} borderColor={TONE_BORDERS[tone]}>
    <Text size={2} title={title}>
      {children}
    </Text>
  </Chip>
);

export const RfmChip = ({ group }: { group: string | null | undefined }) =>
  group ? (
    <ToneChip tone="neutral">{humanize(group)}</ToneChip>
  ) : (
    <Text size={2} color="default2">
      Not scored
    </Text>
  );

const RISK_TONES = {
  high: "critical",
  medium: "warning",
  low: "success",
  unknown: "neutral",
} as const;

export const ChurnRiskChip = ({ risk, locale }: { risk: number | null | undefined; locale: string }) => {
  const level = riskLevel(risk);
  return (
    <ToneChip tone={RISK_TONES[level]}>
      {level === "unknown" ? "Unknown" : `${humanize(level)} · ${formatPercent(risk, locale, 0)}`}
    </ToneChip>
  );
};
