import { Button, Result } from "antd";
import { Component, type ErrorInfo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { errorMessage } from "../lib/errorMessage";

/** What a crashed part of the page shows instead of going blank. */
export function CrashResult({ error, onReset }: { error: unknown; onReset?: () => void }) {
  const { t } = useTranslation();
  return (
    <Result
      status="error"
      title={t("errors.title")}
      subTitle={errorMessage(error, t)}
      extra={
        <Button type="primary" onClick={onReset ?? (() => window.location.reload())}>
          {t("common.reload")}
        </Button>
      }
    />
  );
}

interface Props {
  children: ReactNode;
  /** Resets the boundary when it changes (the route path), so navigating away recovers. */
  resetKey?: string;
}

interface State {
  error: unknown;
  resetKey: string | undefined;
}

/** Catches render errors below it: the console never turns into a blank page. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: null, resetKey: props.resetKey } : null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error("console crashed", error, info.componentStack);
  }

  override render() {
    if (this.state.error !== null) {
      return <CrashResult error={this.state.error} onReset={() => this.setState({ error: null })} />;
    }
    return this.props.children;
  }
}
