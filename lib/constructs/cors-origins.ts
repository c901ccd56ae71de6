import { createHash } from 'node:crypto';
import { type CfnResource, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { type ChatHttpApi, corsConfigurationFor } from './http-api.ts';

/** Options of the origins added to the HTTP API's CORS configuration at deploy. */
export interface DeployedCorsOriginsProps {
  readonly httpApi: ChatHttpApi;
  /** The origins added to the API's own (`https://d111111abcdef8.cloudfront.net`); may be tokens. */
  readonly origins: readonly string[];
}

/**
 * Adds origins to the HTTP API's CORS configuration once the API exists, with API Gateway's `UpdateApi` (a
 * custom resource), and puts the template's configuration back when removed.
 *
 * Why not in the template: the web client's origin is its CloudFront domain, known only once the distribution
 * exists, and the distribution's Content-Security-Policy names the HTTP API's URL, so the API cannot also wait
 * for the distribution (CloudFormation refuses the circular dependency). This resource waits for both.
 *
 * CloudFormation writes the template's configuration again whenever it updates the API itself; a hash of what
 * this stack sets on the API is a property here, so that any such update updates this resource after it.
 */
export class DeployedCorsOrigins extends Construct {
  readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: DeployedCorsOriginsProps) {
    super(scope, id);
    const api = props.httpApi.api;
    const apiId = api.apiId;
    const templateOrigins = props.httpApi.allowedOrigins;
    const update: cr.AwsSdkCall = {
      service: 'ApiGatewayV2',
      action: 'UpdateApi',
      parameters: {
        ApiId: apiId,
        CorsConfiguration: corsConfigurationFor([...templateOrigins, ...props.origins]),
      },
      physicalResourceId: cr.PhysicalResourceId.of(`${apiId}-cors`),
    };
    // Back to the template's configuration: its origins, or none at all.
    const restore: cr.AwsSdkCall = templateOrigins.length
      ? { ...update, parameters: { ApiId: apiId, CorsConfiguration: corsConfigurationFor(templateOrigins) } }
      : { service: 'ApiGatewayV2', action: 'DeleteCorsConfiguration', parameters: { ApiId: apiId } };
    const stack = Stack.of(this);
    const apiArn = stack.formatArn({
      service: 'apigateway',
      account: '',
      resource: '/apis',
      resourceName: apiId,
    });

    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      onCreate: update,
      onUpdate: update,
      onDelete: { ...restore, ignoreErrorCodesMatching: 'NotFoundException' },
      // UpdateApi is a PATCH of the API, DeleteCorsConfiguration a DELETE of its /cors: this API only.
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['apigateway:PATCH'], resources: [apiArn] }),
        new iam.PolicyStatement({ actions: ['apigateway:DELETE'], resources: [`${apiArn}/cors`] }),
      ]),
      // The SDK of Lambda's Node.js runtime has both calls; installing the latest would need the network.
      installLatestAwsSdk: false,
    });
    const settings = {
      name: api.httpApiName,
      description: (api.node.defaultChild as apigwv2.CfnApi).description,
    };
    (this.resource.node.findChild('Resource').node.defaultChild as CfnResource).addPropertyOverride(
      'ApiSettingsHash',
      createHash('sha256')
        .update(JSON.stringify({ ...settings, cors: corsConfigurationFor(templateOrigins) }))
        .digest('hex'),
    );
  }
}
