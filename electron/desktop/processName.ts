/** Interpreters whose script, not themselves, is what the user knows the program as. */
const INTERPRETERS = /^(python[\d.]*|node|nodejs|ruby|perl|bash|sh|zsh|dash|fish|pwsh|powershell(\.exe)?|java|deno|bun)$/i;

/**
 * The name a person recognises a process by, from its command line: `aws` for
 * `/usr/bin/python3 /usr/bin/aws s3 ls`, `terraform` for `/usr/local/bin/terraform plan`. The
 * prompt window prints it in bold before the pid and the full command line, which stay the facts.
 */
export function processNameOf(command: string | undefined): string | undefined {
  if (!command) return undefined;
  const words = command.trim().split(/\s+/);
  const base = (w: string) => w.replace(/^["']|["']$/g, '').split(/[\\/]/).pop() ?? w;
  const first = base(words[0] ?? '');
  if (!INTERPRETERS.test(first)) return first || undefined;
  const script = words.slice(1).find((w) => !w.startsWith('-'));
  return script ? base(script) : first;
}
