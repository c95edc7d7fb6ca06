/**
 * Builds an ordered list of cleaning rules (or augmentation methods) from a catalogue: add,
 * edit the parameters in a form generated from each entry's JSON Schema, reorder, remove.
 */
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Flex, Select, Space, Tooltip, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { addRule, type CatalogItem, moveRule, removeRule, type RuleItem, updateRuleValues } from "./ruleList";
import { SchemaForm } from "./SchemaForm";

interface Props {
  catalog: CatalogItem[];
  items: RuleItem[];
  onChange: (items: RuleItem[]) => void;
  disabled?: boolean;
  addLabel: string;
  emptyText: string;
  testId: string;
}

export function RuleBuilder({ catalog, items, onChange, disabled = false, addLabel, emptyText, testId }: Props) {
  const { t } = useTranslation();
  const [choice, setChoice] = useState<string | undefined>(undefined);
  const add = () => {
    const entry = catalog.find((item) => item.name === choice);
    if (entry) onChange(addRule(items, entry));
    setChoice(undefined);
  };
  return (
    <Flex vertical gap={12} data-testid={testId}>
      <Flex gap={8} wrap>
        <Select
          showSearch style={{ minWidth: 320, flex: "1 1 320px", maxWidth: 560 }} value={choice} onChange={setChoice}
          placeholder={t("data.clean.choose")} disabled={disabled} data-testid={`${testId}-choose`}
          optionFilterProp="title"
          options={catalog.map((entry) => ({
            value: entry.name, title: entry.name,
            label: (
              <Flex vertical>
                <Typography.Text strong>{entry.name}</Typography.Text>
                <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>{entry.description}</Typography.Text>
              </Flex>
            ),
          }))}
          optionLabelProp="title"
        />
        <Button icon={<PlusOutlined />} onClick={add} disabled={disabled || choice === undefined}
                data-testid={`${testId}-add`}>{addLabel}</Button>
      </Flex>
      {items.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} />}
      {items.map((item, index) => {
        const entry = catalog.find((candidate) => candidate.name === item.name);
        return (
          <Card
            key={item.key} size="small" data-testid={`${testId}-item`}
            title={<Space><Typography.Text type="secondary">{index + 1}.</Typography.Text><code>{item.name}</code></Space>}
            extra={
              <Space size={0}>
                <Tooltip title={t("data.clean.moveUp")}>
                  <Button type="text" size="small" icon={<ArrowUpOutlined />} aria-label={t("data.clean.moveUp")}
                          disabled={disabled || index === 0} onClick={() => onChange(moveRule(items, item.key, -1))} />
                </Tooltip>
                <Tooltip title={t("data.clean.moveDown")}>
                  <Button type="text" size="small" icon={<ArrowDownOutlined />} aria-label={t("data.clean.moveDown")}
                          disabled={disabled || index === items.length - 1}
                          onClick={() => onChange(moveRule(items, item.key, 1))} />
                </Tooltip>
                <Tooltip title={t("data.clean.remove")}>
                  <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t("data.clean.remove")}
                          disabled={disabled} onClick={() => onChange(removeRule(items, item.key))} />
                </Tooltip>
              </Space>
            }
          >
            {entry?.description && (
              <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{entry.description}</Typography.Paragraph>
            )}
            <SchemaForm schema={entry?.params_schema ?? {}} values={item.values} disabled={disabled}
                        onChange={(values) => onChange(updateRuleValues(items, item.key, values))} />
          </Card>
        );
      })}
    </Flex>
  );
}
