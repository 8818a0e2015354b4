import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';

/** Polls a scaffolder task until it ends; its status and its log, one line per event. */
export async function waitForTask(
  server: Parameters<typeof request>[0],
  taskId: string,
): Promise<{ status: string; log: string }> {
  const user = mockCredentials.user.header();
  for (;;) {
    const task = await request(server)
      .get(`/api/scaffolder/v2/tasks/${taskId}`)
      .set('Authorization', user);
    if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
      const events = await request(server)
        .get(`/api/scaffolder/v2/tasks/${taskId}/events`)
        .set('Authorization', user);
      const log = (events.body as Array<{ body: { message?: string } }>)
        .map(e => e.body.message ?? '')
        .join('\n');
      return { status: task.body.status as string, log };
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}
