import { Flex, Typography } from "antd";
import type { ReactNode } from "react";

/** A page title with its actions on the right. */
export function PageHeader({ title, extra, children }: { title: ReactNode; extra?: ReactNode; children?: ReactNode }) {
  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }}>
      <Flex align="center" justify="space-between" gap={16} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>{title}</Typography.Title>
        {extra !== undefined && <Flex gap={8} wrap>{extra}</Flex>}
      </Flex>
      {children}
    </Flex>
  );
}
