/**
 * Every workload's actor definitions in one module: the suite starts one
 * system per executor mode and reuses it for all workloads, and executor
 * threads load their definitions from here (`createSystem({ actors })`).
 */
export { Account, Teller } from './banking.actors.ts';
export { BigNode } from './big.actors.ts';
export { Creature, Mall } from './chameneos.actors.ts';
export { Join } from './common.actors.ts';
export { Counter, Producer } from './counting.actors.ts';
export { FibActor } from './fib.actors.ts';
export { Creator, FjWorker } from './fjcreate.actors.ts';
export { Feeder, FjtWorker } from './fjthroughput.actors.ts';
export { Idle } from './idle.actors.ts';
export { QueensWorker } from './nqueens.actors.ts';
export { Arbiter, Philosopher } from './philosophers.actors.ts';
export { Ping, Pong } from './pingpong.actors.ts';
export { SkewSpawner, SkewWorker } from './skewed.actors.ts';
export { Spawner } from './spawnstop.actors.ts';
export { RingNode } from './threadring.actors.ts';
export { TrapezoidWorker } from './trapezoid.actors.ts';
