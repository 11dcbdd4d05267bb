/** Every workload of the suite, in the order they run and appear in BENCHMARKS.md. */
import type { Workload } from '../lib/types.ts';
import { counting } from './counting.ts';
import { pingpong } from './pingpong.ts';

export const workloads: readonly Workload<any>[] = [counting, pingpong];
