/**
 * The cdk-nag findings of the optional web client (lib/constructs/web-client.ts) that are acknowledged rather
 * than fixed, with their reasons; part of `nagAcknowledgements` (lib/nag-acknowledgements.ts).
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import type { NagAcknowledgement, NagSubject, NagTarget } from './nag-acknowledgements.ts';

/** The web client's distribution, with this finding id (none without a web client). */
function distribution(stack: NagSubject, id: string): readonly NagTarget[] {
  return stack.webClient ? [{ scope: stack.webClient.distribution, id }] : [];
}

/** The role of the function that copies the web client's files into its bucket (one for both deployments). */
function deploymentRole(stack: NagSubject): IConstruct | undefined {
  return stack.webClient?.deployments[0]?.handlerRole;
}

/**
 * The web client's findings (lib/constructs/web-client.ts): its distribution, and the functions that CDK's
 * BucketDeployment and AwsCustomResource bring.
 */
export const webClientAcknowledgements: readonly NagAcknowledgement[] = [
  {
    rule: 'AwsSolutions-CFR1',
    where: 'the web client’s CloudFront distribution',
    reason:
      'No geographic restriction: the chat is meant for anyone anywhere, and the distribution serves only the ' +
      'public static files of the web client (no data, no API: the APIs are not behind it). An operator who must ' +
      'restrict countries can add one to the distribution; nothing here depends on it.',
    targets: (stack) => distribution(stack, 'AwsSolutions-CFR1'),
  },
  {
    rule: 'AwsSolutions-CFR2',
    where: 'the web client’s CloudFront distribution',
    reason:
      'No AWS WAF web ACL: the distribution serves only static files, cached at the edge, from a private bucket, ' +
      'so there is no application behind it to attack; a web ACL would cost at least $5 a month plus $1 per rule ' +
      'and $0.60 per million requests, more than the rest of an idle stack. The APIs, where abuse would matter, ' +
      'have their own throttles and per-user limits.',
    targets: (stack) => distribution(stack, 'AwsSolutions-CFR2'),
  },
  {
    rule: 'AwsSolutions-CFR4',
    where: 'the web client’s CloudFront distribution',
    reason:
      'It uses the default *.cloudfront.net certificate, with which CloudFront does not let a minimum TLS ' +
      'version be chosen; that takes a custom domain and its own ACM certificate in us-east-1, which this stack ' +
      'does not assume anyone has. Viewers are redirected to HTTPS, HSTS is sent, and modern browsers negotiate ' +
      'TLS 1.2 or 1.3 anyway.',
    targets: (stack) => distribution(stack, 'AwsSolutions-CFR4'),
  },
  {
    rule: 'AwsSolutions-IAM4',
    finding: 'Policy::…/service-role/AWSLambdaBasicExecutionRole',
    where: 'the roles of the web client’s deployment function and CORS custom resource (made by CDK)',
    reason:
      'CDK’s BucketDeployment and AwsCustomResource make these functions and their roles, with the AWS managed ' +
      'policy that lets a function write its own logs (logs:CreateLogGroup, CreateLogStream, PutLogEvents) and ' +
      'nothing else. They run only during a deployment; a customer managed copy of the same three actions would ' +
      'add nothing.',
    targets: (stack) => {
      const id =
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
      const roles = [deploymentRole(stack), stack.webClient?.corsOrigins.resource.grantPrincipal];
      return roles.flatMap((role) => (role instanceof Construct ? [{ scope: role, id }] : []));
    },
  },
  {
    rule: 'AwsSolutions-IAM5',
    finding: 'Action::s3:GetObject*, s3:List*, … and Resource::<bucket>/*, * (cloudfront)',
    where: 'the role of the web client’s deployment function (CDK’s BucketDeployment)',
    reason:
      'The grants CDK’s BucketDeployment makes: read the one asset bucket of CDK’s bootstrap (where the built ' +
      'files are uploaded), and read, write and delete objects of the web client’s own bucket only (it copies ' +
      'the files and prunes old ones; object keys are the build’s and unknown until then). CloudFront ' +
      'CreateInvalidation and GetInvalidation are granted on "*" by BucketDeployment, so that each deploy ' +
      'invalidates the distribution. The function runs only during deployments.',
    targets: (stack) => {
      const role = deploymentRole(stack);
      if (!role || !stack.webClient) return [];
      const bucketId = stack.getLogicalId(stack.webClient.bucket.node.defaultChild as CfnElement);
      return [
        'Action::s3:GetBucket*',
        'Action::s3:GetObject*',
        'Action::s3:List*',
        'Action::s3:Abort*',
        'Action::s3:DeleteObject*',
        'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
        `Resource::<${bucketId}.Arn>/*`,
        'Resource::*',
      ].map((finding) => ({ scope: role, id: `AwsSolutions-IAM5[${finding}]` }));
    },
  },
  {
    rule: 'AwsSolutions-L1',
    where: 'the web client’s deployment function (CDK’s BucketDeployment)',
    reason:
      'CDK’s BucketDeployment chooses this function’s runtime (Python, with the AWS CLI in a layer) and updates ' +
      'it with aws-cdk-lib; it cannot be set. It runs only during deployments, to copy the built files, and ' +
      'handles no request of any user.',
    targets: (stack) => {
      const role = deploymentRole(stack);
      return role?.node.scope ? [{ scope: role.node.scope, id: 'AwsSolutions-L1' }] : [];
    },
  },
];
