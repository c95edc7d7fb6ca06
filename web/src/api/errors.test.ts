import { describe, expect, it } from "vitest";

import { ApiError, apiErrorFrom, detailPath, mapFieldErrors } from "./errors";

describe("detailPath", () => {
  it("drops the request part of a field path", () => {
    expect(detailPath("body.username")).toEqual(["username"]);
    expect(detailPath("query.sort")).toEqual(["sort"]);
    expect(detailPath("body.params.steps")).toEqual(["params", "steps"]);
    expect(detailPath("body.suite.benchmark_files[1]")).toEqual(["suite", "benchmark_files", "1"]);
    expect(detailPath("body")).toEqual([]);
    expect(detailPath(null)).toEqual([]);
  });
});

describe("mapFieldErrors", () => {
  const fields = ["username", "password", "params", "roles"];

  it("puts each detail on its form field", () => {
    const mapped = mapFieldErrors([
      { field: "body.username", message: "already taken" },
      { field: "body.password", message: "too short" },
      { field: "body.password", message: "too common" },
    ], fields);
    expect(mapped.byField).toEqual({ username: ["already taken"], password: ["too short", "too common"] });
    expect(mapped.unmatched).toEqual([]);
  });

  it("puts deeper paths on the nearest existing field, naming the rest", () => {
    const mapped = mapFieldErrors([{ field: "body.params.steps", message: "must be >= 1" },
                                   { field: "body.roles.0", message: "unknown role" }], fields);
    expect(mapped.byField).toEqual({ params: ["steps: must be >= 1"], roles: ["0: unknown role"] });
  });

  it("keeps details without a matching field for the form-level message", () => {
    const mapped = mapFieldErrors([
      { field: "body", message: "Expecting value", line: 3 },
      { field: "query.sort", message: "allowed: id" },
      { message: "no field at all" },
    ], fields);
    expect(mapped.byField).toEqual({});
    expect(mapped.unmatched).toEqual(["Expecting value (line 3)", "sort: allowed: id", "no field at all"]);
  });

  it("matches dotted form fields", () => {
    const mapped = mapFieldErrors([{ field: "body.limits.max_tokens", message: "too big" }], ["limits.max_tokens"]);
    expect(mapped.byField).toEqual({ "limits.max_tokens": ["too big"] });
  });
});

describe("apiErrorFrom", () => {
  it("reads the API's error shape and Retry-After", () => {
    const error = apiErrorFrom(429, { error: { code: "rate_limited", message: "slow down", details: [] } },
                               new Headers({ "Retry-After": "30" }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(429);
    expect(error.code).toBe("rate_limited");
    expect(error.message).toBe("slow down");
    expect(error.retryAfterSeconds).toBe(30);
  });

  it("survives bodies that are not the API's shape", () => {
    const error = apiErrorFrom(502, "<html>Bad gateway</html>");
    expect(error.code).toBe("http_error");
    expect(error.message).toBe("HTTP 502");
    expect(error.details).toEqual([]);
    expect(error.retryAfterSeconds).toBeNull();
  });

  it("tolerates a missing details list", () => {
    expect(apiErrorFrom(404, { error: { code: "not_found", message: "gone" } }).details).toEqual([]);
  });
});
