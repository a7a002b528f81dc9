/**
 * The local DynamoDB's own thread: dynalite and its store run here, off the server's event loop, as
 * DynamoDB runs off a Lambda function's CPU. Plain JavaScript, so it loads without a TypeScript loader
 * (on Node 20 as on 24, under `npm start` and under vitest).
 *
 * workerData: { path?: string } (LevelDB under path, or in memory).
 * Messages in: { type: 'call', id, method, url, headers, body } and { type: 'close' }.
 * Messages out: { type: 'listening', port }, { type: 'answer', id, statusCode, headers, body } or
 * { type: 'answer', id, error }, and { type: 'closed' } once the store is closed.
 * The HTTP listener stays up on loopback for other processes.
 */
import { EventEmitter } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(workerData?.path ? { path: workerData.path } : {}),
});
const listener = server.listeners('request')[0];
const inFlight = new Set();

/** Hands one call to dynalite's listener with stand-ins for req and res: no socket, no HTTP parsing. */
function answer(call) {
  return new Promise((resolve) => {
    const req = Object.assign(new EventEmitter(), {
      method: call.method,
      url: call.url,
      headers: call.headers,
    });
    const headers = {};
    const res = {
      statusCode: 200,
      setHeader(name, value) {
        headers[name.toLowerCase()] = String(value);
      },
      end(body) {
        resolve({ type: 'answer', id: call.id, statusCode: res.statusCode, headers, body: body ?? '' });
      },
    };
    try {
      listener(req, res);
    } catch (error) {
      resolve({ type: 'answer', id: call.id, error: String(error?.message ?? error) });
      return;
    }
    // dynalite reads the body from 'data' events, as from a socket.
    if (call.body) req.emit('data', Buffer.from(call.body));
    req.emit('end');
  });
}

parentPort.on('message', (message) => {
  if (message.type === 'call') {
    const pending = answer(message).then((out) => parentPort.postMessage(out));
    inFlight.add(pending);
    pending.finally(() => inFlight.delete(pending));
  } else if (message.type === 'close') {
    // Closing the server closes dynalite's store: the calls it is still answering end first.
    Promise.allSettled([...inFlight]).then(() =>
      server.close(() => parentPort.postMessage({ type: 'closed' })),
    );
  }
});

server.listen(0, '127.0.0.1', () =>
  parentPort.postMessage({ type: 'listening', port: server.address().port }),
);
