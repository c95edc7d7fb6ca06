import { ArrowLeftOutlined } from "@ant-design/icons";
import { Alert, Button, Space } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { Job } from "../../api/types";
import { PageHeader } from "../../components/PageHeader";
import { JobActions } from "./JobActions";
import { JobStateTag } from "./JobStateTag";

/** A job page's title (id, name, state) with a way back, any `extra` buttons and the job's actions. */
export function JobHeader({ job, backTo, extra }: { job: Job; backTo: string; extra?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <PageHeader
      title={<Space>{`#${job.id} ${job.name || job.kind}`}<JobStateTag state={job.state} /></Space>}
      extra={
        <>
          <Link to={backTo}><Button icon={<ArrowLeftOutlined />}>{t("common.back")}</Button></Link>
          {extra}
          <JobActions job={job} />
        </>
      }
    />
  );
}

/** Why a failed job failed, as its process reported it (nothing for other jobs). */
export function JobError({ job }: { job: Job }) {
  const { t } = useTranslation();
  if (!job.error) return null;
  return (
    <Alert type="error" showIcon title={t("jobs.error")} data-testid="job-error"
           description={<pre className="llmore-log">{job.error}</pre>} />
  );
}
