/**
 * Human evaluation tasks: each with its run, models and progress, and the way in for each role —
 * evaluators score, reviewers check, readers open the results. Evaluators see only their tasks.
 * A run page links here with `?run=<id>`, which the new-task form starts from.
 */
import { CheckCircleOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Progress, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import { useCan, useMe } from "../../../auth/useMe";
import { PageHeader } from "../../../components/PageHeader";
import { QueryError } from "../../../components/QueryError";
import { formatDateTime } from "../../../lib/format";
import { useListParams } from "../../../lib/useListParams";
import { useHumanTasks } from "./api";
import { NewTaskModal } from "./NewTaskModal";
import type { HumanTask } from "./types";

export default function TaskListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const can = useCan();
  const { data: me } = useMe();
  const list = useListParams();
  const tasks = useHumanTasks(list.page, list.pageSize);
  const [creating, setCreating] = useState(false);

  const columns: TableColumnsType<HumanTask> = [
    { title: t("humanEval.task"), key: "task",
      render: (_, task) => (
        <Flex vertical gap={2}>
          <Typography.Text strong>{`#${task.id} ${task.name}`}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {`${t("humanEval.run")}: `}
            {can("evaluation:read") ? <Link to={`/evaluation/runs/${task.run_id}`}>{task.run_name}</Link> : task.run_name}
          </Typography.Text>
        </Flex>
      ) },
    { title: t("humanEval.models"), key: "models", width: 220,
      render: (_, task) => <Flex gap={4} wrap>{task.models.map((label) => <Tag key={label}>{label}</Tag>)}</Flex> },
    { title: t("humanEval.progress"), key: "progress", width: 240,
      render: (_, task) => {
        const mine = task.progress.find((row) => row.evaluator_id === me?.id);
        return (
          <Flex vertical gap={2}>
            <Progress percent={task.assignments ? Math.round((100 * task.accepted) / task.assignments) : 0}
                      size="small" status={task.complete ? "success" : "normal"} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t("humanEval.accepted", { accepted: task.accepted, total: task.assignments })}
            </Typography.Text>
            {mine && (
              <Typography.Text style={{ fontSize: 12 }}>
                {t("humanEval.myWork", { done: mine.total - mine.pending - mine.skipped - mine.returned,
                                         total: mine.total })}
              </Typography.Text>
            )}
            {task.merged_at && (
              <Typography.Text type="success" style={{ fontSize: 12 }}>
                <CheckCircleOutlined /> {t("humanEval.merged", { when: formatDateTime(task.merged_at) })}
              </Typography.Text>
            )}
          </Flex>
        );
      } },
    { title: t("common.actions"), key: "actions", width: 260,
      render: (_, task) => (
        <Flex gap={8} wrap>
          {me !== undefined && task.evaluator_ids.includes(me.id) && (
            <Link to={`/evaluation/human/${task.id}/score`}>
              <Button size="small" type="primary" icon={<EditOutlined />}>{t("humanEval.score")}</Button>
            </Link>
          )}
          {can("evaluation:review") && (
            <Link to={`/evaluation/human/${task.id}/review`}><Button size="small">{t("humanEval.review")}</Button></Link>
          )}
          {can("evaluation:read") && (
            <Link to={`/evaluation/human/${task.id}`}><Button size="small">{t("humanEval.results")}</Button></Link>
          )}
        </Flex>
      ) },
  ];

  return (
    <>
      <PageHeader
        title={t("humanEval.title")}
        extra={can("evaluation:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t("humanEval.newTask")}
          </Button>
        )}
      >
        <Typography.Text type="secondary">{t("humanEval.intro")}</Typography.Text>
      </PageHeader>
      {tasks.isError && !tasks.data
        ? <QueryError error={tasks.error} onRetry={() => void tasks.refetch()} />
        : (
          <Table<HumanTask>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={tasks.data?.items}
            loading={tasks.isPending}
            locale={{ emptyText: t("humanEval.empty") }}
            pagination={{
              current: list.page, pageSize: list.pageSize, total: tasks.data?.total ?? 0,
              showTotal: (total) => t("common.total", { total }), onChange: list.setPage,
            }}
            scroll={{ x: 900 }}
          />
        )}
      <NewTaskModal open={creating} runId={Number(list.get("run")) || undefined} onClose={() => setCreating(false)}
                    onCreated={(task) => void navigate(`/evaluation/human/${task.id}`)} />
    </>
  );
}
