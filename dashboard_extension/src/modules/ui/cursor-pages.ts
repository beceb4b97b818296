/**
 * Cursor pagination as a stack: the `after` cursors of the pages up to the current one (the first page's is
 * null), so "Previous" needs no cursor of its own. Shared by the paged lists (customers, service queue).
 */
export type CursorStack = (string | null)[];

export const firstPage = (): CursorStack => [null];

export const nextPage = (cursors: CursorStack, endCursor: string): CursorStack => [...cursors, endCursor];

/** The page before; the same stack on the first page. */
export const previousPage = (cursors: CursorStack): CursorStack => (cursors.length > 1 ? cursors.slice(0, -1) : cursors);

export const currentCursor = (cursors: CursorStack): string | null => cursors[cursors.length - 1];

export const pageNumberOf = (cursors: CursorStack): number => cursors.length;

export type PageAction = { type: "next"; endCursor: string } | { type: "previous" };

/** A paged list's state on the next or the previous page. */
export const turnPage = <S extends { cursors: CursorStack }>(state: S, action: PageAction): S =>
  action.type === "next"
    ? { ...state, cursors: nextPage(state.cursors, action.endCursor) }
    : state.cursors.length > 1
      ? { ...state, cursors: previousPage(state.cursors) }
      : state;

/** A change of filter or order: the list starts again at its first page. */
export const restart = <S extends { cursors: CursorStack }>(state: S, change: Partial<S>): S => ({
  ...state,
  ...change,
  cursors: firstPage(),
});
