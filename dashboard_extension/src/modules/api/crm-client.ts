/** A small GraphQL client for the CRM API: one POST per operation, errors turned into `CrmApiError`. */

export type CrmErrorKind =
  | "network" // no answer (offline, blocked, CORS)
  | "unauthenticated" // no token, or the API refused it
  | "permission" // the staff member lacks the permission
  | "http" // an unexpected HTTP status
  | "graphql" // the API answered with errors
  | "validation"; // a mutation's payload listed errors

export type CrmFieldError = { field: string | null; message: string; code: string };

export class CrmApiError extends Error {
  readonly kind: CrmErrorKind;
  readonly status?: number;
  readonly codes: string[];
  readonly fieldErrors: CrmFieldError[];

  constructor(
    kind: CrmErrorKind,
    message: string,
    options: { status?: number; codes?: string[]; fieldErrors?: CrmFieldError[] } = {},
  ) {
    super(message);
    this.name = "CrmApiError";
    this.kind = kind;
    this.status = options.status;
    this.codes = options.codes ?? [];
    this.fieldErrors = options.fieldErrors ?? [];
  }
}

type GraphQLErrorBody = { message?: string; extensions?: { code?: string } };
type GraphQLResponse<T> = { data?: T | null; errors?: GraphQLErrorBody[] };

// The API spells codes in lowercase in `errors[].extensions.code` and as UPPERCASE enum names in a mutation
// payload's `errors[].code`: both are compared in one case.
const UNAUTHENTICATED_CODES = new Set(["UNAUTHENTICATED", "INVALID_TOKEN", "TOKEN_EXPIRED"]);
const PERMISSION_CODES = new Set(["PERMISSION_DENIED"]);
const isUnauthenticated = (code: string) => UNAUTHENTICATED_CODES.has(code.toUpperCase());
const isPermission = (code: string) => PERMISSION_CODES.has(code.toUpperCase());

/** The error kind an HTTP status or a list of GraphQL error codes stands for. */
export const classifyError = (status: number, codes: string[]): CrmErrorKind => {
  if (status === 401 || codes.some(isUnauthenticated)) return "unauthenticated";
  if (status === 403 || codes.some(isPermission)) return "permission";
  if (codes.length > 0) return "graphql";
  return "http";
};

/** The CRM GraphQL endpoint next to the dashboard pages: `.../dashboard/<page>` → `.../graphql/`. */
export const crmEndpointFor = (pageUrl: string): string => new URL("../graphql/", pageUrl).toString();

export type CrmClientOptions = {
  endpoint: string;
  getToken: () => string | undefined;
  fetchImpl?: typeof fetch;
};

export type CrmClient = {
  request<TData, TVariables extends object = Record<string, never>>(
    document: string,
    variables?: TVariables,
    signal?: AbortSignal,
  ): Promise<TData>;
};

const parseBody = async <T>(response: Response): Promise<GraphQLResponse<T> | null> => {
  try {
    return (await response.json()) as GraphQLResponse<T>;
  } catch {
    return null; // not JSON (a proxy's error page): reported by status below
  }
};

export const createCrmClient = ({ endpoint, getToken, fetchImpl }: CrmClientOptions): CrmClient => ({
  async request<TData, TVariables extends object>(document: string, variables?: TVariables, signal?: AbortSignal) {
    const token = getToken();
    if (!token) {
      throw new CrmApiError("unauthenticated", "The Dashboard has not handed this page a token yet.");
    }
    const doFetch = fetchImpl ?? fetch;
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: document, variables: variables ?? {} }),
        signal,
      });
    } catch (error) {
      if ((error as Error)?.name === "AbortError") throw error;
      throw new CrmApiError("network", `The CRM API could not be reached: ${(error as Error)?.message ?? error}`);
    }
    const body = await parseBody<TData>(response);
    const errors = body?.errors ?? [];
    const codes = errors.map((error) => error.extensions?.code).filter((code): code is string => Boolean(code));
    if (!response.ok || errors.length > 0 || !body?.data) {
      const kind = classifyError(response.ok ? 200 : response.status, codes);
      const message =
        errors.map((error) => error.message).filter(Boolean).join("; ") ||
        `The CRM API answered ${response.status} ${response.statusText}`.trim();
      throw new CrmApiError(kind === "http" && response.ok ? "graphql" : kind, message, {
        status: response.status,
        codes,
      });
    }
    return body.data;
  },
});

/** Throws a `validation` error when a mutation payload lists errors; returns the payload otherwise. */
export const assertPayload = <T extends { errors: CrmFieldError[] }>(payload: T | null | undefined): T => {
  if (!payload) throw new CrmApiError("graphql", "The CRM API returned no result.");
  if (payload.errors.length > 0) {
    const codes = payload.errors.map((error) => error.code);
    const kind = codes.some(isPermission)
      ? "permission"
      : codes.some(isUnauthenticated)
        ? "unauthenticated"
        : "validation";
    throw new CrmApiError(kind, payload.errors.map((error) => error.message).join("; "), {
      codes,
      fieldErrors: payload.errors,
    });
  }
  return payload;
};

/** A sentence for people, by error kind. */
export const describeError = (error: unknown): string => {
  if (error instanceof CrmApiError) {
    switch (error.kind) {
      case "permission":
        return `You do not have permission to see this (${error.message}). Ask an administrator for the CRM permission.`;
      case "unauthenticated":
        return `The CRM did not accept your session: ${error.message}`;
      case "network":
        return error.message;
      default:
        return error.message;
    }
  }
  return error instanceof Error ? error.message : String(error);
};
