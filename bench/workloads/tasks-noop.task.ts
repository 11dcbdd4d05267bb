/** The no-op task as a default export (system.pool takes a module's default export or `{ module, export }`). */
export { noop as default } from './tasks.task.ts';
