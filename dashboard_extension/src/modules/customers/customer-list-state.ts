/** The customer list's filter, sort and cursor pagination, as plain state. */
import type { CrmCustomerSortField, CrmOrderDirection, CustomerListQueryVariables } from "../../generated/graphql";
import { currentCursor, type CursorStack, firstPage, type PageAction, pageNumberOf, restart, turnPage } from "../ui/cursor-pages";

export const PAGE_SIZE = 20;

export const SORT_OPTIONS: { value: CrmCustomerSortField; label: string }[] = [
  { value: "LAST_ORDER", label: "Last order" },
  { value: "ORDER_COUNT", label: "Number of orders" },
  { value: "FIRST_ORDER", label: "First order" },
  { value: "CREATED", label: "Created" },
  { value: "EMAIL", label: "Email" },
  { value: "CLV", label: "12-month CLV" },
  { value: "CHURN_RISK", label: "Churn risk" },
];

/** Scores are kept per currency: sorting by one needs the currency whose figures count. */
export const SCORE_SORTS: ReadonlySet<CrmCustomerSortField> = new Set(["CLV", "CHURN_RISK"]);

export type CustomerListState = {
  segment: string | null;
  search: string;
  sort: CrmCustomerSortField;
  direction: CrmOrderDirection;
  /** For a score sort (CLV, churn risk): the currency whose figures sort. */
  currency: string;
  /** Cursors of the pages before the current one; the last is the current page's `after`. */
  cursors: CursorStack;
};

export const initialListState = (segment: string | null = null): CustomerListState => ({
  segment,
  search: "",
  sort: "LAST_ORDER",
  direction: "DESC",
  currency: "USD",
  cursors: firstPage(),
});

export type ListAction =
  | { type: "segment"; segment: string | null }
  | { type: "search"; search: string }
  | { type: "sort"; sort: CrmCustomerSortField }
  | { type: "direction"; direction: CrmOrderDirection }
  | { type: "currency"; currency: string }
  | PageAction;

/** Any change of filter or order starts again at the first page. */
export const listReducer = (state: CustomerListState, action: ListAction): CustomerListState => {
  switch (action.type) {
    case "segment":
      return restart(state, { segment: action.segment });
    case "search":
      return restart(state, { search: action.search });
    case "sort":
      return restart(state, { sort: action.sort });
    case "direction":
      return restart(state, { direction: action.direction });
    case "currency":
      return restart(state, { currency: action.currency.trim().toUpperCase() });
    default:
      return turnPage(state, action);
  }
};

export const pageNumber = (state: CustomerListState): number => pageNumberOf(state.cursors);

export const toQueryVariables = (state: CustomerListState): CustomerListQueryVariables => {
  const search = state.search.trim();
  const filter = {
    ...(state.segment ? { segment: state.segment } : {}),
    ...(search ? { search } : {}),
  };
  return {
    first: PAGE_SIZE,
    after: currentCursor(state.cursors),
    filter: Object.keys(filter).length ? filter : null,
    sortBy: SCORE_SORTS.has(state.sort)
      ? { field: state.sort, direction: state.direction, currency: state.currency }
      : { field: state.sort, direction: state.direction },
  };
};
