import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { DeployedCorsOrigins } from './cors-origins.ts';
import type { ChatHttpApi } from './http-api.ts';

/** Options of the web client's hosting. */
export interface ChatWebClientProps {
  /** The directory of the built web client (its index.html at the top); copied to the bucket at deploy. */
  readonly assetsDirectory: string;
  /** The HTTP API the client calls: named in config.json and the CSP, and told to allow the client's origin. */
  readonly httpApi: ChatHttpApi;
  /** The WebSocket URL the client connects to (with its stage), for config.json and the CSP. */
  readonly webSocketUrl: string;
  /**
   * Keep the access logs when the stack is deleted.
   *
   * @default true
   */
  readonly retainLogs?: boolean;
}

/** How long access logs are kept (S3 server access logs and CloudFront's standard logs). */
const LOG_DAYS = 90;
/** Browsers and edges keep the client's files this long; each deploy also invalidates the distribution. */
const ASSETS_MAX_AGE = Duration.minutes(5);
/** config.json changes only when the API's URLs do, but a client must never keep stale ones for long. */
const CONFIG_MAX_AGE = Duration.minutes(1);

/**
 * The Content-Security-Policy of every response: the client's own files only, no inline script or style, and
 * network access to its own origin (config.json) and to exactly the two API URLs.
 */
export function contentSecurityPolicy(httpApiUrl: string, webSocketUrl: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${httpApiUrl} ${webSocketUrl}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The web chat client on AWS: its built files in a private S3 bucket, served only through a CloudFront
 * distribution (origin access control, HTTPS only, security headers), with `/config.json` written at deploy
 * with the real API URLs, and the distribution's origin added to the HTTP API's CORS configuration.
 */
export class ChatWebClient extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  /** `https://<distribution domain>`: the page's address, and the origin its API calls come from. */
  readonly url: string;
  readonly deployments: readonly BucketDeployment[];
  readonly corsOrigins: DeployedCorsOrigins;

  constructor(scope: Construct, id: string, props: ChatWebClientProps) {
    super(scope, id);
    const retainLogs = props.retainLogs ?? true;

    // CloudFront's standard logs are written with an ACL, so this bucket keeps ACLs (owner preferred).
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(LOG_DAYS) }],
      removalPolicy: retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !retainLogs,
    });
    // Only the build's output: deleted with the stack (the deployments empty it first).
    this.bucket = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const httpApiUrl = props.httpApi.url;
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'The web chat client: HSTS, CSP naming the API URLs, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(httpApiUrl, props.webSocketUrl),
          override: true,
        },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'The web chat client',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      // North America and Europe only: the cheapest class; other viewers are served from those edges.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    const assets = new BucketDeployment(this, 'DeployAssets', {
      destinationBucket: this.bucket,
      sources: [Source.asset(props.assetsDirectory)],
      // config.json belongs to the deployment below: not overwritten, not pruned.
      exclude: ['config.json'],
      prune: true,
      retainOnDelete: false,
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(ASSETS_MAX_AGE)],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    // The URLs are tokens, replaced with the real ones when the deployment runs.
    const config = new BucketDeployment(this, 'DeployConfig', {
      destinationBucket: this.bucket,
      sources: [Source.jsonData('config.json', { httpApiUrl, webSocketUrl: props.webSocketUrl })],
      prune: false,
      retainOnDelete: false,
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(CONFIG_MAX_AGE)],
      distribution: this.distribution,
      distributionPaths: ['/config.json'],
    });
    this.deployments = [assets, config];

    this.corsOrigins = new DeployedCorsOrigins(this, 'CorsOrigin', {
      httpApi: props.httpApi,
      origins: [this.url],
    });

    new CfnOutput(this, 'Url', {
      key: 'WebClientUrl',
      description: 'The web chat client (CloudFront)',
      value: this.url,
    });
  }
}
