/**
 * The OpenTelemetry conventions this package follows, pinned: the messaging
 * semantic conventions are still "Development", so names may change between
 * versions and `schemaUrl` tells a backend which version these are. The
 * incubating constants are copied here rather than imported at run time
 * (semantic-conventions' own advice), so the package depends on the API only.
 */
import { createRequire } from 'node:module';

export const SCHEMA_URL = 'https://opentelemetry.io/schemas/1.37.0';

/** This package's version, for the tracer's and meter's instrumentation scope. */
export const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version;

export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_DESTINATION_TEMPLATE = 'messaging.destination.template';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_CLIENT_ID = 'messaging.client.id';
export const ATTR_ERROR_TYPE = 'error.type';
export const MESSAGING_SYSTEM = 'troupe';
/** Troupe's own (`messaging.{system}.*`). */
export const ATTR_TROUPE_MESSAGE_TYPE = 'messaging.troupe.message.type';
export const ATTR_TROUPE_ACTOR_ID = 'messaging.troupe.actor.id';
export const ATTR_TROUPE_EXECUTOR_ID = 'messaging.troupe.executor.id';
/** Seconds between the send and the start of the handler (time in the mailbox, across threads too). */
export const ATTR_TROUPE_QUEUE_TIME = 'messaging.troupe.queue.duration';
