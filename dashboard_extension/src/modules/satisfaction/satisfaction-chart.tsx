import { useTheme } from "@saleor/macaw-ui";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** CSAT (left axis, 1–5) and NPS (right axis, −100 to 100) per month; the same figures are in the table below. */
const SatisfactionChart = ({ points }: { points: { label: string; csat: number | null; nps: number | null }[] }) => {
  const { themeValues } = useTheme();
  const colors = themeValues.colors;
  const tick = { fill: colors.text.default2, fontSize: 11 };
  return (
    <div style={{ width: "100%", height: 240 }} aria-hidden="true">
      <ResponsiveContainer>
        <LineChart data={points} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid stroke={colors.border.default1} vertical={false} />
          <XAxis dataKey="label" tick={tick} />
          <YAxis yAxisId="csat" domain={[1, 5]} ticks={[1, 2, 3, 4, 5]} tick={tick} />
          <YAxis yAxisId="nps" orientation="right" domain={[-100, 100]} ticks={[-100, -50, 0, 50, 100]} tick={tick} />
          <Tooltip
            contentStyle={{ background: colors.background.default1, borderColor: colors.border.default1 }}
            labelStyle={{ color: colors.text.default1 }}
          />
          <Legend wrapperStyle={{ color: colors.text.default1, fontSize: 12 }} />
          <Line yAxisId="csat" dataKey="csat" name="CSAT" stroke={colors.background.accent1} strokeWidth={2}
            connectNulls isAnimationActive={false} />
          <Line yAxisId="nps" dataKey="nps" name="NPS" stroke={colors.text.default2} strokeWidth={2} strokeDasharray="5 3"
            connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
};

export default SatisfactionChart;
