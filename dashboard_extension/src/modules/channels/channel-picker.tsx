import { Box, Select, Skeleton, Text } from "@saleor/macaw-ui";
import { useEffect, useMemo, useRef } from "react";
import { type MessageDescriptor, useIntl } from "react-intl";

import { describeError } from "../api/crm-client";
import { TextInput } from "../ui/text-input";
import { channelOptions, defaultChannel, pickableChannels, type ShopChannel } from "./channel-options";
import { useShopChannels } from "./use-shop-channels";

const messages = {
  label: { id: "channels.picker.label", defaultMessage: "Channel" },
  option: { id: "channels.picker.option", defaultMessage: "{name} ({slug})" },
  optionWithCurrency: { id: "channels.picker.optionWithCurrency", defaultMessage: "{name} ({slug}, {currency})" },
  only: { id: "channels.picker.only", defaultMessage: "{label}: {channel}" },
  loading: { id: "channels.picker.loading", defaultMessage: "Loading the shop's channels…" },
  failed: { id: "channels.picker.failed", defaultMessage: "The shop's channels could not be loaded: {reason}" },
  none: {
    id: "channels.picker.none",
    defaultMessage: "No channel known yet (the CRM learns them from orders): type the channel's slug.",
  },
  typed: { id: "channels.picker.typed", defaultMessage: "{label} (slug)" },
} satisfies Record<string, MessageDescriptor>;

const SALEOR_DEFAULT_SLUG = "default-channel"; // Saleor's DEFAULT_CHANNEL_SLUG unless the shop set it

export type ChannelPickerProps = {
  value: string;
  onChange: (slug: string) => void;
  label?: string;
  /** Offer only these slugs (a product's, a customer's channels), in the shop's order. */
  only?: string[] | null;
  /** Offer "" (no channel: any) first, with this label; then the picker never picks a channel by itself. */
  anyLabel?: string;
  size?: "small" | "medium" | "large";
  width?: string;
  testId?: string;
};

/**
 * A channel field: the shop's channels by name and slug (crmChannels), starting on the shop's default channel
 * (or the first of `only` when the default is not among them). While `value` is empty it picks that default.
 */
export const ChannelPicker = ({ value, onChange, label, only, anyLabel, size = "small", width = "260px",
  testId = "channel-picker" }: ChannelPickerProps) => {
  const intl = useIntl();
  const { channels, error } = useShopChannels();
  const pickable = useMemo(() => (channels ? pickableChannels(channels, only) : undefined), [channels, only]);
  // A shop the CRM knows no channel of yet: Saleor's own default slug, typed over if need be.
  const typing = pickable !== undefined && pickable.length === 0 && anyLabel === undefined && !only;
  const typedOnce = useRef(false); // a typed field is filled in once: clearing it must not refill it
  const fallback = typing ? (value || typedOnce.current ? "" : SALEOR_DEFAULT_SLUG)
    : channels ? defaultChannel(channels, only) : "";
  const needsDefault = anyLabel === undefined && pickable !== undefined && fallback !== "" &&
    (typing || !pickable.some((channel) => channel.slug === value));
  useEffect(() => {
    if (!needsDefault) return;
    if (typing) typedOnce.current = true;
    onChange(fallback);
  }, [needsDefault, fallback, onChange, typing]);

  const shown = label ?? intl.formatMessage(messages.label);
  const describe = (channel: ShopChannel) =>
    channel.name === channel.slug
      ? channel.slug
      : intl.formatMessage(channel.currencyCode ? messages.optionWithCurrency : messages.option,
        { name: channel.name, slug: channel.slug, currency: channel.currencyCode });

  if (error) {
    return (
      <Text size={2} color="critical1" role="alert" data-testid={testId}>
        {intl.formatMessage(messages.failed, { reason: describeError(error) })}
      </Text>
    );
  }
  if (!pickable) {
    return (
      <Box __width={width} data-testid={testId} role="status" aria-label={intl.formatMessage(messages.loading)}>
        <Skeleton __height="36px" />
      </Box>
    );
  }
  if (typing) {
    return (
      <Box display="flex" flexDirection="column" gap={1} __width={width} data-testid={testId}>
        <TextInput label={intl.formatMessage(messages.typed, { label: shown })} size={size} value={value}
          onChange={(event) => onChange(event.target.value.trim())} aria-describedby={`${testId}-help`} />
        <Text size={2} color="default2" id={`${testId}-help`}>{intl.formatMessage(messages.none)}</Text>
      </Box>
    );
  }
  if (pickable.length === 0 && anyLabel === undefined) {
    return <Text size={2} color="default2" data-testid={testId}>{intl.formatMessage(messages.none)}</Text>;
  }
  const options = [...(anyLabel !== undefined ? [{ value: "", label: anyLabel }] : []), ...channelOptions(pickable, describe)];
  if (options.length === 1 && anyLabel === undefined) {
    return (
      <Text size={2} color="default2" data-testid={testId}>
        {intl.formatMessage(messages.only, { label: shown, channel: options[0].label })}
      </Text>
    );
  }
  return (
    <Box __width={width} data-testid={testId}>
      <Select label={shown} size={size} options={options}
        value={options.find((option) => option.value === value) ?? null}
        onChange={(option) => onChange(option.value)} />
    </Box>
  );
};
