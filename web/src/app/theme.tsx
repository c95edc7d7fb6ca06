/**
 * Light/dark theme: antd's theme algorithm switched at the root, remembered in localStorage,
 * defaulting to the operating system's preference.
 */
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";

export const THEME_STORAGE_KEY = "llmore.theme";

type Mode = "light" | "dark";

interface ThemeMode {
  dark: boolean;
  toggle: () => void;
}

const ThemeModeContext = createContext<ThemeMode>({ dark: false, toggle: () => undefined });

function initialMode(): Mode {
  const stored = window.localStorage.getItem(THEME_STORAGE_KEY);
  if (stored === "light" || stored === "dark") return stored;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function ThemeModeProvider({ children }: { children: ReactNode }) {
  const [mode, setMode] = useState<Mode>(initialMode);
  const toggle = useCallback(() => {
    setMode((current) => {
      const next = current === "dark" ? "light" : "dark";
      window.localStorage.setItem(THEME_STORAGE_KEY, next);
      return next;
    });
  }, []);
  const value = useMemo(() => ({ dark: mode === "dark", toggle }), [mode, toggle]);
  return <ThemeModeContext.Provider value={value}>{children}</ThemeModeContext.Provider>;
}

export function useThemeMode(): ThemeMode {
  return useContext(ThemeModeContext);
}
