import { describe, expect, it } from "vitest";

import { describeAudienceOptions, readAudienceOptions } from "./audience-options";

describe("readAudienceOptions", () => {
  it("means no holdout and everyone by default", () => {
    expect(readAudienceOptions("", false, "")).toEqual({ options: { holdoutPercent: 0, audienceTopPercent: null }, errors: [] });
  });

  it("reads a holdout and the share most likely to respond", () => {
    expect(readAudienceOptions(" 10 ", true, "20").options).toEqual({ holdoutPercent: 10, audienceTopPercent: 20 });
  });

  it("ignores the share while the option is off", () => {
    expect(readAudienceOptions("5", false, "abc").options).toEqual({ holdoutPercent: 5, audienceTopPercent: null });
  });

  it("refuses what the API refuses, per field", () => {
    const result = readAudienceOptions("51", true, "0");
    expect(result.options).toBeNull();
    expect(result.errors.map((error) => error.field)).toEqual(["holdoutPercent", "audienceTopPercent"]);
    expect(result.errors[0].message).toContain("0 to 50%");
    expect(readAudienceOptions("2.5", false, "").errors[0].message).toContain("whole number");
    expect(readAudienceOptions("", true, "").errors[0].message).toBe("Enter the share to mail.");
  });
});

describe("describeAudienceOptions", () => {
  it("words the options, nothing when neither is set", () => {
    expect(describeAudienceOptions({ holdoutPercent: 0, audienceTopPercent: null })).toBe("");
    expect(describeAudienceOptions({ holdoutPercent: 10, audienceTopPercent: 20 }))
      .toBe("10% held out at random (not mailed, to measure the lift) · only the 20% most likely to respond");
  });
});
