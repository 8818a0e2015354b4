import { useEffect, useRef } from 'react';
import { Link } from '@backstage/core-components';
import { useTaskEventStream } from '@backstage/plugin-scaffolder-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';

/** Where the scaffolder shows a task; `/create` is its default mount path. */
export const taskPagePath = (taskId: string) => `/create/tasks/${taskId}`;

/** The live steps and log of the cutover task. */
export function TaskProgress(props: {
  taskId: string;
  onFinished: (succeeded: boolean) => void;
}) {
  const { taskId, onFinished } = props;
  const stream = useTaskEventStream(taskId);
  const reported = useRef(false);
  const failed = Object.values(stream.steps).some(s => s.status === 'failed');

  useEffect(() => {
    if (stream.completed && !reported.current) {
      reported.current = true;
      onFinished(!failed && !stream.cancelled);
    }
  }, [stream.completed, stream.cancelled, failed, onFinished]);

  const steps = stream.task?.spec.steps ?? [];
  // The latest lines; the task page has the whole log.
  const log = steps
    .flatMap(step => stream.stepLogs[step.id] ?? [])
    .slice(-40)
    .join('\n');
  let summary = 'Cutover running…';
  if (stream.completed) {
    summary =
      failed || stream.cancelled ? 'Cutover failed' : 'Cutover completed';
  }
  return (
    <Box data-testid="bluegreen-cutover-progress">
      <Typography variant="subtitle1" data-testid="bluegreen-cutover-summary">
        {summary}
      </Typography>
      {stream.error && (
        <Typography color="error">{stream.error.message}</Typography>
      )}
      <ul>
        {steps.map(step => (
          <li key={step.id}>
            {step.name}: {stream.steps[step.id]?.status ?? 'open'}
          </li>
        ))}
      </ul>
      <Box
        component="pre"
        style={{ maxHeight: 240, overflow: 'auto', whiteSpace: 'pre-wrap' }}
        data-testid="bluegreen-cutover-log"
      >
        {log || 'waiting for the task to start…'}
      </Box>
      <Link to={taskPagePath(taskId)}>Open the task page</Link>
    </Box>
  );
}
