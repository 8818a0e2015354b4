import { useEffect, useRef } from 'react';
import { Link, LogViewer } from '@backstage/core-components';
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
  const log = steps.flatMap(step => stream.stepLogs[step.id] ?? []).join('\n');
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
      <div style={{ height: 200 }}>
        <LogViewer text={log || 'waiting for the task to start…'} />
      </div>
      <Link to={taskPagePath(taskId)}>Open the task page</Link>
    </Box>
  );
}
