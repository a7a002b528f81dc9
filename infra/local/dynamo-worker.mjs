/**
 * The local DynamoDB (dynalite, in memory or on LevelDB) in a worker thread of the local server, as
 * DynamoDB is a service of its own on AWS: its parsing, validation and storage run beside the API and the
 * workflow instead of between their requests. The server's clients post each request here (dynamo-transport.ts)
 * and this thread hands it to dynalite's request listener with stand-ins for the socket's req and res, so
 * dynalite answers exactly as it does over HTTP. It also listens on loopback for other processes.
 *
 * Plain JavaScript, so any Node the project supports can start it without a TypeScript loader.
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
let stopping = false;

/** Answers one request with dynalite's listener; the reply is posted with the request's id. */
function answer({ id, method, url, headers, body }) {
  if (stopping) {
    parentPort.postMessage({ id, refused: true });
    return;
  }
  const req = Object.assign(new EventEmitter(), { method, url, headers });
  const out = {};
  const res = {
    statusCode: 200,
    setHeader(name, value) {
      out[name.toLowerCase()] = String(value);
    },
    end(data) {
      const text = data === undefined ? '' : typeof data === 'string' ? data : Buffer.from(data).toString();
      parentPort.postMessage({ id, statusCode: res.statusCode, headers: out, body: text });
    },
  };
  try {
    listener(req, res);
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error?.message ?? error) } });
    return;
  }
  // dynalite reads the body from 'data' events, as from a socket.
  if (body) req.emit('data', Buffer.from(body));
  req.emit('end');
}

parentPort.on('message', (message) => {
  if (message.type === 'request') answer(message);
  else if (message.type === 'stop') {
    stopping = true;
    server.close(() => parentPort.postMessage({ type: 'stopped' }));
  }
});

server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'ready', port: server.address().port }));
