/**
 * Step Functions for the Lambda-shaped benchmark, in a process of its own (as the service is another host
 * on AWS): answers StartExecution as the service does (the execution's ARN and start date, JSON 1.0) and
 * runs nothing, so a job route's handler pays for its SDK call (serialising, signing, the HTTP round trip)
 * and not for the pipeline, which on AWS runs in other functions. Prints its endpoint.
 */
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] ?? '');
    res.setHeader('content-type', 'application/x-amz-json-1.0');
    if (target !== 'AWSStepFunctions.StartExecution') {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `not served here: ${target}` }));
      return;
    }
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      stateMachineArn: string;
      name: string;
    };
    res.end(
      JSON.stringify({
        executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
        startDate: Date.now() / 1000,
      }),
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${address.port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
