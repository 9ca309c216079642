// The benchmarks' one knob: `--quick` (`npm run bench:http -- --quick`) runs every bench with
// fewer rounds and shorter phases — a smoke run whose figures are rougher. Each bench says
// at start how long it should take on the 2-core development machine (README's table).
const args = process.argv.slice(2);
for (const arg of args) {
  if (arg !== '--quick') {
    console.error(`unknown argument ${JSON.stringify(arg)}: the benchmarks take only --quick`);
    process.exit(2);
  }
}

export const QUICK = args.includes('--quick');

/** `full` normally, `quick` with --quick. */
export const scaled = <T>(full: T, quick: T): T => (QUICK ? quick : full);

/** Prints the bench's expected wall time (seconds, measured on 2 cores) before it starts. */
export function announce(name: string, seconds: { full: number; quick: number }): void {
  const about = (s: number): string => (s < 90 ? `${s} s` : `${Math.round(s / 30) / 2} min`);
  console.log(
    QUICK
      ? `${name} --quick: takes about ${about(seconds.quick)} on 2 cores (rough figures; without --quick about ${about(seconds.full)})`
      : `${name}: takes about ${about(seconds.full)} on 2 cores (npm run ${name} -- --quick: about ${about(seconds.quick)})`,
  );
}
