/** Every workload of the suite, in the order they run and appear in BENCHMARKS.md. */
import type { Workload } from '../lib/types.ts';
import { big } from './big.ts';
import { counting } from './counting.ts';
import { fjcreate } from './fjcreate.ts';
import { fjthroughput } from './fjthroughput.ts';
import { pingpong } from './pingpong.ts';
import { threadring } from './threadring.ts';

export const workloads: readonly Workload<any>[] = [
  counting,
  pingpong,
  threadring,
  big,
  fjcreate,
  fjthroughput,
];
