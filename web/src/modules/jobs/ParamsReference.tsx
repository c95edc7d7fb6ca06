import { Table } from "antd";
import { useTranslation } from "react-i18next";

interface PropertyRow {
  name: string;
  type: string;
  default: string;
  description: string;
}

interface PropertySchema {
  type?: string;
  anyOf?: { type?: string }[];
  default?: unknown;
  description?: string;
}

/** The parameters a kind accepts, read from its JSON Schema. */
export function schemaRows(schema: unknown): PropertyRow[] {
  const properties = (typeof schema === "object" && schema !== null
    ? (schema as { properties?: Record<string, PropertySchema> }).properties : undefined) ?? {};
  return Object.entries(properties).map(([name, property]) => ({
    name,
    type: property.type ?? (property.anyOf ?? []).map((branch) => branch.type ?? "?").join(" | "),
    default: property.default === undefined ? "" : JSON.stringify(property.default),
    description: property.description ?? "",
  }));
}

export function ParamsReference({ schema }: { schema: unknown }) {
  const { t } = useTranslation();
  return (
    <Table<PropertyRow>
      size="small"
      rowKey="name"
      pagination={false}
      dataSource={schemaRows(schema)}
      columns={[
        { title: t("jobs.form.paramName"), dataIndex: "name", render: (name: string) => <code>{name}</code> },
        { title: t("jobs.form.paramType"), dataIndex: "type" },
        { title: t("jobs.form.paramDefault"), dataIndex: "default", render: (value: string) => <code>{value}</code> },
        { title: t("jobs.form.paramDescription"), dataIndex: "description" },
      ]}
    />
  );
}
