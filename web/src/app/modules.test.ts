import { describe, expect, it } from "vitest";

import type { Permission } from "../auth/permissions";
import { flatModules, moduleForPath, visibleModules } from "./modules";

const developer: Permission[] = ["self", "dashboard:read", "departments:read", "jobs:read", "jobs:write"];
const canAs = (granted: Permission[]) => (permission: Permission | undefined) =>
  permission === undefined || granted.includes(permission);

describe("moduleForPath", () => {
  it("selects the longest matching module path", () => {
    expect(moduleForPath("/")?.key).toBe("dashboard");
    expect(moduleForPath("/jobs")?.key).toBe("jobs");
    expect(moduleForPath("/jobs/42")?.key).toBe("jobs");
    expect(moduleForPath("/admin/users")?.key).toBe("users");
    expect(moduleForPath("/jobsx")).toBeUndefined();
  });
});

describe("visibleModules", () => {
  it("hides user administration from a developer but keeps their API keys", () => {
    const keys = flatModules(visibleModules(canAs(developer))).map((entry) => entry.key);
    expect(keys).toContain("jobs");
    expect(keys).toContain("apiKeys");
    expect(keys).not.toContain("users");
  });

  it("shows an annotator no jobs", () => {
    const keys = flatModules(visibleModules(canAs(["self", "dashboard:read"]))).map((entry) => entry.key);
    expect(keys).not.toContain("jobs");
  });

  it("lists every module of the console", () => {
    expect(flatModules().map((entry) => entry.key)).toEqual([
      "dashboard", "data", "annotation", "training", "models", "evalRuns", "humanEval", "arena", "gates", "deployments",
      "playground", "apps", "channels", "jobs", "users", "apiKeys",
    ]);
  });
});
