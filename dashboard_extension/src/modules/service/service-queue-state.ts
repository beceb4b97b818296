/** The service queue's status filter, order and cursor pages, as plain state. */
import type {
  CrmServiceRequestSortField,
  CrmServiceRequestStatus,
  ServiceRequestsQueryVariables,
} from "../../generated/graphql";
import { currentCursor, type CursorStack, firstPage, type PageAction, pageNumberOf, restart, turnPage } from "../ui/cursor-pages";

export const PAGE_SIZE = 20;

export type QueueSort = "OLDEST" | "NEWEST" | "LAST_MESSAGE" | "CLV" | "REVENUE";

export const SORT_OPTIONS: { value: QueueSort; label: string }[] = [
  { value: "OLDEST", label: "Oldest first" },
  { value: "NEWEST", label: "Newest first" },
  { value: "LAST_MESSAGE", label: "Latest message" },
  { value: "CLV", label: "Customer's 12-month CLV" },
  { value: "REVENUE", label: "Customer's revenue" },
];

/** Customer value is kept per currency: sorting by it needs the currency whose figures count. */
export const VALUE_SORTS: ReadonlySet<QueueSort> = new Set(["CLV", "REVENUE"]);

const SORT_INPUT: Record<QueueSort, { field: CrmServiceRequestSortField; direction: "ASC" | "DESC" }> = {
  OLDEST: { field: "CREATED", direction: "ASC" },
  NEWEST: { field: "CREATED", direction: "DESC" },
  LAST_MESSAGE: { field: "LAST_MESSAGE", direction: "DESC" },
  CLV: { field: "CLV", direction: "DESC" },
  REVENUE: { field: "REVENUE", direction: "DESC" },
};

export type QueueState = {
  status: CrmServiceRequestStatus | null;
  sort: QueueSort;
  currency: string;
  /** Cursors of the pages before the current one; the last is the current page's `after`. */
  cursors: CursorStack;
};

export const initialQueueState = (): QueueState => ({
  status: "OPEN",
  sort: "OLDEST",
  currency: "USD",
  cursors: firstPage(),
});

export type QueueAction =
  | { type: "status"; status: CrmServiceRequestStatus | null }
  | { type: "sort"; sort: QueueSort }
  | { type: "currency"; currency: string }
  | PageAction;

/** Any change of filter or order starts again at the first page. */
export const queueReducer = (state: QueueState, action: QueueAction): QueueState => {
  switch (action.type) {
    case "status":
      return restart(state, { status: action.status });
    case "sort":
      return restart(state, { sort: action.sort });
    case "currency":
      return restart(state, { currency: action.currency.trim().toUpperCase() });
    default:
      return turnPage(state, action);
  }
};

export const queuePageNumber = (state: QueueState): number => pageNumberOf(state.cursors);

/** A value sort waits for a three-letter currency. */
export const queueReady = (state: QueueState): boolean => !VALUE_SORTS.has(state.sort) || /^[A-Z]{3}$/.test(state.currency);

export const toQueueVariables = (state: QueueState): ServiceRequestsQueryVariables => ({
  first: PAGE_SIZE,
  after: currentCursor(state.cursors),
  filter: state.status ? { status: state.status } : null,
  sortBy: VALUE_SORTS.has(state.sort) ? { ...SORT_INPUT[state.sort], currency: state.currency } : SORT_INPUT[state.sort],
});
