import { PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Input, Select, Switch, Table, type TableColumnsType, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { Job, JobState } from "../../api/types";
import { JOB_STATES } from "../../api/types";
import { useCan } from "../../auth/useMe";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { currentLang } from "../../i18n";
import { elapsedSeconds, formatDateTime, formatDuration } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { useJobKinds, useJobs } from "./api";
import { JobProgress } from "./JobProgress";
import { JobStateTag } from "./JobStateTag";

function isJobState(value: string | undefined): value is JobState {
  return value !== undefined && (JOB_STATES as readonly string[]).includes(value);
}

export default function JobListPage() {
  const { t, i18n } = useTranslation();
  const lang = currentLang(i18n.resolvedLanguage);
  const can = useCan();
  const list = useListParams();
  const [autoRefresh, setAutoRefresh] = useState(true);
  const stateParam = list.get("state");
  const state = isJobState(stateParam) ? stateParam : undefined;
  const kind = list.get("kind");
  const q = list.get("q");
  const jobs = useJobs({ state, kind, q, page: list.page, pageSize: list.pageSize }, autoRefresh);
  const kinds = useJobKinds();

  const columns: TableColumnsType<Job> = [
    { title: t("jobs.id"), dataIndex: "id", width: 80, render: (id: number) => <Link to={`/jobs/${id}`}>#{id}</Link> },
    {
      title: t("jobs.name"), key: "name",
      render: (_, job) => (
        <Flex vertical>
          <Link to={`/jobs/${job.id}`}>{job.name || job.kind}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{job.kind}</Typography.Text>
        </Flex>
      ),
    },
    { title: t("jobs.state"), dataIndex: "state", width: 130, render: (value: JobState) => <JobStateTag state={value} /> },
    { title: t("jobs.progress"), key: "progress", width: 200, render: (_, job) => <JobProgress job={job} compact /> },
    { title: t("jobs.createdAt"), dataIndex: "created_at", width: 180, render: (value: string) => formatDateTime(value) },
    {
      title: t("jobs.duration"), key: "duration", width: 110,
      render: (_, job) => formatDuration(elapsedSeconds(job.started_at, job.finished_at), lang),
    },
  ];

  return (
    <>
      <PageHeader
        title={t("jobs.title")}
        extra={can("jobs:write") && (
          <Link to="/jobs/new"><Button type="primary" icon={<PlusOutlined />}>{t("jobs.newJob")}</Button></Link>
        )}
      />
      <Flex gap={12} wrap align="center" style={{ marginBottom: 16 }}>
        <Select
          allowClear placeholder={t("jobs.stateFilter")} style={{ width: 160 }} value={state}
          options={JOB_STATES.map((value) => ({ value, label: t(`jobState.${value}`) }))}
          onChange={(value?: JobState) => list.setFilters({ state: value })}
          data-testid="filter-state"
        />
        <Select
          allowClear showSearch placeholder={t("jobs.kindFilter")} style={{ width: 240 }} value={kind}
          loading={kinds.isPending}
          options={(kinds.data ?? []).map((item) => ({ value: item.name, label: item.name }))}
          onChange={(value?: string) => list.setFilters({ kind: value })}
          data-testid="filter-kind"
        />
        <Input.Search
          allowClear placeholder={t("jobs.searchPlaceholder")} style={{ width: 260 }} defaultValue={q}
          onSearch={(value) => list.setFilters({ q: value.trim() })}
          data-testid="filter-search"
        />
        <Flex gap={8} align="center" style={{ marginInlineStart: "auto" }}>
          <Switch size="small" checked={autoRefresh} onChange={setAutoRefresh} />
          <Typography.Text>{t("common.autoRefresh")}</Typography.Text>
        </Flex>
      </Flex>
      {jobs.isError && !jobs.data
        ? <QueryError error={jobs.error} onRetry={() => void jobs.refetch()} />
        : (
          <Table<Job>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={jobs.data?.items}
            loading={jobs.isPending}
            locale={{ emptyText: t("jobs.empty") }}
            pagination={{
              current: list.page,
              pageSize: list.pageSize,
              total: jobs.data?.total ?? 0,
              showSizeChanger: true,
              showTotal: (total) => t("common.total", { total }),
              onChange: list.setPage,
            }}
            scroll={{ x: 800 }}
          />
        )}
    </>
  );
}
