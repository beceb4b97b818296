import { describe, expect, it } from "vitest";

import { newIdempotencyKey, replyAttemptFor } from "./reply-attempt";

const keys = () => {
  let n = 0;
  return () => `key-${++n}`;
};

describe("replyAttemptFor", () => {
  it("gives a new reply a fresh key", () => {
    const fresh = keys();
    expect(replyAttemptFor(null, " Thanks! ", fresh)).toEqual({ key: "key-1", text: "Thanks!" });
  });

  it("reuses the failed attempt's key for a retry of the same text", () => {
    const fresh = keys();
    const first = replyAttemptFor(null, "Your parcel left today.", fresh);
    expect(replyAttemptFor(first, "Your parcel left today.  ", fresh)).toBe(first);
  });

  it("takes a fresh key once the text changed", () => {
    const fresh = keys();
    const first = replyAttemptFor(null, "Your parcel left today.", fresh);
    expect(replyAttemptFor(first, "Your parcel left yesterday.", fresh).key).toBe("key-2");
  });
});

describe("newIdempotencyKey", () => {
  it("is a v4 UUID, different each time, within the API's 64 characters", () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });

  it("makes one without crypto.randomUUID (a page outside a secure context)", () => {
    const original = crypto.randomUUID;
    Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
    try {
      expect(newIdempotencyKey()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      Object.defineProperty(crypto, "randomUUID", { value: original, configurable: true });
    }
  });
});
