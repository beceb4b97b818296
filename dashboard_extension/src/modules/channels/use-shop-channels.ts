import { useEffect, useState } from "react";

import type { ChannelsQuery } from "../../generated/graphql";
import type { CrmClient } from "../api/crm-client";
import { useBridge } from "../bridge/bridge-provider";
import type { ShopChannel } from "./channel-options";
import CHANNELS from "./channels.graphql?raw";

const FRESH_MS = 30_000; // the server reads the list at most every 30 s too
const requests = new WeakMap<CrmClient, { at: number; promise: Promise<ShopChannel[]> }>();

/** One request for every picker of a page (a rule builder has one per condition), reused for `FRESH_MS`. */
const loadChannels = (client: CrmClient): Promise<ShopChannel[]> => {
  const cached = requests.get(client);
  if (cached && Date.now() - cached.at < FRESH_MS) return cached.promise;
  const promise = client.request<ChannelsQuery>(CHANNELS).then((data) => data.crmChannels);
  promise.catch(() => requests.delete(client)); // a failure is asked again by the next picker
  requests.set(client, { at: Date.now(), promise });
  return promise;
};

/** The shop's channels (name, slug, currency, which is the default) once the Dashboard handed over a token. */
export const useShopChannels = (): { channels?: ShopChannel[]; error?: unknown } => {
  const { state, client } = useBridge();
  const [result, setResult] = useState<{ channels?: ShopChannel[]; error?: unknown }>({});
  useEffect(() => {
    if (!state.token) return;
    let current = true;
    loadChannels(client).then(
      (channels) => current && setResult({ channels }),
      (error: unknown) => current && setResult({ error }),
    );
    return () => {
      current = false;
    };
  }, [client, state.token]);
  return result;
};
