import { KeytrayError } from '../errors';
import type { partitionOf } from '../sts/endpoints';

export type Partition = ReturnType<typeof partitionOf>;

/** Each partition has its own sign-in service and console; a session from one cannot open another. */
const SIGNIN_ENDPOINTS: Record<Partition, string> = {
  aws: 'https://signin.aws.amazon.com/federation',
  'aws-cn': 'https://signin.amazonaws.cn/federation',
  'aws-us-gov': 'https://signin.amazonaws-us-gov.com/federation',
};

const CONSOLE_HOSTS: Record<Partition, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

export const DEFAULT_CONSOLE_PATH = 'console/home';

/**
 * The federation endpoint: KEYTRAY_SIGNIN_URL when set (tests, private endpoints), else the
 * partition's. The session's secret key travels in the request, so plain HTTP is accepted only to
 * this machine.
 */
export function signinEndpointFor(partition: Partition, env: NodeJS.ProcessEnv = process.env): string {
  const override = env.KEYTRAY_SIGNIN_URL?.trim();
  if (!override) return SIGNIN_ENDPOINTS[partition];
  let url: URL;
  try {
    url = new URL(override);
  } catch {
    throw new KeytrayError('usage', 'KEYTRAY_SIGNIN_URL is not a URL', { hint: 'Set it to e.g. https://signin.aws.amazon.com/federation, or unset it.' });
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new KeytrayError('usage', 'KEYTRAY_SIGNIN_URL must use https (plain http is allowed to localhost only)', {
      hint: 'The sign-in request carries session credentials; fix the URL or unset it.',
    });
  }
  if (url.search || url.hash) {
    throw new KeytrayError('usage', 'KEYTRAY_SIGNIN_URL must not have a query or fragment', { hint: 'Give only the federation endpoint.' });
  }
  return url.toString();
}

/**
 * Where the console opens. `destination` is a path on the partition's console ("s3/home",
 * "/ec2/v2/home#Instances:") or a full URL on that console (regional hosts such as
 * us-west-2.console.aws.amazon.com included); anything else is refused so that a sign-in token is
 * never sent towards another site. The region becomes `region=` unless the destination names one.
 */
export function consoleDestination(partition: Partition, destination: string | undefined, region: string | undefined): string {
  const host = CONSOLE_HOSTS[partition];
  const given = destination?.trim() || DEFAULT_CONSOLE_PATH;
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:/i.test(given) || given.startsWith('//')) {
    try {
      url = new URL(given);
    } catch {
      throw badDestination(given, host);
    }
    if (url.protocol !== 'https:' || !(url.hostname === host || url.hostname.endsWith(`.${host}`))) throw badDestination(given, host);
  } else {
    url = new URL(given.replace(/^\/+/, ''), `https://${host}/`);
  }
  if (region && !url.searchParams.has('region')) url.searchParams.set('region', region);
  return url.toString();
}

function badDestination(given: string, host: string): KeytrayError {
  return new KeytrayError('usage', `--destination ${given} is not a page of ${host}`, {
    hint: `Give a console path such as s3/home, or a https://${host}/ URL.`,
  });
}

/** The URL that signs a browser in: it is a bearer secret for as long as the token lives (15 min). */
export function loginUrl(signinEndpoint: string, signinToken: string, destination: string): string {
  const url = new URL(signinEndpoint);
  url.search = new URLSearchParams({ Action: 'login', Issuer: 'keytray', Destination: destination, SigninToken: signinToken }).toString();
  return url.toString();
}
