import { formatMoney, formatNumber } from "../format/format";
import { Cell, DataTable } from "../ui/layout";

export type AttributedRow = { currency: string; orders: number; revenue: { amount: number; currency: string } };

/** Orders and revenue credited to a mail (a campaign's or an automation step's), one row per currency. */
export const AttributedTable = ({ caption, rows, locale, rowTestId }: {
  caption: string;
  rows: AttributedRow[];
  locale: string;
  rowTestId?: (currency: string) => string;
}) => (
  <DataTable caption={caption} headers={["Currency", "Orders", "Revenue"]}>
    {rows.map((row) => (
      <tr key={row.currency} data-testid={rowTestId?.(row.currency)}>
        <Cell>{row.currency}</Cell>
        <Cell>{formatNumber(row.orders, locale)}</Cell>
        <Cell>{formatMoney(row.revenue.amount, row.revenue.currency, locale)}</Cell>
      </tr>
    ))}
  </DataTable>
);
