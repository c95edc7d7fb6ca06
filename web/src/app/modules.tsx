/**
 * The console's modules as the sidebar shows them. A module without pages yet (`ready: false`)
 * gets an honest "not available yet" page at its path; when a module ships its pages it sets
 * `ready: true` and adds its routes in `router.tsx`.
 */
import {
  ApiOutlined, AppstoreOutlined, CloudServerOutlined, DashboardOutlined, DatabaseOutlined,
  ExperimentOutlined, FundProjectionScreenOutlined, HighlightOutlined, KeyOutlined, LineChartOutlined,
  MessageOutlined, SafetyCertificateOutlined, SettingOutlined, TeamOutlined, ThunderboltOutlined, TrophyOutlined,
  UnorderedListOutlined, UserOutlined,
} from "@ant-design/icons";
import type { ReactNode } from "react";

import type { Permission } from "../auth/permissions";
import type en from "../i18n/locales/en";

export type NavKey = keyof typeof en.nav;

export interface ModuleEntry {
  key: NavKey;
  /** Route path; a group (with children) has none. */
  path?: string;
  icon: ReactNode;
  /** Hidden from the menu (and its pages answer 403) without this permission. */
  permission?: Permission;
  ready: boolean;
  children?: ModuleEntry[];
}

export const MODULES: ModuleEntry[] = [
  { key: "dashboard", path: "/", icon: <DashboardOutlined />, permission: "dashboard:read", ready: true },
  { key: "data", path: "/data", icon: <DatabaseOutlined />, permission: "datasets:read", ready: true },
  { key: "annotation", path: "/annotation", icon: <HighlightOutlined />, ready: false },
  { key: "training", path: "/training", icon: <ThunderboltOutlined />, permission: "jobs:read", ready: true },
  { key: "models", path: "/models", icon: <ExperimentOutlined />, permission: "models:read", ready: true },
  {
    key: "evaluation", icon: <FundProjectionScreenOutlined />, ready: true, children: [
      { key: "evalRuns", path: "/evaluation", icon: <LineChartOutlined />, permission: "evaluation:read", ready: true },
      { key: "humanEval", path: "/evaluation/human", icon: <TeamOutlined />, permission: "evaluation:score", ready: true },
      { key: "arena", path: "/evaluation/arena", icon: <TrophyOutlined />, permission: "evaluation:score", ready: true },
      { key: "gates", path: "/evaluation/gates", icon: <SafetyCertificateOutlined />, permission: "evaluation:read",
        ready: true },
    ],
  },
  { key: "deployments", path: "/deployments", icon: <CloudServerOutlined />, ready: false },
  { key: "playground", path: "/playground", icon: <MessageOutlined />, ready: false },
  { key: "apps", path: "/apps", icon: <AppstoreOutlined />, ready: false },
  { key: "channels", path: "/channels", icon: <ApiOutlined />, ready: false },
  { key: "jobs", path: "/jobs", icon: <UnorderedListOutlined />, permission: "jobs:read", ready: true },
  {
    key: "admin", icon: <SettingOutlined />, ready: true, children: [
      { key: "users", path: "/admin/users", icon: <UserOutlined />, permission: "users:read", ready: true },
      { key: "apiKeys", path: "/admin/api-keys", icon: <KeyOutlined />, permission: "self", ready: true },
    ],
  },
];

/** Every entry with a path, groups flattened. */
export function flatModules(entries: ModuleEntry[] = MODULES): ModuleEntry[] {
  return entries.flatMap((entry) => (entry.children ? flatModules(entry.children) : [entry]));
}

/** The menu entry a location belongs to: the longest path that prefixes it. */
export function moduleForPath(pathname: string, entries: ModuleEntry[] = MODULES): ModuleEntry | undefined {
  let best: ModuleEntry | undefined;
  for (const entry of flatModules(entries)) {
    const path = entry.path;
    if (path === undefined) continue;
    const matches = path === "/" ? pathname === "/" : pathname === path || pathname.startsWith(`${path}/`);
    if (matches && (best?.path === undefined || path.length > best.path.length)) best = entry;
  }
  return best;
}

/** The entries a user with `can` sees; groups left empty disappear. */
export function visibleModules(can: (permission: Permission | undefined) => boolean,
                               entries: ModuleEntry[] = MODULES): ModuleEntry[] {
  return entries.flatMap((entry) => {
    if (entry.children) {
      const children = visibleModules(can, entry.children);
      return children.length > 0 ? [{ ...entry, children }] : [];
    }
    return can(entry.permission) ? [entry] : [];
  });
}
