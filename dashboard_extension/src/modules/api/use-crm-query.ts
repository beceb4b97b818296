import { useCallback, useEffect, useRef, useState } from "react";

import { useBridge } from "../bridge/bridge-provider";

export type QueryState<T> = {
  data?: T;
  error?: unknown;
  loading: boolean;
  refetch: () => void;
};

/**
 * Runs a CRM query once the Dashboard has handed over a token, and again when
 * the variables change. `skip` holds it back (e.g. until a form is complete).
 */
export const useCrmQuery = <TData, TVariables extends object>(
  document: string,
  variables: TVariables,
  options: { skip?: boolean } = {},
): QueryState<TData> => {
  const { state, client } = useBridge();
  const [result, setResult] = useState<{ data?: TData; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables);
  const ready = Boolean(state.token) && !options.skip;

  useEffect(() => {
    if (!ready) return;
    const controller = new AbortController();
    setResult((previous) => ({ data: previous.data, loading: true }));
    client
      .request<TData, TVariables>(document, JSON.parse(key) as TVariables, controller.signal)
      .then((data) => setResult({ data, loading: false }))
      .catch((error: unknown) => {
        if ((error as Error)?.name !== "AbortError") setResult({ error, loading: false });
      });
    return () => controller.abort();
  }, [client, document, key, ready, generation]);

  const refetch = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...result, loading: result.loading && !options.skip, refetch };
};

/** A mutation runner: `run(variables)` resolves to the data, `pending` while it runs. */
export const useCrmMutation = <TData, TVariables extends object>(document: string) => {
  const { client } = useBridge();
  const [pending, setPending] = useState(false);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(
    async (variables: TVariables) => {
      setPending(true);
      try {
        return await client.request<TData, TVariables>(document, variables);
      } finally {
        if (mounted.current) setPending(false);
      }
    },
    [client, document],
  );
  return { run, pending };
};
