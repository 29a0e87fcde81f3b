import { endpointOverride, type AwsService } from '../net/awsClientOptions';

/**
 * Endpoint overrides, resolved the way the AWS SDK for JavaScript does: the service-specific
 * variable wins over the global one (AWS_ENDPOINT_URL_STS > AWS_ENDPOINT_URL). The SDK clients get
 * theirs from awsClientOptions; this is for code that only needs the URL.
 */
export function endpointFor(service: AwsService, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return endpointOverride(service, env);
}

export const DEFAULT_REGION = 'us-east-1';

/** The region for a profile's STS calls: the profile's own, then the environment's, then us-east-1. */
export function regionFor(profileRegion: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return profileRegion || env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION;
}

/** The partition of an ARN or region decides sign-in hosts and IAM's global region. */
export function partitionOf(arnOrRegion: string | undefined): 'aws' | 'aws-cn' | 'aws-us-gov' {
  const s = arnOrRegion ?? '';
  if (s.startsWith('arn:aws-cn:') || s.startsWith('cn-')) return 'aws-cn';
  if (s.startsWith('arn:aws-us-gov:') || s.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
