/** Every workload of the suite, in the order they run and appear in BENCHMARKS.md. */
import type { Workload } from '../lib/types.ts';
import { banking } from './banking.ts';
import { big } from './big.ts';
import { chameneos } from './chameneos.ts';
import { counting } from './counting.ts';
import { fibonacci } from './fib.ts';
import { fjcreate } from './fjcreate.ts';
import { fjthroughput } from './fjthroughput.ts';
import { nqueens } from './nqueens.ts';
import { philosophers } from './philosophers.ts';
import { pingpong } from './pingpong.ts';
import { skewed } from './skewed.ts';
import { spawnstop } from './spawnstop.ts';
import { taskLatency, taskPriority, tasks } from './tasks.ts';
import { threadring } from './threadring.ts';
import { trapezoid } from './trapezoid.ts';

export const workloads: readonly Workload<any>[] = [
  counting,
  pingpong,
  threadring,
  chameneos,
  big,
  fjcreate,
  fjthroughput,
  fibonacci,
  banking,
  philosophers,
  trapezoid,
  nqueens,
  spawnstop,
  skewed,
  tasks,
  taskLatency,
  taskPriority,
];
