/** A channel as the pickers show it (crmChannels). */
export type ShopChannel = { slug: string; name: string; currencyCode: string | null; isDefault: boolean };

export type ChannelOption = { value: string; label: string };

/**
 * The channels a picker offers, in the shop's order: all of the shop's, or only `only` (a product's or a
 * customer's channels; a slug the shop no longer lists is kept, named by its slug).
 */
export const pickableChannels = (channels: ShopChannel[], only?: string[] | null): ShopChannel[] => {
  if (!only) return channels;
  const wanted = new Set(only);
  const known = channels.filter((channel) => wanted.has(channel.slug));
  const knownSlugs = new Set(known.map((channel) => channel.slug));
  const unknown = only
    .filter((slug, index) => !knownSlugs.has(slug) && only.indexOf(slug) === index)
    .map((slug) => ({ slug, name: slug, currencyCode: null, isDefault: false }));
  return [...known, ...unknown];
};

/** What a picker starts on: the shop's default channel when it may be picked, else the first that may. */
export const defaultChannel = (channels: ShopChannel[], only?: string[] | null): string => {
  const pickable = pickableChannels(channels, only);
  return (pickable.find((channel) => channel.isDefault) ?? pickable[0])?.slug ?? "";
};

/** Name and slug, once: a channel the CRM knows no name for is named by its slug. */
export const channelOptions = (
  channels: ShopChannel[],
  label: (channel: ShopChannel) => string,
): ChannelOption[] => channels.map((channel) => ({ value: channel.slug, label: label(channel) }));
