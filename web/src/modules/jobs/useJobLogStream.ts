/**
 * Follows a job's log over Server-Sent Events (`GET /api/jobs/{id}/logs/stream`). The session
 * cookie authenticates the EventSource (same origin). `state` events carry the job itself and
 * refresh the cached job, so progress and state move without polling; `end` closes the stream.
 * A dropped connection is reopened from the last byte received, never from the start.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { pathFor } from "../../api/client";
import type { Job } from "../../api/types";
import { appendLogChunk, EMPTY_LOG, type LogBuffer } from "../../lib/logBuffer";
import { jobKeys } from "./api";

export type StreamStatus = "connecting" | "live" | "reconnecting" | "ended";

const RECONNECT_DELAY_MS = 2_000;

function isLogEvent(value: unknown): value is { text: string; offset: number } {
  return typeof value === "object" && value !== null
    && typeof (value as { text?: unknown }).text === "string"
    && typeof (value as { offset?: unknown }).offset === "number";
}

/**
 * @param jobId the job to follow
 * @param runKey changes when the job is queued again (its `queued_at`): a finished stream then
 *   resumes, appending the new attempt's lines to the log already shown.
 */
export function useJobLogStream(jobId: number, runKey: string | undefined): { log: LogBuffer; status: StreamStatus } {
  const queryClient = useQueryClient();
  const [log, setLog] = useState<LogBuffer>(EMPTY_LOG);
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const nextOffset = useRef(0);

  useEffect(() => {
    setLog(EMPTY_LOG);
    nextOffset.current = 0;
  }, [jobId]);

  useEffect(() => {
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let finished = false;

    const open = () => {
      setStatus((current) => (current === "reconnecting" ? current : "connecting"));
      source = new EventSource(pathFor("/api/jobs/{job_id}/logs/stream", { job_id: jobId },
                                       { offset: nextOffset.current }));
      source.onopen = () => setStatus("live");
      source.addEventListener("log", (event: MessageEvent<string>) => {
        const chunk: unknown = JSON.parse(event.data);
        if (!isLogEvent(chunk)) return;
        nextOffset.current = Math.max(nextOffset.current, chunk.offset);
        setLog((previous) => appendLogChunk(previous, chunk));
      });
      let sawStaleState = false;
      source.addEventListener("state", (event: MessageEvent<string>) => {
        const snapshot = JSON.parse(event.data) as Job;
        const cached = queryClient.getQueryData<Job>(jobKeys.detail(jobId));
        // A snapshot older than what the page holds (read before a retry committed) must not
        // roll the page back, nor may the "end" that follows it close the stream.
        sawStaleState = cached !== undefined && snapshot.version < cached.version;
        if (!sawStaleState) queryClient.setQueryData(jobKeys.detail(jobId), snapshot);
      });
      source.addEventListener("end", () => {
        source?.close();
        if (sawStaleState) {
          retryTimer = setTimeout(open, RECONNECT_DELAY_MS / 4);
          return;
        }
        finished = true;
        setStatus("ended");
        // The final metric points and result arrived with the end; fetch them once more.
        void queryClient.invalidateQueries({ queryKey: jobKeys.metrics(jobId) });
      });
      source.onerror = () => {
        if (finished) return;
        // EventSource would reconnect by itself, but from the original offset; reopen from ours.
        source?.close();
        setStatus("reconnecting");
        retryTimer = setTimeout(open, RECONNECT_DELAY_MS);
      };
    };

    open();
    return () => {
      finished = true;
      source?.close();
      clearTimeout(retryTimer);
    };
  }, [jobId, runKey, queryClient]);

  return { log, status };
}
