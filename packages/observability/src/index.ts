export { eventToJson, toNdjson } from './ndjson.ts';
