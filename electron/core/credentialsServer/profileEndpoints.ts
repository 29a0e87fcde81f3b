import type { AwsCredentials } from '../types';
import { startCredentialsServer, type CredentialsRequestEvent, type RunningCredentialsServer } from './credentialsServer';
import type { CredentialsEndpoint } from './endpointEnvironment';

/**
 * The credentials endpoints a long-lived host (the agent, the desktop app) keeps for
 * `keytray env --server`: one server per profile, each with its own port and token, so a token
 * handed to one shell can never fetch another profile. Asking again for the same profile returns the
 * same endpoint, so every shell of a profile shares one.
 */
export class ProfileEndpoints {
  private readonly running = new Map<string, Promise<RunningCredentialsServer>>();

  constructor(private readonly onRequest?: (event: CredentialsRequestEvent) => void) {}

  /** The endpoint for `profile`, started on first use with `credentials` as its source. */
  async endpointFor(profile: string, credentials: () => Promise<AwsCredentials>): Promise<CredentialsEndpoint> {
    let server = this.running.get(profile);
    if (!server) {
      server = startCredentialsServer({ profile, credentials, onRequest: this.onRequest });
      this.running.set(profile, server);
      server.catch(() => this.running.delete(profile));
    }
    const { url, token } = await server;
    return { url, token };
  }

  /** Profiles with a running endpoint, for the app's status. */
  profiles(): string[] {
    return [...this.running.keys()];
  }

  /** Stops one profile's endpoint (Lock, or the profile was removed); its token stops working. */
  async stop(profile: string): Promise<void> {
    const server = this.running.get(profile);
    this.running.delete(profile);
    if (server) await (await server).close();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.profiles().map((p) => this.stop(p)));
  }
}
