/**
 * A job started from a data page, followed inline: state, progress with ETA, the live log,
 * and a link to the job's own page. Calls `onFinished` once when the job ends, so the page
 * reloads the versions (and may switch to the version the job produced).
 */
import { Alert, Card, Collapse, Flex, Space, Typography } from "antd";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { Job } from "../../api/types";
import { TERMINAL_JOB_STATES } from "../../api/types";
import { JobLog } from "../jobs/JobLog";
import { JobProgress } from "../jobs/JobProgress";
import { JobStateTag } from "../jobs/JobStateTag";
import { useJob } from "../jobs/api";
import { useJobLogStream } from "../jobs/useJobLogStream";

interface Props {
  jobId: number;
  title?: string;
  onFinished?: (job: Job) => void;
  /** Show the live log expanded (the import wizard does; tabs keep it folded). */
  logOpen?: boolean;
}

export function DataJobPanel({ jobId, title, onFinished, logOpen = false }: Props) {
  const { t } = useTranslation();
  const job = useJob(jobId);
  // The stream's state events move the progress and state without waiting for the next poll.
  const { log, status } = useJobLogStream(jobId, job.data?.queued_at);
  const reported = useRef<number | null>(null);
  const data = job.data;
  const finished = data !== undefined && TERMINAL_JOB_STATES.has(data.state);

  useEffect(() => {
    if (data && finished && reported.current !== data.id) {
      reported.current = data.id;
      onFinished?.(data);
    }
  }, [data, finished, onFinished]);

  if (!data) return null;
  return (
    <Card size="small" data-testid="data-job"
          title={<Space>{title ?? data.kind}<JobStateTag state={data.state} /></Space>}
          extra={<Link to={`/jobs/${data.id}`}>{t("data.job.open", { id: data.id })}</Link>}>
      <Flex vertical gap={12}>
        <JobProgress job={data} />
        {data.error && (
          <Alert type="error" showIcon title={t("jobs.error")}
                 description={<pre className="llmore-log">{data.error}</pre>} data-testid="data-job-error" />
        )}
        <Collapse size="small" defaultActiveKey={logOpen ? ["log"] : []} items={[{
          key: "log", label: <Typography.Text>{t("jobs.logs")}</Typography.Text>, children: <JobLog log={log} status={status} />,
        }]} />
      </Flex>
    </Card>
  );
}
