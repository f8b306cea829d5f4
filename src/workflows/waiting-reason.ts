/** Why a ready step has no agent yet (CONTRACT §3 "Executing"). */
export const WAITING_REASONS = [
  'no_matching_agent',
  'no_live_agent',
  'agents_at_capacity',
] as const;
export type WaitingReason = (typeof WAITING_REASONS)[number];

/** A step's waiting reason set (or cleared: null) by a dispatch pass. */
export interface WaitingChange {
  runId: string;
  stepKey: string;
  taskId: string;
  reason: WaitingReason | null;
  detail: string | null;
}
