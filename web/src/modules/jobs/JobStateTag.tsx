import {
  CheckCircleOutlined, ClockCircleOutlined, CloseCircleOutlined, MinusCircleOutlined, SyncOutlined,
} from "@ant-design/icons";
import { Tag } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import type { JobState } from "../../api/types";

const LOOK: Record<JobState, { color: string; icon: ReactNode }> = {
  queued: { color: "default", icon: <ClockCircleOutlined /> },
  running: { color: "processing", icon: <SyncOutlined spin /> },
  succeeded: { color: "success", icon: <CheckCircleOutlined /> },
  failed: { color: "error", icon: <CloseCircleOutlined /> },
  cancelled: { color: "warning", icon: <MinusCircleOutlined /> },
};

export function JobStateTag({ state }: { state: JobState }) {
  const { t } = useTranslation();
  const look = LOOK[state];
  return <Tag color={look.color} icon={look.icon} data-testid="job-state">{t(`jobState.${state}`)}</Tag>;
}
