/** dynalite with the app's tables in a process of its own, for the Lambda-shaped benchmark: prints them. */
import { startLocalDynamo } from '#infra/local/dynamo.ts';

const dynamo = await startLocalDynamo();
process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint, tables: dynamo.tables })}\n`);
process.on('SIGTERM', () => {
  void dynamo.stop().then(() => process.exit(0));
});
