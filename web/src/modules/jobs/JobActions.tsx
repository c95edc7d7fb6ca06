import { RedoOutlined, StopOutlined } from "@ant-design/icons";
import { App, Button } from "antd";
import { useTranslation } from "react-i18next";

import type { Job } from "../../api/types";
import { TERMINAL_JOB_STATES } from "../../api/types";
import { useCan } from "../../auth/useMe";
import { errorMessage } from "../../lib/errorMessage";
import { useJobAction } from "./api";

/** Cancel (queued/running) and retry (finished) buttons, each behind a confirmation. */
export function JobActions({ job }: { job: Job }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const can = useCan();
  const cancel = useJobAction("cancel");
  const retry = useJobAction("retry");
  if (!can("jobs:write")) return null;

  const finished = TERMINAL_JOB_STATES.has(job.state);
  const confirmAndRun = (kind: "cancel" | "retry") => {
    const mutation = kind === "cancel" ? cancel : retry;
    modal.confirm({
      title: kind === "cancel" ? t("jobs.cancelConfirm", { id: job.id }) : t("jobs.retryConfirm", { id: job.id }),
      okText: kind === "cancel" ? t("jobs.cancel") : t("jobs.retry"),
      okButtonProps: { danger: kind === "cancel" },
      cancelText: t("common.close"),
      onOk: async () => {
        try {
          await mutation.mutateAsync(job.id);
          message.success(kind === "cancel" ? t("jobs.cancelled") : t("jobs.retried"));
        } catch (error) {
          message.error(errorMessage(error, t));
        }
      },
    });
  };

  return finished
    ? <Button icon={<RedoOutlined />} onClick={() => confirmAndRun("retry")}>{t("jobs.retry")}</Button>
    : (
      <Button danger icon={<StopOutlined />} disabled={job.cancel_requested} onClick={() => confirmAndRun("cancel")}>
        {job.cancel_requested ? t("jobs.cancelRequested") : t("jobs.cancel")}
      </Button>
    );
}
