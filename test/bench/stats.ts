/** Small statistics and timing helpers of the benchmark. */

/** Milliseconds on a monotonic clock shared by every process on this machine (CLOCK_MONOTONIC on Linux). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The `p`-th percentile (0..100) of the samples, by nearest rank; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Rounds to `digits` decimals, for the JSON line and the tables. */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Times `samples` sequential runs of `run` after `warmup` untimed ones; returns the durations in ms. */
export async function timeRuns(
  samples: number,
  run: (index: number) => Promise<unknown>,
  warmup = 2,
): Promise<number[]> {
  for (let index = 0; index < warmup; index++) await run(-1 - index);
  const durations: number[] = [];
  for (let index = 0; index < samples; index++) {
    const started = nowMs();
    await run(index);
    durations.push(nowMs() - started);
  }
  return durations;
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A plain-text table: a header row, a rule, then rows; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const numeric = header.map((_, column) => rows.every((row) => typeof row[column] === 'number'));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  return [
    line(cells[0] as string[]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}
