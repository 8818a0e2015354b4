export { CutoverRunTimeline } from './CutoverRunTimeline';
export { CutoverRunHistory } from './CutoverRunHistory';
export { useCutoverRuns } from './useCutoverRuns';
export type { FollowedRun } from './useCutoverRuns';
