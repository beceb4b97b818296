/** Saleor's global IDs, read in the browser (links to the Dashboard's own pages need the primary key). */

/** The integer primary key inside a Saleor global ID ("UHJvZHVjdDoxMg==" → 12), or null. */
export const saleorPk = (globalId: string, typeName: string): number | null => {
  try {
    const [kind, pk] = atob(globalId).split(":", 2);
    return kind === typeName && /^\d+$/.test(pk ?? "") ? Number(pk) : null;
  } catch {
    return null;
  }
};
