"""Long-running work: the job table and state machine, dispatcher, executors and JobContext."""
