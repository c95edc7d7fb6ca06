import "i18next";

import type en from "./locales/en";

// Typed keys: `t("jobs.title")` is checked at compile time against the English catalogue.
declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof en };
  }
}
