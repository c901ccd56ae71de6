'use strict';
/**
 * One cold start, as Lambda's Node.js runtime does it: a fresh process loads a function bundle (its module scope
 * builds the clients), then the handler runs once on a real event. Run as
 * `node cold-start-child.cjs <bundle> <event JSON>` by test/bench/cold-start.ts, which times the whole process;
 * this prints where the time went on a last line `BENCH {loadMs, invokeMs, statusCode, batchItemFailures}` and exits at once (the
 * SDK's kept-alive sockets would hold the process open, as they hold a frozen Lambda environment).
 *
 * Plain CommonJS that loads no module of its own (not even perf_hooks: `process.hrtime` needs none), so that the
 * process loads nothing but the bundle.
 */
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const [bundle, eventJson] = process.argv.slice(2);
const event = JSON.parse(eventJson);
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: '512',
  awsRequestId: 'cold-start',
  logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  logStreamName: 'cold-start',
  getRemainingTimeInMillis: () => 10_000,
  done() {},
  fail() {},
  succeed() {},
};

const started = nowMs();
const { handler } = require(bundle);
const loaded = nowMs();
Promise.resolve(handler(event, context)).then(
  (result) => {
    const invoked = nowMs();
    const report = {
      loadMs: loaded - started,
      invokeMs: invoked - loaded,
      statusCode: result?.statusCode,
      // The notifier answers the records it failed (ReportBatchItemFailures) rather than a status.
      batchItemFailures: result?.batchItemFailures?.length,
    };
    // fs.writeSync: process.stdout on a pipe is a stream that Node builds on first use, at a cost of its own.
    require('node:fs').writeSync(1, `\nBENCH ${JSON.stringify(report)}\n`);
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`, () => process.exit(1));
  },
);
