/**
 * A reply is sent at most once per idempotency key (crmServiceRequestReply). A new reply gets a fresh key; a
 * retry of the same text after a failure (an error, no answer, a refused mail) reuses the failed attempt's
 * key, so a reply that did go out the first time is never sent twice.
 */

export type ReplyAttempt = { key: string; text: string };

/** A random key: crypto.randomUUID where the page is a secure context, else a v4 UUID from getRandomValues. */
export const newIdempotencyKey = (): string => {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** The attempt to send `text` with: the unfinished one when it is the same text (a retry), else a new one. */
export const replyAttemptFor = (
  unfinished: ReplyAttempt | null,
  text: string,
  freshKey: () => string = newIdempotencyKey,
): ReplyAttempt => {
  const body = text.trim();
  return unfinished && unfinished.text === body ? unfinished : { key: freshKey(), text: body };
};
