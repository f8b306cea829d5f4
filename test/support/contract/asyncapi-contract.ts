import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ASYNCAPI_FILE, recordMismatch } from './openapi-contract.js';

/**
 * Checks every socket event the e2e suite receives against /docs/asyncapi.json: the event is
 * one the namespace's channel sends, and its payload validates against the message's schema.
 */
type Json = Record<string, any>;

let checker: SocketContract | undefined;

/** Turns the checks on (the e2e setup file does). */
export function enableSocketChecks(): void {
  checker ??= new SocketContract(JSON.parse(readFileSync(ASYNCAPI_FILE, 'utf8')) as Json);
}

/** Socket.IO's own events, not application messages. */
const TRANSPORT_EVENTS = new Set(['connect', 'connect_error', 'disconnect']);

export function checkSocketEvent(namespace: string, event: string, payload: unknown): void {
  if (!checker || TRANSPORT_EVENTS.has(event)) return;
  const problem = checker.check(namespace, event, payload);
  if (problem) recordMismatch(`socket ${namespace} ${event}: ${problem}`);
}

/** The acknowledgement of a client message (messages the document does not list are left alone). */
export function checkSocketAck(namespace: string, event: string, reply: unknown): void {
  if (!checker) return;
  const problem = checker.check(namespace, event, reply, true);
  if (problem && problem !== 'event not in the document')
    recordMismatch(`socket ${namespace} ${event} acknowledgement: ${problem}`);
}

const withDocumentRefs = (schema: unknown): unknown =>
  JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', '"asyncapi#/components/'),
  ) as unknown;

class SocketContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  /** namespace → event name → validator of its payload. */
  private readonly sent = new Map<string, Map<string, ValidateFunction>>();
  /** namespace → client message name → validator of its acknowledgement. */
  private readonly acks = new Map<string, Map<string, ValidateFunction>>();

  constructor(document: Json) {
    addFormats.default(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema({ $id: 'asyncapi', components: withDocumentRefs(document.components) });
    for (const channel of Object.values(document.channels as Json)) {
      const events = new Map<string, ValidateFunction>();
      const acks = new Map<string, ValidateFunction>();
      this.sent.set(channel.address as string, events);
      this.acks.set(channel.address as string, acks);
      for (const message of Object.values(channel.messages as Json)) {
        if (message['x-client']) continue;
        const validate = this.ajv.compile(withDocumentRefs(message.payload) as Json);
        const ack = / acknowledgement$/.exec(message.name as string);
        if (ack) acks.set((message.name as string).slice(0, ack.index), validate);
        else events.set(message.name as string, validate);
      }
    }
  }

  check(namespace: string, event: string, payload: unknown, ack = false): string | null {
    const events = (ack ? this.acks : this.sent).get(namespace);
    if (!events) return 'namespace not in the document';
    const validate = events.get(event);
    if (!validate) return 'event not in the document';
    if (validate(payload)) return null;
    return this.ajv.errorsText(validate.errors, { dataVar: 'payload' }).slice(0, 2000);
  }
}
