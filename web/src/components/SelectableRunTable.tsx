/**
 * A paged list of runs whose rows can be ticked for comparison: the Training and Evaluation run
 * lists. The page lives in the URL (`useListParams`); the selection survives paging.
 */
import { Table, type TableColumnsType } from "antd";
import { useTranslation } from "react-i18next";

import type { ListParams } from "../lib/useListParams";
import { QueryError } from "./QueryError";

export interface RunPageQuery<T> {
  data?: { items: T[]; total: number };
  error: unknown;
  isError: boolean;
  isPending: boolean;
  refetch: () => unknown;
}

export function SelectableRunTable<T extends { id: number }>({ runs, columns, list, selected, onSelect, emptyText }: {
  runs: RunPageQuery<T>;
  columns: TableColumnsType<T>;
  list: ListParams;
  selected: number[];
  onSelect: (ids: number[]) => void;
  emptyText: string;
}) {
  const { t } = useTranslation();
  if (runs.isError && !runs.data) return <QueryError error={runs.error} onRetry={() => void runs.refetch()} />;
  return (
    <Table<T>
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={runs.data?.items}
      loading={runs.isPending}
      rowSelection={{ selectedRowKeys: selected, preserveSelectedRowKeys: true,
                      onChange: (keys) => onSelect(keys.map(Number)) }}
      locale={{ emptyText }}
      pagination={{
        current: list.page, pageSize: list.pageSize, total: runs.data?.total ?? 0,
        showTotal: (total) => t("common.total", { total }), onChange: list.setPage,
      }}
      scroll={{ x: 900 }}
    />
  );
}
