import { Button, Result } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { ApiError } from "../../api/errors";
import type { Job } from "../../api/types";
import { FullPageSpin } from "../../components/FullPageSpin";
import { QueryError } from "../../components/QueryError";
import { useJob } from "./api";

/**
 * Loads the job the route's `:jobId` names and renders it; an id that is not a number or not a
 * job gets a 404 page with a way back, a failed load the server's message. Shared by the job
 * page and the training run page (a run is a job).
 */
export function JobRoute({ backTo, render }: { backTo: string; render: (job: Job) => ReactNode }) {
  const { t } = useTranslation();
  const rawId = useParams().jobId ?? "";
  const jobId = /^\d+$/.test(rawId) ? Number(rawId) : null;
  const job = useJob(jobId ?? 0, jobId !== null);
  if (jobId === null || (job.error instanceof ApiError && job.error.status === 404)) {
    return <Result status="404" title={t("jobs.notFound", { id: rawId })}
                   extra={<Link to={backTo}><Button>{t("common.back")}</Button></Link>} />;
  }
  if (job.isPending) return <FullPageSpin />;
  if (job.isError) return <QueryError error={job.error} onRetry={() => void job.refetch()} />;
  return render(job.data);
}
