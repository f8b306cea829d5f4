/* The public face of a history row: what other modules read of a delivered event. */
export { type EventEnvelope, toEnvelope } from './event.entity.js';
