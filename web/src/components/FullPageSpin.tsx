import { Flex, Spin } from "antd";

/** A centred spinner for whole-page waits (session check, lazy page chunks). */
export function FullPageSpin() {
  return (
    <Flex align="center" justify="center" style={{ minHeight: 240, height: "100%" }}>
      <Spin size="large" />
    </Flex>
  );
}
