/**
 * JSON-RPC 2.0 over lines, for both ends of the adapter protocol: the harness talking to an app
 * in its own process (src/adapter/process/), and the host running an in-process app behind the
 * protocol (src/host/). Transport-free: it is handed each line read and a function to write one.
 */
import { rpcLine } from './schema.ts';

/** An error answer to a call: JSON-RPC's `error` object. */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** JSON-RPC's own error codes. */
export const RPC = { parseError: -32700, invalidRequest: -32600, methodNotFound: -32601, invalidParams: -32602, internalError: -32603 } as const;

export interface RpcHandlers {
  /** A call from the other side; its result (or RpcError) is the answer. */
  request(method: string, params: unknown): Promise<unknown>;
  notification(method: string, params: unknown): void;
  /** The other side broke JSON-RPC (not JSON, not a message, an answer to no call): named, then up to the owner. */
  protocolError(problem: string): void;
}

export class RpcConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { method: string; resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly handlers: RpcHandlers,
  ) {}

  /** Calls `method` on the other side; resolves with its result, rejects with an RpcError. */
  call(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  notify(method: string, params: unknown): void {
    this.write(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  /** The calls still waiting for an answer, by method: for messages when the other side is gone. */
  waiting(): string[] {
    return [...this.pending.values()].map((p) => p.method);
  }

  /** Rejects every call still waiting (the other side is gone). */
  abandon(error: Error): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(error);
  }

  /** Handles one line read from the other side. */
  receive(line: string): void {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return this.handlers.protocolError(`wrote a line that is not JSON: ${excerpt(line)}`);
    }
    const parsed = rpcLine.safeParse(json);
    if (!parsed.success) return this.handlers.protocolError(`wrote a line that is not a JSON-RPC 2.0 message: ${excerpt(line)}`);
    const message = parsed.data;
    if ('method' in message) {
      if ('id' in message) void this.answer(message.id, message.method, message.params);
      else this.handlers.notification(message.method, message.params);
      return;
    }
    const call = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!call) return this.handlers.protocolError(`answered a call it was never made (id ${JSON.stringify(message.id)}): ${excerpt(line)}`);
    this.pending.delete(message.id as number);
    if ('error' in message) call.reject(new RpcError(message.error.code, message.error.message, message.error.data));
    else call.resolve(message.result);
  }

  private async answer(id: number | string, method: string, params: unknown): Promise<void> {
    try {
      const result = await this.handlers.request(method, params);
      this.write(JSON.stringify({ jsonrpc: '2.0', id, result: result ?? null }));
    } catch (error) {
      const e = error instanceof RpcError ? error : new RpcError(RPC.internalError, error instanceof Error ? error.message : String(error));
      this.write(JSON.stringify({ jsonrpc: '2.0', id, error: { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) } }));
    }
  }
}

/** The start of a long line, for messages. */
export function excerpt(line: string, max = 200): string {
  return line.length > max ? `${JSON.stringify(line.slice(0, max))}... (${line.length} characters)` : JSON.stringify(line);
}

/**
 * Splits a byte stream into lines (UTF-8, `\n`-terminated; a trailing `\r` is dropped). A line
 * longer than `maxLine` characters is refused: an app flooding its stdout is stopped, not buffered.
 */
export class LineSplitter {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: (length: number) => void,
    private readonly maxLine = 8 * 1024 * 1024,
  ) {}

  push(chunk: Uint8Array): void {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      this.onLine(line);
      newline = this.buffer.indexOf('\n');
    }
    if (this.buffer.length > this.maxLine) {
      const length = this.buffer.length;
      this.buffer = '';
      this.onTooLong(length);
    }
  }
}
