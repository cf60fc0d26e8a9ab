import { readFileSync } from 'node:fs';

/** CPU time (user + system, ms) of the calling thread, from /proc/thread-self/stat (Linux; 0 elsewhere). For the benchmark. */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}
