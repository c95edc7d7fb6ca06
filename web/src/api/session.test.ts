import { afterEach, describe, expect, it, vi } from "vitest";

import { isSessionExpiry, loginPathFor, safeNextPath } from "./session";

describe("loginPathFor", () => {
  it("remembers the page, its query and hash", () => {
    expect(loginPathFor({ pathname: "/jobs/12", search: "?tab=log", hash: "#end" }))
      .toBe("/login?next=%2Fjobs%2F12%3Ftab%3Dlog%23end");
  });

  it("needs no next for the dashboard", () => {
    expect(loginPathFor({ pathname: "/", search: "", hash: "" })).toBe("/login");
  });

  it("keeps the next of a login page it is already on", () => {
    expect(loginPathFor({ pathname: "/login", search: "?next=%2Fjobs", hash: "" })).toBe("/login?next=%2Fjobs");
  });
});

describe("safeNextPath", () => {
  it("follows same-origin paths", () => {
    expect(safeNextPath("/admin/users?q=a")).toBe("/admin/users?q=a");
  });

  it.each([null, "", "https://evil.example/", "//evil.example/x", "/\\evil.example", "jobs", "/login",
           "/login?next=/x"])("refuses %s", (next) => {
    expect(safeNextPath(next)).toBe("/");
  });
});

describe("isSessionExpiry", () => {
  it("is any 401 except a failed login", () => {
    expect(isSessionExpiry(401, "http://host/api/jobs?page=1")).toBe(true);
    expect(isSessionExpiry(401, "/api/auth/me")).toBe(true);
    expect(isSessionExpiry(401, "http://host/api/auth/login")).toBe(false);
    expect(isSessionExpiry(403, "http://host/api/users")).toBe(false);
    expect(isSessionExpiry(200, "http://host/api/users")).toBe(false);
  });
});

describe("the API client on 401", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  async function clientAnswering(status: number, body: unknown) {
    vi.stubGlobal("location", { origin: "http://console.test" });
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(body), {
      status, headers: { "Content-Type": "application/json" },
    })));
    return import("./client");
  }

  it("calls the session-expired handler and throws the server's message", async () => {
    const { api, onSessionExpired, unwrap } = await clientAnswering(401, {
      error: { code: "unauthenticated", message: "The session is invalid, expired or revoked; sign in again.", details: [] },
    });
    const expired = vi.fn();
    onSessionExpired(expired);
    await expect(unwrap(api.GET("/api/jobs"))).rejects.toMatchObject({
      status: 401, message: "The session is invalid, expired or revoked; sign in again.",
    });
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it("leaves a wrong password to the login form", async () => {
    const { api, onSessionExpired, unwrap } = await clientAnswering(401, {
      error: { code: "unauthenticated", message: "Wrong username or password.", details: [] },
    });
    const expired = vi.fn();
    onSessionExpired(expired);
    await expect(unwrap(api.POST("/api/auth/login", { body: { username: "a", password: "b" } })))
      .rejects.toMatchObject({ status: 401 });
    expect(expired).not.toHaveBeenCalled();
  });
});
