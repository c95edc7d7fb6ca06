/** The arena's leaderboard: Bradley–Terry and Elo ratings with bootstrap 95 % intervals, votes and win rates. */
import { Button, Card, Empty, Spin, Table, Typography } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useThemeMode } from "../../../app/theme";
import { EChart } from "../../../components/EChart";
import { PageHeader } from "../../../components/PageHeader";
import { QueryError } from "../../../components/QueryError";
import { useLeaderboard } from "./api";
import type { LeaderboardRow } from "./types";
import { intervalOption, percent, withInterval } from "./vote";

export default function LeaderboardPage() {
  const { t } = useTranslation();
  const { dark } = useThemeMode();
  const board = useLeaderboard();
  const rows = board.data?.models ?? [];
  const option = useMemo(() => intervalOption(rows, { rating: t("arena.board.rating"), interval: t("arena.board.interval") }),
                         [rows, t]);

  if (board.isError) return <QueryError error={board.error} onRetry={() => void board.refetch()} />;
  if (!board.data) return <Spin />;
  return (
    <>
      <PageHeader title={t("arena.leaderboard")}
                  extra={<Link to="/evaluation/arena"><Button type="primary">{t("arena.title")}</Button></Link>}>
        <Typography.Text data-testid="leaderboard-votes">{t("arena.board.votes", { count: board.data.votes })}</Typography.Text>
        <Typography.Text type="secondary">{t("arena.board.help")}</Typography.Text>
      </PageHeader>
      {rows.length === 0 ? <Empty description={t("arena.board.empty")} /> : (
        <>
          <Card size="small" style={{ marginBottom: 16 }}>
            <div data-testid="leaderboard-chart" data-series={rows.map((row) => row.model).join("|")}>
              <EChart option={option} dark={dark} height={300}
                      label={t("arena.board.chartLabel", { models: rows.map((row) => row.model).join(", ") })} />
            </div>
          </Card>
          <Table<LeaderboardRow> rowKey="model" dataSource={rows} pagination={false} size="small" data-testid="leaderboard"
                                 columns={[
            { title: t("arena.board.rank"), dataIndex: "rank", width: 72 },
            { title: t("arena.board.model"), dataIndex: "model" },
            { title: t("arena.board.bt"), key: "bt", render: (_, row) => withInterval(row.bt, row.bt_low, row.bt_high) },
            { title: t("arena.board.elo"), key: "elo", render: (_, row) => withInterval(row.elo, row.elo_low, row.elo_high) },
            { title: t("arena.board.games"), dataIndex: "votes", align: "right" },
            { title: t("arena.board.winRate"), key: "win", align: "right", render: (_, row) => percent(row.win_rate) },
          ]} />
        </>
      )}
    </>
  );
}
