/** `3:04:05`, or `2 days, 3:04:05` (the original's str(timedelta), without fractions). */
export function formatUptime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const days = Math.floor(whole / 86_400);
  const hours = Math.floor((whole % 86_400) / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = whole % 60;
  const clock = `${hours}:${String(minutes).padStart(2, '0')}:${String(secs).padStart(2, '0')}`;
  return days ? `${days} day${days === 1 ? '' : 's'}, ${clock}` : clock;
}
