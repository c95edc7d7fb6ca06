/**
 * i18next setup. The language comes from localStorage (the user's last choice) or else the
 * browser; anything that is not Chinese falls back to English.
 */
import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import { initReactI18next } from "react-i18next";

import type { Lang } from "../lib/format";
import en from "./locales/en";
import zh from "./locales/zh";

export const LANGUAGE_STORAGE_KEY = "llmore.lang";
export const LANGUAGES: readonly { code: Lang; label: string }[] = [
  { code: "zh", label: "简体中文" },
  { code: "en", label: "English" },
];

export const resources = { en: { translation: en }, zh: { translation: zh } } as const;

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources,
    supportedLngs: ["en", "zh"],
    nonExplicitSupportedLngs: true, // zh-CN, zh-TW, en-GB … map to zh / en
    load: "languageOnly",
    fallbackLng: "en",
    interpolation: { escapeValue: false }, // React escapes already
    detection: {
      order: ["localStorage", "navigator"],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      caches: ["localStorage"],
    },
    returnNull: false,
  });

/** The active console language, reduced to the two the console speaks. */
export function currentLang(language: string | undefined = i18n.resolvedLanguage): Lang {
  return language?.toLowerCase().startsWith("zh") ? "zh" : "en";
}

i18n.on("languageChanged", (language) => {
  document.documentElement.lang = currentLang(language) === "zh" ? "zh-CN" : "en";
});

export default i18n;
