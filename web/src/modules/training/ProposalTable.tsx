import { UndoOutlined } from "@ant-design/icons";
import { Button, Flex, Input, Switch, Table, type TableColumnsType, Tag, Tooltip, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { applyEdit, type Edits, MAX_STEPS, type ParamValue, parseEdit, type ProposalRow, resetEdit } from "./proposal";

function display(value: ParamValue): string {
  return value === null ? "" : String(value);
}

/** One editable value: switches for booleans, text (checked on Enter or leaving the cell) for the rest. */
function ValueCell({ row, onEdit }: { row: ProposalRow; onEdit: (value: ParamValue) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(display(row.value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(display(row.value)), [row.value]);

  if (typeof row.value === "boolean") {
    return <Switch checked={row.value} onChange={onEdit} data-testid={`param-${row.name}`} />;
  }
  const commit = () => {
    if (text === display(row.value)) return;
    const parsed = parseEdit(row.name, text, row.value);
    if (!parsed.ok) {
      setError(t(`training.proposal.editErrors.${parsed.error}`));
      return;
    }
    setError(null);
    onEdit(parsed.value);
  };
  const problems = error ? [error, ...row.problems] : row.problems;
  return (
    <Flex vertical gap={2}>
      <Input
        size="small" value={text} status={problems.length > 0 ? "error" : undefined} style={{ maxWidth: 200 }}
        placeholder={row.name === MAX_STEPS ? t("training.proposal.noLimit") : undefined}
        onChange={(event) => { setText(event.target.value); setError(null); }}
        onPressEnter={commit} onBlur={commit} aria-label={row.name} data-testid={`param-${row.name}`}
      />
      {problems.map((problem) => (
        <Typography.Text key={problem} type="danger" style={{ fontSize: 12 }} data-testid={`problem-${row.name}`}>
          {problem}
        </Typography.Text>
      ))}
    </Flex>
  );
}

interface Props {
  rows: ProposalRow[];
  edits: Edits;
  onChange: (edits: Edits) => void;
}

/** The advisor's hyper-parameters: value (editable), why, and the problems the server found with each. */
export function ProposalTable({ rows, edits, onChange }: Props) {
  const { t } = useTranslation();
  const columns: TableColumnsType<ProposalRow> = [
    { title: t("training.proposal.param"), dataIndex: "name", width: 240,
      render: (name: string, row) => (
        <Flex gap={8} align="center" wrap>
          <Typography.Text code>{name}</Typography.Text>
          {row.edited && <Tag color="blue">{t("training.proposal.edited")}</Tag>}
        </Flex>
      ) },
    { title: t("training.proposal.value"), key: "value", width: 240,
      render: (_, row) => <ValueCell row={row} onEdit={(value) => onChange(applyEdit(edits, row.name, value))} /> },
    { title: t("training.proposal.reason"), key: "reason",
      render: (_, row) => (
        <Typography.Text type="secondary">
          {row.name === MAX_STEPS ? t("training.proposal.maxStepsReason") : row.reason}
        </Typography.Text>
      ) },
    { key: "reset", width: 56,
      render: (_, row) => row.edited && (
        <Tooltip title={t("training.proposal.reset")}>
          <Button size="small" type="text" icon={<UndoOutlined />} aria-label={t("training.proposal.reset")}
                  onClick={() => onChange(resetEdit(edits, row.name))} />
        </Tooltip>
      ) },
  ];
  return <Table<ProposalRow> rowKey="name" size="small" columns={columns} dataSource={rows} pagination={false}
                             data-testid="proposal-table" />;
}
