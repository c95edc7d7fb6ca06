/** A form generated from a JSON Schema (a rule's or method's `params_schema`). */
import { Form, Input, InputNumber, Select, Switch, Typography } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";

import { type FormField, schemaFields } from "./schemaForm";

const MONO = { fontFamily: "ui-monospace, Menlo, Consolas, monospace", fontSize: 12 };

/**
 * The input of one field. Form.Item hands its child `value`/`checked` and `onChange`; they are
 * passed through (`control`) to the antd input, or the form would never see a value.
 */
function FieldInput({ field, ...control }: { field: FormField } & Record<string, unknown>) {
  const { t } = useTranslation();
  const placeholder = field.nullable || !field.required ? t("common.optional") : undefined;
  switch (field.kind) {
    case "integer":
    case "number":
      return <InputNumber {...control} min={field.minimum} max={field.maximum} precision={field.kind === "integer" ? 0 : undefined}
                          placeholder={placeholder} style={{ width: "100%" }} />;
    case "boolean":
      return <Switch {...control} size="small" />;
    case "enum":
      return <Select {...control} allowClear={field.nullable || !field.required} placeholder={placeholder}
                     options={(field.options ?? []).map((option) => ({ value: option, label: String(option) }))} />;
    case "multiEnum":
      return <Select {...control} mode="multiple" placeholder={placeholder}
                     options={(field.options ?? []).map((option) => ({ value: option, label: String(option) }))} />;
    case "stringList":
      return <Select {...control} mode="tags" tokenSeparators={[","]} open={false} suffixIcon={null}
                     placeholder={t("data.clean.listPlaceholder")} />;
    case "code":
      return <Input.TextArea {...control} autoSize={{ minRows: 6, maxRows: 24 }} spellCheck={false} style={MONO}
                             data-testid={`param-${field.name}`} />;
    case "text":
      return <Input.TextArea {...control} autoSize={{ minRows: 2, maxRows: 10 }} placeholder={placeholder} />;
    case "json":
      return <Input.TextArea {...control} autoSize={{ minRows: 2, maxRows: 10 }} spellCheck={false} style={MONO}
                             placeholder="JSON" />;
    default:
      return <Input {...control} placeholder={placeholder} data-testid={`param-${field.name}`} />;
  }
}

interface Props {
  schema: unknown;
  values: Record<string, unknown>;
  onChange: (values: Record<string, unknown>) => void;
  disabled?: boolean;
}

export function SchemaForm({ schema, values, onChange, disabled = false }: Props) {
  const { t } = useTranslation();
  const fields = useMemo(() => schemaFields(schema), [schema]);
  if (fields.length === 0) return <Typography.Text type="secondary">{t("data.clean.noParams")}</Typography.Text>;
  return (
    <Form layout="vertical" size="small" initialValues={values} disabled={disabled}
          onValuesChange={(_, all: Record<string, unknown>) => onChange(all)}
          style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(220px, 1fr))", columnGap: 16 }}>
      {fields.map((field) => (
        <Form.Item
          key={field.name} name={field.name} label={field.label}
          tooltip={field.description} valuePropName={field.kind === "boolean" ? "checked" : "value"}
          style={field.kind === "code" || field.kind === "text" || field.kind === "json" ? { gridColumn: "1 / -1" } : undefined}
          rules={[
            { required: field.required && !field.nullable, message: t("data.clean.required", { field: field.label }) },
            ...(field.kind === "json" ? [{
              validator: async (_: unknown, value: unknown) => {
                if (typeof value === "string" && value.trim() !== "") JSON.parse(value);
              },
              message: t("data.clean.invalidJson"),
            }] : []),
          ]}
        >
          <FieldInput field={field} />
        </Form.Item>
      ))}
    </Form>
  );
}
