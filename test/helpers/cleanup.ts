// Teardown for tests that start brokers, clients and algo processes: steps run newest first, and
// one that fails or has not finished after `stepMs` is left behind so the rest still run and the
// file ends. A kafkajs client disconnecting while it retries a broker that was stopped can take
// minutes; without the bound it held a whole CI run until its time cap.
export async function runCleanup(steps: Array<() => Promise<unknown>>, stepMs = 30_000): Promise<void> {
  for (const step of steps.reverse()) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, stepMs);
    });
    await Promise.race([step().catch(() => undefined), late]);
    clearTimeout(timer);
  }
}
