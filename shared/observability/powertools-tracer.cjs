/**
 * Powertools Tracer and its middy middleware, required as CommonJS. Their ES module build imports
 * `node:http` as an ES module, and Node then builds that module's ESM namespace, which loads Node's
 * internal undici (about 10 ms of CPU at init, paid by every bundle that holds the Tracer, traced or not).
 * Bundled from CommonJS, the same code requires `node:http` instead, which costs nothing extra.
 */
const { Tracer } = require('@aws-lambda-powertools/tracer');
const { captureLambdaHandler } = require('@aws-lambda-powertools/tracer/middleware');

module.exports = { Tracer, captureLambdaHandler };
