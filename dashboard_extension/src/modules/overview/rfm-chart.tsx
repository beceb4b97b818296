import { useTheme } from "@saleor/macaw-ui";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { humanize } from "../format/format";
import type { RfmBar } from "./rfm";

/** Customers per RFM group as bars; the same figures are in the table next to it for screen readers. */
const RfmChart = ({ bars }: { bars: RfmBar[] }) => {
  const { themeValues } = useTheme();
  const colors = themeValues.colors;
  return (
    <div style={{ width: "100%", height: 280 }} aria-hidden="true">
      <ResponsiveContainer>
        <BarChart data={bars.map((bar) => ({ ...bar, label: humanize(bar.group) }))} margin={{ bottom: 60 }}>
          <CartesianGrid stroke={colors.border.default1} vertical={false} />
          <XAxis
            dataKey="label"
            angle={-35}
            textAnchor="end"
            interval={0}
            tick={{ fill: colors.text.default2, fontSize: 11 }}
          />
          <YAxis allowDecimals={false} tick={{ fill: colors.text.default2, fontSize: 11 }} />
          <Tooltip
            cursor={{ fill: colors.background.default2 }}
            contentStyle={{ background: colors.background.default1, borderColor: colors.border.default1 }}
            labelStyle={{ color: colors.text.default1 }}
          />
          <Bar dataKey="customers" name="Customers" fill={colors.background.accent1} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
};

export default RfmChart;
