import type { ReactNode } from "react";

import { ForbiddenResult } from "../components/ForbiddenResult";
import type { Permission } from "./permissions";
import { useCan } from "./useMe";

/** The children when the user holds `permission`, else a 403 page (deep links included). */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const can = useCan();
  return can(permission) ? <>{children}</> : <ForbiddenResult permission={permission} />;
}
