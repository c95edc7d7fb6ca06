/** A page of a version's rows, drawn per schema, with text search and a split filter. */
import { Flex, Input, List, Segmented, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { DatasetVersion } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { type RowFilters, useRows } from "./api";
import { RowView } from "./RowView";

type Split = NonNullable<RowFilters["split"]>;

export function RowsTab({ datasetId, version }: { datasetId: number; version: DatasetVersion }) {
  const { t } = useTranslation();
  const [q, setQ] = useState<string | undefined>(undefined);
  const [split, setSplit] = useState<Split | undefined>(undefined);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const rows = useRows(datasetId, version.number, { q, split, page, pageSize });

  return (
    <Flex vertical gap={12}>
      <Flex gap={12} wrap align="center">
        <Input.Search allowClear placeholder={t("data.rows.search")} style={{ width: 300 }} data-testid="rows-search"
                      onSearch={(value) => { setQ(value.trim() || undefined); setPage(1); }} />
        {version.splits && (
          <Segmented<string>
            value={split ?? "all"} data-testid="rows-split"
            onChange={(value) => { setSplit(value === "all" ? undefined : value as Split); setPage(1); }}
            options={[
              { value: "all", label: t("common.all") },
              ...(["train", "dev", "test"] as const).map((name) => ({
                value: name, label: `${t(`data.splitNames.${name}`)} (${version.splits?.[name] ?? 0})`,
              })),
            ]}
          />
        )}
        {rows.data && (
          <Typography.Text type="secondary" data-testid="rows-total">{t("data.rows.total", { total: rows.data.total })}</Typography.Text>
        )}
      </Flex>
      {rows.isError && !rows.data
        ? <QueryError error={rows.error} onRetry={() => void rows.refetch()} />
        : (
          <List
            bordered loading={rows.isFetching && !rows.data} dataSource={rows.data?.items ?? []}
            locale={{ emptyText: q ? t("data.rows.noMatch") : t("data.rows.none") }}
            renderItem={(row, index) => (
              <List.Item key={typeof row._id === "string" ? row._id : index}>
                <RowView row={row} schema={version.data_schema} />
              </List.Item>
            )}
            pagination={{
              current: page, pageSize, total: rows.data?.total ?? 0, showSizeChanger: true, size: "small",
              pageSizeOptions: [10, 20, 50, 100], showTotal: (total) => t("common.total", { total }),
              onChange: (next, size) => { setPage(size !== pageSize ? 1 : next); setPageSize(size); },
            }}
          />
        )}
    </Flex>
  );
}
