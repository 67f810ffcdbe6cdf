import type { AuditService } from './service.js';

/**
 * `portal audit verify`: prints the verdict and returns the process exit code (0 intact, 1 broken), so
 * a cron job or a monitor can alert on it.
 */
export async function auditVerifyCommand(
  audit: Pick<AuditService, 'verify'>,
  print: (line: string) => void = console.log,
): Promise<number> {
  const result = await audit.verify();
  if (result.ok) {
    print(`audit chain OK: ${result.checked} entries`);
    return 0;
  }
  const broken = result.firstBroken!;
  print(`audit chain BROKEN at entry #${broken.id}: ${broken.reason}`);
  return 1;
}
