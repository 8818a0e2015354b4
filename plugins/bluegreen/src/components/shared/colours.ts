import { ClusterColour } from '@bluegreen/plugin-bluegreen-common';

/** The colours the views draw each cluster in. */
export const CLUSTER_COLOUR_CODES: Record<ClusterColour, string> = {
  blue: '#1e88e5',
  green: '#43a047',
};
