/**
 * The web console as a static site: a private S3 bucket behind CloudFront with origin access control, and
 * the deployment that uploads the Vite build with a config.json naming the API and the user pool.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy, DEPLOYED_REMOTE_SOURCES } from '../console/security-headers.ts';

/** What the console reads from config.json at start (console/src/api.ts, SiteConfig). */
export interface ConsoleConfig {
  apiUrl: string;
  /** Base URL of the Server-Sent Events routes (a Lambda function URL deployed). */
  eventsUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
}

/**
 * The bucket and the distribution. They live in the data stack, so that the media bucket's CORS rule there
 * and the API's in the compute stack can name the site's origin without a cycle.
 */
export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution domain>`, the origin the API and the media bucket allow. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: { logBucket: IBucket; stage: string }) {
    super(scope, id);
    // Rebuilt from the repository on every deploy: nothing in it needs keeping.
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'console/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: `ai-video ${props.stage} console security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(DEPLOYED_REMOTE_SOURCES),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `ai-video ${props.stage} console`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'console-cdn/',
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
  }
}

/**
 * Uploads the build: hashed assets cached for a year, the page and config.json revalidated on every load
 * (and invalidated at CloudFront), so that a deploy shows at once.
 */
export function deployConsole(
  scope: Construct,
  site: { bucket: IBucket; distribution: Distribution },
  dist: string,
  config: ConsoleConfig,
) {
  const assets = new BucketDeployment(scope, 'ConsoleAssets', {
    sources: [Source.asset(dist, { exclude: ['index.html'] })],
    destinationBucket: site.bucket,
    cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
    prune: false,
    memoryLimit: 512,
  });
  const page = new BucketDeployment(scope, 'ConsolePage', {
    sources: [
      Source.asset(dist, { exclude: ['assets', 'assets/**'] }),
      Source.jsonData('config.json', config),
    ],
    destinationBucket: site.bucket,
    cacheControl: [CacheControl.noCache()],
    prune: false,
    distribution: site.distribution,
    distributionPaths: ['/', '/index.html', '/config.json'],
    memoryLimit: 512,
  });
  // The page names assets of this build: they must be there first.
  page.node.addDependency(assets);
  return { assets, page };
}
