import tracer = require('@aws-lambda-powertools/tracer');
import middleware = require('@aws-lambda-powertools/tracer/middleware');

declare const powertools: {
  Tracer: typeof tracer.Tracer;
  captureLambdaHandler: typeof middleware.captureLambdaHandler;
};
export = powertools;
