/**
 * Records unhandled rejections and uncaught exceptions while a fuzzer runs in this process, so a
 * fuzz test can fail on them by name instead of the runner reporting them against another test.
 */
export function watchForCrashes(): { assertNone(): void; stop(): void } {
  const seen: string[] = [];
  const onRejection = (reason: unknown) => void seen.push(`unhandled rejection: ${String((reason as Error)?.stack ?? reason)}`);
  const onException = (err: Error) => void seen.push(`uncaught exception: ${err.stack ?? err}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    assertNone() {
      if (seen.length > 0) throw new Error(`${seen.length} crash(es) while fuzzing:\n${seen.slice(0, 3).join('\n')}`);
    },
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
