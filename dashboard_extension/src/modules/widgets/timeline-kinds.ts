/** What a timeline entry is about, as a short label beside its sentence (the sentence comes from the API). */
const GROUPS: Record<string, string> = {
  order: "Order",
  checkout: "Checkout",
  account: "Account",
  customer: "Account",
  mail: "Mail",
  automation: "Automation",
  consent: "Consent",
  support: "Service",
  survey: "Survey",
  product: "Product",
};

export const timelineLabel = (kind: string): string => GROUPS[kind.split(".")[0]] ?? "Event";

/** Raw events keep their stored kind ("order.fully_paid"), shown as it is so it can be looked up. */
export const rawKind = (kind: string): string => kind;
