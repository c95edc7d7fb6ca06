import { Typography } from "antd";

/** Pretty-printed JSON in a scrollable, copyable block. */
export function JsonBlock({ value }: { value: unknown }) {
  const text = JSON.stringify(value, null, 2);
  return (
    <Typography.Paragraph copyable={{ text }} style={{ marginBottom: 0 }}>
      <pre style={{ margin: 0, maxHeight: 320, overflow: "auto", fontSize: 12 }}>{text}</pre>
    </Typography.Paragraph>
  );
}
