import { Menu, type MenuProps } from "antd";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";

import { type ModuleEntry, moduleForPath, MODULES, visibleModules } from "../app/modules";
import { useCan } from "../auth/useMe";

type MenuItem = Required<MenuProps>["items"][number];

export function SideMenu({ collapsed }: { collapsed: boolean }) {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const { pathname } = useLocation();

  // Menu keys are paths, so a click navigates and the location selects.
  const toItem = (entry: ModuleEntry): MenuItem => (entry.children
    ? { key: entry.key, icon: entry.icon, label: t(`nav.${entry.key}`), children: entry.children.map(toItem) }
    : { key: entry.path ?? entry.key, icon: entry.icon, label: t(`nav.${entry.key}`) });
  const items = visibleModules(can).map(toItem);
  const selected = moduleForPath(pathname)?.path;
  // Groups start open: with few entries, hiding Users and API keys behind a click helps no one.
  const groups = MODULES.filter((entry) => entry.children).map((entry) => entry.key);

  return (
    <Menu
      mode="inline"
      items={items}
      selectedKeys={selected ? [selected] : []}
      defaultOpenKeys={collapsed ? [] : groups}
      onClick={({ key }) => void navigate(key)}
      style={{ borderInlineEnd: "none" }}
    />
  );
}
