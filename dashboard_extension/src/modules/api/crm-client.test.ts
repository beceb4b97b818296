import { describe, expect, it, vi } from "vitest";

import { assertPayload, classifyError, createCrmClient, CrmApiError, crmEndpointFor, describeError } from "./crm-client";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const clientWith = (fetchImpl: typeof fetch, token: string | null = "tok") =>
  createCrmClient({ endpoint: "https://shop.test/graphql/", getToken: () => token ?? undefined, fetchImpl });

describe("crmEndpointFor", () => {
  it("resolves the API next to the dashboard pages", () => {
    expect(crmEndpointFor("https://shop.test/plugins/global/saleor_crm_plugin.crm/dashboard/app?id=1&theme=dark")).toBe(
      "https://shop.test/plugins/global/saleor_crm_plugin.crm/graphql/",
    );
  });
});

describe("createCrmClient", () => {
  it("sends the token as a bearer and returns data", async () => {
    const fetchImpl = vi.fn(async () => json({ data: { crmReport: { customers: 3 } } }));
    const data = await clientWith(fetchImpl as unknown as typeof fetch).request("query { crmReport { customers } }");
    expect(data).toEqual({ crmReport: { customers: 3 } });
    const [, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer tok");
    expect(JSON.parse(init.body as string)).toEqual({ query: "query { crmReport { customers } }", variables: {} });
  });

  it("refuses to send without a token", async () => {
    const fetchImpl = vi.fn();
    await expect(clientWith(fetchImpl as unknown as typeof fetch, null).request("query{a}")).rejects.toMatchObject({
      kind: "unauthenticated",
    });
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it("reports a permission error from GraphQL error codes", async () => {
    const fetchImpl = async () =>
      json({ data: null, errors: [{ message: "Needs MANAGE_USERS.", extensions: { code: "PERMISSION_DENIED" } }] });
    const error = (await clientWith(fetchImpl).request("query{a}").catch((e: unknown) => e)) as CrmApiError;
    expect(error).toBeInstanceOf(CrmApiError);
    expect(error.kind).toBe("permission");
    expect(error.codes).toEqual(["PERMISSION_DENIED"]);
    expect(describeError(error)).toContain("permission");
  });

  it("reports the API's lowercase permission code as a refusal", async () => {
    const fetchImpl = async () =>
      json({ data: null, errors: [{ message: "Needs MANAGE_USERS.", extensions: { code: "permission_denied" } }] });
    await expect(clientWith(fetchImpl).request("query{a}")).rejects.toMatchObject({ kind: "permission" });
  });

  it("reports 401 as unauthenticated even without a JSON body", async () => {
    const fetchImpl = async () => new Response("<html>nope</html>", { status: 401, statusText: "Unauthorized" });
    await expect(clientWith(fetchImpl).request("query{a}")).rejects.toMatchObject({ kind: "unauthenticated", status: 401 });
  });

  it("reports other HTTP failures with their status", async () => {
    const fetchImpl = async () => new Response("oops", { status: 502, statusText: "Bad Gateway" });
    const error = (await clientWith(fetchImpl).request("query{a}").catch((e: unknown) => e)) as CrmApiError;
    expect(error.kind).toBe("http");
    expect(error.message).toContain("502");
  });

  it("reports a network failure", async () => {
    const fetchImpl = async () => {
      throw new TypeError("Failed to fetch");
    };
    await expect(clientWith(fetchImpl).request("query{a}")).rejects.toMatchObject({ kind: "network" });
  });

  it("keeps partial-data GraphQL errors as errors", async () => {
    const fetchImpl = async () => json({ data: { a: 1 }, errors: [{ message: "boom" }] });
    await expect(clientWith(fetchImpl).request("query{a}")).rejects.toMatchObject({ kind: "graphql", message: "boom" });
  });
});

describe("classifyError", () => {
  it.each([
    [401, [], "unauthenticated"],
    [200, ["TOKEN_EXPIRED"], "unauthenticated"],
    [200, ["unauthenticated"], "unauthenticated"],
    [200, ["invalid_token"], "unauthenticated"],
    [200, ["permission_denied"], "permission"],
    [403, [], "permission"],
    [200, ["INVALID"], "graphql"],
    [500, [], "http"],
  ])("status %s codes %j → %s", (status, codes, kind) => {
    expect(classifyError(status, codes)).toBe(kind);
  });
});

describe("assertPayload", () => {
  it("returns a payload without errors", () => {
    const payload = { errors: [], segment: { id: "1" } };
    expect(assertPayload(payload)).toBe(payload);
  });

  it("throws a validation error carrying the field errors", () => {
    const errors = [{ field: "rules", message: "unknown field 'x'", code: "UNKNOWN_FIELD" }];
    const error = (() => {
      try {
        assertPayload({ errors });
      } catch (e) {
        return e as CrmApiError;
      }
    })();
    expect(error?.kind).toBe("validation");
    expect(error?.fieldErrors).toEqual(errors);
  });

  it("maps PERMISSION_DENIED payload errors to a permission error", () => {
    expect(() => assertPayload({ errors: [{ field: null, message: "no", code: "PERMISSION_DENIED" }] })).toThrowError(
      expect.objectContaining({ kind: "permission" }),
    );
  });

  it("maps payload codes in any case", () => {
    expect(() => assertPayload({ errors: [{ field: null, message: "no", code: "permission_denied" }] })).toThrowError(
      expect.objectContaining({ kind: "permission" }),
    );
    expect(() => assertPayload({ errors: [{ field: null, message: "expired", code: "Token_Expired" }] })).toThrowError(
      expect.objectContaining({ kind: "unauthenticated" }),
    );
  });

  it("keeps a train request's WORKER_UNAVAILABLE as a validation error with its message", () => {
    const errors = [{ field: null, message: "The task queue could not be reached; try again later.", code: "WORKER_UNAVAILABLE" }];
    expect(() => assertPayload({ errors, queued: false })).toThrowError(
      expect.objectContaining({ kind: "validation", codes: ["WORKER_UNAVAILABLE"], message: errors[0].message }),
    );
  });
});
