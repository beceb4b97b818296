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
