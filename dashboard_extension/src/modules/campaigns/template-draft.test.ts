import { describe, expect, it } from "vitest";

import { draftFromTemplate, emptyDraft, parseAddresses, previewHint, toTemplateInput } from "./template-draft";

describe("template drafts", () => {
  it("start as MJML with a greeting", () => {
    const draft = emptyDraft();
    expect(draft.id).toBeNull();
    expect(draft.bodyFormat).toBe("MJML");
    expect(draft.body).toContain("{{ customer.first_name }}");
  });

  it("become the API input, the name trimmed", () => {
    const draft = draftFromTemplate({
      id: "VDox",
      name: "  Welcome ",
      subject: "Hi {{ customer.first_name }}",
      preheader: "",
      bodyFormat: "HTML",
      body: "<p>Hi</p>",
      text: "Hi",
    });
    expect(toTemplateInput(draft)).toEqual({
      name: "Welcome",
      subject: "Hi {{ customer.first_name }}",
      preheader: "",
      bodyFormat: "HTML",
      body: "<p>Hi</p>",
      text: "Hi",
    });
  });

  it("parse test-send addresses", () => {
    expect(parseAddresses("a@shop.test, b@shop.test\nA@shop.test a@shop.test;")).toEqual([
      "a@shop.test",
      "b@shop.test",
      "A@shop.test",
    ]);
    expect(parseAddresses("  ")).toEqual([]);
  });
});

describe("previewHint", () => {
  it("asks for what the preview needs, and nothing once it is there", () => {
    expect(previewHint(emptyDraft())).toBe("Enter a subject to preview.");
    expect(previewHint({ subject: " ", body: "" })).toBe("Enter a subject and a body to preview.");
    expect(previewHint({ subject: "Hi", body: "" })).toBe("Enter a body to preview.");
    expect(previewHint({ subject: "Hi", body: "<mjml></mjml>" })).toBeNull();
  });
});
