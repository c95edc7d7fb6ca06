import { useQuery } from "@tanstack/react-query";
import { Card, Col, Row, Statistic, Tag, Typography } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { api, unwrap } from "../../api/client";
import { JOB_STATES } from "../../api/types";
import { useCan } from "../../auth/useMe";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { JobStateTag } from "../jobs/JobStateTag";

/** A count, or the honest "not available yet" of a module that is not installed (null). */
function CountCard({ title, value, loading, testId }: {
  title: ReactNode; value: number | null | undefined; loading: boolean; testId: string;
}) {
  const { t } = useTranslation();
  return (
    <Card loading={loading} data-testid={testId}>
      {value === null
        ? (
          <Statistic title={title} valueRender={() => <Tag>{t("dashboard.notAvailable")}</Tag>} value={0} />
        )
        : <Statistic title={title} value={value ?? 0} />}
    </Card>
  );
}

export default function DashboardPage() {
  const { t } = useTranslation();
  const can = useCan();
  const counts = useQuery({
    queryKey: ["dashboard"],
    queryFn: () => unwrap(api.GET("/api/dashboard")),
    refetchInterval: 10_000,
  });

  if (counts.isError) return <QueryError error={counts.error} onRetry={() => void counts.refetch()} />;
  const data = counts.data;
  const loading = counts.isPending;
  const jobsByState = data?.jobs_by_state ?? {};
  const showJobLinks = can("jobs:read");
  // Omitted or null: the module is not installed, which is not the same as zero.
  const moduleCount = (value: number | null | undefined) => (data ? value ?? null : undefined);

  return (
    <>
      <PageHeader title={t("dashboard.title")} />
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} xl={6}>
          <CountCard title={t("dashboard.users")} value={data?.users} loading={loading} testId="count-users" />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <CountCard title={t("dashboard.datasets")} value={moduleCount(data?.datasets)} loading={loading} testId="count-datasets" />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <CountCard title={t("dashboard.models")} value={moduleCount(data?.models)} loading={loading} testId="count-models" />
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <CountCard title={t("dashboard.deployments")} value={moduleCount(data?.deployments)} loading={loading}
                     testId="count-deployments" />
        </Col>
      </Row>
      <Typography.Title level={5} style={{ marginTop: 24 }}>{t("dashboard.jobsByState")}</Typography.Title>
      <Row gutter={[16, 16]}>
        {JOB_STATES.map((state) => {
          const title = <JobStateTag state={state} />;
          const card = (
            <CountCard title={title} value={jobsByState[state] ?? 0} loading={loading} testId={`count-jobs-${state}`} />
          );
          return (
            <Col key={state} xs={12} md={8} xl={4}>
              {showJobLinks ? <Link to={`/jobs?state=${state}`}>{card}</Link> : card}
            </Col>
          );
        })}
      </Row>
    </>
  );
}
