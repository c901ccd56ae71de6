/**
 * The optional web client on AWS (lib/constructs/web-client.ts): absent by default; with it, a private bucket
 * behind CloudFront with origin access control, HTTPS only, security headers whose CSP names exactly the two API
 * URLs, config.json written at deploy with those URLs, the client's URL as an output, and the distribution's
 * origin added to the HTTP API's CORS configuration without a circular dependency.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../lib/constructs/web-client.ts';
import { synthChatStack, TEST_WEB_CLIENT } from './synth.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }>;

const ALLOWED = ['https://chat.example.com', 'http://localhost:3002'];
const outdir = mkdtempSync(join(tmpdir(), 'chat-web-client-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// Prepare + Act, once for the file: the assertions only read the templates (and the staged config.json).
const plain = synthChatStack();
const { stack, template } = synthChatStack({
  outdir,
  props: { allowedOrigins: ALLOWED, webClient: TEST_WEB_CLIENT },
});
const resources = template.toJSON().Resources as Resources;

function logicalIdOf(construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function ofType(type: string, from: Resources = resources) {
  return Object.entries(from).filter(([, resource]) => resource.Type === type);
}

const webClient = stack.webClient;
if (!webClient) throw new Error('the stack has no web client although webClient was given');
const bucketId = logicalIdOf(webClient.bucket);
const distributionId = logicalIdOf(webClient.distribution);
const distributionConfig = resources[distributionId]?.Properties.DistributionConfig as Record<
  string,
  unknown
>;

/** Every resource another references (Ref, Fn::GetAtt, DependsOn), by logical id. */
function dependencies(resource: Resources[string], ids: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Ref' && typeof inner === 'string' && ids.has(inner)) found.add(inner);
        else if (key === 'Fn::GetAtt' && Array.isArray(inner) && ids.has(String(inner[0])))
          found.add(inner[0]);
        else visit(inner);
      }
    }
  };
  visit(resource.Properties);
  for (const id of [resource.DependsOn ?? []].flat()) found.add(String(id));
  return found;
}

/** A cycle of references between resources, as the ids along it, or undefined: CloudFormation refuses one. */
function cycleIn(all: Resources): string[] | undefined {
  const ids = new Set(Object.keys(all));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const walk = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of dependencies(all[id] as Resources[string], ids)) {
      const cycle = walk(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    const cycle = walk(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('without webClient', () => {
  it('makes no bucket, distribution, deployment or CORS custom resource, and no WebClientUrl output', () => {
    const plainResources = plain.template.toJSON().Resources as Resources;

    for (const type of [
      'AWS::S3::Bucket',
      'AWS::CloudFront::Distribution',
      'Custom::CDKBucketDeployment',
      'Custom::AWS',
    ]) {
      expect(ofType(type, plainResources)).toEqual([]);
    }
    expect(plain.template.toJSON().Outputs).not.toHaveProperty('WebClientUrl');
  });
});

describe('with webClient', () => {
  it('keeps the files in a private, encrypted, TLS-only bucket that only the distribution may read', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }),
    });
    expect(resources[bucketId]?.Properties).not.toHaveProperty('WebsiteConfiguration');
    const policy = ofType('AWS::S3::BucketPolicy').find(
      ([, candidate]) => (candidate.Properties.Bucket as { Ref?: string }).Ref === bucketId,
    )?.[1];
    const document = policy?.Properties.PolicyDocument as
      | { Statement: Record<string, unknown>[] }
      | undefined;
    const statements = document?.Statement ?? [];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 's3:GetObject',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
    expect(JSON.stringify(allows[0]?.Condition)).toContain(distributionId);
  });

  it('reaches the bucket through origin access control (signed requests), not a public endpoint', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    const [origin] = distributionConfig.Origins as Record<string, unknown>[];
    expect(origin).toMatchObject({
      OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    expect(JSON.stringify(origin?.DomainName)).toContain(bucketId);
  });

  it('serves HTTPS only (HTTP is redirected), index.html at the root, with access logs', () => {
    expect(distributionConfig).toMatchObject({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] },
      Logging: { Prefix: 'cloudfront/' },
    });
    expect(distributionConfig).not.toHaveProperty('CacheBehaviors');
  });

  it('sends the security headers, with a CSP that lets the page connect to exactly the two API URLs', () => {
    const csp = stack.resolve(contentSecurityPolicy(stack.httpApi.url, stack.webSocketApi.url));

    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 31_536_000,
            IncludeSubdomains: true,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
          ContentSecurityPolicy: { ContentSecurityPolicy: csp, Override: true },
        },
      },
    });
    expect(distributionConfig.DefaultCacheBehavior).toMatchObject({
      ResponseHeadersPolicyId: { Ref: logicalIdOf(webClient.headers) },
    });
  });

  it('writes a CSP whose connect-src is its own origin and the two URLs, and that allows nothing inline', () => {
    const csp = contentSecurityPolicy(
      'https://abc.execute-api.eu-west-1.amazonaws.com',
      'wss://def.example/prod',
    );
    const directives = new Map(csp.split('; ').map((part) => [part.split(' ')[0], part.split(' ').slice(1)]));

    expect(directives.get('connect-src')).toEqual([
      "'self'",
      'https://abc.execute-api.eu-west-1.amazonaws.com',
      'wss://def.example/prod',
    ]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp).not.toContain('*');
    expect(csp).not.toContain('unsafe-');
  });

  it('writes config.json at deploy with the real URLs, with a short cache, and keeps it from the assets’ prune', () => {
    const deployments = ofType('Custom::CDKBucketDeployment').map(([, resource]) => resource.Properties);
    const config = deployments.find((properties) => 'SourceMarkers' in properties) ?? {};
    const assets = deployments.find((properties) => !('SourceMarkers' in properties));
    const [key] = config.SourceObjectKeys as string[];
    const staged = JSON.parse(
      readFileSync(join(outdir, `asset.${key?.replace(/\.zip$/, '')}`, 'config.json'), 'utf8'),
    ) as Record<string, string>;
    const markers = (config.SourceMarkers as Record<string, unknown>[])[0] ?? {};
    const resolved = (value: string) =>
      value.replace(/<<marker:0xbaba:\d+>>/g, (marker) => JSON.stringify(markers[marker]));

    expect(Object.keys(staged)).toEqual(['httpApiUrl', 'webSocketUrl']);
    expect(resolved(staged.httpApiUrl ?? '')).toBe(
      JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack.httpApi.api), 'ApiEndpoint'] }),
    );
    expect(resolved(staged.webSocketUrl ?? '')).toMatch(
      new RegExp(
        `^wss://${JSON.stringify({ Ref: logicalIdOf(stack.webSocketApi.api) }).replace(/[{}[\]]/g, '\\$&')}\\.execute-api\\.`,
      ),
    );
    expect(config).toMatchObject({
      Prune: false,
      RetainOnDelete: false,
      SystemMetadata: { 'cache-control': 'public, max-age=60' },
      DistributionPaths: ['/config.json'],
    });
    expect(assets).toMatchObject({ Prune: true, Exclude: ['config.json'], DistributionPaths: ['/*'] });
  });

  it('outputs the client’s URL', () => {
    template.hasOutput('WebClientUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
    });
  });

  it('lets the configured origins and the distribution’s call the HTTP API, and puts the configured ones back when removed', () => {
    const [[, cors] = []] = ofType('Custom::AWS');
    const create = JSON.stringify(cors?.Properties.Create);
    const remove = JSON.stringify(cors?.Properties.Delete);

    expect(create).toContain('\\"action\\":\\"UpdateApi\\"');
    expect(create).toContain(
      `\\"AllowOrigins\\":[\\"https://chat.example.com\\",\\"http://localhost:3002\\",\\"https://",{"Fn::GetAtt":["${distributionId}","DomainName"]},"\\"]`,
    );
    expect(remove).toContain(
      '\\"AllowOrigins\\":[\\"https://chat.example.com\\",\\"http://localhost:3002\\"]',
    );
    // The template's own configuration stays the configured origins: the distribution's is added at deploy.
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({ AllowOrigins: ALLOWED }),
    });
  });

  it('removes the CORS configuration on delete when no origin is configured', () => {
    const { template: alone } = synthChatStack({ props: { webClient: TEST_WEB_CLIENT } });
    const [[, cors] = []] = ofType('Custom::AWS', alone.toJSON().Resources);

    expect(JSON.stringify(cors?.Properties.Delete)).toContain('\\"action\\":\\"DeleteCorsConfiguration\\"');
  });

  it('applies its origins again after CloudFormation changes the API (its settings hash changes with them)', () => {
    const hashOf = (resourcesOf: Resources) =>
      ofType('Custom::AWS', resourcesOf)[0]?.[1].Properties.ApiSettingsHash;
    const otherStage = synthChatStack({
      props: { stageName: 'dev', allowedOrigins: ALLOWED, webClient: TEST_WEB_CLIENT },
    }).template.toJSON().Resources as Resources;
    const otherOrigins = synthChatStack({ props: { webClient: TEST_WEB_CLIENT } }).template.toJSON()
      .Resources as Resources;

    expect(hashOf(resources)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf(otherStage)).not.toBe(hashOf(resources));
    expect(hashOf(otherOrigins)).not.toBe(hashOf(resources));
  });

  it('grants the CORS custom resource only PATCH and DELETE of this API’s configuration', () => {
    const policies = ofType('AWS::IAM::Policy').filter(([id]) => id.startsWith('WebClientCorsOrigin'));
    const statements = policies.flatMap(
      ([, policy]) =>
        (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );

    expect(statements.map((statement) => statement.Action)).toEqual([
      'apigateway:PATCH',
      'apigateway:DELETE',
    ]);
    for (const statement of statements)
      expect(JSON.stringify(statement.Resource)).toContain(logicalIdOf(stack.httpApi.api));
  });

  it('needs no Docker: no container image among its assets (the deployment functions come prebuilt)', () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'ServerlessChat.assets.json'), 'utf8')) as {
      files: Record<string, unknown>;
      dockerImages?: Record<string, unknown>;
    };

    expect(Object.keys(manifest.files).length).toBeGreaterThan(0);
    expect(manifest.dockerImages ?? {}).toEqual({});
  });

  it('has no circular dependency between resources', () => {
    expect(cycleIn(resources)).toBeUndefined();
  });

  it('would find a circular dependency (the check can fail)', () => {
    const looped: Resources = {
      A: { Type: 'T', Properties: { X: { 'Fn::GetAtt': ['B', 'Arn'] } } },
      B: { Type: 'T', Properties: { Y: { 'Fn::Join': ['', [{ Ref: 'C' }]] } } },
      C: { Type: 'T', Properties: {}, DependsOn: ['A'] },
    };

    expect(cycleIn(looped)).toEqual(['A', 'B', 'C', 'A']);
  });
});
