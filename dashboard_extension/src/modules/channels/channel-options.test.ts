import { describe, expect, it } from "vitest";

import { channelOptions, defaultChannel, pickableChannels, type ShopChannel } from "./channel-options";

const channel = (slug: string, name = slug, isDefault = false, currencyCode: string | null = null): ShopChannel =>
  ({ slug, name, isDefault, currencyCode });
const SHOP = [channel("channel-pln", "Channel-PLN", false, "PLN"), channel("default-channel", "Default Channel", true, "USD")];

describe("defaultChannel", () => {
  it("starts on the shop's default channel", () => {
    expect(defaultChannel(SHOP)).toBe("default-channel");
  });

  it("starts on the shop's default among a product's channels when it is one of them", () => {
    expect(defaultChannel(SHOP, ["channel-pln", "default-channel"])).toBe("default-channel");
  });

  it("starts on the first pickable channel when the default is not among them", () => {
    expect(defaultChannel(SHOP, ["channel-pln"])).toBe("channel-pln");
    expect(defaultChannel([channel("b"), channel("a")])).toBe("b");
  });

  it("has nothing to start on without channels", () => {
    expect(defaultChannel([])).toBe("");
    expect(defaultChannel(SHOP, [])).toBe("");
  });
});

describe("pickableChannels", () => {
  it("keeps the shop's order and names a slug the shop no longer lists by its slug", () => {
    expect(pickableChannels(SHOP, ["default-channel", "gone", "channel-pln", "gone"]).map((c) => [c.slug, c.name])).toEqual([
      ["channel-pln", "Channel-PLN"],
      ["default-channel", "Default Channel"],
      ["gone", "gone"],
    ]);
  });

  it("offers every channel of the shop without a restriction", () => {
    expect(pickableChannels(SHOP)).toBe(SHOP);
  });
});

describe("channelOptions", () => {
  it("labels each channel by the given words and keeps the slug as value", () => {
    expect(channelOptions(SHOP, (c) => `${c.name} (${c.slug})`)).toEqual([
      { value: "channel-pln", label: "Channel-PLN (channel-pln)" },
      { value: "default-channel", label: "Default Channel (default-channel)" },
    ]);
  });
});
