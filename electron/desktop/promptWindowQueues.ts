import type { PromptWindowHost } from './mfaPromptBroker';

/**
 * One prompt window for two queues, the MFA codes and the browser sign-ins: each queue drives its
 * own host as if the window were its alone, and the window is hidden only once both are empty, so
 * a finished sign-in never hides an MFA request still waiting for its code (or the other way round).
 */
export class PromptWindowQueues {
  private readonly waiting = new Set<string>();

  constructor(private readonly window: PromptWindowHost) {}

  hostFor(queue: string): PromptWindowHost {
    return {
      show: () => {
        this.waiting.add(queue);
        this.window.show();
      },
      hide: () => {
        this.waiting.delete(queue);
        if (this.waiting.size === 0) this.window.hide();
      },
    };
  }
}
