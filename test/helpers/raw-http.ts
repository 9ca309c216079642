// Raw HTTP/1.1 over node:net, for what a well-behaved client never sends: partial bodies,
// bodies that stall, bad Content-Length, unknown methods, pipelined requests.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Splits complete answers off the front of `data`; returns them and the unparsed rest. */
function parseAnswers(data: Buffer): { answers: RawAnswer[]; rest: Buffer } {
  const answers: RawAnswer[] = [];
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) break;
    const [statusLine = '', ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < end + 4 + length) break;
    answers.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.subarray(end + 4, end + 4 + length).toString('utf8') });
    rest = rest.subarray(end + 4 + length);
  }
  return { answers, rest };
}

/**
 * Collects the answers arriving on `socket` until `count` are complete or the server closes the
 * connection; `closed` tells which.
 */
export function readAnswers(socket: Socket, count = 1): Promise<{ answers: RawAnswer[]; closed: boolean }> {
  return new Promise((resolve) => {
    let pending: Buffer = Buffer.alloc(0);
    const answers: RawAnswer[] = [];
    const finish = (closed: boolean): void => {
      socket.removeListener('data', onData);
      resolve({ answers, closed });
    };
    const onData = (chunk: Buffer): void => {
      const parsed = parseAnswers(Buffer.concat([pending, chunk]));
      answers.push(...parsed.answers);
      pending = parsed.rest;
      if (answers.length >= count) finish(false);
    };
    socket.on('data', onData);
    socket.once('close', () => finish(true));
    socket.once('error', () => undefined);
  });
}

/** Sends `request` on a new connection and waits for one answer (or the connection closing). */
export async function rawExchange(port: number, request: string | Buffer): Promise<{ answer: RawAnswer | undefined; closed: boolean }> {
  const socket = await openSocket(port);
  const reading = readAnswers(socket);
  socket.write(request);
  const { answers, closed } = await reading;
  socket.destroy();
  return { answer: answers[0], closed };
}
